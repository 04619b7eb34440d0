/**
 * Real files written by sops (../shared/sops-fixtures) as vectors: metadata layouts of
 * several sops versions, data-key unwrap with the fixtures' own test keys, values and MAC.
 * The files are public projects' test data, not redistributed: without ../shared the whole
 * file skips, saying so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { unwrapDataKey } from '../../src/crypto/data-key.js';
import { parseIdentities } from '../../src/keys/identity.js';
import { allAgeKeys } from '../../src/metadata/model.js';
import { AGE_FIXTURES, describeWithShared, PGP_FIXTURES } from '../helpers/paths.js';
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

describeWithShared('age fixtures written by sops', () => {
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

  it('YAML (sops 3.8.1, re-indented): int, float, bool, nested map and list, MAC verified', async () => {
    const path = join(humphd, 'secret.enc.yaml');
    const opened = openWithKey(path, await dataKeyOf(path, join(humphd, 'key.txt')));
    expect(opened.macOk).toBe(true);
    const expected = JSON.parse(readFileSync(join(humphd, 'secret.json'), 'utf8')) as Record<string, unknown>;
    delete expected['0word'];
    expect(toPlain(opened.docs[0] as never)).toEqual(expected);
    const int = opened.docs[0]?.items.find((i) => i.kind === 'entry' && i.key === 'int');
    expect(int).toMatchObject({ value: { kind: 'int', value: 7n } });
  });

  it('the .inf pair: a bare .inf is a float that enters the MAC as +Inf, a quoted one a string', async () => {
    const key = await dataKeyOf(join(p5, 'inf-bare.3.13.3.enc.yaml'), join(p5, 'inf.agekey.txt'));
    const bare = openWithKey(join(p5, 'inf-bare.3.13.3.enc.yaml'), key);
    expect(bare.macOk).toBe(true);
    expect(bare.docs[0]?.items[1]).toMatchObject({ key: 'v_unencrypted', value: { kind: 'float', value: Infinity } });
    const quotedKey = await dataKeyOf(join(p5, 'inf-quoted.3.13.3.enc.yaml'), join(p5, 'inf.agekey.txt'));
    const quoted = openWithKey(join(p5, 'inf-quoted.3.13.3.enc.yaml'), quotedKey);
    expect(quoted.macOk).toBe(true);
    expect(quoted.docs[0]?.items[1]).toMatchObject({ key: 'v_unencrypted', value: { kind: 'str', value: '.inf' } });
  });

  it('a wrong identity does not unwrap', async () => {
    const result = await unwrapDataKey(readMetadata(join(humphd, 'secret.enc.env')), identitiesIn(join(p5, 'inf.agekey.txt')));
    expect(result).toMatchObject({ ok: false, reason: 'no-identity' });
  });
});

describeWithShared('PGP fixtures as format vectors (data key from the gpg binary)', () => {
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

  const pgpKeyOf = (path: string): Uint8Array => {
    const pgp = readMetadata(path).keyGroups[0]?.others.pgp?.[0] as Record<string, string>;
    return pgpDataKey(pgp['enc'] as string);
  };
  const commentsOf = (node: import('../../src/tree.js').Node | import('../../src/tree.js').MapNode): string[] => {
    if (node.kind !== 'map' && node.kind !== 'list') return [];
    return node.items.flatMap((i) =>
      i.kind === 'comment' ? [i.text] : i.kind === 'entry' ? commentsOf(i.value) : i.kind === 'blank' ? [] : commentsOf(i),
    );
  };

  it('YAML 3.10 example: nested encrypted comments (AADs app2:db: and this:is:a:nested:), _unencrypted subtrees', () => {
    const path = join(PGP_FIXTURES, 'example.yaml');
    const opened = openWithKey(path, pgpKeyOf(path));
    expect(opened.macOk).toBe(true);
    const comments = commentsOf(opened.docs[0] as never);
    expect(comments.some((c) => c.startsWith('ENC['))).toBe(false);
    expect(comments).toHaveLength(4);
    const plain = toPlain(opened.docs[0] as never) as Record<string, unknown>;
    expect(plain['somelist_unencrypted']).toEqual(['all elements of this list', 'remain in clear text', 'because of the _unencrypted suffix in the key']);
    expect(plain['somebooleans']).toEqual([true, false]);
  });

  it('YAML 3.6.1 with encrypted top-level comments (AAD ":") decrypts to its plaintext twin', () => {
    const path = join(PGP_FIXTURES, 'comments.enc.yaml');
    const opened = openWithKey(path, pgpKeyOf(path));
    expect(opened.macOk).toBe(true);
    expect(commentsOf(opened.docs[0] as never)).toEqual([' first comment in file', ' this-is-a-comment']);
    expect(toPlain(opened.docs[0] as never)).toEqual({ lorem: 'ipsum', dolor: 'sit' });
  });

  it('no_mac.yaml has no MAC: refused unless the MAC check is skipped', () => {
    const path = join(PGP_FIXTURES, 'no_mac.yaml');
    const opened = openWithKey(path, pgpKeyOf(path));
    expect(opened.macOk).toBe(false);
    expect(opened.macReason).toMatch(/no MAC/);
    expect(toPlain(opened.docs[0] as never)).toHaveProperty('myapp1');
  });

  it('YAML 3.13.1 format.enc.yaml', () => {
    const path = join(PGP_FIXTURES, 'format.enc.yaml');
    const opened = openWithKey(path, pgpKeyOf(path));
    expect(opened.macOk).toBe(true);
    expect(toPlain(opened.docs[0] as never)).toEqual({ foo: 'bar' });
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
