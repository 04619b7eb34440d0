/** Strict UTF-8 decoding: where the first invalid byte is, and the error that names its line. */
import { describe, expect, it } from 'vitest';
import { decodeUtf8, firstInvalidByte } from '../../src/formats/utf8.js';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

describe('firstInvalidByte', () => {
  it('agrees with the WHATWG decoder on valid text (1 to 4 bytes) and finds each kind of bad byte', () => {
    expect(firstInvalidByte(new Uint8Array(Buffer.from('aé€😀\n', 'utf8')))).toBe(-1);
    expect(firstInvalidByte(bytes(0x61, 0x80))).toBe(1); // a lone continuation byte
    expect(firstInvalidByte(bytes(0xc0, 0x80))).toBe(0); // overlong NUL
    expect(firstInvalidByte(bytes(0x61, 0xe0, 0x80, 0x80))).toBe(1); // overlong 3-byte
    expect(firstInvalidByte(bytes(0xed, 0xa0, 0x80))).toBe(0); // a surrogate
    expect(firstInvalidByte(bytes(0xf4, 0x90, 0x80, 0x80))).toBe(0); // above U+10FFFF
    expect(firstInvalidByte(bytes(0x61, 0x62, 0xe2, 0x82))).toBe(2); // cut at the end
    expect(firstInvalidByte(bytes(0xff))).toBe(0);
  });

  it('decodeUtf8 keeps a byte-order mark and names the line, never the bytes', () => {
    expect(decodeUtf8(bytes(0xef, 0xbb, 0xbf, 0x61), 'f.env')).toBe('\ufeffa');
    expect(() => decodeUtf8(new Uint8Array(Buffer.concat([Buffer.from('A=1\nB=p4ss'), bytes(0xe9)])), 'f.env')).toThrow(
      expect.objectContaining({ exitCode: 6, line: 2, file: 'f.env', message: 'line 2 is not UTF-8 text (byte 11 of the file)' }),
    );
  });
});
