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

describe('AES-256-GCM: the specification vectors (McGrew & Viega, test cases 14-18)', () => {
  const hex = (s: string): Uint8Array => Buffer.from(s, 'hex');
  const K = 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308';
  const P = 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39';
  const A = 'feedfacedeadbeeffeedfacedeadbeefabaddad2';
  // A 12-byte IV (J0 = IV ‖ 1), an 8-byte and a 60-byte IV (J0 from GHASH, as for sops's 32 bytes).
  const cases = [
    { iv: 'cafebabefacedbaddecaf888', c: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662', tag: '76fc6ece0f4e1768cddf8853bb2d551b' },
    { iv: 'cafebabefacedbad', c: 'c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0feb582d33934a4f0954cc2363bc73f7862ac430e64abe499f47c9b1f', tag: '3a337dbf46a792c45e454913fe2ea8f2' },
    {
      iv: '9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b',
      c: '5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf40fc0c3b780f244452da3ebf1c5d82cdea2418997200ef82e44ae7e3f',
      tag: 'a44a8266ee1c8eb0c8b5d4cf5ae9f19a',
    },
  ];

  it.each([['node', nodeGcm], ['noble', nobleGcm]] as const)('%s seals and opens them', (_name, gcm) => {
    for (const c of cases) {
      expect(Buffer.from(gcm.seal(hex(K), hex(c.iv), hex(A), hex(P))).toString('hex')).toBe(c.c + c.tag);
      expect(Buffer.from(gcm.open(hex(K), hex(c.iv), hex(A), hex(c.c), hex(c.tag))).toString('hex')).toBe(P);
    }
    // case 14: zero key, zero IV, nothing to encrypt: the tag alone
    expect(Buffer.from(gcm.seal(new Uint8Array(32), new Uint8Array(12), new Uint8Array(0), new Uint8Array(0))).toString('hex')).toBe('530f8afbc74536b9a963b4f1c4cb738b');
  });
});
