/**
 * Opening an SSH private key file (keys/ssh-key-file.ts read its outer layer) into what age's
 * ssh stanzas need: for ssh-ed25519 the X25519 form of the key (the first half of SHA-512 of
 * the seed, age's agessh), for ssh-rsa the RSA key. OpenSSH's format is decrypted here
 * (bcrypt_pbkdf, then AES in CTR, CBC or GCM mode); the PEM formats go to node:crypto.
 *
 * The key opened must be the key the file said it holds (its public half, or the `.pub`
 * file next to an encrypted PEM file): a mismatch is refused, as age refuses it.
 */
import { createDecipheriv, createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { isEncrypted, sshPublicKeyOfJwk, type SshKeyFile } from '../keys/ssh-key-file.js';
import { ed25519Blob, sshPublicKeyFromBlob, type SshPublicKey } from '../keys/ssh-key.js';
import { WireReader, bytesOf } from '../keys/ssh-wire.js';
import { bcryptPbkdf } from './bcrypt-pbkdf.js';

const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface SshPrivateKey {
  readonly publicKey: SshPublicKey;
  /** ssh-ed25519: the X25519 private key and its public key (the stanza's HKDF salt). */
  readonly x25519?: { readonly privateKey: KeyObject; readonly publicKey: Buffer };
  /** ssh-rsa: the RSA private key. */
  readonly rsa?: KeyObject;
}

export type SshOpen =
  | { readonly ok: true; readonly key: SshPrivateKey }
  /** `passphrase`: the passphrase given did not open it (ask again, or say so). */
  | { readonly ok: false; readonly reason: string; readonly passphrase?: boolean };

/** Ciphers ssh-keygen can protect a key with: key and IV sizes, and the AEAD tag size. */
const CIPHERS: Readonly<Record<string, { node: string; key: number; iv: number; tag: number }>> = {
  'aes128-ctr': { node: 'aes-128-ctr', key: 16, iv: 16, tag: 0 },
  'aes192-ctr': { node: 'aes-192-ctr', key: 24, iv: 16, tag: 0 },
  'aes256-ctr': { node: 'aes-256-ctr', key: 32, iv: 16, tag: 0 },
  'aes128-cbc': { node: 'aes-128-cbc', key: 16, iv: 16, tag: 0 },
  'aes192-cbc': { node: 'aes-192-cbc', key: 24, iv: 16, tag: 0 },
  'aes256-cbc': { node: 'aes-256-cbc', key: 32, iv: 16, tag: 0 },
  'aes128-gcm@openssh.com': { node: 'aes-128-gcm', key: 16, iv: 12, tag: 16 },
  'aes256-gcm@openssh.com': { node: 'aes-256-gcm', key: 32, iv: 12, tag: 16 },
};

/**
 * Opens a key file; `passphrase` is needed only when it is protected. `expected` is the key
 * the file is known to hold (for PEM files, read from the `.pub` file).
 */
export function openSshKeyFile(file: SshKeyFile, passphrase: string | null, expected: SshPublicKey | null = file.publicKey): SshOpen {
  if (isEncrypted(file) && (passphrase === null || passphrase === '')) return { ok: false, reason: 'it is protected by a passphrase', passphrase: true };
  const opened = file.format === 'openssh' ? openOpenSsh(file, passphrase ?? '') : openPem(file.pem, passphrase);
  if (!opened.ok) return opened;
  if (expected !== null && !opened.key.publicKey.blob.equals(expected.blob)) {
    return { ok: false, reason: file.format === 'pem' ? 'it does not hold the key of the .pub file next to it' : 'its private half does not match its public half' };
  }
  return opened;
}

/** The most bcrypt_pbkdf rounds (ssh-keygen -a) envseal spends on a passphrase. */
export const MAX_BCRYPT_ROUNDS = 1024;

function openOpenSsh(file: Extract<SshKeyFile, { format: 'openssh' }>, passphrase: string): SshOpen {
  let section = file.section;
  if (file.cipher !== 'none') {
    const cipher = CIPHERS[file.cipher];
    if (cipher === undefined) return { ok: false, reason: `it is protected with ${file.cipher.slice(0, 40)}, which envseal cannot open (ssh-keygen -p -Z aes256-ctr changes that)` };
    if (file.kdf !== 'bcrypt') return { ok: false, reason: `its key derivation ${file.kdf.slice(0, 40)} is not bcrypt` };
    const options = new WireReader(file.kdfOptions);
    const salt = options.string();
    const rounds = options.uint32();
    if (!options.done || salt.length === 0 || salt.length > 1024 || rounds < 1) return { ok: false, reason: 'the key file is damaged (bcrypt options)' };
    // bcrypt_pbkdf here costs some 5 ms a round: ssh-keygen's default 16 is a tenth of a
    // second, 1,024 several seconds; more would hang for minutes (a damaged count included).
    if (rounds > MAX_BCRYPT_ROUNDS) return { ok: false, reason: `it asks for ${rounds} bcrypt rounds; envseal opens keys with at most ${MAX_BCRYPT_ROUNDS} (ssh-keygen -p -a 100 -f KEY re-protects it with 100)` };
    if (file.trailer.length !== cipher.tag || section.length % 16 !== 0) return { ok: false, reason: 'the key file is damaged (cipher text)' };
    const derived = bcryptPbkdf(Buffer.from(passphrase, 'utf8'), salt, rounds, cipher.key + cipher.iv);
    const decrypted = decrypt(cipher, derived, section, file.trailer);
    if (decrypted === null) return { ok: false, reason: 'the passphrase did not open it', passphrase: true };
    section = decrypted;
  } else if (file.kdf !== 'none' || file.trailer.length !== 0) {
    return { ok: false, reason: 'the key file is damaged' };
  }
  return readPrivateSection(section, file.cipher !== 'none');
}

function decrypt(cipher: (typeof CIPHERS)[string], derived: Buffer, section: Buffer, tag: Buffer): Buffer | null {
  const key = derived.subarray(0, cipher.key);
  const iv = derived.subarray(cipher.key);
  try {
    if (cipher.tag > 0) {
      const d = createDecipheriv(cipher.node as 'aes-256-gcm', key, iv, { authTagLength: cipher.tag });
      d.setAuthTag(tag);
      return Buffer.concat([d.update(section), d.final()]);
    }
    const d = createDecipheriv(cipher.node, key, iv);
    d.setAutoPadding(false);
    return Buffer.concat([d.update(section), d.final()]);
  } catch {
    return null;
  }
}

/**
 * The private section: two equal check words (a wrong passphrase yields two random ones), the
 * key, a comment, then padding 1, 2, 3….
 */
function readPrivateSection(section: Buffer, protectedByPassphrase: boolean): SshOpen {
  const reader = new WireReader(section);
  const check1 = reader.uint32();
  const check2 = reader.uint32();
  if (reader.broken || check1 !== check2) {
    return protectedByPassphrase ? { ok: false, reason: 'the passphrase did not open it', passphrase: true } : { ok: false, reason: 'the key file is damaged' };
  }
  const type = reader.text();
  let key: SshPrivateKey | string;
  if (type === 'ssh-ed25519') {
    const pub = reader.string();
    const secret = reader.string();
    key = reader.broken || pub.length !== 32 || secret.length !== 64 || !secret.subarray(32).equals(pub) ? 'the key file is damaged' : ed25519Key(secret.subarray(0, 32));
  } else if (type === 'ssh-rsa') {
    const [n, e, d, iqmp, p, q] = [reader.mpint(), reader.mpint(), reader.mpint(), reader.mpint(), reader.mpint(), reader.mpint()];
    key = reader.broken ? 'the key file is damaged' : rsaKey({ n, e, d, iqmp, p, q });
  } else {
    return { ok: false, reason: `SSH keys of type ${JSON.stringify(type.slice(0, 40))} cannot be age identities` };
  }
  reader.string(); // the comment
  const padding = reader.rest();
  if (reader.broken || padding.some((byte, i) => byte !== i + 1)) return { ok: false, reason: 'the key file is damaged' };
  return typeof key === 'string' ? { ok: false, reason: key } : { ok: true, key };
}

function openPem(pem: string, passphrase: string | null): SshOpen {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem', ...(passphrase === null ? {} : { passphrase }) });
  } catch {
    return passphrase === null ? { ok: false, reason: 'the key file is damaged' } : { ok: false, reason: 'the passphrase did not open it', passphrase: true };
  }
  const jwk = privateKey.export({ format: 'jwk' });
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    const key = ed25519Key(Buffer.from(jwk.d ?? '', 'base64url'));
    return typeof key === 'string' ? { ok: false, reason: key } : { ok: true, key };
  }
  const publicKey = sshPublicKeyOfJwk(createPublicKey(privateKey).export({ format: 'jwk' }));
  if (typeof publicKey === 'string') return { ok: false, reason: publicKey };
  return jwk.kty === 'RSA' ? { ok: true, key: { publicKey, rsa: privateKey } } : { ok: false, reason: 'it is neither an Ed25519 nor an RSA key' };
}

/** An Ed25519 key from its 32-byte seed: its public key, and the X25519 key age derives from it. */
function ed25519Key(seed: Buffer): SshPrivateKey | string {
  const ed = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
  const x = Buffer.from(createPublicKey(ed).export({ format: 'jwk' }).x ?? '', 'base64url');
  const publicKey = sshPublicKeyFromBlob(ed25519Blob(x));
  if (typeof publicKey === 'string') return publicKey;
  const scalar = createHash('sha512').update(seed).digest().subarray(0, 32);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, scalar]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { publicKey, x25519: { privateKey, publicKey: Buffer.from(spki.subarray(spki.length - 32)) } };
}

/** An RSA key from OpenSSH's fields (node needs the CRT exponents, which OpenSSH does not store). */
function rsaKey(k: { n: bigint; e: bigint; d: bigint; iqmp: bigint; p: bigint; q: bigint }): SshPrivateKey | string {
  if (k.p < 2n || k.q < 2n || k.p * k.q !== k.n) return 'the key file is damaged (RSA)';
  const b64 = (v: bigint): string => bytesOf(v).toString('base64url');
  let rsa: KeyObject;
  try {
    rsa = createPrivateKey({
      key: { kty: 'RSA', n: b64(k.n), e: b64(k.e), d: b64(k.d), p: b64(k.p), q: b64(k.q), dp: b64(k.d % (k.p - 1n)), dq: b64(k.d % (k.q - 1n)), qi: b64(k.iqmp) },
      format: 'jwk',
    });
  } catch {
    return 'the key file is damaged (RSA)';
  }
  const publicKey = sshPublicKeyOfJwk(createPublicKey(rsa).export({ format: 'jwk' }));
  return typeof publicKey === 'string' ? publicKey : { publicKey, rsa };
}
