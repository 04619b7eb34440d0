/** get, set and unset through main(argv, io). */
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity } from '../helpers/keys.js';

async function setup(name: string, text: string) {
  const dir = tempDir();
  const id = await makeIdentity(dir);
  const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file });
  writeFileSync(join(dir, name), text);
  expect((await cli(['encrypt', name, '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
  return { dir, id, env, read: () => readFileSync(join(dir, name), 'utf8') };
}

const changedLines = (before: string, after: string): string[] => {
  const a = before.split('\n');
  return after.split('\n').flatMap((line, i) => (line === a[i] ? [] : [line.split(/[=:]/)[0]?.trim() ?? '']));
};

describe('get', () => {
  it('prints one value raw, dotted or sops-style paths, maps as JSON', async () => {
    const { dir, env } = await setup('s.yaml', 'db:\n  password: "p@ss word"\n  port: 5432\nhosts: [a, b]\nDOTTED.KEY: x\n');
    expect((await cli(['get', 'db.password', '-f', 's.yaml'], { cwd: dir, env })).stdout).toBe('p@ss word\n');
    expect((await cli(['get', '["db"]["port"]', '-f', 's.yaml'], { cwd: dir, env })).stdout).toBe('5432\n');
    expect((await cli(['get', 'hosts.1', '-f', 's.yaml'], { cwd: dir, env })).stdout).toBe('b\n');
    expect((await cli(['get', 'DOTTED.KEY', '-f', 's.yaml'], { cwd: dir, env })).stdout).toBe('x\n');
    expect((await cli(['get', 'db', '-f', 's.yaml'], { cwd: dir, env })).stdout).toBe('{\n\t"password": "p@ss word",\n\t"port": 5432\n}\n');
    const missing = await cli(['get', 'db.nope', '-f', 's.yaml'], { cwd: dir, env });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/key db\.nope is not in the file/);
  });

  it('defaults to .env', async () => {
    const { dir, env } = await setup('.env', 'API_KEY=abc123\n');
    expect((await cli(['get', 'API_KEY'], { cwd: dir, env })).stdout).toBe('abc123\n');
  });
});

describe('set', () => {
  it('replaces one value; every other value keeps its ciphertext', async () => {
    const { dir, env, read } = await setup('.env', '# head\nA=alpha\nB=beta\nC=gamma\n');
    const before = read();
    const result = await cli(['set', 'B', 'BETA'], { cwd: dir, env, now: new Date(Date.now() + 5000) });
    expect(result.code).toBe(0);
    expect(changedLines(before, read())).toEqual(['B', 'sops_lastmodified', 'sops_mac']);
    expect((await cli(['get', 'B'], { cwd: dir, env })).stdout).toBe('BETA\n');
    const same = await cli(['set', 'B', 'BETA'], { cwd: dir, env });
    expect(same.stderr).toMatch(/already holds that value/);
  });

  it('multi-document YAML: a later document wins for get (with and without a key); a new key goes into the first document', async () => {
    const { dir, env } = await setup('multi.yaml', 'a: 1\nshared: first\n---\nb: 2\nshared: second\n');
    expect((await cli(['get', 'shared', '-f', 'multi.yaml'], { cwd: dir, env })).stdout).toBe('second\n');
    expect(JSON.parse((await cli(['get', '-f', 'multi.yaml'], { cwd: dir, env })).stdout)).toEqual({ a: 1, shared: 'second', b: 2 });
    expect((await cli(['set', 'c', 'new', '-f', 'multi.yaml'], { cwd: dir, env })).code).toBe(0);
    expect((await cli(['set', 'shared', 'changed', '-f', 'multi.yaml'], { cwd: dir, env })).code).toBe(0);
    const plain = (await cli(['decrypt', 'multi.yaml'], { cwd: dir, env })).stdout;
    expect(plain).toBe('a: 1\nshared: first\nc: new\n---\nb: 2\nshared: changed\n');
  });

  it('a read-only file (0444) is not replaced: exit 7 saying so, bytes and mode unchanged', async () => {
    const { dir, env, read } = await setup('.env', 'A=1\n');
    chmodSync(join(dir, '.env'), 0o444);
    const before = read();
    const r = await cli(['set', 'B', 'two'], { cwd: dir, env });
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/the file is read-only \(mode 0444\); nothing was written.*\nhint: chmod u\+w \.env/s);
    expect(read()).toBe(before);
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o444);
  });

  it('reads the value from stdin, which never shows in argv, stdout or stderr', async () => {
    const { dir, env } = await setup('.env', 'A=1\n');
    const secret = 'stdin-secret-9f8e7d';
    const result = await cli(['set', 'TOKEN'], { cwd: dir, env, stdin: `${secret}\n` });
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(secret);
    expect(readFileSync(join(dir, '.env'), 'utf8')).not.toContain(secret);
    expect((await cli(['get', 'TOKEN'], { cwd: dir, env })).stdout).toBe(`${secret}\n`);
  });

  it('asks with a hidden prompt on a terminal', async () => {
    const { dir, env } = await setup('.env', 'A=1\n');
    const asked: string[] = [];
    const result = await cli(['set', 'PROMPTED'], { cwd: dir, env, prompt: (q) => (asked.push(q), 'typed-value') });
    expect(result.code).toBe(0);
    expect(asked).toEqual(['Value for PROMPTED (not shown): ']);
    expect((await cli(['get', 'PROMPTED'], { cwd: dir, env })).stdout).toBe('typed-value\n');
  });

  it('asks again when Enter is pressed on the hidden prompt with nothing typed; Enter twice stores an empty value', async () => {
    const { dir, env } = await setup('.env', 'A=1\n');
    const answers = ['', 'second-try'];
    const asked: string[] = [];
    expect((await cli(['set', 'RETRIED'], { cwd: dir, env, prompt: (q) => (asked.push(q), answers.shift() ?? null) })).code).toBe(0);
    expect(asked).toHaveLength(2);
    expect(asked[1]).toMatch(/^Nothing was typed\. Value for RETRIED/);
    expect((await cli(['get', 'RETRIED'], { cwd: dir, env })).stdout).toBe('second-try\n');
    const empties = ['', ''];
    expect((await cli(['set', 'EMPTY'], { cwd: dir, env, prompt: () => empties.shift() ?? null })).code).toBe(0);
    expect(empties).toEqual([]);
    expect((await cli(['get', 'EMPTY'], { cwd: dir, env })).stdout).toBe('\n');
  });

  it('--generate stores 32 random bytes (base64url) and prints them only with --show', async () => {
    const { dir, env } = await setup('.env', 'A=1\n');
    const quiet = await cli(['set', 'SESSION', '--generate'], { cwd: dir, env });
    const value = (await cli(['get', 'SESSION'], { cwd: dir, env })).stdout.trim();
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(value, 'base64url')).toHaveLength(32);
    expect(quiet.stdout + quiet.stderr).not.toContain(value);
    const shown = await cli(['set', 'OTHER', '--generate', '48', '--show'], { cwd: dir, env });
    expect(shown.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect((await cli(['set', 'X', 'v', '--generate'], { cwd: dir, env })).code).toBe(2);
  });

  it('creates a missing file for the recipients of --age (or the rule)', async () => {
    const dir = tempDir();
    const id = await makeIdentity(dir);
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file });
    const created = await cli(['set', 'db.password', 'pw', '-f', 'new.yaml', '--age', id.recipient], { cwd: dir, env });
    expect(created.stderr).toMatch(/created new\.yaml/);
    // a new YAML file is written in sops's own layout (indent 4)
    expect((await cli(['decrypt', 'new.yaml'], { cwd: dir, env })).stdout).toBe('db:\n    password: pw\n');
    const noRecipient = await cli(['set', 'A', 'b', '-f', 'other.env'], { cwd: dir, env });
    expect(noRecipient.code).toBe(3);
  });

  it('edits YAML in place: a new key is added next to its siblings, layout and comments kept', async () => {
    const { dir, env, read } = await setup('app.yaml', '# settings\ndb:\n  user: admin # the user\n  password: pw\n\n# more\nother: 1\n');
    const before = read();
    await cli(['set', 'db.host', 'db.internal', '-f', 'app.yaml'], { cwd: dir, env });
    const after = read();
    expect(after.split('\n').slice(0, 5).map((l) => l.replace(/ENC\[[^\]]*\]/, 'ENC'))).toEqual([
      '# settings',
      'db:',
      '  user: ENC # the user',
      '  password: ENC',
      '  host: ENC',
    ]);
    expect(after.split('\n')[2]).toBe(before.split('\n')[2]);
    await cli(['unset', 'db.user', '-f', 'app.yaml'], { cwd: dir, env });
    expect(read().split('\n').slice(0, 4).map((l) => l.replace(/ENC\[[^\]]*\]/, 'ENC'))).toEqual(['# settings', 'db:', '  password: ENC', '  host: ENC']);
    expect((await cli(['decrypt', 'app.yaml'], { cwd: dir, env })).stdout).toBe('# settings\ndb:\n  password: pw\n  host: db.internal\n\n# more\nother: 1\n');
  });

  it('JSON: sets nested values and keeps order', async () => {
    const { dir, env } = await setup('c.json', '{"a": {"b": 1}, "z": true}');
    await cli(['set', 'a.c', 'new', '-f', 'c.json'], { cwd: dir, env });
    expect((await cli(['decrypt', 'c.json'], { cwd: dir, env })).stdout).toBe('{\n\t"a": {\n\t\t"b": 1,\n\t\t"c": "new"\n\t},\n\t"z": true\n}\n');
  });
});

describe('set keeps types (YAML and JSON)', () => {
  const YAML = 'database:\n  port: 5432\n  host: db.local\ndefaults:\n  enabled: true\n  ratio: 0.5\n  started: 2024-01-02T03:04:05Z\n  tags: [a, b]\n';

  it('YAML: an int stays an int, a bool a bool, a float a float; other types only when asked; decrypted to JSON', async () => {
    const { dir, env } = await setup('c.yaml', YAML);
    const set = async (...argv: string[]) => cli(['set', ...argv, '-f', 'c.yaml'], { cwd: dir, env });
    expect((await set('database.port', '7777')).stderr).toMatch(/set database\.port in c\.yaml \(an int\)/);
    expect((await set('defaults.enabled', 'false')).code).toBe(0);
    expect((await set('defaults.ratio', '2')).code).toBe(0);
    expect((await set('defaults.started', '2025-06-07T08:09:10Z')).code).toBe(0);
    expect((await set('database.host', '8080')).code).toBe(0); // a string stays a string
    expect((await set('new_text', '5')).code).toBe(0); // a new key is a string
    expect((await set('new_int', '--type', 'int', '12')).code).toBe(0);
    expect((await set('new_float', '--json', '1.0')).code).toBe(0);
    expect((await set('limits', '--json', '{"rps": 50, "burst": [true, 1.5, null]}')).stderr).toMatch(/\(a map\)/);
    expect((await set('defaults.tags', '--json', '["c"]')).code).toBe(0);
    const decrypted = await cli(['decrypt', 'c.yaml', '--format', 'json'], { cwd: dir, env });
    expect(decrypted.code).toBe(0);
    expect(decrypted.stdout).toBe(
      '{\n\t"database": {\n\t\t"port": 7777,\n\t\t"host": "8080"\n\t},\n\t"defaults": {\n\t\t"enabled": false,\n\t\t"ratio": 2.0,\n\t\t"started": "2025-06-07T08:09:10Z",\n\t\t"tags": [\n\t\t\t"c"\n\t\t]\n\t},\n' +
        '\t"new_text": "5",\n\t"new_int": 12,\n\t"new_float": 1.0,\n\t"limits": {\n\t\t"rps": 50,\n\t\t"burst": [\n\t\t\ttrue,\n\t\t\t1.5,\n\t\t\tnull\n\t\t]\n\t}\n}\n',
    );
    expect((await cli(['decrypt', 'c.yaml'], { cwd: dir, env })).stdout).toMatch(/^ {4}started: 2025-06-07T08:09:10Z$/m);
  });

  it('refuses text that is not of the type there, naming the key and the type, never the value', async () => {
    const { dir, env, read } = await setup('c.yaml', YAML);
    const before = read();
    const set = async (...argv: string[]) => cli(['set', ...argv, '-f', 'c.yaml'], { cwd: dir, env });
    const notInt = await set('database.port', 'p0rt-s3cret');
    expect(notInt.code).toBe(2);
    expect(notInt.stderr).toMatch(/database\.port holds an int, and the value given is not an int/);
    expect(notInt.stderr).toMatch(/hint: .*--type str\|int\|float\|bool, or --json VALUE/);
    expect(notInt.stderr).not.toContain('p0rt-s3cret');
    expect((await set('defaults.enabled', 'yes')).stderr).toMatch(/defaults\.enabled holds a bool/);
    expect((await set('defaults.ratio', 'NaN')).code).toBe(2);
    expect((await set('database.port', '9223372036854775808')).code).toBe(2);
    expect((await set('defaults.tags', 'x')).stderr).toMatch(/defaults\.tags holds a list; set replaces it only when asked/);
    expect(read()).toBe(before);
    expect((await set('x', '--json', '{"a": 1, "a": 2}')).code).toBe(6);
    expect((await set('x', '--json', '{nope')).code).toBe(6);
    expect((await set('x', '--type', 'integer', '1')).stderr).toMatch(/--type takes str, int, float or bool/);
    expect((await set('x', 'v', '--json', '1')).stderr).toMatch(/give the value once/);
    expect((await set('x', '--type', 'int', '--json', '1')).code).toBe(2);
    expect((await set('x', '--generate', '--type', 'int')).code).toBe(2);
    expect((await set('database.port', '--type', 'str', '7777')).code).toBe(0);
    expect((await cli(['get', 'database.port', '-f', 'c.yaml'], { cwd: dir, env })).stdout).toBe('7777\n');
    expect((await cli(['decrypt', 'c.yaml', '--format', 'json'], { cwd: dir, env })).stdout).toMatch(/"port": "7777"/);
  });

  it('JSON: types kept, a whole float stays 1.0, --json reads VALUE or stdin as JSON', async () => {
    const { dir, env } = await setup('s.json', '{"port": 8080, "ratio": 1.0, "on": true, "name": "svc"}');
    const set = async (argv: string[], stdin?: string) => cli(['set', ...argv, '-f', 's.json'], { cwd: dir, env, stdin });
    expect((await set(['port', '9090'])).code).toBe(0);
    expect((await set(['ratio', '3'])).code).toBe(0);
    expect((await set(['on', 'False'])).code).toBe(0);
    expect((await set(['name', '42'])).code).toBe(0);
    expect((await set(['list', '[1, 2.5]', '--json'])).code).toBe(0);
    expect((await set(['piped', '--json'], '{"k": "v"}\n')).code).toBe(0);
    expect((await cli(['decrypt', 's.json'], { cwd: dir, env })).stdout).toBe(
      '{\n\t"port": 9090,\n\t"ratio": 3.0,\n\t"on": false,\n\t"name": "42",\n\t"list": [\n\t\t1,\n\t\t2.5\n\t],\n\t"piped": {\n\t\t"k": "v"\n\t}\n}\n',
    );
  });

  it('.env values are strings: --type other than str and non-string JSON are refused', async () => {
    const { dir, env } = await setup('.env', 'A=1\n');
    expect((await cli(['set', 'A', '--type', 'int', '2'], { cwd: dir, env })).stderr).toMatch(/a \.env value is always a string, and --type asks for an int/);
    expect((await cli(['set', 'A', '--json', '2'], { cwd: dir, env })).code).toBe(2);
    expect((await cli(['set', 'A', '--json', '"two"'], { cwd: dir, env })).code).toBe(0);
    expect((await cli(['get', 'A'], { cwd: dir, env })).stdout).toBe('two\n');
  });
});

describe('unset', () => {
  it('removes one key; the others keep their ciphertext; a missing key is exit 3', async () => {
    const { dir, env, read } = await setup('.env', 'A=alpha\nB=beta\nC=gamma\n');
    const before = read().split('\n');
    expect((await cli(['unset', 'B'], { cwd: dir, env })).code).toBe(0);
    const after = read().split('\n');
    expect(after).toContain(before[0]);
    expect(after).toContain(before[2]);
    expect(after.some((l) => l.startsWith('B='))).toBe(false);
    const again = await cli(['unset', 'B'], { cwd: dir, env });
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/hint: pass --idempotent when a missing key is fine/);
  });

  it('--idempotent: a key that is not there is exit 0 and the file is not written', async () => {
    const { dir, env, read } = await setup('.env', 'A=alpha\n');
    const before = read();
    const result = await cli(['unset', 'GONE', '--idempotent'], { cwd: dir, env, now: new Date(Date.now() + 5000) });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('envseal: GONE is not in .env; nothing to remove\n');
    expect(read()).toBe(before);
    expect((await cli(['unset', 'A', '--idempotent'], { cwd: dir, env })).stderr).toMatch(/removed A from \.env/);
    expect((await cli(['unset', 'X', '--idempotent', '-f', 'missing.env'], { cwd: dir, env })).code).toBe(7);
  });
});
