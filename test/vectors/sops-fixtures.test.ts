/**
 * Real files written by sops (../shared/sops-fixtures) as vectors: metadata layouts of
 * several sops versions, data-key unwrap with the committed test keys, values and MAC.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unwrapDataKey } from '../../src/crypto/data-key.js';
import { parseIdentities } from '../../src/keys/identity.js';
import { allAgeKeys } from '../../src/metadata/model.js';
import { AGE_FIXTURES, PGP_FIXTURES } from '../helpers/paths.js';
import { openWithKey, readMetadata, toPlain } from '../helpers/open-with-key.js';
import { pgpDataKey } from '../helpers/pgp.js';

const humphd = join(AGE_FIXTURES, 'humphd-sops-age');
const p5 = join(AGE_FIXTURES, 'p5-file-sops');
const identitiesIn = (file: string) => parseIdentities(readFileSync(file, 'utf8')).identities;

async function dataKeyOf(path: string, keyFile: string): Promise<Uint8Array> {
  const result = await unwrapDataKey(readMetadata(path), identitiesIn(keyFile));
  if (!result.ok) throw new Error(`unwrap failed: ${result.reason}`);
  return result.dataKey;
}

describe('age fixtures written by sops', () => {
  it('dotenv (sops 3.8.1): decrypts to the right values with the MAC verified', async () => {
    const path = join(humphd, 'secret.enc.env');
    const opened = openWithKey(path, await dataKeyOf(path, join(humphd, 'key.txt')));
    expect(opened.macOk).toBe(true);
    expect(toPlain(opened.docs[0] as never)).toEqual({ secret: 'this is a secret', another_secret: '7' });
    expect(opened.metadata.version).toBe('3.8.1');
    expect(allAgeKeys(opened.metadata).map((k) => k.recipient)).toEqual([
      'age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr',
      'age19j4d6v9j7rx5fs629fu387qz4zmlpsqjexa4s08tkfrrmfdl5cwqjlaupd',
      'age13runq29jhy9kfpaegczrzttykerswh0qprq59msgd754yermtfmsa3hwg2',
    ]);
  });

  it('JSON (sops 3.9.2, every number a float): decrypts with the MAC verified', async () => {
    const path = join(humphd, 'secret.enc.json');
    const opened = openWithKey(path, await dataKeyOf(path, join(humphd, 'key.txt')));
    expect(opened.macOk).toBe(true);
    expect(toPlain(opened.docs[0] as never)).toEqual(JSON.parse(readFileSync(join(humphd, 'secret.json'), 'utf8')));
  });

  it.each([
    [join(humphd, 'secret.enc.yaml'), join(humphd, 'key.txt'), '3.8.1'],
    [join(p5, 'inf-bare.3.13.3.enc.yaml'), join(p5, 'inf.agekey.txt'), '3.13.3'],
    [join(p5, 'inf-quoted.3.13.3.enc.yaml'), join(p5, 'inf.agekey.txt'), '3.13.3'],
  ])('YAML %s: metadata parses and the data key unwraps', async (path, keyFile, version) => {
    const meta = readMetadata(path);
    expect(meta.version).toBe(version);
    expect(meta.rule).toEqual({ field: 'unencrypted_suffix', value: '_unencrypted' });
    expect((await dataKeyOf(path, keyFile)).length).toBe(32);
  });

  it('a wrong identity does not unwrap', async () => {
    const result = await unwrapDataKey(readMetadata(join(humphd, 'secret.enc.env')), identitiesIn(join(p5, 'inf.agekey.txt')));
    expect(result).toMatchObject({ ok: false, reason: 'no-identity' });
  });
});

describe('PGP fixtures as format vectors (data key from the gpg binary)', () => {
  it('dotenv key with a trailing space uses AAD "foo :"', () => {
    const path = join(PGP_FIXTURES, 'format.enc.env');
    const meta = readMetadata(path);
    expect(meta.keyGroups[0]?.age).toEqual([]);
    const pgp = meta.keyGroups[0]?.others.pgp?.[0] as Record<string, string>;
    const opened = openWithKey(path, pgpDataKey(pgp['enc'] as string));
    expect(opened.macOk).toBe(true);
    // sops splits at the first '=' and trims nothing: `foo = bar` is key "foo ", value " bar"
    expect(toPlain(opened.docs[0] as never)).toEqual({ 'foo ': ' bar' });
  });

  it('JSON 3.13 layout decrypts with the MAC verified', () => {
    const path = join(PGP_FIXTURES, 'format.enc.json');
    const pgp = readMetadata(path).keyGroups[0]?.others.pgp?.[0] as Record<string, string>;
    const opened = openWithKey(path, pgpDataKey(pgp['enc'] as string));
    expect(opened.macOk).toBe(true);
    expect(toPlain(opened.docs[0] as never)).toEqual({ foo: 'bar' });
  });

  it('JSON 3.5 example with nested lists and an empty value', () => {
    const path = join(PGP_FIXTURES, 'example.json');
    const pgp = readMetadata(path).keyGroups[0]?.others.pgp?.[0] as Record<string, string>;
    const opened = openWithKey(path, pgpDataKey(pgp['enc'] as string));
    expect(opened.macOk).toBe(true);
    const plain = toPlain(opened.docs[0] as never) as Record<string, unknown>;
    expect(plain['anEmptyValue']).toBe('');
    expect(Object.keys(plain)[0]).toBe('firstName');
  });
});
