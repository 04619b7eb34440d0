/**
 * `envseal scan` in-process, in real git repositories: the four kinds of finding, where it
 * looks (working tree, index, history), accepting on purpose (envseal:allow, the baseline),
 * the reports (text, JSON, SARIF), and the guard that never asks anything. No output ever
 * holds a secret value, nor a piece of one.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encryptFile } from '../../src/lib/index.js';
import { CANARY, cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { git } from '../helpers/git.js';
import { makeIdentity, type TestIdentity } from '../helpers/keys.js';

/** Secret values: each holds the canary, so one reaching stderr fails the test (helpers/cli.ts). */
const API_KEY = `${CANARY}-api-key-7Hq2`;
const DB_PASSWORD = `${CANARY}/pw+x?`;
const YAML_SECRET = 'yaml-se\\cret-Zk81';

/** Every piece of `value` five characters long that is not plain lower-case words (`-key-`): none may appear in a report. */
function pieces(value: string): string[] {
  return Array.from({ length: value.length - 4 }, (_, i) => value.slice(i, i + 5)).filter((p) => /[^a-z-]/.test(p));
}

function expectNoValue(text: string, ...values: string[]): void {
  for (const value of values) {
    expect(text).not.toContain(value);
    expect(text).not.toContain(CANARY);
    for (const piece of pieces(value)) expect(text, piece).not.toContain(piece);
  }
}

interface Repo {
  readonly dir: string;
  readonly me: TestIdentity;
  write(file: string, text: string): void;
  read(file: string): string;
  scan(args: readonly string[], extra?: Record<string, string | undefined>, options?: { prompt?: (q: string) => string | null }): ReturnType<typeof cli>;
  commit(message: string, date?: string): void;
}

/** A repository with an encrypted .env (API_KEY, DB_PASSWORD, PORT) and config.yaml, committed. */
async function repo(): Promise<Repo> {
  const dir = tempDir();
  const keys = tempDir('envseal-keys-');
  const me = await makeIdentity(keys, 'me');
  git(dir, ['init', '-q', '-b', 'main']);
  const write = (file: string, text: string): void => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  const env = (extra: Record<string, string | undefined> = {}) => isolatedEnv(dir, { SOPS_AGE_KEY_FILE: me.file, ...extra });
  write('.gitignore', '.home/\n');
  write('.env', `API_KEY=${API_KEY}\nDB_PASSWORD=${DB_PASSWORD}\nPORT=3000\nNODE_ENV=production\n`);
  write('config.yaml', 'db:\n  host: db.internal\n  password: yaml-se\\cret-Zk81\n');
  await encryptFile(join(dir, '.env'), { age: [me.recipient] });
  await encryptFile(join(dir, 'config.yaml'), { age: [me.recipient] });
  write('src/app.js', 'export const port = process.env.PORT;\n');
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'secrets, encrypted'], '2026-01-01T00:00:00Z');
  return {
    dir,
    me,
    write,
    read: (file) => readFileSync(join(dir, file), 'utf8'),
    scan: (args, extra, options) => cli(['scan', ...args], { cwd: dir, env: env(extra), ...(options?.prompt === undefined ? {} : { prompt: options.prompt }) }),
    commit: (message, date = '2026-02-01T00:00:00Z') => {
      git(dir, ['add', '-A']);
      git(dir, ['commit', '-q', '--no-verify', '-m', message], date);
    },
  };
}

describe('scan: the working tree', () => {
  it('a clean repository: exit 0, and it says what it looked at', async () => {
    const r = await repo();
    const result = await r.scan([]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/scan clean: \d+ files, no finding/);
  });

  it('a known secret value in clear, base64-, URL- or JSON-escaped: file:line and the key, never the value', async () => {
    const r = await repo();
    r.write('src/leak.js', [
      `const key = "${API_KEY}";`,
      `const basic = "Basic ${Buffer.from(`admin:${DB_PASSWORD}`).toString('base64')}";`,
      `const url = "https://db/?password=${encodeURIComponent(DB_PASSWORD)}";`,
      `const json = ${JSON.stringify({ password: YAML_SECRET })};`,
      'const fine = 3000;',
    ].join('\n'));
    const result = await r.scan(['--format', 'json']);
    expect(result.code).toBe(8);
    const json = JSON.parse(result.stdout) as { findings: Array<{ file: string; line: number; kind: string; rule: string; secret: { file: string; key: string }; form: string }> };
    expect(json.findings.map((f) => `${f.file}:${f.line} ${f.kind} ${f.secret.file} ${f.secret.key} ${f.form}`)).toEqual([
      'src/leak.js:1 leak .env API_KEY plain',
      'src/leak.js:2 leak .env DB_PASSWORD base64',
      'src/leak.js:3 leak .env DB_PASSWORD url-encoded',
      'src/leak.js:4 leak config.yaml db.password json-escaped',
    ]);
    const text = await r.scan([]);
    expect(text.stdout).toContain('src/leak.js\n  1:');
    expect(text.stdout).toContain('the value of API_KEY in .env [known-secret]');
    expectNoValue(result.stdout + text.stdout + text.stderr, API_KEY, DB_PASSWORD, YAML_SECRET);
  });

  it('values below the floor (3000, production) and values a rule keeps in clear are not secrets', async () => {
    const r = await repo();
    r.write('.env.ports', '');
    r.write('src/config.js', 'export default { port: 3000, env: "production" };\n');
    const result = await r.scan(['src']);
    expect(result.code, result.stdout).toBe(0);
  });

  it('well-known tokens, with their rule id', async () => {
    const r = await repo();
    r.write('deploy/ci.sh', `export AWS_ACCESS_KEY_ID=${'AKIA'}Q7RZ2M4K6T3W5Y7B\nexport DOCS=${'AKIA'}IOSFODNN7${'EXAMPLE'}\n`);
    const result = await r.scan(['deploy']);
    expect(result.code).toBe(8);
    expect(result.stdout).toContain('deploy/ci.sh\n  1:26    token: an AWS access key id [aws-access-key-id]');
    expect(result.stdout).not.toContain('Q7RZ2M4K');
    expect(result.stdout.match(/aws-access-key-id/g)).toHaveLength(1);
  });

  it('plaintext that must be encrypted: a dotenv file, a policy path, a sops file decrypted in place; examples are scanned for values instead', async () => {
    const r = await repo();
    r.write('.sops.yaml', `envseal:\n  policy:\n    encrypted: ["secrets/**"]\ncreation_rules:\n  - age: ${r.me.recipient}\n`);
    r.write('.env.production', 'TOKEN=plain\n');
    r.write('.env.example', `API_KEY=${API_KEY}\nPORT=\n`);
    r.write('secrets/tls.pem', 'not encrypted\n');
    const decrypted = await cli(['decrypt', 'config.yaml', '--in-place'], { cwd: r.dir, env: isolatedEnv(r.dir, { SOPS_AGE_KEY_FILE: r.me.file }) });
    expect(decrypted.code).toBe(0);
    const result = await r.scan(['--format', 'json']);
    expect(result.code).toBe(8);
    const json = JSON.parse(result.stdout) as { findings: Array<{ file: string; rule: string; kind: string }> };
    expect(json.findings.map((f) => `${f.kind} ${f.rule} ${f.file}`)).toEqual([
      'leak known-secret .env.example',
      'unencrypted unencrypted-dotenv .env.production',
      'unencrypted unencrypted-was-encrypted config.yaml',
      'unencrypted unencrypted-policy secrets/tls.pem',
    ]);
    // status --check holds the same files to the same rule (one rule, ops/plaintext.ts).
    const check = await cli(['status', '--check', '--json'], { cwd: r.dir, env: isolatedEnv(r.dir, { SOPS_AGE_KEY_FILE: r.me.file }) });
    const violations = (JSON.parse(check.stdout) as { violations: Array<{ kind: string; file: string }> }).violations.filter((v) => v.kind === 'unencrypted').map((v) => v.file);
    expect(violations).toEqual(['.env.production', 'config.yaml', 'secrets/tls.pem']);
  });

  it('a damaged sops file: a MAC that does not verify, values without their metadata', async () => {
    const r = await repo();
    const env = r.read('.env');
    // Another value's ciphertext under API_KEY's name fails authentication (the key path is the AAD).
    const api = /^API_KEY=(.*)$/m.exec(env)?.[1] as string;
    const pw = /^DB_PASSWORD=(.*)$/m.exec(env)?.[1] as string;
    r.write('.env', env.replace(api, '@@').replace(pw, api).replace('@@', pw));
    r.write('cut.env', env.split('\n').filter((l) => !l.startsWith('sops_')).join('\n'));
    const result = await r.scan(['--format', 'json']);
    expect(result.code).toBe(8);
    const json = JSON.parse(result.stdout) as { findings: Array<{ file: string; kind: string; message: string }> };
    expect(json.findings.filter((f) => f.kind === 'damaged').map((f) => f.file)).toEqual(['.env', 'cut.env']);
    expect(json.findings.find((f) => f.file === 'cut.env')?.message).toMatch(/no sops metadata/);
    expect(json.findings.some((f) => f.kind === 'unencrypted' && f.file === 'cut.env')).toBe(false);
  });

  it('source code that mentions ENC[AES256_GCM,…] is text, not a damaged sops file', async () => {
    const r = await repo();
    r.write('src/parse.ts', "const SEALED = 'ENC[AES256_GCM,data:';\nexport const isSealed = (v: string) => v.startsWith(SEALED);\n");
    const result = await r.scan(['src']);
    expect(result.code, result.stdout).toBe(0);
  });

  it('a commented-out secret left in clear in a sops file', async () => {
    const r = await repo();
    r.write('.env', `# OLD_API_KEY=retired-${CANARY}-key\n# PORT=8080 is the default\n${r.read('.env')}`);
    const result = await r.scan(['--format', 'json', '.env']);
    expect(result.code).toBe(8);
    const json = JSON.parse(result.stdout) as { findings: Array<{ rule: string; line: number; secret: { key: string } }> };
    expect(json.findings.map((f) => `${f.rule} ${f.line} ${f.secret.key}`)).toEqual(['commented-secret 1 OLD_API_KEY']);
    expectNoValue(result.stdout, `retired-${CANARY}-key`);
  });

  it('envseal:allow on the line accepts its findings, and says how many', async () => {
    const r = await repo();
    r.write('test/fixture.js', `const key = "${API_KEY}"; // envseal:allow test fixture\n`);
    r.write('.env.test', '# envseal:allow: fake values for the tests\nTOKEN=fake\n');
    const result = await r.scan([]);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stderr).toContain('accepted: 2 on lines marked envseal:allow');
  });

  it('without an identity the other checks still run, and the value check says it skipped the files', async () => {
    const r = await repo();
    r.write('src/leak.js', `const key = "${API_KEY}";\n`);
    r.write('.env.local.env', 'A=plain\n');
    const result = await r.scan(['--format', 'json'], { SOPS_AGE_KEY_FILE: undefined });
    expect(result.code).toBe(8);
    const json = JSON.parse(result.stdout) as { findings: Array<{ kind: string }>; skipped: string[] };
    expect(json.findings.map((f) => f.kind)).toEqual(['unencrypted']);
    expect(json.skipped).toEqual(['.env', 'config.yaml']);
    expect(result.stderr).toContain('the value check was skipped for 2 encrypted files no identity here opens (.env, config.yaml)');
  });
});

describe('scan --staged: exactly what the next commit holds', () => {
  it('the index, not the working tree', async () => {
    const r = await repo();
    r.write('src/a.js', `const key = "${API_KEY}";\n`);
    git(r.dir, ['add', 'src/a.js']);
    r.write('src/a.js', 'const key = process.env.API_KEY;\n'); // fixed in the working tree, not staged
    r.write('src/b.js', `const key = "${API_KEY}";\n`); // not staged at all
    const staged = await r.scan(['--staged', '--format', 'json']);
    expect(staged.code).toBe(8);
    expect((JSON.parse(staged.stdout) as { findings: Array<{ file: string }> }).findings.map((f) => f.file)).toEqual(['src/a.js']);
    git(r.dir, ['add', 'src/a.js']);
    const fixed = await r.scan(['--staged']);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.stderr).toContain('1 staged file');
  });

  it('from a subfolder, the whole index (paths relative to the top of the work tree)', async () => {
    const r = await repo();
    r.write('lib/deep/a.js', `const key = "${API_KEY}";\n`);
    git(r.dir, ['add', '-A']);
    const result = await cli(['scan', '--staged', '--format', 'json'], { cwd: join(r.dir, 'src'), env: isolatedEnv(r.dir, { SOPS_AGE_KEY_FILE: r.me.file }) });
    expect(result.code).toBe(8);
    expect((JSON.parse(result.stdout) as { findings: Array<{ file: string }> }).findings.map((f) => f.file)).toEqual(['lib/deep/a.js']);
  });

  it('looks for the values of a staged sops file, also those the working tree no longer holds', async () => {
    const r = await repo();
    expect((await cli(['set', 'NEW_TOKEN', `fresh-${CANARY}-token`, '-f', '.env'], { cwd: r.dir, env: isolatedEnv(r.dir, { SOPS_AGE_KEY_FILE: r.me.file }) })).code).toBe(0);
    r.write('src/uses.js', `const t = "fresh-${CANARY}-token";\n`);
    git(r.dir, ['add', '-A']);
    git(r.dir, ['restore', '--worktree', '--source=HEAD', '.env']); // the index holds NEW_TOKEN, the working tree does not
    expect(r.read('.env')).not.toContain('NEW_TOKEN');
    const result = await r.scan(['--staged', '--format', 'json']);
    const json = JSON.parse(result.stdout) as { findings: Array<{ file: string; secret?: { key: string } }> };
    expect(json.findings.map((f) => `${f.file} ${f.secret?.key}`)).toEqual(['src/uses.js NEW_TOKEN']);
    expectNoValue(result.stdout, `fresh-${CANARY}-token`);
  });

  it('never asks: a passphrase-protected key file stays locked and the value check says it was skipped', async () => {
    const r = await repo();
    const { Encrypter, armor } = await import('age-encryption');
    const e = new Encrypter();
    e.setPassphrase('correct horse');
    e.setScryptWorkFactor(10);
    const locked = join(r.dir, '.home', 'locked.key');
    mkdirSync(dirname(locked), { recursive: true });
    writeFileSync(locked, armor.encode(await e.encrypt(readFileSync(r.me.file, 'utf8'))), { mode: 0o600 });
    r.write('src/a.js', `const key = "${API_KEY}";\n`);
    git(r.dir, ['add', '-A']);
    const asked: string[] = [];
    const result = await r.scan(['--staged'], { SOPS_AGE_KEY_FILE: locked }, { prompt: (q) => (asked.push(q), 'correct horse') });
    expect(asked).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('the value check was skipped for 2 encrypted files');
    // The same scan outside the guard may ask, and then finds the value.
    const full = await r.scan(['src'], { SOPS_AGE_KEY_FILE: locked }, { prompt: (q) => (asked.push(q), 'correct horse') });
    expect(asked.length).toBe(1);
    expect(full.code).toBe(8);
  });

  it.runIf(process.platform === 'linux')('runs SOPS_AGE_KEY_CMD with no terminal to ask on', async () => {
    const r = await repo();
    const session = (pid: string): string => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[3] ?? '';
    // The command prints the identity only when it runs in a session of its own.
    const script = join(r.dir, '.home', 'key-cmd.cjs');
    mkdirSync(dirname(script), { recursive: true });
    writeFileSync(script, `const fs = require('fs'); const sid = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[3];\nif (sid !== process.env.TEST_SID) process.stdout.write(fs.readFileSync(${JSON.stringify(r.me.file)}, 'utf8'));\n`);
    r.write('src/a.js', `const key = "${API_KEY}";\n`);
    git(r.dir, ['add', '-A']);
    const cmd = `${process.execPath} ${script}`;
    const guard = await r.scan(['--staged'], { SOPS_AGE_KEY_FILE: undefined, SOPS_AGE_KEY_CMD: cmd, TEST_SID: session('self') });
    expect(guard.code, guard.stderr).toBe(8);
    expect(guard.stdout).toContain('the value of API_KEY in .env');
    // Outside the guard the command shares envseal's session (and terminal), as sops runs it.
    const ordinary = await r.scan(['src'], { SOPS_AGE_KEY_FILE: undefined, SOPS_AGE_KEY_CMD: cmd, TEST_SID: session('self') });
    expect(ordinary.code).toBe(0);
  });
});

describe('the baseline', () => {
  it('accepts findings and keeps accepting them; a new finding still fails; it holds no value', async () => {
    const r = await repo();
    r.write('test/fixture.js', `const key = "${API_KEY}";\nconst aws = "${'AKIA'}Q7RZ2M4K6T3W5Y7B";\n`);
    r.write('.env.test', 'TOKEN=fake\n');
    expect((await r.scan([])).code).toBe(8);
    const update = await r.scan(['--update-baseline']);
    expect(update.code, update.stderr).toBe(0);
    expect(update.stderr).toContain('the baseline accepts 3 findings (3 new)');
    const baseline = r.read('.envseal-baseline.json');
    expectNoValue(baseline, API_KEY, `${'AKIA'}Q7RZ2M4K6T3W5Y7B`);
    expect(JSON.parse(baseline)).toMatchObject({ envseal_scan_baseline: 1, accepted: expect.arrayContaining([expect.objectContaining({ kind: 'leak', file: 'test/fixture.js', secret: { file: '.env', key: 'API_KEY' } })]) });
    const again = await r.scan([]);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stderr).toContain('accepted: 3 in the baseline');
    // Lines moved, the file committed: still accepted.
    r.write('test/fixture.js', `// fixtures\n\n${r.read('test/fixture.js')}`);
    r.commit('fixtures');
    expect((await r.scan([])).code).toBe(0);
    expect((await r.scan(['--staged'])).code).toBe(0);
    // Another secret in the same file, a second token, or the same key with a new value: reported.
    r.write('test/fixture.js', `${r.read('test/fixture.js')}const pw = "${DB_PASSWORD}";\n`);
    const next = await r.scan(['--format', 'json']);
    expect(next.code).toBe(8);
    expect((JSON.parse(next.stdout) as { findings: Array<{ secret?: { key: string } }> }).findings.map((f) => f.secret?.key)).toEqual(['DB_PASSWORD']);
  });

  it('a leak is keyed to the data key of its secret file: nobody without it can test a guess, and a rotation asks again', async () => {
    const r = await repo();
    r.write('test/fixture.js', `const key = "${API_KEY}";\n`);
    expect((await r.scan(['--update-baseline'])).code).toBe(0);
    const entry = (JSON.parse(r.read('.envseal-baseline.json')) as { accepted: Array<{ fingerprint: string }> }).accepted[0]?.fingerprint as string;
    const { createHash, createHmac } = await import('node:crypto');
    for (const guess of [createHash('sha256').update(API_KEY).digest('hex'), createHmac('sha256', 'envseal').update(API_KEY).digest('hex')]) expect(guess.startsWith(entry.slice(0, 8))).toBe(false);
    expect((await r.scan([])).code).toBe(0);
    expect((await cli(['rotate', '.env'], { cwd: r.dir, env: isolatedEnv(r.dir, { SOPS_AGE_KEY_FILE: r.me.file }) })).code).toBe(0);
    const after = await r.scan([]);
    expect(after.code).toBe(8);
    expect(after.stdout).toContain('the value of API_KEY in .env');
  });

  it('--update-baseline with --staged keeps what a full scan accepted in other files', async () => {
    const r = await repo();
    r.write('a.js', `const key = "${API_KEY}";\n`);
    r.write('b.js', `const key = "${API_KEY}";\n`);
    expect((await r.scan(['--update-baseline'])).code).toBe(0);
    git(r.dir, ['add', 'b.js']);
    expect((await r.scan(['--staged', '--update-baseline'])).stderr).toContain('accepts 2 findings (0 new)');
    expect((await r.scan([])).code).toBe(0);
  });

  it('an explicit baseline that does not exist is an error (unless writing it)', async () => {
    const r = await repo();
    expect((await r.scan(['--baseline', 'nope.json'])).code).toBe(7);
    expect((await r.scan(['--baseline', 'ci/accepted.json', '--update-baseline'])).code).toBe(7); // the folder does not exist either
    mkdirSync(join(r.dir, 'ci'));
    expect((await r.scan(['--baseline', 'ci/accepted.json', '--update-baseline'])).code).toBe(0);
    expect((await r.scan(['--baseline', 'ci/accepted.json'])).code).toBe(0);
  });
});

describe('scan --history', () => {
  async function leakedAndDeleted(): Promise<{ r: Repo; leak: string }> {
    const r = await repo();
    r.write('src/app.js', `const key = "${API_KEY}"; // oops\n`);
    r.commit('hard-code the key', '2026-02-01T00:00:00Z');
    const leak = git(r.dir, ['rev-parse', 'HEAD']);
    r.write('src/app.js', 'const key = process.env.API_KEY;\n');
    r.commit('read the key from the environment', '2026-02-02T00:00:00Z');
    return { r, leak };
  }

  it('finds a secret committed and deleted in the next commit, with the commit, author and date', async () => {
    const { r, leak } = await leakedAndDeleted();
    expect((await r.scan([])).code).toBe(0); // the working tree is clean
    const result = await r.scan(['--history', '--format', 'json']);
    expect(result.code).toBe(8);
    const json = JSON.parse(result.stdout) as { findings: Array<{ file: string; line: number; rule: string; commit: { commit: string; author: string; date: string }; secret: { key: string } }> };
    expect(json.findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.secret.key} ${f.commit.commit} ${f.commit.author} ${f.commit.date}`)).toEqual([`src/app.js:1 known-secret API_KEY ${leak} Ada 2026-02-01T00:00:00Z`]);
    const text = await r.scan(['--history']);
    expect(text.stdout).toContain(`in ${leak.slice(0, 10)} 2026-02-01T00:00:00Z Ada <ada@example.com>: hard-code the key`);
    expectNoValue(result.stdout + text.stdout + text.stderr, API_KEY);
  });

  it('also after the secret was rotated: a new data key, or a new value (a past value is found in older versions)', async () => {
    const { r, leak } = await leakedAndDeleted();
    const as = (argv: string[]) => cli(argv, { cwd: r.dir, env: isolatedEnv(r.dir, { SOPS_AGE_KEY_FILE: r.me.file }) });
    expect((await as(['rotate', '.env'])).code).toBe(0);
    r.commit('rotate', '2026-03-01T00:00:00Z');
    const rotated = await r.scan(['--history', '--format', 'json']);
    expect((JSON.parse(rotated.stdout) as { findings: Array<{ commit: { commit: string } }> }).findings.map((f) => f.commit.commit)).toEqual([leak]);
    expect((await as(['set', 'API_KEY', 'a-brand-new-value-Q1', '-f', '.env'])).code).toBe(0);
    r.commit('new API_KEY', '2026-03-02T00:00:00Z');
    const changed = await r.scan(['--history', '--format', 'json']);
    const json = JSON.parse(changed.stdout) as { findings: Array<{ rule: string; commit: { commit: string }; secret: { key: string; past: boolean } }> };
    expect(json.findings.map((f) => `${f.rule} ${f.secret.key} ${f.secret.past} ${f.commit.commit}`)).toEqual([`past-secret API_KEY true ${leak}`]);
    expect((await r.scan(['--history'])).stdout).toContain('a past value of API_KEY in .env');
  });

  it('plaintext committed in history, tokens, and --since to look at recent commits only', async () => {
    const r = await repo();
    r.write('.env.production', 'TOKEN=plain\n');
    r.write('ci.sh', `AWS=${'AKIA'}Q7RZ2M4K6T3W5Y7B\n`);
    r.commit('oops', '2026-02-01T00:00:00Z');
    const oops = git(r.dir, ['rev-parse', 'HEAD']);
    r.write('notes.md', 'nothing secret\n');
    r.commit('notes', '2026-02-02T00:00:00Z');
    const all = await r.scan(['--history', '--format', 'json']);
    const json = JSON.parse(all.stdout) as { findings: Array<{ file: string; rule: string; commit: { commit: string } }> };
    expect(json.findings.map((f) => `${f.rule} ${f.file} ${f.commit.commit === oops}`)).toEqual(['unencrypted-dotenv .env.production true', 'aws-access-key-id ci.sh true']);
    expect((await r.scan(['--history', '--since', oops])).code).toBe(0);
    expect((await r.scan(['--history', '--since', 'no-such-rev'])).code).toBe(2);
    expect((await r.scan(['--since', oops])).code).toBe(2);
  });

  it('a history baseline accepts findings by commit, file and line', async () => {
    const { r } = await leakedAndDeleted();
    expect((await r.scan(['--history', '--update-baseline'])).code).toBe(0);
    expect((await r.scan(['--history'])).code).toBe(0);
    r.write('src/again.js', `const key = "${API_KEY}";\n`);
    r.commit('again');
    expect((await r.scan(['--history'])).code).toBe(8);
  });
});

describe('SARIF', () => {
  it('is SARIF 2.1.0: one run, every rule described, each result on a rule, a location and a fingerprint; no value', async () => {
    const r = await repo();
    r.write('src/leak.js', `const key = "${API_KEY}";\nconst aws = "${'AKIA'}Q7RZ2M4K6T3W5Y7B";\n`);
    r.write('.env.production', 'TOKEN=plain\n');
    mkdirSync(join(r.dir, '.home'), { recursive: true });
    const out = join(r.dir, '.home', 'envseal.sarif');
    const result = await r.scan(['--format', 'sarif', '--output', out]);
    expect(result.code).toBe(8);
    expect(result.stdout).toBe('');
    const text = readFileSync(out, 'utf8');
    expectNoValue(text, API_KEY);
    const sarif = JSON.parse(text) as Record<string, unknown> & { runs: Array<Record<string, unknown>> };
    expect(sarif['version']).toBe('2.1.0');
    expect(sarif['$schema']).toMatch(/sarif-2\.1\.0/);
    expect(sarif.runs).toHaveLength(1);
    const run = sarif.runs[0] as { tool: { driver: { name: string; rules: Array<Record<string, unknown>> } }; results: Array<Record<string, unknown>> };
    expect(run.tool.driver.name).toBe('envseal');
    const rules = run.tool.driver.rules;
    const ids = rules.map((x) => x['id']);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of rules) {
      expect(typeof rule['id']).toBe('string');
      expect((rule['shortDescription'] as { text: string }).text.length).toBeGreaterThan(0);
      expect((rule['fullDescription'] as { text: string }).text.length).toBeGreaterThan(0);
      expect(['none', 'note', 'warning', 'error']).toContain((rule['defaultConfiguration'] as { level: string }).level);
    }
    expect(run.results.map((x) => x['ruleId']).sort()).toEqual(['aws-access-key-id', 'known-secret', 'unencrypted-dotenv']);
    for (const res of run.results) {
      expect(ids[res['ruleIndex'] as number]).toBe(res['ruleId']);
      expect(['none', 'note', 'warning', 'error']).toContain(res['level']);
      expect(typeof (res['message'] as { text: string }).text).toBe('string');
      const loc = (res['locations'] as Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number } } }>)[0];
      expect(loc?.physicalLocation.artifactLocation.uri).toMatch(/^[^/]/);
      expect(loc?.physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
      expect(Object.values(res['partialFingerprints'] as Record<string, string>)[0]).toMatch(/^[0-9a-f]{40}$/);
    }
  });
});
