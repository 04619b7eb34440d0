/** edit, driven by a scripted editor (a small node program as $EDITOR). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/io/io.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity } from '../helpers/keys.js';

const EDITOR = `
import { readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
const [mode, file] = process.argv.slice(2);
appendFileSync(process.env.EDITOR_SPY, file + ' ' + (statSync(file).mode & 0o777).toString(8) + ' ' + (statSync(dirname(file)).mode & 0o777).toString(8) + '\\n');
let text = readFileSync(file, 'utf8');
if (mode === 'crash') process.exit(3);
if (mode === 'change') text = text.replace('beta', 'BETA');
if (mode === 'add') text = text + 'NEW=added\\n';
if (mode === 'invalid') text = text.replace('password: pw', 'password: [unclosed');
if (mode === 'yaml-new') text = 'db:\\n  password: pw\\n';
if (mode === 'json-new') text = '{"ratio": 1.0, "name": "svc"}\\n';
if (mode === 'latin1') { writeFileSync(file, Buffer.concat([Buffer.from(text + 'NEW=caf'), Buffer.from([0xe9]), Buffer.from('\\n')])); process.exit(0); }
if (mode === 'fix-later') text = text.includes('FIXED') ? text : text.replace('password: pw', 'password: [unclosed');
writeFileSync(file, text);
`;

const runInteractive: Io['runInteractive'] = async (argv) => {
  const [command = '', ...args] = argv;
  const r = spawnSync(command, args, { stdio: 'ignore', env: process.env });
  return { code: r.status ?? 1, interrupted: false };
};

async function setup(name: string, text: string | null, mode: string) {
  const dir = tempDir();
  const id = await makeIdentity(dir);
  const editor = join(dir, 'editor.mjs');
  writeFileSync(editor, EDITOR);
  const spy = join(dir, 'spy.txt');
  writeFileSync(spy, '');
  process.env['EDITOR_SPY'] = spy;
  const tempRoot = join(dir, 'private-tmp');
  mkdirSync(tempRoot);
  const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file, EDITOR: `${process.execPath} ${editor} ${mode}` });
  if (text !== null) {
    writeFileSync(join(dir, name), text);
    expect((await cli(['encrypt', name, '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
  }
  const read = (): string => readFileSync(join(dir, name), 'utf8');
  // stdin '' = not a terminal; pass `prompt` (and no stdin) to act as a terminal
  const edit = (extra: { prompt?: (q: string) => string | null; args?: string[] } = {}) =>
    cli(['edit', name, ...(extra.args ?? [])], { cwd: dir, env, runInteractive, tempRoot, now: new Date(Date.now() + 5000), ...(extra.prompt === undefined ? { stdin: '' } : { prompt: extra.prompt }) });
  const noPlaintextLeft = (): void => {
    // Only the per-user folder envseal keeps (0700, this user's) remains, and it is empty.
    const own = `envseal-${process.getuid?.() ?? 0}`;
    expect(readdirSync(tempRoot)).toEqual([own]);
    expect(readdirSync(join(tempRoot, own))).toEqual([]);
    expect(statSync(join(tempRoot, own)).mode & 0o777).toBe(0o700);
    for (const line of readFileSync(spy, 'utf8').trim().split('\n')) {
      const [path = '', fileMode, dirMode] = line.split(' ');
      expect(fileMode).toBe('600');
      expect(dirMode).toBe('700');
      expect(existsSync(path)).toBe(false);
      expect(existsSync(dirname(path))).toBe(false);
    }
  };
  return { dir, id, env, read, edit, noPlaintextLeft, spy };
}

describe('edit', () => {
  it('one value changed: only that line, lastmodified and mac change', async () => {
    const { read, edit, noPlaintextLeft } = await setup('.env', '# head\nA=alpha\nB=beta\nC=gamma\n', 'change');
    const before = read().split('\n');
    const result = await edit();
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/\.env saved/);
    const changed = read().split('\n').flatMap((l, i) => (l === before[i] ? [] : [l.split('=')[0]]));
    expect(changed).toEqual(['B', 'sops_lastmodified', 'sops_mac']);
    noPlaintextLeft();
  });

  it('no change: the file is untouched, and it says so', async () => {
    const { read, edit, noPlaintextLeft } = await setup('app.yaml', 'db:\n  password: pw\n', 'none');
    const before = read();
    const result = await edit();
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/no changes; app\.yaml was not written/);
    expect(read()).toBe(before);
    noPlaintextLeft();
  });

  it('invalid YAML without a terminal: exit 6, original untouched', async () => {
    const { read, edit, noPlaintextLeft } = await setup('app.yaml', 'db:\n  password: pw\n', 'invalid');
    const before = read();
    const result = await edit();
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/your edit does not parse.*\(app\.yaml:\d+\)/);
    expect(result.stderr).not.toContain('unclosed');
    expect(read()).toBe(before);
    noPlaintextLeft();
  });

  it('invalid YAML on a terminal: offers to re-open; discarding leaves the original', async () => {
    const { read, edit, noPlaintextLeft, spy } = await setup('app.yaml', 'db:\n  password: pw\n', 'invalid');
    const before = read();
    const questions: string[] = [];
    const answers = ['', 'discard'];
    const result = await edit({ prompt: (q) => (questions.push(q), answers.shift() ?? 'discard') });
    expect(questions).toHaveLength(2);
    expect(readFileSync(spy, 'utf8').trim().split('\n')).toHaveLength(2); // the editor opened twice
    expect(result.code).toBe(6);
    expect(read()).toBe(before);
    noPlaintextLeft();
  });

  it('an editor that crashes leaves the file untouched', async () => {
    const { read, edit, noPlaintextLeft } = await setup('.env', 'A=1\n', 'crash');
    const before = read();
    const result = await edit();
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/exited with code 3; \.env was not changed/);
    expect(read()).toBe(before);
    noPlaintextLeft();
  });

  it('a key added in the editor is encrypted with the same data key', async () => {
    const { dir, env, read, edit } = await setup('.env', 'A=1\n', 'add');
    const before = read().split('\n')[0];
    expect((await edit()).code).toBe(0);
    expect(read().split('\n')[0]).toBe(before);
    expect((await cli(['get', 'NEW'], { cwd: dir, env })).stdout).toBe('added\n');
    expect(statSync(join(dir, '.env')).isFile()).toBe(true);
  });

  it('bytes the editor left that are not UTF-8: a parse error with the line, the file untouched', async () => {
    const { read, edit, noPlaintextLeft } = await setup('.env', 'A=1\n', 'latin1');
    const before = read();
    const result = await edit();
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/your edit does not parse: line 2 is not UTF-8 text/);
    expect(read()).toBe(before);
    noPlaintextLeft();
  });
});

describe('edit of a missing file creates it, as sops edit does', () => {
  it('encrypted for --age; the editor starts on an empty file; no plaintext is left', async () => {
    const { dir, id, env, edit, noPlaintextLeft, spy } = await setup('new.env', null, 'add');
    const result = await edit({ args: ['--age', id.recipient] });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^envseal: created new\.env, encrypted for 1 recipient: age1/m);
    expect(readFileSync(join(dir, 'new.env'), 'utf8')).toMatch(/^NEW=ENC\[AES256_GCM,/);
    expect((await cli(['get', 'NEW', '-f', 'new.env'], { cwd: dir, env })).stdout).toBe('added\n');
    expect(readFileSync(spy, 'utf8').trim().split('\n')).toHaveLength(1);
    noPlaintextLeft();
  });

  it('an editor that saves nothing, or fails, creates nothing', async () => {
    for (const mode of ['none', 'crash']) {
      const { dir, id, edit, noPlaintextLeft } = await setup('new.yaml', null, mode);
      const result = await edit({ args: ['--age', id.recipient] });
      expect({ mode, code: result.code }).toEqual({ mode, code: mode === 'none' ? 0 : 3 });
      expect(result.stderr).toMatch(mode === 'none' ? /nothing written; new\.yaml was not created/ : /exited with code 3; new\.yaml was not created/);
      expect(existsSync(join(dir, 'new.yaml'))).toBe(false);
      noPlaintextLeft();
    }
  });

  it('recipients come from the .sops.yaml rule; none at all stops before the editor opens', async () => {
    const { dir, id, env, edit, spy } = await setup('s.yaml', null, 'yaml-new');
    const none = await edit();
    expect(none.code).toBe(3);
    expect(readFileSync(spy, 'utf8')).toBe('');
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - age: ${id.recipient}\n`);
    const made = await edit();
    expect(made.code).toBe(0);
    expect((await cli(['decrypt', 's.yaml'], { cwd: dir, env })).stdout).toBe('db:\n  password: pw\n');
  });

  it('JSON starts from {}; a whole float stays 1.0', async () => {
    const { dir, id, env, edit } = await setup('c.json', null, 'json-new');
    expect((await edit({ args: ['--age', id.recipient] })).code).toBe(0);
    expect((await cli(['decrypt', 'c.json'], { cwd: dir, env })).stdout).toBe('{\n\t"ratio": 1.0,\n\t"name": "svc"\n}\n');
  });
});
