/** Bech32 (BIP 173) without the length limit, as age keys use it (src/keys/bech32.ts). */
import { describe, expect, it } from 'vitest';
import { bech32Decode, bech32Encode } from '../../src/keys/bech32.js';

describe('bech32', () => {
  it('decodes the BIP 173 examples, in either case', () => {
    expect(bech32Decode('A12UEL5L')).toEqual({ hrp: 'a', data: new Uint8Array() });
    expect(bech32Decode('a12uel5l')).toEqual({ hrp: 'a', data: new Uint8Array() });
  });

  it('round-trips any data, past the 90 characters BIP 173 allows (post-quantum recipients are ~1,960)', () => {
    for (const size of [0, 1, 5, 32, 1216]) {
      const data = Uint8Array.from({ length: size }, (_, i) => (i * 37 + size) & 0xff);
      const text = bech32Encode('age', data);
      expect(text.startsWith('age1')).toBe(true);
      expect(bech32Decode(text)).toEqual({ hrp: 'age', data });
      expect(bech32Decode(text.toUpperCase())?.data).toEqual(data);
    }
  });

  it('refuses mixed case, a changed character, a missing separator or checksum, a character outside the alphabet', () => {
    const text = bech32Encode('age', new Uint8Array(32).fill(9));
    expect(bech32Decode(text.slice(0, 10) + text.slice(10).toUpperCase())).toBeNull();
    for (const at of [0, 3, 4, 20, text.length - 1]) {
      const swapped = text.slice(0, at) + (text[at] === 'q' ? 'p' : 'q') + text.slice(at + 1);
      expect(bech32Decode(swapped)).toBeNull();
    }
    expect(bech32Decode('pzry9x0s0muk')).toBeNull();
    expect(bech32Decode('1pzry9x0s0muk')).toBeNull();
    expect(bech32Decode('a1qqqqq')).toBeNull();
    expect(bech32Decode(`${text.slice(0, 10)}b${text.slice(11)}`)).toBeNull();
  });

  it('refuses padding bits that are not zero, or a whole group of padding', () => {
    // 0xff as 5-bit words is 11111 111|00: the last two bits are padding.
    expect(bech32Decode(bech32WithWords('a', [31, 28]))).toEqual({ hrp: 'a', data: Uint8Array.of(0xff) });
    expect(bech32Decode(bech32WithWords('a', [31, 29]))).toBeNull();
    expect(bech32Decode(bech32WithWords('a', [0]))).toBeNull();
  });
});

/** A bech32 string of raw 5-bit words (valid checksum), independent of the module's encoder. */
function bech32WithWords(hrp: string, words: number[]): string {
  const charset = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  const polymod = (values: number[]): number => {
    let chk = 1;
    for (const v of values) {
      const top = chk >>> 25;
      chk = ((chk & 0x1ffffff) << 5) ^ v;
      for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= gen[i] as number;
    }
    return chk >>> 0;
  };
  const expand = [...hrp].map((c) => c.charCodeAt(0) >>> 5).concat([0], [...hrp].map((c) => c.charCodeAt(0) & 31));
  const mod = polymod([...expand, ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...words, ...checksum].map((w) => charset[w]).join('')}`;
}
