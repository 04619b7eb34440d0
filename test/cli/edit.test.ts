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
if (mode === 'fix-later') text = text.includes('FIXED') ? text : text.replace('password: pw', 'password: [unclosed');
writeFileSync(file, text);
`;

const runInteractive: Io['runInteractive'] = async (argv) => {
  const [command = '', ...args] = argv;
  const r = spawnSync(command, args, { stdio: 'ignore', env: process.env });
  return { code: r.status ?? 1, interrupted: false };
};

async function setup(name: string, text: string, mode: string) {
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
  writeFileSync(join(dir, name), text);
  expect((await cli(['encrypt', name, '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
  const read = (): string => readFileSync(join(dir, name), 'utf8');
  // stdin '' = not a terminal; pass `prompt` (and no stdin) to act as a terminal
  const edit = (extra: { prompt?: (q: string) => string | null } = {}) =>
    cli(['edit', name], { cwd: dir, env, runInteractive, tempRoot, now: new Date(Date.now() + 5000), ...(extra.prompt === undefined ? { stdin: '' } : extra) });
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
  return { dir, env, read, edit, noPlaintextLeft, spy };
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
});
