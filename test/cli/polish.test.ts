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

describe('run: masking, CI, --flatten names', () => {
  const node = process.execPath;
  const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n}\n-----END PRIVATE KEY-----';
  const text = `TOKEN=s3cr3t-token-1\nOTHER=100%-secret\nNODE_ENV=production\nPORT=3000\nPEM="${PEM.replace(/\n/g, '\\n')}"\n`;

  it('--mask hides secrets above the floor, not production or 3000; --mask-keys forces a key', async () => {
    const f = await sealedDotenv(text);
    const print = [node, '-e', 'for (const k of ["TOKEN","NODE_ENV","PORT"]) console.log(k + "=" + process.env[k])'];
    const r = await f.run(['run', '--mask', '--', ...print]);
    expect(r.stdout).toBe('TOKEN=****\nNODE_ENV=production\nPORT=3000\n');
    const forced = await f.run(['run', '--mask', '--mask-keys', 'PORT', '--', ...print]);
    expect(forced.stdout).toBe('TOKEN=****\nNODE_ENV=production\nPORT=****\n');
  });

  it('on GitHub Actions each secret is registered with ::add-mask:: first, a PEM line by line, escaped', async () => {
    const f = await sealedDotenv(text);
    const r = await cli(['run', '--', 'true'], { cwd: f.dir, env: { ...f.env, GITHUB_ACTIONS: 'true' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        '::add-mask::s3cr3t-token-1',
        '::add-mask::100%25-secret',
        '::add-mask::-----BEGIN PRIVATE KEY-----',
        '::add-mask::MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
        '::add-mask::-----END PRIVATE KEY-----',
        '',
      ].join('\n'),
    );
    const optOut = await cli(['run', '--no-github-mask', '--', 'true'], { cwd: f.dir, env: { ...f.env, GITHUB_ACTIONS: 'true' } });
    expect(optOut).toMatchObject({ code: 0, stdout: '' });
    expect((await f.run(['run', '--', 'true'])).stdout).toBe('');
  });

  it('-f.env.production and --input-format reach run', async () => {
    const f = await sealedDotenv();
    writeFileSync(join(f.dir, '.env.production'), 'MODE=prod-mode\n');
    expect((await f.run(['encrypt', '.env.production', '--age', f.id.recipient])).code).toBe(0);
    writeFileSync(join(f.dir, 'values'), readFileSync(join(f.dir, '.env.production')));
    const out = join(f.dir, 'out.txt');
    const write = (expr: string) => [node, '-e', `require("fs").writeFileSync(${JSON.stringify(out)}, ${expr})`];
    expect((await f.run(['run', '-f.env.production', '--', ...write('process.env.MODE')])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('prod-mode');
    expect((await f.run(['run', '-f', 'values', '--input-format', 'dotenv', '--', ...write('process.env.MODE')])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('prod-mode');
  });

  it('--flatten: every name is a valid variable name, one rule at every level, merge keys resolved', async () => {
    const f = await sealedDotenv();
    writeFileSync(
      join(f.dir, 'app.yaml'),
      'defaults: &d\n  timeout: 30\n  retryCount: 3\nprod:\n  <<: *d\n  timeout: 60\n  dbPassword: hunter22\napiKey: abcdefgh\n"9lives": y\nweird-key: x\nhosts: [a, b]\n',
    );
    expect((await f.run(['encrypt', 'app.yaml', '--age', f.id.recipient])).code).toBe(0);
    const out = join(f.dir, 'names.json');
    const r = await cli(['run', '--pristine', '--flatten', '-f', 'app.yaml', '--', node, '-e', `require("fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.env))`], { cwd: f.dir, env: f.env });
    expect(r.code, r.stderr).toBe(0);
    const seen = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
    const fromFile = Object.fromEntries(Object.entries(seen).filter(([k]) => !['PATH', 'HOME', 'USER', 'LANG', 'TERM', 'TZ'].includes(k)));
    expect(fromFile).toEqual({
      DEFAULTS_TIMEOUT: '30',
      DEFAULTS_RETRY_COUNT: '3',
      PROD_TIMEOUT: '60',
      PROD_DB_PASSWORD: 'hunter22',
      PROD_RETRY_COUNT: '3',
      API_KEY: 'abcdefgh',
      _9LIVES: 'y',
      WEIRD_KEY: 'x',
      HOSTS_0: 'a',
      HOSTS_1: 'b',
    });
    for (const name of Object.keys(fromFile)) expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
  });
});
