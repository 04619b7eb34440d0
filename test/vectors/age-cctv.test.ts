/**
 * The built-in X25519 age reader against the C2SP CCTV age test vectors
 * (../shared/vectors-age-cctv, read in place): on every vector it must reach the same
 * verdict as age-encryption (open with the same bytes, or reject), fail in the vector's
 * own category, and say "not mine" (null) exactly when the header holds no X25519 stanza,
 * so that the caller hands such files to age-encryption.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { Decrypter, armor, generateIdentity, type Stanza } from 'age-encryption';
import { expect, it } from 'vitest';
import { openAgeFile, openAge, x25519Identity, type AgeOpenResult } from '../../src/crypto/age-x25519.js';
import { AGE_VECTORS, describeWithShared } from '../helpers/paths.js';

interface Vector {
  readonly name: string;
  readonly expect: string;
  /** SHA-256 of the plaintext, for the vectors that open. */
  readonly payload: string | undefined;
  readonly x25519: readonly string[];
  /** Credentials of other types (post-quantum identities, passphrases). */
  readonly others: number;
  readonly armored: boolean;
  readonly file: Buffer;
}

/** A vector file: "key: value" lines, a blank line, then the age file (maybe zlib-compressed). */
function readVector(name: string): Vector {
  const raw = readFileSync(join(AGE_VECTORS, name));
  const split = raw.indexOf('\n\n');
  const fields = raw.subarray(0, split).toString('utf8').split('\n').map((line) => {
    const colon = line.indexOf(': ');
    return [line.slice(0, colon), line.slice(colon + 2)] as const;
  });
  const all = (key: string) => fields.filter(([k]) => k === key).map(([, v]) => v);
  const body = raw.subarray(split + 2);
  const identities = all('identity');
  const x25519 = identities.filter((id) => id.startsWith('AGE-SECRET-KEY-1'));
  return {
    name,
    expect: all('expect')[0] ?? '',
    payload: all('payload')[0],
    x25519,
    others: identities.length - x25519.length + all('passphrase').length,
    armored: all('armored')[0] === 'yes',
    file: all('compressed')[0] === 'zlib' ? inflateSync(body) : body,
  };
}

const present = existsSync(AGE_VECTORS);
const vectors = present ? readdirSync(AGE_VECTORS).filter((n) => n !== 'README.md').sort().map(readVector) : [];

const OUR_REASON: Record<string, string> = {
  'armor failure': 'armor',
  'header failure': 'header',
  'no match': 'no-match',
  'HMAC failure': 'hmac',
  'payload failure': 'payload',
};

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** age-encryption's verdict: the plaintext, or null when it throws. */
async function theirs(v: Vector, identities: readonly string[]): Promise<Uint8Array | null> {
  const decrypter = new Decrypter();
  for (const id of identities) decrypter.addIdentity(id);
  try {
    return await decrypter.decrypt(v.armored ? armor.decode(v.file.toString('latin1')) : v.file);
  } catch {
    return null;
  }
}

/** The stanza types age-encryption parsed, or null when it rejected the armor or header. */
async function stanzaTypes(v: Vector): Promise<string[] | null> {
  let seen: string[] | null = null;
  const decrypter = new Decrypter();
  decrypter.addIdentity({
    unwrapFileKey(stanzas: Stanza[]) {
      seen = stanzas.map((s) => s.args[0] ?? '');
      return null;
    },
  });
  try {
    await decrypter.decrypt(v.armored ? armor.decode(v.file.toString('latin1')) : v.file);
  } catch {
    // "no identity matched" once the header parsed; seen tells which happened.
  }
  return seen;
}

function ours(v: Vector, identities: readonly string[]): AgeOpenResult | null {
  const keys = identities.map((id) => x25519Identity(id)!);
  return v.armored ? openAge(v.file.toString('latin1'), keys) : openAgeFile(v.file, keys);
}

describeWithShared(
  'C2SP CCTV age vectors: the built-in reader agrees with age-encryption',
  () => {
    it('finds the vectors', () => {
      expect(vectors.length).toBeGreaterThan(100);
      expect(vectors.filter((v) => v.x25519.length > 0 && v.others === 0).length).toBeGreaterThan(80);
    });

    it.each(vectors.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
      // A vector without an X25519 identity is tried with one that matches nothing.
      const identities = v.x25519.length > 0 ? v.x25519 : [await generateIdentity()];
      const result = ours(v, identities);
      const reference = await theirs(v, identities);

      // Same verdict as age-encryption, and the same plaintext when both open.
      if (reference === null) expect(result?.ok ?? false).toBe(false);
      else expect(result?.ok === true ? sha256(result.plaintext) : result).toBe(sha256(reference));

      // "Not mine" exactly for a well-formed header without an X25519 stanza.
      const types = await stanzaTypes(v);
      const notMine = types !== null && !types.includes('X25519');
      expect(result === null).toBe(notMine);
      if (types === null) expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^(armor|header)$/) });

      // With only X25519 credentials, the vector's own expectation, category included.
      if (v.others === 0) {
        if (v.expect === 'success') expect(result?.ok === true ? sha256(result.plaintext) : result).toBe(v.payload);
        // "Not mine" is how the reader says "no match" when no stanza is X25519 at all.
        else expect(result ?? { ok: false, reason: 'no-match' }).toEqual({ ok: false, reason: OUR_REASON[v.expect] });
      }
    });
  },
  AGE_VECTORS,
);
