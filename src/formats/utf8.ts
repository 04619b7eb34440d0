/**
 * Bytes that must be UTF-8 text. Node's default decoding turns an invalid byte into U+FFFD
 * without a word, and a value sealed that way is not the value the person wrote; here an
 * invalid byte is a {@link ParseError} naming its line (never the bytes: they may be a secret).
 * A byte-order mark is kept, for the format to judge.
 */
import { ParseError } from '../errors.js';

const STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of `bytes`; `source` names where they came from (a file path, or `stdin`). */
export function decodeUtf8(bytes: Uint8Array, source: string, options: { readonly isFile?: boolean } = {}): string {
  try {
    return STRICT.decode(bytes);
  } catch {
    const at = firstInvalidByte(bytes);
    const line = lineAt(bytes, at);
    const hint = 'save it as UTF-8 (for a Latin-1 file: iconv -f latin1 -t utf-8)';
    if (options.isFile === false) throw new ParseError(`${source} is not UTF-8 text (line ${line}, byte ${at + 1})`, { hint });
    throw new ParseError(`line ${line} is not UTF-8 text (byte ${at + 1} of the file)`, { file: source, line, hint });
  }
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence (-1: none). */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    const shape = sequenceShape(lead);
    if (shape === null) return i;
    const [length, low, high] = shape;
    for (let k = 1; k < length; k++) {
      const b = bytes[i + k];
      const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (b === undefined || b < min || b > max) return i;
    }
    i += length;
  }
  return -1;
}

/** A lead byte's sequence length and the range of its second byte (RFC 3629: no overlongs, no surrogates). */
function sequenceShape(lead: number): readonly [number, number, number] | null {
  if (lead >= 0xc2 && lead <= 0xdf) return [2, 0x80, 0xbf];
  if (lead === 0xe0) return [3, 0xa0, 0xbf];
  if (lead === 0xed) return [3, 0x80, 0x9f];
  if (lead >= 0xe1 && lead <= 0xef) return [3, 0x80, 0xbf];
  if (lead === 0xf0) return [4, 0x90, 0xbf];
  if (lead >= 0xf1 && lead <= 0xf3) return [4, 0x80, 0xbf];
  if (lead === 0xf4) return [4, 0x80, 0x8f];
  return null;
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line += 1;
  return line;
}
