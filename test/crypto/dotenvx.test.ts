/**
 * dotenvx's encrypted values, opened with node:crypto alone (src/crypto/dotenvx.ts), against
 * the real thing: values and keys made by the dotenvx devDependency's own primitives.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { dotenvxPublicKey, openDotenvxValue } from '../../src/crypto/dotenvx.js';

const require = createRequire(import.meta.url);
const dotenvx = require('@dotenvx/primitives') as {
  keypair(): { publicKey: string; privateKey: string };
  encrypt(publicKey: string, text: string): string;
};

const text = (bytes: Uint8Array | null): string | null => (bytes === null ? null : Buffer.from(bytes).toString('utf8'));

describe('dotenvx values', () => {
  it('opens what dotenvx encrypts: empty, unicode, multi-line, long; both parities of the shared point occur', async () => {
    const samples = ['', 'world', 'héllo wörld 😀', 'line1\nline2\n', 'x'.repeat(5000), '$HOME ${X} "q" \'s\''];
    for (let round = 0; round < 8; round++) {
      const { publicKey, privateKey } = dotenvx.keypair();
      expect(dotenvxPublicKey(privateKey)).toBe(publicKey);
      for (const sample of samples) expect(text(openDotenvxValue(privateKey, dotenvx.encrypt(publicKey, sample)))).toBe(sample);
    }
  });

  it('the wrong key, a flipped byte, a cut value, a bad key: null, never a throw', () => {
    const a = dotenvx.keypair();
    const b = dotenvx.keypair();
    const value = dotenvx.encrypt(a.publicKey, 'secret');
    expect(openDotenvxValue(b.privateKey, value)).toBeNull();
    const bytes = Buffer.from(value.slice('encrypted:'.length), 'base64');
    for (const at of [0, 10, 70, 90, bytes.length - 1]) {
      const flipped = Buffer.from(bytes);
      flipped[at] = (flipped[at] as number) ^ 1;
      expect(openDotenvxValue(a.privateKey, `encrypted:${flipped.toString('base64')}`)).toBeNull();
    }
    expect(openDotenvxValue(a.privateKey, `encrypted:${bytes.subarray(0, 96).toString('base64')}`)).toBeNull();
    expect(openDotenvxValue(a.privateKey, 'not encrypted')).toBeNull();
    for (const bad of ['', '00'.repeat(32), 'ff'.repeat(32), 'zz'.repeat(32), `${a.privateKey}00`]) {
      expect(dotenvxPublicKey(bad)).toBeNull();
      expect(openDotenvxValue(bad, value)).toBeNull();
    }
  });
});
