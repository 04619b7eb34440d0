/**
 * `stores.yaml.indent` / `stores.json.indent` in `.sops.yaml` (issue 12, item 6): sops writes
 * YAML and JSON with the configured indentation (config.go StoresConfig; the YAML store's
 * SetIndent, the JSON store's json.Indent), and so does envseal.
 */
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStoreOptions } from '../../src/config/schema.js';
import { jsonFormat } from '../../src/formats/json.js';
import { yamlFormat } from '../../src/formats/yaml.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { enc, handmadeYaml } from '../helpers/handmade-sops.js';
import { makeIdentity } from '../helpers/keys.js';
import { itWithShared, SOPS_FIXTURES } from '../helpers/paths.js';

describe('reading stores: from .sops.yaml', () => {
  it.each([
    ['stores:\n  yaml:\n    indent: 2\n  json:\n    indent: 3\n', { yamlIndent: 2, jsonIndent: 3 }],
    ['stores:\n  json:\n    indent: 0\n', { jsonIndent: 0 }], // line breaks, no indentation
    ['stores:\n  json:\n    indent: -1\n  yaml:\n    indent: 0\n', {}], // sops's defaults: a tab, and 4
    ['creation_rules: []\n', {}],
    ['x: &i 2\nstores:\n  yaml:\n    indent: *i\n', { yamlIndent: 2 }],
    ['stores: [oops\n', {}], // a config that does not parse gives the defaults; rule commands report it
  ])('%j', (text, expected) => {
    expect(readStoreOptions(text, '/r/.sops.yaml')).toEqual(expected);
  });

  it.each([
    ['stores:\n  yaml:\n    indent: -1\n', /stores\.yaml\.indent cannot be below 0/],
    ['stores:\n  json:\n    indent: -2\n', /stores\.json\.indent cannot be below -1/],
    ['stores:\n  yaml:\n    indent: "2"\n', /stores\.yaml\.indent must be a whole number/],
  ])('refuses %j as sops does', (text, message) => {
    expect(() => readStoreOptions(text, '/r/.sops.yaml')).toThrow(message);
  });
});

describe('writing with the configured indentation', () => {
  it('YAML written in full, and the metadata block of a file edited in place, follow stores.yaml.indent', () => {
    const parsed = yamlFormat.parse('a:\n  b: 1\n  l:\n    - k: v\n      m:\n        x: 1\n', 'f.yaml');
    const full = yamlFormat.emitPlain(parsed.docs, undefined, 'f.yaml', { yamlIndent: 2 });
    expect(full).toBe('a:\n  b: 1\n  l:\n    - k: v\n      m:\n        x: 1\n');
    const enc4 = yamlFormat.emitEncrypted(parsed.docs, { age: [{ enc: 'x\n', recipient: 'r' }], version: '3.13.3' }, parsed, 'f.yaml');
    expect(enc4).toContain('sops:\n    age:\n        - enc: |\n            x\n          recipient: r\n    version: 3.13.3\n');
    const enc2 = yamlFormat.emitEncrypted(parsed.docs, { age: [{ enc: 'x\n', recipient: 'r' }], version: '3.13.3' }, parsed, 'f.yaml', { yamlIndent: 2 });
    expect(enc2).toContain('sops:\n  age:\n    - enc: |\n        x\n      recipient: r\n  version: 3.13.3\n');
  });

  it('JSON: spaces instead of the tab, or none at all', () => {
    const parsed = jsonFormat.parse('{"a": {"b": [1, {}]}}', 'f.json');
    expect(jsonFormat.emitPlain(parsed.docs, parsed, 'f.json', { jsonIndent: 2 })).toBe('{\n  "a": {\n    "b": [\n      1,\n      {}\n    ]\n  }\n}\n');
    expect(jsonFormat.emitPlain(parsed.docs, parsed, 'f.json', { jsonIndent: 0 })).toBe('{\n"a": {\n"b": [\n1,\n{}\n]\n}\n}\n');
    expect(jsonFormat.emitPlain(parsed.docs, parsed, 'f.json')).toBe('{\n\t"a": {\n\t\t"b": [\n\t\t\t1,\n\t\t\t{}\n\t\t]\n\t}\n}\n');
  });

  it('encrypt and set through the CLI honour the config', async () => {
    const dir = tempDir();
    const id = await makeIdentity(dir);
    writeFileSync(join(dir, '.sops.yaml'), `stores:\n  yaml:\n    indent: 2\n  json:\n    indent: 2\ncreation_rules:\n  - age: ${id.recipient}\n`);
    writeFileSync(join(dir, 'c.json'), '{"a": {"b": "x"}}');
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file });
    expect((await cli(['encrypt', 'c.json'], { cwd: dir, env })).code).toBe(0);
    const json = readFileSync(join(dir, 'c.json'), 'utf8');
    expect(json).toMatch(/^\{\n {2}"a": \{\n {4}"b": "ENC\[/);
    expect(json).not.toContain('\t');
    expect((await cli(['set', 'db.password', 'pw', '-f', 'new.yaml'], { cwd: dir, env })).code).toBe(0);
    expect(readFileSync(join(dir, 'new.yaml'), 'utf8')).toMatch(/^db:\n {2}password: ENC\[.*\]\nsops:\n {2}age:\n {4}- enc: \|\n {8}-----BEGIN AGE ENCRYPTED FILE-----\n/);
  });

  it('a sops file written with indent 2 (hand-made) keeps its body; the new block is at indent 2 too', async () => {
    const dir = tempDir();
    const id = await makeIdentity(dir);
    writeFileSync(join(dir, '.sops.yaml'), `stores:\n  yaml:\n    indent: 2\ncreation_rules:\n  - age: ${id.recipient}\n`);
    const body = `app:\n  name: ${enc('str', 'app:name:', 'svc')}\n  port: ${enc('int', 'app:port:', '80')}\n`;
    writeFileSync(join(dir, 's.yaml'), await handmadeYaml(body, { recipient: id.recipient, macInput: ['svc', '80'] }));
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file });
    expect((await cli(['set', 'app.port', '8080', '-f', 's.yaml'], { cwd: dir, env })).code).toBe(0);
    const after = readFileSync(join(dir, 's.yaml'), 'utf8');
    expect(after.split('\n')[1]).toBe(body.split('\n')[1]); // untouched value, same bytes
    expect(after).toMatch(/\nsops:\n {2}age:\n {4}- enc: \|\n {8}-----BEGIN/);
    expect(after).toMatch(/\n {2}lastmodified: "/);
  });

  const flux = join(SOPS_FIXTURES, 'upstream', 'flux');
  itWithShared('the Flux files (sops with stores.yaml.indent 2): set keeps the layout sops wrote', flux, async () => {
    const dir = tempDir();
    copyFileSync(join(flux, '.sops.yaml'), join(dir, '.sops.yaml'));
    copyFileSync(join(flux, 'global_secret.yaml'), join(dir, 'secret.yaml'));
    chmodSync(join(dir, 'secret.yaml'), 0o644); // the fixture is read-only, and set leaves read-only files alone
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: join(SOPS_FIXTURES, 'upstream', 'all-age-keys.txt') });
    const before = readFileSync(join(dir, 'secret.yaml'), 'utf8');
    expect((await cli(['set', 'stringData.key', 'changed', '-f', 'secret.yaml'], { cwd: dir, env })).code).toBe(0);
    const after = readFileSync(join(dir, 'secret.yaml'), 'utf8');
    // The metadata is written in the 3.13 layout (keys sorted), with the same indentation.
    const indents = (text: string): string[] => text.split('\n').map((l) => /^ */.exec(l)?.[0] ?? '').sort();
    expect(indents(after)).toEqual(indents(before));
    expect(after).toMatch(/\nsops:\n {2}age:\n {4}- enc: \|\n {8}-----BEGIN AGE ENCRYPTED FILE-----\n/);
    expect(after.split('\n').slice(0, 7)).toEqual(before.split('\n').slice(0, 7));
    expect((await cli(['get', 'stringData.key', '-f', 'secret.yaml'], { cwd: dir, env })).stdout).toBe('changed\n');
  });
});
