/**
 * The `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` value format (sops-format.md §2.2).
 *
 * Encryption always writes a 32-byte IV and standard padded base64, in that field order.
 * Parsing follows sops's reader: the same start-anchored regex, strict standard base64,
 * and any IV length of 8 bytes or more.
 */
import { nodeGcm, TAG_LENGTH, type Gcm } from './aes-gcm.js';
import { fromUtf8, utf8 } from './scalar-codec.js';

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

export function parseEnc(text: string): EncParseResult {
  const m = ENC_PATTERN.exec(text);
  if (m === null) return { ok: false, reason: 'not in the ENC[AES256_GCM,...] format' };
  const [, data = '', iv = '', tag = '', type = ''] = m;
  const decoded: Uint8Array[] = [];
  for (const [name, field] of [['data', data], ['iv', iv], ['tag', tag]] as const) {
    const bytes = BASE64.test(field) ? b64decode(field) : null;
    // Canonical only: unused trailing bits must be zero, so no two spellings of a value both
    // decrypt (sops writes canonical base64; a changed character is always noticed).
    if (bytes === null || b64encode(bytes) !== field) return { ok: false, reason: `its ${name} field is not valid base64` };
    decoded.push(bytes);
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
  const sealed = new Uint8Array(value.data.length + value.tag.length);
  sealed.set(value.data, 0);
  sealed.set(value.tag, value.data.length);
  return gcm.open(key, value.iv, utf8(aad), sealed);
}

export function decryptToText(key: Uint8Array, value: EncValue, aad: string, gcm?: Gcm): string {
  return fromUtf8(decryptEnc(key, value, aad, gcm));
}

export function b64encode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function b64decode(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}
