/**
 * Opening age files addressed to X25519 identities, synchronously and with Node's own
 * crypto (age-encryption.org/v1: X25519 stanza, HKDF-SHA256, ChaCha20-Poly1305, HMAC header
 * MAC, STREAM payload). It lets `envseal run` and `config()` open a data key without
 * loading the age-encryption package (which also carries post-quantum code), and lets
 * `config()` stay synchronous like dotenv's. Tests check it against the age binary and the
 * age-encryption package. Encryption, and every other recipient type, stays with
 * age-encryption.
 */
import { createDecipheriv, createHmac, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { bech32Decode, bech32Encode } from '../keys/bech32.js';

const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');
const X25519_INFO = Buffer.from('age-encryption.org/v1/X25519');
const CHUNK = 64 * 1024;

export interface X25519Identity {
  readonly privateKey: KeyObject;
  /** Our public key (32 bytes), part of the HKDF salt. */
  readonly publicKey: Buffer;
  /** The recipient string (age1…) of this identity. */
  readonly recipient: string;
}

/** Null for identities that are not X25519 (post-quantum ones, say). */
export function x25519Identity(identity: string): X25519Identity | null {
  const decoded = bech32Decode(identity);
  if (decoded === null || decoded.hrp !== 'age-secret-key-' || decoded.data.length !== 32) return null;
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, decoded.data]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const publicKey = Buffer.from(spki.subarray(spki.length - 32));
  return { privateKey, publicKey, recipient: bech32Encode('age', publicKey) };
}

/** Decodes age's ASCII armor (strict: 64-column base64 lines, canonical padding). */
export function dearmor(text: string): Buffer | null {
  const m = /^\s*-----BEGIN AGE ENCRYPTED FILE-----\r?\n([\s\S]*?)\r?\n?-----END AGE ENCRYPTED FILE-----\s*$/.exec(text);
  if (m === null) return null;
  const lines = (m[1] ?? '').split(/\r?\n/);
  if (lines.some((l, i) => !/^[A-Za-z0-9+/=]*$/.test(l) || (i < lines.length - 1 && l.length !== 64) || l.length > 64)) return null;
  const b64 = lines.join('');
  const bytes = Buffer.from(b64, 'base64');
  return bytes.toString('base64') === b64 ? bytes : null;
}

interface Header {
  readonly stanzas: Array<{ type: string; args: string[]; body: Buffer }>;
  /** The header bytes the MAC covers: up to and including "---". */
  readonly macInput: Buffer;
  readonly mac: Buffer;
  readonly payload: Buffer;
}

function parseHeader(file: Buffer): Header | null {
  const text = file.toString('latin1');
  const lines: string[] = [];
  let pos = 0;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    if (nl === -1) return null;
    const line = text.slice(pos, nl);
    lines.push(line);
    pos = nl + 1;
    if (line.startsWith('---')) break;
    if (lines.length > 1000) return null;
  }
  if (lines[0] !== 'age-encryption.org/v1') return null;
  const last = lines.at(-1) as string;
  const macMatch = /^--- ([A-Za-z0-9+/]{43})$/.exec(last);
  if (macMatch === null) return null;
  const stanzas: Header['stanzas'] = [];
  let i = 1;
  while (i < lines.length - 1) {
    const head = lines[i] as string;
    if (!head.startsWith('-> ')) return null;
    const [type = '', ...args] = head.slice(3).split(' ');
    const bodyLines: string[] = [];
    for (i += 1; ; i += 1) {
      const l = lines[i];
      if (l === undefined || i >= lines.length - 1) return null;
      bodyLines.push(l);
      if (l.length < 64) break;
    }
    i += 1;
    const b64 = bodyLines.join('');
    if (!/^[A-Za-z0-9+/]*$/.test(b64)) return null;
    stanzas.push({ type, args, body: Buffer.from(b64, 'base64') });
  }
  const macStart = text.lastIndexOf('\n---', pos) + 1;
  return {
    stanzas,
    macInput: file.subarray(0, macStart + 3),
    mac: Buffer.from(macMatch[1] as string, 'base64'),
    payload: file.subarray(pos),
  };
}

function chachaOpen(key: Buffer, nonce: Buffer, sealed: Buffer): Buffer | null {
  if (sealed.length < 16) return null;
  try {
    const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
  } catch {
    return null;
  }
}

function hkdf(ikm: Buffer, salt: Buffer, info: string | Buffer, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
}

/**
 * Opens an armored age file with X25519 identities. Returns the plaintext, or null when no
 * identity matches or the file does not verify (the caller may then try other means).
 */
export function openAgeX25519(armored: string, identities: readonly X25519Identity[]): Buffer | null {
  const file = dearmor(armored);
  if (file === null) return null;
  const header = parseHeader(file);
  if (header === null) return null;
  for (const stanza of header.stanzas) {
    if (stanza.type !== 'X25519' || stanza.args.length !== 1 || stanza.body.length !== 32) continue;
    const share = Buffer.from(stanza.args[0] as string, 'base64');
    if (share.length !== 32 || share.toString('base64').replace(/=+$/, '') !== stanza.args[0]) continue;
    for (const id of identities) {
      const fileKey = unwrapStanza(share, stanza.body, id);
      if (fileKey === null) continue;
      const hmacKey = hkdf(fileKey, Buffer.alloc(0), 'header');
      const mac = createHmac('sha256', hmacKey).update(header.macInput).digest();
      if (!timingSafeEqual(mac, header.mac)) return null;
      return openPayload(fileKey, header.payload);
    }
  }
  return null;
}

function unwrapStanza(share: Buffer, body: Buffer, id: X25519Identity): Buffer | null {
  let shared: Buffer;
  try {
    const ephemeral = createPublicKey({ key: Buffer.concat([SPKI_X25519, share]), format: 'der', type: 'spki' });
    shared = diffieHellman({ privateKey: id.privateKey, publicKey: ephemeral });
  } catch {
    return null;
  }
  if (shared.every((b) => b === 0)) return null;
  const wrapKey = hkdf(shared, Buffer.concat([share, id.publicKey]), X25519_INFO);
  const fileKey = chachaOpen(wrapKey, Buffer.alloc(12), body);
  return fileKey !== null && fileKey.length === 16 ? fileKey : null;
}

function openPayload(fileKey: Buffer, payload: Buffer): Buffer | null {
  if (payload.length < 16) return null;
  const key = hkdf(fileKey, payload.subarray(0, 16), 'payload');
  const body = payload.subarray(16);
  const chunks: Buffer[] = [];
  for (let counter = 0, pos = 0; ; counter++) {
    const size = Math.min(CHUNK + 16, body.length - pos);
    const last = pos + size >= body.length;
    const nonce = Buffer.alloc(12);
    nonce.writeUIntBE(counter, 5, 6);
    nonce[11] = last ? 1 : 0;
    const plain = chachaOpen(key, nonce, body.subarray(pos, pos + size));
    if (plain === null || (plain.length === 0 && (counter > 0 || !last))) return null;
    chunks.push(plain);
    pos += size;
    if (last) return Buffer.concat(chunks);
  }
}
