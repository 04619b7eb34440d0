/**
 * SSH private key files, read as far as they can be without a passphrase: which key they
 * hold (its public half), and whether a passphrase protects the rest. Opening the private
 * half is crypto/ssh-private.ts's job, and happens only when a file has a stanza for this
 * key (age's rule: a passphrase is never asked for a key nothing is encrypted to).
 *
 * Formats: OpenSSH's own (`-----BEGIN OPENSSH PRIVATE KEY-----`, what ssh-keygen writes,
 * PROTOCOL.key), and the PEM ones Go's ssh package also reads (PKCS#1 `RSA PRIVATE KEY`,
 * with or without the legacy `Proc-Type: 4,ENCRYPTED` header, and PKCS#8 `PRIVATE KEY`).
 * An encrypted PEM file does not say which key it holds: like sops, envseal then reads the
 * `.pub` file next to it.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { ed25519Blob, rsaBlob, sshPublicKeyFromBlob, type SshPublicKey } from './ssh-key.js';
import { WireReader, bigintFrom } from './ssh-wire.js';

export type SshKeyFile =
  | {
      readonly format: 'openssh';
      readonly publicKey: SshPublicKey;
      /** `none`, or the cipher of the private section (aes256-ctr is what ssh-keygen uses). */
      readonly cipher: string;
      /** `none` or `bcrypt`, and its options (salt, rounds) in wire format. */
      readonly kdf: string;
      readonly kdfOptions: Buffer;
      /** The private section, encrypted unless the cipher is `none`. */
      readonly section: Buffer;
      /** After the section: an AEAD cipher's tag, else nothing. */
      readonly trailer: Buffer;
    }
  | {
      readonly format: 'pem';
      /** null while encrypted: read from the `.pub` file next to it, or unknown. */
      readonly publicKey: SshPublicKey | null;
      readonly encrypted: boolean;
      readonly pem: string;
    };

export type SshKeyFileRead = { readonly ok: true; readonly file: SshKeyFile } | { readonly ok: false; readonly reason: string };

const OPENSSH_BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const OPENSSH_END = '-----END OPENSSH PRIVATE KEY-----';
const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');

export function isEncrypted(file: SshKeyFile): boolean {
  return file.format === 'openssh' ? file.cipher !== 'none' : file.encrypted;
}

/** Reads a private key file's outer layer. Never echoes any of its bytes in a reason. */
export function readSshKeyFile(bytes: Uint8Array): SshKeyFileRead {
  const text = Buffer.from(bytes).toString('latin1').trim();
  if (text.startsWith(OPENSSH_BEGIN)) return readOpenSsh(text);
  const pem = /^-----BEGIN ((?:RSA |ENCRYPTED )?PRIVATE KEY)-----\r?\n/.exec(text);
  if (pem !== null) return readPem(text, pem[1] as string);
  if (/^-----BEGIN (EC|DSA) PRIVATE KEY-----/.test(text)) return fail('it is an ECDSA or DSA key; age takes ssh-ed25519 and ssh-rsa keys');
  return fail('it is not an SSH private key file');
}

function readOpenSsh(text: string): SshKeyFileRead {
  const end = text.indexOf(OPENSSH_END);
  if (end === -1) return fail('the key file is cut short (no END line)');
  const body = text.slice(OPENSSH_BEGIN.length, end).replace(/\s+/g, '');
  const bytes = Buffer.from(body, 'base64');
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) return fail('the key file is damaged (not openssh-key-v1)');
  const reader = new WireReader(bytes.subarray(MAGIC.length));
  const cipher = reader.text();
  const kdf = reader.text();
  const kdfOptions = reader.string();
  const count = reader.uint32();
  const blob = reader.string();
  const section = reader.string();
  const trailer = reader.rest();
  if (reader.broken) return fail('the key file is damaged');
  if (count !== 1) return fail(`the key file holds ${count} keys; envseal reads files with one`);
  const publicKey = sshPublicKeyFromBlob(blob);
  if (typeof publicKey === 'string') return fail(publicKey);
  return { ok: true, file: { format: 'openssh', publicKey, cipher, kdf, kdfOptions, section, trailer } };
}

function readPem(text: string, label: string): SshKeyFileRead {
  const encrypted = label === 'ENCRYPTED PRIVATE KEY' || /^Proc-Type:\s*4,\s*ENCRYPTED/m.test(text);
  if (encrypted) return { ok: true, file: { format: 'pem', publicKey: null, encrypted, pem: text } };
  const publicKey = publicKeyOfPem(text);
  return typeof publicKey === 'string' ? fail(publicKey) : { ok: true, file: { format: 'pem', publicKey, encrypted, pem: text } };
}

/** The public key of an unencrypted PEM private key, as an SSH key. */
function publicKeyOfPem(pem: string): SshPublicKey | string {
  let jwk: { kty?: string; crv?: string; x?: string; n?: string; e?: string };
  try {
    jwk = createPublicKey(createPrivateKey({ key: pem, format: 'pem' })).export({ format: 'jwk' });
  } catch {
    return 'the key file is damaged (PEM that does not parse)';
  }
  return sshPublicKeyOfJwk(jwk);
}

/** A public key in JWK form (what node:crypto exports) as an SSH key. */
export function sshPublicKeyOfJwk(jwk: { kty?: string; crv?: string; x?: string; n?: string; e?: string }): SshPublicKey | string {
  const b64 = (s: string | undefined): Buffer => Buffer.from(s ?? '', 'base64url');
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return sshPublicKeyFromBlob(ed25519Blob(b64(jwk.x)));
  if (jwk.kty === 'RSA') return sshPublicKeyFromBlob(rsaBlob(bigintFrom(b64(jwk.e)), bigintFrom(b64(jwk.n))));
  return 'it is neither an Ed25519 nor an RSA key; age takes ssh-ed25519 and ssh-rsa keys';
}

function fail(reason: string): SshKeyFileRead {
  return { ok: false, reason };
}
