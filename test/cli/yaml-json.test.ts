/** YAML and JSON through the CLI: layout kept, types kept, conversions, interop. */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decryptSops } from 'sops-age';
import { describe, expect, it } from 'vitest';
import { yamlFormat } from '../../src/formats/yaml.js';
import type { MapNode, Node } from '../../src/tree.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { checkSopsTree } from '../helpers/independent-tree.js';
import { toPlain } from '../helpers/open-with-key.js';
import { REPO } from '../helpers/paths.js';

const RICH = readFileSync(join(REPO, 'fixtures', 'yaml', 'rich.yaml'), 'utf8');

function ageKeygen(dir: string): { file: string; recipient: string; identity: string } {
  const file = join(dir, 'k.key');
  execFileSync('age-keygen', ['-o', file], { stdio: 'ignore' });
  const text = readFileSync(file, 'utf8');
  return { file, identity: /AGE-SECRET-KEY-1\S+/.exec(text)?.[0] as string, recipient: /public key: (age1\S+)/.exec(text)?.[1] as string };
}

async function sealed(name: string, text: string): Promise<{ dir: string; env: Record<string, string | undefined>; key: ReturnType<typeof ageKeygen>; out: string }> {
  const dir = tempDir();
  const key = ageKeygen(dir);
  writeFileSync(join(dir, name), text);
  const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: key.file });
  const result = await cli(['encrypt', name, '--age', key.recipient], { cwd: dir, env });
  expect(result.stderr).not.toMatch(/error/);
  expect(result.code).toBe(0);
  return { dir, env, key, out: readFileSync(join(dir, name), 'utf8') };
}

const commentsOf = (node: Node | MapNode): string[] =>
  node.kind !== 'map' && node.kind !== 'list'
    ? []
    : node.items.flatMap((i) => (i.kind === 'comment' ? [i.text] : i.kind === 'entry' ? commentsOf(i.value) : i.kind === 'blank' ? [] : commentsOf(i)));

describe('YAML through encrypt and decrypt', () => {
  it('the rich corpus: same data, every comment in place, values edited in place', async () => {
    const { dir, env, out } = await sealed('rich.yaml', RICH);
    // Only values changed: each original line is still there, or only its value was replaced.
    const body = out.split(/^sops:$/m)[0] as string;
    const originalLines = RICH.split('\n');
    expect(body.split('\n').slice(0, 10)).toEqual(expect.arrayContaining(['%YAML 1.2', '---', '# Service configuration (head comment of the document)', 'service:']));
    for (const line of originalLines.filter((l) => /^\s*#/.test(l))) expect(out).toContain(line);
    expect(out.match(/^sops:$/gm)).toHaveLength(2); // one block per document
    const dec = await cli(['decrypt', 'rich.yaml'], { cwd: dir, env });
    expect(dec.code).toBe(0);
    const before = yamlFormat.parse(RICH, 'in.yaml').docs;
    const after = yamlFormat.parse(dec.stdout, 'out.yaml').docs;
    expect(after.map((d) => toPlain(d))).toEqual(before.map((d) => toPlain(d)));
    expect(after.map(commentsOf)).toEqual(before.map(commentsOf));
    // Where sops's typing forces another spelling, the text differs; the reasons:
    const changed = RICH.split('\n').flatMap((line, i) => (line === dec.stdout.split('\n')[i] ? [] : [line.trim()]));
    expect(changed.slice(0, 18)).toEqual([
      'disabled: False', // booleans come back as true/false
      'started: 2024-01-02', // timestamps come back in RFC 3339 (type:time)
      'octal: 0755', // ints come back in decimal: 493
      'octal12: 0o17',
      'hex: 0x1F',
      'binary: 0b101',
      'underscored: 1_000_000',
      'exponent: 1e3', // floats never use exponents in sops plaintext: 1000.0
      'not_octal: 018', // not valid octal, so go-yaml reads the float 18: 18.0
      'big_float: 123456789012345678901', // beyond uint64: a float, 1.2345678901234568e20
      'yes_is_a_string: yes', // quoted "yes", so YAML 1.1 readers do not take it for true
      "single: 'it''s'", // quoted only as much as needed: it's
      'tricky: "a: b # not a comment"', // single quotes suffice
      'unicode_ключ: "héllo wörld ✓"', // no quotes needed
      'same_token: *tok', // aliases are expanded, as in sops
      'block_folded: >', // folded style is not recorded: a literal block with the same text
      'folded text',
      'continues here',
    ]);
  });

  it('a value added by hand is the only value that changes; comments and the rest keep their bytes', async () => {
    const { dir, env, out } = await sealed('app.yaml', 'db:\n  user: admin # inline\n  password: pw\n');
    const withNew = out.replace('  password:', '  host: db.internal\n  password:');
    writeFileSync(join(dir, 'app.yaml'), withNew);
    const result = await cli(['encrypt', 'app.yaml'], { cwd: dir, env, now: new Date(Date.now() + 5000) });
    expect(result.stderr).toMatch(/encrypted 1 new value in app\.yaml: db\.host/);
    const after = readFileSync(join(dir, 'app.yaml'), 'utf8').split('\n');
    const diff = after.flatMap((line, i) => (line === withNew.split('\n')[i] ? [] : [line.trim().split(':')[0]]));
    expect(diff).toEqual(['host', 'lastmodified', 'mac']);
  });

  it('files envseal writes verify under an independent MAC check and read the same in sops-age', async () => {
    const text = 'name: svc\nport: 8080\nenabled: true\nlist:\n  - a\n  - b\nnested:\n  secret: s3cr3t\n  public_unencrypted: open\nempty: ""\nnothing: null\n';
    const { key, out } = await sealed('svc.yaml', text);
    const independent = checkSopsTree(out, key.file);
    expect(independent.macMatches).toBe(true);
    const expected = { name: 'svc', port: 8080, enabled: true, list: ['a', 'b'], nested: { secret: 's3cr3t', public_unencrypted: 'open' }, empty: '', nothing: null };
    expect(independent.data).toEqual(expected);
    expect(independent.sops['version']).toMatch(/^3\.13\.\d+$/);
    expect(independent.sops['lastmodified']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((independent.sops['age'] as Array<{ enc: string }>)[0]?.enc).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]+-----END AGE ENCRYPTED FILE-----\n$/);
    const viaSopsAge = await decryptSops(out, { secretKey: key.identity, fileType: 'yaml' });
    expect(viaSopsAge).toEqual(expected);
    expect(checkSopsTree(out.replace('public_unencrypted: open', 'public_unencrypted: shut'), key.file).macMatches).toBe(false);
  });
});

describe('JSON', () => {
  const TEXT = '{\n  "name": "svc",\n  "10": "integer-like key keeps its place",\n  "port": 8080,\n  "ratio": 0.5,\n  "one": 1.0,\n  "flags": [true, false],\n  "nested": {"secret": "s3cr3t"}\n}\n';

  it('keeps key order and ints apart from floats; writes as sops does, but a whole float keeps its .0', async () => {
    const { dir, env, out } = await sealed('c.json', TEXT);
    expect(out.split('\n')[1]).toMatch(/^\t"name": "ENC\[AES256_GCM,data:.*type:str\]",$/);
    expect(out.split('\n')[2]).toMatch(/^\t"10": "ENC\[/);
    expect(out).toMatch(/"port": "ENC\[.*type:int\]"/);
    expect(out).toMatch(/"one": "ENC\[.*type:float\]"/);
    expect(out.endsWith('\t}\n}\n')).toBe(true);
    const dec = await cli(['decrypt', 'c.json'], { cwd: dir, env });
    expect(dec.stdout).toBe('{\n\t"name": "svc",\n\t"10": "integer-like key keeps its place",\n\t"port": 8080,\n\t"ratio": 0.5,\n\t"one": 1.0,\n\t"flags": [\n\t\ttrue,\n\t\tfalse\n\t],\n\t"nested": {\n\t\t"secret": "s3cr3t"\n\t}\n}\n');
  });

  it('files envseal writes verify independently and read the same in sops-age', async () => {
    // (sops-age drops all-digit path parts from the AAD, and JS objects move "10" first, so no such key here)
    const text = '{"name": "svc", "port": 8080, "flags": [true, false], "nested": {"secret": "s3cr3t", "n": null}}';
    const { key, out } = await sealed('i.json', text);
    const expected = { name: 'svc', port: 8080, flags: [true, false], nested: { secret: 's3cr3t', n: null } };
    const independent = checkSopsTree(out, key.file);
    expect(independent.macMatches).toBe(true);
    expect(independent.data).toEqual(expected);
    expect(await decryptSops(out, { secretKey: key.identity, fileType: 'json' })).toEqual(expected);
  });

  it('decrypt --format converts between formats; nested data into dotenv is an error naming the key', async () => {
    const { dir, env } = await sealed('c.json', TEXT);
    const yaml = await cli(['decrypt', 'c.json', '--format', 'yaml'], { cwd: dir, env });
    expect(yaml.stdout).toContain('"10": integer-like key keeps its place\n');
    expect(yaml.stdout).toContain('one: 1.0\n');
    expect(yaml.stdout).toContain('nested:\n  secret: s3cr3t\n');
    const dotenv = await cli(['decrypt', 'c.json', '--format', 'dotenv'], { cwd: dir, env });
    expect(dotenv.code).toBe(6);
    expect(dotenv.stderr).toMatch(/key flags holds a nested value/);
    const { dir: d2, env: e2 } = await sealed('app.yaml', 'a: 1\nb: two\n');
    const asDotenv = await cli(['decrypt', 'app.yaml', '--format', 'dotenv'], { cwd: d2, env: e2 });
    expect(asDotenv.stdout).toBe('a=1\nb=two\n');
    const asJson = await cli(['decrypt', 'app.yaml', '--format', 'json'], { cwd: d2, env: e2 });
    expect(asJson.stdout).toBe('{\n\t"a": 1,\n\t"b": "two"\n}\n');
    const asShell = await cli(['decrypt', 'app.yaml', '--format', 'shell'], { cwd: d2, env: e2 });
    expect(asShell.stdout).toBe("export a='1'\nexport b='two'\n");
  });
});
