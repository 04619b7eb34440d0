/**
 * Files an earlier envseal wrote (fixtures/sops, committed) still open: the data key unwraps
 * with the test-only identities beside them (also when it is split over two key groups), the
 * MAC verifies, and every value is the one of the plaintext twin. These are the vectors a
 * clone has without ../shared; they are also the fuzz campaign's seeds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unwrapDataKey } from '../../src/crypto/data-key.js';
import { formatFor } from '../../src/formats/index.js';
import { parseIdentities } from '../../src/keys/identity.js';
import { allAgeKeys } from '../../src/metadata/model.js';
import { openWithKey, readMetadata, toPlain } from '../helpers/open-with-key.js';
import { FIXTURES } from '../helpers/paths.js';

const dir = join(FIXTURES, 'sops');
const identities = parseIdentities(readFileSync(join(dir, 'keys.txt'), 'utf8')).identities;

async function dataKeyOf(path: string, ids = identities): Promise<Uint8Array> {
  const result = await unwrapDataKey(readMetadata(path), ids);
  if (!result.ok) throw new Error(`unwrap failed: ${result.reason}`);
  return result.dataKey;
}

const twinOf = (twin: string): unknown => {
  const path = join(dir, twin);
  return toPlain(formatFor(path).parse(readFileSync(path, 'utf8'), path).docs[0] as never);
};

describe('files envseal wrote (fixtures/sops)', () => {
  it.each([
    ['secret.enc.env', 'secret.env'],
    ['secret.enc.yaml', 'secret.yaml'],
    ['secret.enc.json', 'secret.json'],
    ['groups.enc.yaml', 'secret.yaml'],
  ])('%s opens to the values of %s, MAC verified', async (file, twin) => {
    const path = join(dir, file);
    const opened = openWithKey(path, await dataKeyOf(path));
    expect(opened.macOk, opened.macReason).toBe(true);
    expect(opened.metadata.version).toBe('3.13.3');
    expect(toPlain(opened.docs[0] as never)).toEqual(twinOf(twin));
  });

  it('the values are really encrypted: no plaintext value of a twin is in its file', () => {
    for (const secret of ['correct horse battery staple', 'tok_$not_expanded', 's3cr3t', 'g-token', 'json-token', 'nested-value']) {
      for (const file of ['secret.enc.env', 'secret.enc.yaml', 'secret.enc.json', 'groups.enc.yaml']) {
        expect(readFileSync(join(dir, file), 'utf8'), `${secret} in ${file}`).not.toContain(secret);
      }
    }
    // …while what the `_unencrypted` suffix keeps in clear is.
    expect(readFileSync(join(dir, 'secret.enc.env'), 'utf8')).toContain('PORT_unencrypted=8080\n');
  });

  it('two key groups with threshold 2: one identity alone does not unwrap, both do', async () => {
    const path = join(dir, 'groups.enc.yaml');
    const meta = readMetadata(path);
    expect(meta.keyGroups).toHaveLength(2);
    expect(meta.shamirThreshold).toBe(2);
    expect(allAgeKeys(meta)).toHaveLength(2);
    for (const one of identities) {
      expect(await unwrapDataKey(meta, [one])).toMatchObject({ ok: false });
    }
    expect((await dataKeyOf(path)).length).toBe(32);
  });
});
