import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeGcm } from '../../src/crypto/aes-gcm.js';
import { nobleGcm } from '../../src/crypto/aes-gcm-noble.js';

const split = (sealed: Uint8Array): [Uint8Array, Uint8Array] => [sealed.subarray(0, sealed.length - 16), sealed.subarray(sealed.length - 16)];

describe('AES-256-GCM: node (used) against noble (reference)', () => {
  it('agrees byte for byte with 32-byte IVs, and each opens the other', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 8, maxLength: 64 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 300 }),
        (key, iv, aad, plaintext) => {
          const a = nodeGcm.seal(key, iv, aad, plaintext);
          const b = nobleGcm.seal(key, iv, aad, plaintext);
          expect(Buffer.from(a).toString('hex')).toBe(Buffer.from(b).toString('hex'));
          expect(Buffer.from(nobleGcm.open(key, iv, aad, ...split(a)))).toEqual(Buffer.from(plaintext));
          expect(Buffer.from(nodeGcm.open(key, iv, aad, ...split(b)))).toEqual(Buffer.from(plaintext));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects a wrong AAD, a flipped bit and a short input', () => {
    const key = randomBytes(32);
    const iv = randomBytes(32);
    const sealed = nodeGcm.seal(key, iv, Buffer.from('a:'), Buffer.from('secret'));
    expect(() => nodeGcm.open(key, iv, Buffer.from('b:'), ...split(sealed))).toThrow();
    const flipped = Uint8Array.from(sealed);
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(() => nodeGcm.open(key, iv, Buffer.from('a:'), ...split(flipped))).toThrow();
    expect(() => nodeGcm.open(key, iv, Buffer.from('a:'), sealed.subarray(0, 4), sealed.subarray(4, 10))).toThrow();
  });
});
