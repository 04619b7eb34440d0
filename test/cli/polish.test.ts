/** Everyday polish (issue 16): what a new user tripped over, each now as they would expect. */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { config } from '../../src/lib/config-loader.js';
import { load } from '../../src/lib/index.js';
import { VERSION } from '../../src/version.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity } from '../helpers/keys.js';

async function sealedDotenv(text = 'A=one\nB="two words"\n') {
  const dir = tempDir();
  const id = await makeIdentity(dir);
  writeFileSync(join(dir, '.env'), text);
  const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file });
  expect((await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
  return { dir, id, env, run: (argv: string[], extra: { stdin?: string } = {}) => cli(argv, { cwd: dir, env, ...extra }) };
}

describe('usage messages in envseal\'s own words', () => {
  it.each([
    [['get'], /^envseal: envseal set needs KEY|^envseal: /],
    [['set'], /^envseal: envseal set needs KEY\nhint: envseal set --help/],
    [['run', '--mask-all', '--', 'x'], /^envseal: envseal run has no option --mask-all\n/],
    [['run', 'node', 'app.js'], /^envseal: put -- before the command to run\nhint: envseal run -- node app\.js/],
    [['--bogus'], /^envseal: envseal has no option --bogus before a command/],
    [['decrypt', '.env', '--bogus'], /^envseal: envseal decrypt has no option --bogus\n/],
    [['decrypt', '.env', '--output'], /^envseal: --output needs a value\n/],
    [['get', 'K', '-f'], /^envseal: -f needs a value\n/],
    [['decrypt', '.env', '--format', 'toml'], /^envseal: --format must be one of dotenv, yaml, json, shell \(got "toml"\)/],
    [['encrpyt', '.env'], /^envseal: unknown command "encrpyt"\nhint: did you mean encrypt\?/],
  ])('%j', async (argv, expected) => {
    const dir = tempDir();
    const r = await cli(argv, { cwd: dir });
    if (argv[0] !== 'get') expect(r.code).toBe(2);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr).not.toMatch(/non-option|Unknown argument|maskAll/);
  });

  it('-v prints the version, as --version does', async () => {
    const r = await cli(['-v'], { cwd: tempDir() });
    expect(r).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });
});

describe('get', () => {
  it('with no key prints every value: KEY=value lines for a .env, JSON with --json', async () => {
    const f = await sealedDotenv();
    expect((await f.run(['get'])).stdout).toBe('A=one\nB=two words\n');
    expect(JSON.parse((await f.run(['get', '--json'])).stdout)).toEqual({ A: 'one', B: 'two words' });
  });
});

describe('standard input', () => {
  it('decrypt - --input-format dotenv < file, and encrypt - --stdout', async () => {
    const f = await sealedDotenv();
    const sealed = readFileSync(join(f.dir, '.env'), 'utf8');
    const dec = await f.run(['decrypt', '-', '--input-format', 'dotenv'], { stdin: sealed });
    expect(dec, dec.stderr).toMatchObject({ code: 0, stdout: 'A=one\nB=two words\n' });
    const noFormat = await f.run(['decrypt', '-'], { stdin: sealed });
    expect(noFormat.code).toBe(2);
    expect(noFormat.stderr).toMatch(/needs its format\nhint: add --input-format/);
    const enc = await f.run(['encrypt', '-', '--input-format', 'dotenv', '--stdout', '--age', f.id.recipient], { stdin: 'X=1\n' });
    expect(enc.code, enc.stderr).toBe(0);
    expect(enc.stdout).toMatch(/^X=ENC\[AES256_GCM,/);
    expect((await f.run(['encrypt', '-', '--input-format', 'dotenv'], { stdin: 'X=1\n' })).code).toBe(2);
  });

  it('a file whose name does not tell its format: the hint names --input-format', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'A=1\n');
    const r = await cli(['decrypt', 'notes.txt'], { cwd: dir });
    expect(r.stderr).toContain('--input-format dotenv, yaml or json');
  });
});

describe('completion', () => {
  it.each(['bash', 'zsh'] as const)('%s: the script loads in bash and completes commands and options', async (shell) => {
    const r = await cli(['completion', shell], { cwd: tempDir() });
    expect(r.code).toBe(0);
    const file = join(tempDir(), `c.${shell}`);
    writeFileSync(file, r.stdout);
    execFileSync('bash', ['-n', file]);
    if (shell === 'bash') {
      const out = execFileSync('bash', ['-c', `source ${file}; COMP_WORDS=(envseal tea); COMP_CWORD=1; _envseal_complete; echo "\${COMPREPLY[*]}"; COMP_WORDS=(envseal team rm bob --d); COMP_CWORD=4; _envseal_complete; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' });
      expect(out).toBe('team\n--dry-run --drop-other-keys\n');
    }
  });

  it('fish: one complete line per option', async () => {
    const r = await cli(['completion', 'fish'], { cwd: tempDir() });
    expect(r.stdout).toContain("complete -c envseal -n '__fish_use_subcommand' -a '");
    expect(r.stdout).toMatch(/-n '__fish_seen_subcommand_from run' -l mask -F/);
  });
});

describe('the library', () => {
  it('config() and load() accept a missing file when told (ignoreMissing), and errors name their file', async () => {
    const f = await sealedDotenv();
    const target: Record<string, string | undefined> = {};
    expect(() => config({ cwd: f.dir, path: ['.env', '.env.local'], env: f.env, processEnv: target, quiet: true })).toThrow(/no such file \(\.env\.local\)|\.env\.local/);
    config({ cwd: f.dir, path: ['.env', '.env.local'], env: f.env, processEnv: target, quiet: true, ignoreMissing: true });
    expect(target['A']).toBe('one');
    expect(await load({ cwd: f.dir, path: ['.env', 'missing.env'], env: f.env, ignoreMissing: true })).toEqual({ A: 'one', B: 'two words' });
    const err = await load({ cwd: f.dir, path: 'missing.env', env: f.env }).catch((e: unknown) => e as Error);
    expect(err.message).toContain('missing.env');
  });
});
