/**
 * The smaller sops compatibility items of issue 12 (item 7): accept whatever sops accepts and
 * writes, refuse what sops refuses. Inputs are sops-shaped files written by hand (MAC input
 * stated) or plaintext files sops would encrypt.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/schema.js';
import { formatFor } from '../../src/formats/index.js';
import { jsonFormat } from '../../src/formats/json.js';
import { yamlFormat } from '../../src/formats/yaml.js';
import { parseMetadata } from '../../src/metadata/codec.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { enc, HANDMADE_KEY, handmadeYaml, macHex } from '../helpers/handmade-sops.js';
import { makeIdentity } from '../helpers/keys.js';
import { openWithKey, toPlain } from '../helpers/open-with-key.js';

async function project(): Promise<{ dir: string; env: Record<string, string | undefined>; recipient: string }> {
  const dir = tempDir();
  const id = await makeIdentity(dir);
  return { dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file }), recipient: id.recipient };
}

/** A sops JSON file: `body` holds the data members (no braces), then the sops block. */
async function handmadeJson(body: string, macInput: string[], recipient: string): Promise<string> {
  const yaml = await handmadeYaml('', { recipient, macInput });
  const meta = yamlFormat.parse(yaml, 'm.yaml').metadata as Record<string, unknown>;
  return `{\n${body},\n\t"sops": ${JSON.stringify(meta, null, '\t').replace(/\n/g, '\n\t')}\n}\n`;
}

describe('JSON written by sops with a key twice', () => {
  it('opens: the MAC covers each occurrence in file order, both are kept, readers take the last', async () => {
    const { dir, env, recipient } = await project();
    const body = `\t"a": "${enc('str', 'a:', 'first')}",\n\t"b": "${enc('str', 'b:', 'x')}",\n\t"a": "${enc('str', 'a:', 'second')}"`;
    writeFileSync(join(dir, 'd.json'), await handmadeJson(body, ['first', 'x', 'second'], recipient));
    const get = await cli(['get', 'a', '-f', 'd.json'], { cwd: dir, env });
    expect(get.stdout).toBe('second\n');
    expect(get.stderr).toMatch(/d\.json:4: key "a" appears twice \(lines 2 and 4\); sops keeps both/);
    const dec = await cli(['decrypt', 'd.json'], { cwd: dir, env });
    expect(dec.stdout).toBe('{\n\t"a": "first",\n\t"b": "x",\n\t"a": "second"\n}\n');
    expect((await cli(['set', 'b', 'y', '-f', 'd.json'], { cwd: dir, env })).code).toBe(0);
    expect((await cli(['decrypt', 'd.json'], { cwd: dir, env })).stdout).toBe('{\n\t"a": "first",\n\t"b": "y",\n\t"a": "second"\n}\n');
  });

  it('in a plaintext file it stays an error (one of the two is a mistake), naming both lines', () => {
    expect(() => jsonFormat.parse('{\n"a": 1,\n"a": 2\n}', 'x.json')).toThrow(/line 3: key "a" appears twice \(lines 2 and 3\)/);
  });

  it('a byte-order mark is refused, as Go\'s decoder refuses it', () => {
    expect(() => jsonFormat.parse('\ufeff{"a": 1}', 'b.json')).toThrow(/line 1.*byte-order mark/);
  });
});

describe('YAML documents after the first', () => {
  it('a key twice in document 2 is kept twice (sops checks only document 1); in document 1 it is refused', async () => {
    const { dir, env, recipient } = await project();
    const block = await handmadeYaml('', { recipient, macInput: ['one', 'two', 'three'] });
    const file = `a: ${enc('str', 'a:', 'one')}\n${block}---\nb: ${enc('str', 'b:', 'two')}\nb: ${enc('str', 'b:', 'three')}\n${block}`;
    writeFileSync(join(dir, 'm.yaml'), file);
    const dec = await cli(['decrypt', 'm.yaml'], { cwd: dir, env });
    expect(dec.stderr).toBe('');
    expect(dec.stdout).toBe('a: one\n---\nb: two\nb: three\n');
    expect(() => yamlFormat.parse('a: 1\na: 2\n---\nb: 1\n', 'f.yaml')).toThrow(/line 2/);
  });

  it('an alias to an anchor of an earlier document (go-yaml keeps anchors across documents); sops writes it expanded', async () => {
    const { dir, env, recipient } = await project();
    writeFileSync(join(dir, 'p.yaml'), 'a: &x shared-value\n---\nb: *x\n');
    expect((await cli(['encrypt', 'p.yaml', '--age', recipient], { cwd: dir, env })).code).toBe(0);
    const out = readFileSync(join(dir, 'p.yaml'), 'utf8');
    expect(out).toMatch(/^b: ENC\[/m);
    // (written in place: the anchor stays where it was, the alias became its value)
    expect((await cli(['decrypt', 'p.yaml'], { cwd: dir, env })).stdout).toBe('a: &x shared-value\n---\nb: shared-value\n');
  });
});

describe('keys sops accepts', () => {
  it.each([
    ['an alias as a key', 'name: &k key1\n*k : s3cret\n', { name: 'key1', key1: 's3cret' }],
    ['an explicit key', '? k\n: s3cret\nother: x\n', { k: 's3cret', other: 'x' }],
    ['a block scalar as an explicit key', '? |\n  k\n: s3cret\n', { 'k\n': 's3cret' }],
    ['a key holding a newline', '"a\\nb": s3cret\n', { 'a\nb': 's3cret' }],
    ['!!str on a key that would be an int', '!!str 1: s3cret\n', { '1': 's3cret' }],
  ])('%s: encrypts under that key (AAD) and decrypts back', async (_name, text, expected) => {
    const { dir, env, recipient } = await project();
    writeFileSync(join(dir, 'k.yaml'), text);
    const result = await cli(['encrypt', 'k.yaml', '--age', recipient], { cwd: dir, env });
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    const dec = await cli(['decrypt', 'k.yaml'], { cwd: dir, env });
    expect(toPlain(yamlFormat.parse(dec.stdout, 'out.yaml').docs[0] as never)).toEqual(expected);
  });

  it('an alias key whose anchor is not a string is refused, as sops refuses non-string keys', () => {
    expect(() => yamlFormat.parse('n: &k 1\n*k : v\n', 'f.yaml')).toThrow(/line 2.*not a string/);
  });

  it('!!omap: a list of one-entry maps, as go-yaml gives sops', async () => {
    const { dir, env, recipient } = await project();
    writeFileSync(join(dir, 'o.yaml'), 'o: !!omap\n  - a: 1\n  - b: two\n');
    expect((await cli(['encrypt', 'o.yaml', '--age', recipient], { cwd: dir, env })).code).toBe(0);
    expect(toPlain(yamlFormat.parse((await cli(['decrypt', 'o.yaml'], { cwd: dir, env })).stdout, 'o.yaml').docs[0] as never)).toEqual({ o: [{ a: 1 }, { b: 'two' }] });
  });
});

describe('metadata sops reads, and metadata it refuses', () => {
  const meta = (over: Record<string, unknown>) => ({ age: [{ recipient: 'r', enc: 'e' }], lastmodified: '2025-01-02T03:04:05Z', mac: '', version: '3.13.3', ...over });

  it.each(['v3.13.2', '1.x', '1.0', '3.13.2-rc.1', '3.13.2+build.5'])('version %j is accepted', (version) => {
    expect(parseMetadata(meta({ version }), 'f').version).toBe(version);
  });

  it.each(['3.13', 'abc', '03.1.1', '3.13.2x', ''])('version %j is refused (sops cannot compare it)', (version) => {
    expect(() => parseMetadata(meta({ version }), 'f')).toThrow(/version/);
  });

  it.each(['2025-01-02t03:04:05Z', '2025-01-02T03:04:05z', '2025-13-02T03:04:05Z', '2025-01-02 03:04:05Z'])('lastmodified %j is refused', (lastmodified) => {
    expect(() => parseMetadata(meta({ lastmodified }), 'f')).toThrow(/lastmodified/);
  });

  it('a comma before the fraction is fine (Go accepts it); the MAC AAD drops the fraction', async () => {
    const dir = tempDir();
    const lastModified = '2025-01-02T03:04:05,123Z';
    const text = await handmadeYaml(`a: ${enc('str', 'a:', 'x')}\n`, { recipient: (await makeIdentity(dir)).recipient, macInput: ['x'], lastModified });
    // sops encrypts the MAC under lastmodified as Go formats it back: without the fraction.
    writeFileSync(join(dir, 'c.yaml'), text.replace(/mac: ENC\[[^\n]+/, `mac: ${enc('str', '2025-01-02T03:04:05Z', macHex(['x']))}`));
    expect(openWithKey(join(dir, 'c.yaml'), HANDMADE_KEY).macOk).toBe(true);
  });

  it('an unquoted lastmodified (a YAML timestamp) is refused, naming the line', async () => {
    const dir = tempDir();
    const text = (await handmadeYaml(`a: ${enc('str', 'a:', 'x')}\n`, { recipient: (await makeIdentity(dir)).recipient, macInput: ['x'] })).replace(
      'lastmodified: "2025-01-02T03:04:05Z"',
      'lastmodified: 2025-01-02T03:04:05Z',
    );
    expect(() => yamlFormat.parse(text, 'c.yaml')).toThrow(/unquoted lastmodified/);
  });
});

describe('.sops.yaml: Shamir thresholds and merged key groups', () => {
  const R = ['age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr', 'age19j4d6v9j7rx5fs629fu387qz4zmlpsqjexa4s08tkfrrmfdl5cwqjlaupd', 'age13runq29jhy9kfpaegczrzttykerswh0qprq59msgd754yermtfmsa3hwg2'];

  it('shamir_threshold 1 with two key groups: a configuration error (exit 3), as sops refuses it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - shamir_threshold: 1\n    key_groups:\n      - age: [${R[0]}]\n      - age: [${R[1]}]\n`);
    writeFileSync(join(dir, '.env'), 'A=1\n');
    const result = await cli(['encrypt', '.env'], { cwd: dir, env: isolatedEnv(dir) });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/shamir_threshold must be at least 2 with several key groups/);
    expect(() => parseConfig(`creation_rules:\n  - shamir_threshold: 3\n    key_groups:\n      - age: [${R[0]}]\n      - age: [${R[1]}]\n`, '/r/.sops.yaml')).toThrow(/more than its 2 key groups/);
  });

  it('merge: the merged groups\' keys come first, then the group\'s own, each once (sops extractMasterKeys)', () => {
    const text = `creation_rules:\n  - key_groups:\n      - age: [${R[0]}]\n        pgp: [FP1]\n        merge:\n          - age: [${R[1]}]\n            merge:\n              - age: [${R[2]}, ${R[0]}]\n          - pgp: [FP2]\n`;
    const group = parseConfig(text, '/r/.sops.yaml').creationRules[0]?.groups[0];
    expect(group?.age).toEqual([R[2], R[0], R[1]]);
    expect(group?.otherKeys).toEqual(['pgp: FP2', 'pgp: FP1']);
  });
});

describe('stores envseal does not have', () => {
  it('INI and binary files say so instead of asking for --format', () => {
    expect(() => formatFor('/r/secrets.ini')).toThrow(/INI file, and envseal does not support sops's INI store/);
    expect(() => formatFor('/r/files_file.txt')).toThrow(/sops would store \/r\/files_file\.txt whole, as a binary file.*not support/);
    expect(() => formatFor('/r/x.json', 'binary')).toThrow(/binary store/);
    expect(() => formatFor('/r/x.json', 'ini')).toThrow(/INI store/);
  });
});
