/**
 * Opening age files synchronously with Node's own crypto (age-encryption.org/v1: stanzas,
 * HKDF-SHA256, ChaCha20-Poly1305, HMAC header MAC, STREAM payload). It lets `envseal run`
 * and `config()` open a data key without loading the age-encryption package (which also
 * carries post-quantum code), and lets `config()` stay synchronous like dotenv's.
 * Encryption, and post-quantum recipients, stay with age-encryption.
 *
 * The X25519 stanza is read here; others plug in as an {@link AgeIdentity} (age-ssh.ts:
 * ssh-ed25519 and ssh-rsa). As in age, each identity is tried on the stanzas of its type,
 * in the order given (age tries its native X25519 identities before SSH ones), and a
 * malformed stanza of its type met before a match fails the whole file.
 *
 * The parser is as strict as age-encryption's (the C2SP age spec: canonical unpadded base64
 * everywhere in the header, 64-column stanza bodies, printable ASCII lines, exact stanza
 * arguments; strict armor): a file that age-encryption rejects must not open here, or the
 * two paths would disagree about which files are valid. Tests run both on the C2SP CCTV age
 * vectors. Failures are named after the vectors' categories.
 */
import { createCipheriv, createDecipheriv, createHmac, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { bech32Decode, bech32Encode } from '../keys/bech32.js';

const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_INFO = Buffer.from('age-encryption.org/v1/X25519');
const VERSION_LINE = 'age-encryption.org/v1';
const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const ARMOR_END = '-----END AGE ENCRYPTED FILE-----';
const BODY_COLUMNS = 64;
const CHUNK = 64 * 1024;
const TAG = 16;
const NONCE = 16;

/** A stanza of an age header. */
export interface Stanza {
  /** The arguments after "->"; the first one is the stanza type. */
  readonly args: readonly string[];
  readonly body: Buffer;
}

/** A stanza of an identity's type that is malformed: the file must not open (the spec's "MUST reject"). */
export const MALFORMED = Symbol('malformed stanza');

/** An identity the reader can use: it opens stanzas of one type. */
export interface AgeIdentity {
  /** The recipient string of this identity (age1…, or an SSH key). */
  readonly recipient: string;
  readonly stanzaType: string;
  /** The file key, null when the stanza is not for this identity, MALFORMED when it cannot be valid. */
  unwrap(stanza: Stanza): Buffer | null | typeof MALFORMED;
}

export interface X25519Identity extends AgeIdentity {
  readonly privateKey: KeyObject;
  /** Our public key (32 bytes), part of the HKDF salt. */
  readonly publicKey: Buffer;
}

/**
 * Parsed identities by their text. Deriving the keys costs about a millisecond, and a batch
 * (scan, team add, rotate over hundreds of files) opens every file with the same few
 * identities. Bounded; it holds nothing the caller's identity strings do not already hold.
 */
const parsedIdentities = new Map<string, X25519Identity | null>();
const MAX_PARSED = 64;

/** Null for identities that are not X25519 (post-quantum ones, say). */
export function x25519Identity(identity: string): X25519Identity | null {
  const known = parsedIdentities.get(identity);
  if (known !== undefined) return known;
  const parsed = parseX25519Identity(identity);
  if (parsedIdentities.size < MAX_PARSED) parsedIdentities.set(identity, parsed);
  return parsed;
}

function parseX25519Identity(identity: string): X25519Identity | null {
  const decoded = bech32Decode(identity);
  if (decoded === null || decoded.hrp !== 'age-secret-key-' || decoded.data.length !== 32) return null;
  const privateKey = x25519PrivateKey(decoded.data);
  const publicKey = x25519PublicKey(privateKey);
  const id: X25519Identity = {
    privateKey,
    publicKey,
    recipient: bech32Encode('age', publicKey),
    stanzaType: 'X25519',
    unwrap: (stanza) => unwrapX25519(id, stanza),
  };
  return id;
}

/**
 * Why a file did not open: the armor, the header's syntax (or a malformed stanza of one of
 * our identities' types), no stanza for our identities, the header MAC, or the payload.
 */
export type AgeFailure = 'armor' | 'header' | 'no-match' | 'hmac' | 'payload';

export type AgeOpenResult = { readonly ok: true; readonly plaintext: Buffer } | { readonly ok: false; readonly reason: AgeFailure };

const failed = (reason: AgeFailure): AgeOpenResult => ({ ok: false, reason });

/**
 * Opens an armored age file. Null means "not mine": the header is well formed but has no
 * stanza of our identities' types, so the caller may try age-encryption.
 */
export function openAge(armored: string, identities: readonly AgeIdentity[]): AgeOpenResult | null {
  const file = dearmor(armored);
  return file === null ? failed('armor') : openAgeFile(file, identities);
}

/** The same for a binary age file. */
export function openAgeFile(file: Buffer, identities: readonly AgeIdentity[]): AgeOpenResult | null {
  const header = parseHeader(file);
  if (header === null) return failed('header');
  const types = new Set(identities.map((id) => id.stanzaType));
  const stanzas = header.stanzas.filter((s) => types.has(s.args[0] as string));
  if (stanzas.length === 0) return null;
  if (header.mac.length !== 32) return failed('header');
  const fileKey = unwrapFileKey(stanzas, identities);
  if (fileKey === MALFORMED) return failed('header');
  if (fileKey === null) return failed('no-match');
  const mac = createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header')).update(header.macInput).digest();
  if (!timingSafeEqual(mac, header.mac)) return failed('hmac');
  if (header.payload.length < NONCE) return failed('header');
  const plaintext = openPayload(fileKey, header.payload);
  return plaintext === null ? failed('payload') : { ok: true, plaintext };
}

/** The stanzas of an armored age file's header (to see whom it is for), or null when it does not parse. */
export function stanzasOf(armored: string): readonly Stanza[] | null {
  const file = dearmor(armored);
  return file === null ? null : (parseHeader(file)?.stanzas ?? null);
}

/**
 * Decodes age's ASCII armor, strictly: whitespace around the block and CRLF line ends are
 * allowed, nothing else (64-column lines, a non-empty last line, canonical padded base64).
 */
export function dearmor(text: string): Buffer | null {
  const lines = text.trim().replaceAll('\r\n', '\n').split('\n');
  if (lines.shift() !== ARMOR_BEGIN || lines.pop() !== ARMOR_END) return null;
  const last = lines.length - 1;
  const valid = lines.every((line, i) => {
    const length = i === last ? line.length > 0 && line.length <= 64 && line.length % 4 === 0 : line.length === 64;
    return length && /^[A-Za-z0-9+/=]+$/.test(line);
  });
  if (!valid) return null;
  const b64 = lines.join('');
  const bytes = Buffer.from(b64, 'base64');
  return bytes.toString('base64') === b64 ? bytes : null;
}

/** Canonical unpadded base64 (the age header's encoding), or null. */
export function decodeBase64NoPad(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === text ? bytes : null;
}

interface Header {
  readonly stanzas: readonly Stanza[];
  /** The header bytes the MAC covers: up to and including "---". */
  readonly macInput: Buffer;
  readonly mac: Buffer;
  readonly payload: Buffer;
}

/** Reads LF-terminated lines of printable ASCII; null for a missing LF or another byte. */
function lineReader(file: Buffer): { next(): string | null; readonly pos: number } {
  let pos = 0;
  return {
    next() {
      const nl = file.indexOf(0x0a, pos);
      if (nl === -1) return null;
      for (let i = pos; i < nl; i++) {
        const byte = file[i] as number;
        if (byte < 0x20 || byte > 0x7e) return null;
      }
      const line = file.toString('latin1', pos, nl);
      pos = nl + 1;
      return line;
    },
    get pos() {
      return pos;
    },
  };
}

function parseHeader(file: Buffer): Header | null {
  const reader = lineReader(file);
  if (reader.next() !== VERSION_LINE) return null;
  const stanzas: Stanza[] = [];
  for (;;) {
    const start = reader.pos;
    const line = reader.next();
    if (line === null) return null;
    const parts = line.split(' ');
    if (parts.length < 2 || parts[0] !== '->') {
      const mac = line.startsWith('--- ') ? decodeBase64NoPad(line.slice(4)) : null;
      if (mac === null) return null;
      return { stanzas, macInput: file.subarray(0, start + 3), mac, payload: file.subarray(reader.pos) };
    }
    const args = parts.slice(1);
    if (args.some((arg) => arg.length === 0)) return null;
    const body = readBody(reader);
    if (body === null) return null;
    stanzas.push({ args, body });
  }
}

/** A stanza body: full 64-column lines, then one shorter (maybe empty) line. */
function readBody(reader: ReturnType<typeof lineReader>): Buffer | null {
  const parts: Buffer[] = [];
  for (;;) {
    const line = reader.next();
    if (line === null || line.length > BODY_COLUMNS) return null;
    const bytes = decodeBase64NoPad(line);
    if (bytes === null) return null;
    parts.push(bytes);
    if (line.length < BODY_COLUMNS) return Buffer.concat(parts);
  }
}

/**
 * Tries each identity on each stanza of its type, in order, like age: a malformed stanza met
 * before a match fails the whole file, it is never skipped.
 */
function unwrapFileKey(stanzas: readonly Stanza[], identities: readonly AgeIdentity[]): Buffer | null | typeof MALFORMED {
  for (const id of identities) {
    for (const stanza of stanzas) {
      if (stanza.args[0] !== id.stanzaType) continue;
      const fileKey = id.unwrap(stanza);
      if (fileKey !== null) return fileKey;
    }
  }
  return null;
}

/** The X25519 stanza: `-> X25519 <ephemeral share>`, the file key sealed under HKDF(ECDH). */
function unwrapX25519(id: X25519Identity, stanza: Stanza): Buffer | null | typeof MALFORMED {
  const share = stanza.args.length === 2 ? decodeBase64NoPad(stanza.args[1] as string) : null;
  if (share === null || share.length !== 32 || stanza.body.length !== 32) return MALFORMED;
  const shared = x25519(id.privateKey, share);
  if (shared === null) return MALFORMED;
  const wrapKey = hkdf(shared, Buffer.concat([share, id.publicKey]), X25519_INFO);
  return chachaOpen(wrapKey, Buffer.alloc(12), stanza.body);
}

/** X25519(privateKey, point); null for a point that yields the all-zero secret. */
export function x25519(privateKey: KeyObject, point: Buffer): Buffer | null {
  let shared: Buffer;
  try {
    // JWK, not DER: OpenSSL 3 decodes a DER key several times slower, and a batch does this per file.
    if (point.length !== 32) return null;
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: point.toString('base64url') }, format: 'jwk' });
    shared = diffieHellman({ privateKey, publicKey });
  } catch {
    return null;
  }
  return shared.every((b) => b === 0) ? null : shared;
}

/** An X25519 private key from a 32-byte scalar (clamped by X25519 itself). */
export function x25519PrivateKey(scalar: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519, scalar]), format: 'der', type: 'pkcs8' });
}

/** A fresh X25519 key pair (an ephemeral share): one call, several times faster than importing random bytes. */
export function x25519Ephemeral(): { readonly privateKey: KeyObject; readonly share: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { privateKey, share: Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url') };
}

/** The public key (u-coordinate) of an X25519 private key. */
export function x25519PublicKey(privateKey: KeyObject): Buffer {
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return Buffer.from(spki.subarray(spki.length - 32));
}

export function chachaOpen(key: Buffer, nonce: Buffer, sealed: Buffer): Buffer | null {
  if (sealed.length < TAG) return null;
  try {
    const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
    d.setAuthTag(sealed.subarray(sealed.length - TAG));
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
  } catch {
    return null;
  }
}

/** ChaCha20-Poly1305: the ciphertext with its 16-byte tag appended, as age writes it. */
export function chachaSeal(key: Buffer, nonce: Buffer, plaintext: Uint8Array): Buffer {
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

/** Base64 without padding, as age's header writes it. */
export function unpadded(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}

export function hkdf(ikm: Buffer, salt: Buffer, info: string | Buffer, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
}

/** The STREAM payload: 64 KiB chunks, the last one flagged, empty only if it is the only one. */
function openPayload(fileKey: Buffer, payload: Buffer): Buffer | null {
  const key = hkdf(fileKey, payload.subarray(0, NONCE), 'payload');
  const body = payload.subarray(NONCE);
  const chunks: Buffer[] = [];
  for (let counter = 0, pos = 0; ; counter++) {
    const size = Math.min(CHUNK + TAG, body.length - pos);
    const last = pos + size >= body.length;
    const nonce = Buffer.alloc(12);
    nonce.writeUIntBE(counter, 5, 6);
    nonce[11] = last ? 1 : 0;
    const plain = chachaOpen(key, nonce, body.subarray(pos, pos + size));
    if (plain === null || (plain.length === 0 && counter > 0)) return null;
    chunks.push(plain);
    pos += size;
    if (last) return Buffer.concat(chunks);
  }
}
