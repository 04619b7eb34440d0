/**
 * age's SSH stanzas (the age spec's ssh-ed25519 and ssh-rsa recipient types, as the Go
 * implementation agessh writes them, and as sops 3.10+ uses them):
 *
 *  - `-> ssh-ed25519 <tag> <ephemeral share>`: X25519 with the Montgomery form of the
 *    Ed25519 key, the shared secret multiplied once more by a tweak (HKDF-SHA256 with the
 *    key's wire blob as salt, no secret), then HKDF-SHA256 (salt: share ‖ our X25519 key)
 *    and ChaCha20-Poly1305 with a zero nonce, as the X25519 stanza does.
 *  - `-> ssh-rsa <tag>`: the file key encrypted with RSA-OAEP-SHA256, labelled.
 *
 * The tag (4 bytes of SHA-256 of the key blob) says which key a stanza is for without a
 * passphrase; a stanza with another tag is "not mine". Anything malformed in a stanza of our
 * type fails the file, as in age.
 */
import { constants, privateDecrypt, publicEncrypt, createPublicKey } from 'node:crypto';
import type { SshPublicKey } from '../keys/ssh-key.js';
import { bytesOf } from '../keys/ssh-wire.js';
import type { SealedStanza } from './age-seal.js';
import { chachaOpen, chachaSeal, decodeBase64NoPad, hkdf, MALFORMED, unpadded, x25519, x25519Ephemeral, x25519PrivateKey, type AgeIdentity, type Stanza } from './age-x25519.js';
import type { SshPrivateKey } from './ssh-private.js';

const ED25519_LABEL = 'age-encryption.org/v1/ssh-ed25519';
const RSA_LABEL = Buffer.from('age-encryption.org/v1/ssh-rsa');

/** Wraps a file key for an SSH public key: one stanza. */
export function wrapForSshKey(key: SshPublicKey, fileKey: Uint8Array): SealedStanza {
  if (key.ed25519 !== undefined) {
    const { privateKey: ephemeral, share } = x25519Ephemeral();
    const shared = x25519(ephemeral, key.ed25519.x25519);
    if (shared === null) throw new RangeError('ssh-ed25519: a key of small order'); // refused when the recipient was parsed
    const secret = tweaked(key, shared);
    const wrapKey = hkdf(secret, Buffer.concat([share, key.ed25519.x25519]), ED25519_LABEL);
    return { args: ['ssh-ed25519', key.tag, unpadded(share)], body: chachaSeal(wrapKey, Buffer.alloc(12), fileKey) };
  }
  if (key.rsa !== undefined) {
    const publicKey = createPublicKey({ key: { kty: 'RSA', n: bytesOf(key.rsa.n).toString('base64url'), e: bytesOf(key.rsa.e).toString('base64url') }, format: 'jwk' });
    const body = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: RSA_LABEL }, fileKey);
    return { args: ['ssh-rsa', key.tag], body };
  }
  throw new TypeError('wrapForSshKey: not an ssh-ed25519 or ssh-rsa key');
}

/** The reader's identity for an opened SSH private key. */
export function sshAgeIdentity(key: SshPrivateKey): AgeIdentity {
  return {
    recipient: key.publicKey.text,
    stanzaType: key.publicKey.type,
    unwrap: (stanza) => (key.x25519 !== undefined ? unwrapEd25519(key, key.x25519, stanza) : unwrapRsa(key, stanza)),
  };
}

function unwrapEd25519(key: SshPrivateKey, ours: NonNullable<SshPrivateKey['x25519']>, stanza: Stanza): Buffer | null | typeof MALFORMED {
  if (stanza.args.length !== 3) return MALFORMED;
  const share = decodeBase64NoPad(stanza.args[2] as string);
  if (share === null || share.length !== 32) return MALFORMED;
  if (stanza.args[1] !== key.publicKey.tag) return null;
  const shared = x25519(ours.privateKey, share);
  if (shared === null) return MALFORMED;
  const wrapKey = hkdf(tweaked(key.publicKey, shared), Buffer.concat([share, ours.publicKey]), ED25519_LABEL);
  return chachaOpen(wrapKey, Buffer.alloc(12), stanza.body) ?? MALFORMED;
}

function unwrapRsa(key: SshPrivateKey, stanza: Stanza): Buffer | null | typeof MALFORMED {
  if (stanza.args.length !== 2) return MALFORMED;
  if (stanza.args[1] !== key.publicKey.tag || key.rsa === undefined) return null;
  try {
    return privateDecrypt({ key: key.rsa, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: RSA_LABEL }, stanza.body);
  } catch {
    return MALFORMED;
  }
}

/** The shared secret multiplied by the key's tweak: binds the stanza to the whole SSH key. */
function tweaked(key: SshPublicKey, shared: Buffer): Buffer {
  const tweak = hkdf(Buffer.alloc(0), key.blob, ED25519_LABEL);
  // X25519 of the tweak with the shared secret as a point; a zero result is impossible for
  // a point of large order, and age ignores the error this would be.
  return x25519(x25519PrivateKey(tweak), shared) ?? Buffer.alloc(32);
}
