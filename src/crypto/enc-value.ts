/**
 * The `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` value format (sops-format.md §2.2).
 *
 * Encryption always writes a 32-byte IV and standard padded base64, in that field order.
 * Parsing follows sops's reader: the same start-anchored regex, strict standard base64,
 * and any IV length of 8 bytes or more.
 */
import { nodeGcm, TAG_LENGTH, type Gcm } from './aes-gcm.js';
import { fromUtf8, utf8 } from '../formats/go-scalars.js';

export const IV_LENGTH = 32;

export interface EncValue {
  readonly data: Uint8Array;
  readonly iv: Uint8Array;
  readonly tag: Uint8Array;
  readonly type: string;
}

/** sops's reader regex: anchored at the start only; text after `]` is ignored. */
const ENC_PATTERN = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function looksEncrypted(text: string): boolean {
  return text.startsWith('ENC[AES256_GCM,');
}

/** Why a string is not a valid ENC value, or null when it is one. Never echoes the input. */
export type EncParseResult = { ok: true; value: EncValue } | { ok: false; reason: string };

const PREFIX = 'ENC[AES256_GCM,data:';

/**
 * The shape sops writes, parsed with indexOf (a large file has 10,000 values, and a regex
 * with captures costs several times more). Base64 never holds a comma, so the separators
 * found are the ones sops's regex finds for every well-formed value; anything unusual takes
 * the careful path below, which gives the precise reason.
 */
export function parseEnc(text: string): EncParseResult {
  if (text.startsWith(PREFIX)) {
    const ivAt = text.indexOf(',iv:', PREFIX.length);
    const tagAt = ivAt === -1 ? -1 : text.indexOf(',tag:', ivAt + 4);
    const typeAt = tagAt === -1 ? -1 : text.indexOf(',type:', tagAt + 5);
    const end = typeAt === -1 ? -1 : text.indexOf(']', typeAt + 6);
    if (end !== -1) {
      const data = text.slice(PREFIX.length, ivAt);
      const iv = text.slice(ivAt + 4, tagAt);
      const tag = text.slice(tagAt + 5, typeAt);
      const type = text.slice(typeAt + 6, end);
      const value = decodeFields(data, iv, tag, type);
      if (value !== null) return { ok: true, value };
    }
  }
  return parseEncCarefully(text);
}

/** Strict, canonical base64 for the three fields, decoded into one allocation; null when anything is off. */
function decodeFields(data: string, iv: string, tag: string, type: string): EncValue | null {
  const d = strictSize(data);
  const v = strictSize(iv);
  const t = strictSize(tag);
  if (d <= 0 || v < 8 || t !== TAG_LENGTH || !TYPE.test(type)) return null;
  const bytes = Buffer.allocUnsafe(d + v + t);
  // Node's decoder skips characters it does not know; a short result means there were some.
  if (bytes.write(data, 0, 'base64') !== d || bytes.write(iv, d, 'base64') !== v || bytes.write(tag, d + v, 'base64') !== t) return null;
  return { data: bytes.subarray(0, d), iv: bytes.subarray(d, d + v), tag: bytes.subarray(d + v, d + v + t), type };
}

const TYPE = /^[a-z0-9]+$/;

/** The decoded size of strict standard base64, or -1 (wrong length, URL-safe alphabet, non-canonical padding). */
function strictSize(field: string): number {
  const n = field.length;
  if (n % 4 !== 0 || field.includes('-') || field.includes('_') || !canonicalPadding(field)) return -1;
  const pad = n === 0 || field.charCodeAt(n - 1) !== 0x3d ? 0 : field.charCodeAt(n - 2) === 0x3d ? 2 : 1;
  return (n / 4) * 3 - pad;
}

function parseEncCarefully(text: string): EncParseResult {
  const m = ENC_PATTERN.exec(text);
  if (m === null) return { ok: false, reason: 'not in the ENC[AES256_GCM,...] format' };
  const [, data = '', iv = '', tag = '', type = ''] = m;
  const decoded: Uint8Array[] = [];
  for (const [name, field] of [['data', data], ['iv', iv], ['tag', tag]] as const) {
    // Canonical only: unused trailing bits must be zero, so no two spellings of a value both
    // decrypt (sops writes canonical base64; a changed character is always noticed).
    if (!BASE64.test(field) || !canonicalPadding(field)) return { ok: false, reason: `its ${name} field is not valid base64` };
    decoded.push(b64decode(field));
  }
  const [dataBytes, ivBytes, tagBytes] = decoded as [Uint8Array, Uint8Array, Uint8Array];
  const value = { data: dataBytes, iv: ivBytes, tag: tagBytes, type };
  if (value.iv.length < 8) return { ok: false, reason: 'its iv is too short' };
  if (value.tag.length !== TAG_LENGTH) return { ok: false, reason: 'its tag is not 16 bytes' };
  return { ok: true, value };
}

export function formatEnc(value: EncValue): string {
  return `ENC[AES256_GCM,data:${b64encode(value.data)},iv:${b64encode(value.iv)},tag:${b64encode(value.tag)},type:${value.type}]`;
}

export function encryptText(
  key: Uint8Array,
  iv: Uint8Array,
  aad: string,
  type: string,
  plaintext: Uint8Array,
  gcm: Gcm = nodeGcm,
): string {
  const sealed = gcm.seal(key, iv, utf8(aad), plaintext);
  const cut = sealed.length - TAG_LENGTH;
  return formatEnc({ data: sealed.subarray(0, cut), iv, tag: sealed.subarray(cut), type });
}

/** Decrypts a parsed value. Throws (with no detail about the plaintext) when authentication fails. */
export function decryptEnc(key: Uint8Array, value: EncValue, aad: string, gcm: Gcm = nodeGcm): Uint8Array {
  return gcm.open(key, value.iv, Buffer.from(aad, 'utf8'), value.data, value.tag);
}

export function decryptToText(key: Uint8Array, value: EncValue, aad: string, gcm?: Gcm): string {
  return fromUtf8(decryptEnc(key, value, aad, gcm));
}

/** Base64 digit values by character code (-1: not a standard base64 digit). */
const DIGIT = new Int8Array(128).fill(-1);
[...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].forEach((c, i) => {
  DIGIT[c.charCodeAt(0)] = i;
});

/** The character before the padding carries 4 (`==`) or 2 (`=`) unused bits, which must be zero. */
function canonicalPadding(field: string): boolean {
  const n = field.length;
  if (n < 2 || field.charCodeAt(n - 1) !== 0x3d) return true;
  const twoPads = field.charCodeAt(n - 2) === 0x3d;
  const digit = DIGIT[field.charCodeAt(n - (twoPads ? 3 : 2))] ?? -1;
  return digit >= 0 && (digit & (twoPads ? 0x0f : 0x03)) === 0;
}

/** The same bytes as a Buffer, without a copy (and without a new object when they are one already). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function b64encode(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('base64');
}

export function b64decode(text: string): Uint8Array {
  return Buffer.from(text, 'base64');
}
