import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combine, split } from '../../src/crypto/shamir.js';

describe('Shamir over GF(2^8) (sops key groups)', () => {
  it('any threshold-sized subset of shares recovers the secret', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 0, max: 3 }), fc.context(), (threshold, extra, ctx) => {
        const parts = threshold + extra;
        const secret = randomBytes(32);
        const shares = split(secret, parts, threshold);
        expect(shares.map((s) => s[32])).toEqual(Array.from({ length: parts }, (_, i) => i + 1));
        const picked = [...shares].sort(() => Math.random() - 0.5).slice(0, threshold);
        ctx.log(`picked x=${picked.map((s) => s[32]).join(',')}`);
        expect(Buffer.from(combine(picked))).toEqual(secret);
      }),
      { numRuns: 60 },
    );
  });

  it('fewer shares than the threshold give something else', () => {
    const secret = randomBytes(32);
    const shares = split(secret, 3, 3);
    expect(Buffer.from(combine(shares.slice(0, 2)))).not.toEqual(secret);
  });

  it('refuses duplicate shares', () => {
    const shares = split(randomBytes(32), 2, 2);
    expect(() => combine([shares[0] as Uint8Array, shares[0] as Uint8Array])).toThrow(/duplicate/);
  });
});
