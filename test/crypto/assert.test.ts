/** Named assertions at the crypto boundary (src/crypto/assert.ts). */
import { describe, expect, it } from 'vitest';
import { abytes, aint } from '../../src/crypto/assert.js';

describe('crypto assertions', () => {
  it('abytes: a TypeError for another kind, a RangeError for another size, naming the argument', () => {
    expect(() => abytes(new Uint8Array(32), 'key', { length: 32 })).not.toThrow();
    expect(() => abytes(new Uint8Array(12), 'iv', { min: 12 })).not.toThrow();
    expect(() => abytes('x', 'key')).toThrow(new TypeError('"key" expected Uint8Array, got string'));
    expect(() => abytes(new Uint8Array(31), 'key', { length: 32 })).toThrow(new RangeError('"key" expected 32 bytes, got 31'));
    expect(() => abytes(new Uint8Array(11), 'iv', { min: 12 })).toThrow(new RangeError('"iv" expected at least 12 bytes, got 11'));
  });

  it('aint: an integer within the bounds', () => {
    expect(() => aint(1, 'n', 1, 255)).not.toThrow();
    expect(() => aint(255, 'n', 1, 255)).not.toThrow();
    for (const bad of [0, 256, 1.5, Number.NaN]) expect(() => aint(bad, 'threshold', 1, 255)).toThrow(RangeError);
    expect(() => aint(0, 'threshold', 1, 255)).toThrow('"threshold" expected an integer from 1 to 255, got 0');
  });
});
