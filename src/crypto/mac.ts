/**
 * The file MAC (sops-format.md §5): SHA-512 over the plaintext bytes of the leaves in
 * walk order, no separators; written as 128 upper-case hex characters, encrypted as a
 * `str` with the AAD set to `lastmodified` in Go's RFC 3339 form.
 */
import { createHash, randomBytes, timingSafeEqual, type Hash } from 'node:crypto';
import { decryptToText, encryptText, IV_LENGTH, parseEnc } from './enc-value.js';
import { utf8 } from '../formats/go-scalars.js';

/** SHA-256("sops"): seeds the hash when `mac_only_encrypted` is set. */
export const MAC_ONLY_ENCRYPTED_SEED = Buffer.from(
  '8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69',
  'hex',
);

export class MacBuilder {
  readonly #hash: Hash = createHash('sha512');

  constructor(macOnlyEncrypted: boolean) {
    if (macOnlyEncrypted) this.#hash.update(MAC_ONLY_ENCRYPTED_SEED);
  }

  add(bytes: Uint8Array): void {
    this.#hash.update(bytes);
  }

  /** The UTF-8 bytes of `text` (hashed without an intermediate copy). */
  addText(text: string): void {
    this.#hash.update(text, 'utf8');
  }

  /** The digest as sops writes it: upper-case hex. */
  hex(): string {
    return this.#hash.digest('hex').toUpperCase();
  }
}

/**
 * `lastmodified` as sops uses it for the MAC's AAD: parsed and re-formatted, which drops
 * fractional seconds and writes a zero offset as `Z`. Null when it is not RFC 3339.
 */
export function macAad(lastModified: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:[.,]\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(lastModified);
  if (m === null) return null;
  const zone = m[3] ?? 'Z';
  const offset = zone === 'Z' || zone === '+00:00' || zone === '-00:00' ? 'Z' : zone;
  return `${m[1]}T${m[2]}${offset}`;
}

/** Go's `time.Now().UTC().Format(time.RFC3339)`: second precision, `Z`. */
export function formatLastModified(now: Date): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

export function encryptMac(key: Uint8Array, macHex: string, lastModified: string): string {
  const aad = macAad(lastModified) ?? lastModified;
  return encryptText(key, new Uint8Array(randomBytes(IV_LENGTH)), aad, 'str', utf8(macHex));
}

export type MacCheck = { ok: true } | { ok: false; reason: string };

/** Compares the stored (encrypted) MAC with the one computed from the plaintext leaves. */
export function verifyMac(key: Uint8Array, storedMac: string, lastModified: string, computedHex: string): MacCheck {
  if (storedMac === '') return { ok: false, reason: 'the file has no MAC' };
  const aad = macAad(lastModified);
  if (aad === null) return { ok: false, reason: 'its lastmodified is not an RFC 3339 time' };
  const parsed = parseEnc(storedMac);
  if (!parsed.ok) return { ok: false, reason: `its MAC is ${parsed.reason}` };
  let storedHex: string;
  try {
    storedHex = decryptToText(key, parsed.value, aad);
  } catch {
    return { ok: false, reason: 'its MAC does not decrypt (lastmodified or mac was changed)' };
  }
  const a = Buffer.from(storedHex);
  const b = Buffer.from(computedHex);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return { ok: false, reason: 'MAC mismatch: the values are not the ones the file was sealed with' };
  }
  return { ok: true };
}
