import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combine, split } from '../../src/crypto/shamir.js';

describe('Shamir over GF(2^8) (sops key groups)', () => {
  it('any threshold-sized subset of shares recovers the secret', () => {
    // fast-check picks the secret and the subset (its seed is printed on failure, so a run
    // replays); split()'s own coefficients are random, so a failure logs the shares themselves.
    const subset = fc
      .record({ threshold: fc.integer({ min: 2, max: 6 }), extra: fc.integer({ min: 0, max: 3 }) })
      .chain(({ threshold, extra }) =>
        fc.record({
          threshold: fc.constant(threshold),
          parts: fc.constant(threshold + extra),
          picked: fc.shuffledSubarray(Array.from({ length: threshold + extra }, (_, i) => i), { minLength: threshold, maxLength: threshold }),
        }),
      );
    fc.assert(
      fc.property(subset, fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.context(), ({ threshold, parts, picked }, secret, ctx) => {
        const shares = split(secret, parts, threshold);
        expect(shares.map((s) => s[32])).toEqual(Array.from({ length: parts }, (_, i) => i + 1));
        const chosen = picked.map((i) => shares[i] as Uint8Array);
        ctx.log(`picked x=${chosen.map((s) => s[32]).join(',')}: ${chosen.map((s) => Buffer.from(s).toString('hex')).join(' ')}`);
        expect(Buffer.from(combine(chosen))).toEqual(Buffer.from(secret));
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
