/**
 * Scalars to and from the plaintext bytes sops encrypts and hashes (sops-format.md §2.3).
 * These bytes are Go's formatting, not JavaScript's: `True`/`False`, floats in positional
 * notation with the shortest round-trip digits and never an exponent, int64 in decimal.
 */
// isUtf8: whether a JavaScript string holds the bytes exactly (as decoding and re-encoding would tell).
import { isUtf8 } from 'node:buffer';
import type { Scalar } from '../tree.js';

export type SopsType = 'str' | 'int' | 'float' | 'bool' | 'time' | 'comment' | 'bytes';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** The type tag and plaintext text of a scalar (what `ENC[...,type:T]` holds and the MAC hashes). */
export function scalarText(scalar: Scalar): { type: SopsType; text: string } {
  switch (scalar.kind) {
    case 'str':
      return { type: 'str', text: scalar.value };
    case 'int':
      return { type: 'int', text: scalar.value.toString() };
    case 'float':
      return { type: 'float', text: formatGoFloat(scalar.value) };
    case 'bool':
      return { type: 'bool', text: scalar.value ? 'True' : 'False' };
    case 'time':
      return { type: 'time', text: scalar.value };
    case 'bytes':
      // A Go string holding these bytes: sops (3.13) encrypts it as `type:str`, and rewrites a
      // legacy `type:bytes` value that way too.
      return { type: 'str', text: fromUtf8(scalar.value) };
  }
}

/**
 * Go's `strconv.FormatFloat(f, 'f', -1, 64)`: shortest digits that round-trip, written
 * without an exponent. JavaScript's `String(n)` gives the same digits but switches to
 * exponent notation outside [1e-6, 1e21), so those are expanded here.
 */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (match === null) return text;
  const [, sign = '', lead = '', frac = '', expText = '0'] = match;
  const digits = lead + frac;
  const exponent = Number(expText);
  const pointAt = 1 + exponent; // position of the decimal point within `digits`
  if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
  if (pointAt >= digits.length) return sign + digits + '0'.repeat(pointAt - digits.length);
  return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
}

/** Go's `strconv.ParseFloat(s, 64)` for the forms that occur in sops files. */
export function parseGoFloat(text: string): number | null {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return null;
  const value = Number(text);
  // Go's ParseFloat reports a range error for overflow; treat that as unparsable.
  return Number.isFinite(value) ? value : null;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's `strconv.Atoi` on a 64-bit machine: optional sign, decimal digits, int64 range. */
export function parseGoInt(text: string): bigint | null {
  if (!/^[+-]?\d+$/.test(text)) return null;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? null : value;
}

export function fitsInt64(value: bigint): boolean {
  return value >= INT64_MIN && value <= INT64_MAX;
}

/** Go's `strconv.ParseBool`. */
export function parseGoBool(text: string): boolean | null {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return null;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses RFC 3339 text and returns it in Go's `time.MarshalText` form: fractional seconds
 * without trailing zeros, `Z` for UTC, otherwise the offset as written. Null when the text
 * is not RFC 3339.
 */
export function canonicalTime(text: string): string | null {
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  if (!validDateTime(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s))) return null;
  const fraction = frac.slice(0, 9).replace(/0+$/, '');
  const offset = zone.toUpperCase() === 'Z' || zone === '+00:00' ? 'Z' : zone;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction === '' ? '' : `.${fraction}`}${offset}`;
}

export function validDateTime(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= daysInMonth;
}

/** Rebuilds a scalar from the type tag and plaintext of a decrypted value. Null when it does not parse. */
export function scalarFromText(type: string, text: string, raw: Uint8Array): Scalar | null {
  switch (type) {
    case 'str':
      // Not valid UTF-8 (a `!!binary` value sops stored as a string): kept as the raw bytes.
      return isUtf8(raw) ? { kind: 'str', value: text } : { kind: 'bytes', value: new Uint8Array(raw) };
    case 'int':
    case 'int64': {
      const value = parseGoInt(text);
      return value === null ? null : { kind: 'int', value };
    }
    case 'float': {
      const value = parseGoFloat(text);
      return value === null ? null : { kind: 'float', value };
    }
    case 'bool': {
      const value = parseGoBool(text);
      return value === null ? null : { kind: 'bool', value };
    }
    case 'time': {
      const value = canonicalTime(text);
      return value === null ? null : { kind: 'time', value };
    }
    case 'bytes':
      return { kind: 'bytes', value: new Uint8Array(raw) };
    default:
      return null;
  }
}
