/**
 * Opening dotenvx's encrypted values, for `envseal import` (and nothing else: envseal never
 * writes this format). A value is `encrypted:` and the base64 of an eciesjs message with the
 * settings dotenvx uses: secp256k1; the sender's ephemeral public key uncompressed (65 bytes);
 * a key from HKDF-SHA256 (no salt, no info) over that key and the shared point, uncompressed;
 * AES-256-GCM with a 16-byte nonce. Layout: ephemeral key ‖ nonce (16) ‖ tag (16) ‖ ciphertext.
 * The private key is 32 bytes in hex; the public key dotenvx writes is compressed (33 bytes).
 *
 * All of it runs on Node's OpenSSL, with no new dependency. Node's ECDH returns only the x
 * coordinate of the shared point; the point is one of the two with that x (`02`/`03` prefix),
 * and the GCM tag tells which: the other gives a different key, which fails authentication.
 */
import { createDecipheriv, createECDH, ECDH, hkdfSync } from 'node:crypto';

const CURVE = 'secp256k1';
const PREFIX = 'encrypted:';
const EPHEMERAL = 65;
const NONCE = 16;
const TAG = 16;

/** The compressed public key (hex) of a dotenvx private key; null when it is not one. */
export function dotenvxPublicKey(privateKeyHex: string): string | null {
  const ecdh = ecdhFor(privateKeyHex);
  return ecdh === null ? null : ecdh.getPublicKey('hex', 'compressed');
}

/**
 * The plaintext of one `encrypted:…` value; null when the private key does not open it (the
 * wrong key, or a damaged value). Never throws for bad input.
 */
export function openDotenvxValue(privateKeyHex: string, value: string): Uint8Array | null {
  const ecdh = ecdhFor(privateKeyHex);
  if (ecdh === null || !value.startsWith(PREFIX)) return null;
  const message = Buffer.from(value.slice(PREFIX.length), 'base64');
  if (message.length < EPHEMERAL + NONCE + TAG || message[0] !== 0x04) return null;
  const ephemeral = message.subarray(0, EPHEMERAL);
  const nonce = message.subarray(EPHEMERAL, EPHEMERAL + NONCE);
  const tag = message.subarray(EPHEMERAL + NONCE, EPHEMERAL + NONCE + TAG);
  const ciphertext = message.subarray(EPHEMERAL + NONCE + TAG);
  let x: Buffer;
  try {
    x = ecdh.computeSecret(ephemeral);
  } catch {
    return null; // not a point on the curve
  }
  for (const parity of [0x02, 0x03]) {
    const shared = ECDH.convertKey(Buffer.concat([Buffer.from([parity]), x]), CURVE, undefined, undefined, 'uncompressed') as Buffer;
    const key = Buffer.from(hkdfSync('sha256', Buffer.concat([ephemeral, shared]), Buffer.alloc(0), Buffer.alloc(0), 32));
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAuthTag(tag);
    try {
      return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
    } catch {
      // the other point, or not this key
    }
  }
  return null;
}

function ecdhFor(privateKeyHex: string): ECDH | null {
  if (!/^[0-9a-fA-F]{64}$/.test(privateKeyHex)) return null;
  const ecdh = createECDH(CURVE);
  try {
    ecdh.setPrivateKey(Buffer.from(privateKeyHex, 'hex'));
  } catch {
    return null; // zero, or not below the group order
  }
  return ecdh;
}
