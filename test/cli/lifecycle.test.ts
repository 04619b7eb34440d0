/**
 * The team lifecycle stories (issue 13): nobody dropped silently, debt that follows values.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity, type TestIdentity } from '../helpers/keys.js';

async function workspace() {
  const dir = tempDir();
  const [me, alice, bob] = [await makeIdentity(dir, 'me'), await makeIdentity(dir, 'alice'), await makeIdentity(dir, 'bob')];
  let tick = 0;
  const as = (who: TestIdentity, argv: string[], extra: Record<string, string> = {}) =>
    cli(argv, { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: who.file, USER: 'mia', ...extra }), now: new Date(Date.UTC(2026, 10, 1) + 1000 * ++tick) });
  const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return { dir, me, alice, bob, as, write, read };
}

describe('nobody is dropped silently', () => {
  it('(a) files encrypted to ME; `team add alice` keeps ME as a reader; updatekeys then succeeds and ME still decrypts', async () => {
    const w = await workspace();
    for (const f of ['a.env', 'b.env', 'c.yaml']) w.write(f, f.endsWith('.yaml') ? 'k: v\n' : 'K=v\n');
    for (const f of ['a.env', 'b.env', 'c.yaml']) expect((await w.as(w.me, ['encrypt', f, '--age', w.me.recipient])).code).toBe(0);
    const add = await w.as(w.me, ['team', 'add', 'alice', w.alice.recipient]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toContain(`keep the reader ${w.me.recipient.slice(0, 16)}… as mia (you; reads 3 files`);
    const config = parse(w.read('.sops.yaml')) as { envseal: { members: Record<string, string> }; creation_rules: Array<{ age: string[] }> };
    expect(config.envseal.members).toEqual({ mia: w.me.recipient, alice: w.alice.recipient });
    expect(config.creation_rules[0]?.age).toEqual([w.me.recipient, w.alice.recipient]);
    const update = await w.as(w.me, ['updatekeys']);
    expect(update.code, update.stderr).toBe(0);
    for (const f of ['a.env', 'b.env', 'c.yaml']) {
      expect((await w.as(w.me, ['decrypt', f])).code, f).toBe(0);
      expect((await w.as(w.alice, ['decrypt', f])).code, f).toBe(0);
    }
  });

  it('(b) a hand-written .sops.yaml whose rules lack ME: updatekeys without a terminal and without --yes exits 3 and changes nothing; with --yes it proceeds', async () => {
    const w = await workspace();
    w.write('a.env', 'K=v\n');
    expect((await w.as(w.me, ['encrypt', 'a.env', '--age', w.me.recipient])).code).toBe(0);
    w.write('.sops.yaml', `creation_rules:\n  - age: ${w.alice.recipient}\n`);
    const before = w.read('a.env');
    const refused = await w.as(w.me, ['updatekeys']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/1 recipient would lose access, you among them/);
    expect(refused.stderr).toContain('(that is you: you could no longer open it)');
    expect(w.read('a.env')).toBe(before);
    const asked: string[] = [];
    const declined = await cli(['updatekeys'], { cwd: w.dir, env: isolatedEnv(w.dir, { SOPS_AGE_KEY_FILE: w.me.file }), prompt: (q) => (asked.push(q), 'no') });
    expect(declined.code).toBe(3);
    expect(asked).toEqual(['Go ahead? [y/N] ']);
    expect(w.read('a.env')).toBe(before);
    expect((await w.as(w.me, ['updatekeys', '--yes'])).code).toBe(0);
    expect((await w.as(w.alice, ['decrypt', 'a.env'])).code).toBe(0);
    expect((await w.as(w.me, ['decrypt', 'a.env'])).code).toBe(4);
  });

  it('`team rm` of yourself asks; of someone else, named on the command line, it does not', async () => {
    const w = await workspace();
    w.write('a.env', 'K=v\n');
    expect((await w.as(w.me, ['encrypt', 'a.env', '--age', w.me.recipient])).code).toBe(0);
    expect((await w.as(w.me, ['team', 'add', 'alice', w.alice.recipient])).code).toBe(0);
    expect((await w.as(w.me, ['team', 'add', 'bob', w.bob.recipient])).code).toBe(0);
    const self = await w.as(w.me, ['team', 'rm', 'mia']);
    expect(self.code).toBe(3);
    expect(self.stderr).toMatch(/you among them/);
    expect((await w.as(w.me, ['team', 'rm', 'bob'])).code).toBe(0);
  });
});

describe('rotation debt follows values', () => {
  it('after team rm bob: decrypt + encrypt of an unchanged file keeps it; a rotation keeps it; set of a new value clears it', async () => {
    const w = await workspace();
    w.write('a.env', 'DB_PASSWORD=hunter2\nAPI_KEY=k1\n');
    expect((await w.as(w.me, ['encrypt', 'a.env', '--age', w.me.recipient])).code).toBe(0);
    expect((await w.as(w.me, ['team', 'add', 'bob', w.bob.recipient])).code).toBe(0);
    expect((await w.as(w.me, ['team', 'rm', 'bob'])).code).toBe(0);
    const debt = async () => {
      const status = JSON.parse((await w.as(w.me, ['status', '--json'])).stdout) as { files: Array<{ file: string; debt: Array<{ key: string; unsure: string | null }> }> };
      return status.files.flatMap((f) => f.debt.map((d) => `${f.file}:${d.key}${d.unsure === null ? '' : '?'}`)).sort();
    };
    expect(await debt()).toEqual(['a.env:API_KEY', 'a.env:DB_PASSWORD']);
    // The only way out of a merge conflict used to be this, and it wiped the debt.
    expect((await w.as(w.me, ['decrypt', 'a.env', '--in-place'])).code).toBe(0);
    expect((await w.as(w.me, ['encrypt', 'a.env'])).code).toBe(0);
    expect(await debt()).toEqual(['a.env:API_KEY', 'a.env:DB_PASSWORD']);
    // A rotation (new data key, same values), as envseal or sops does it.
    expect((await w.as(w.me, ['rotate', 'a.env'])).code).toBe(0);
    expect(await debt()).toEqual(['a.env:API_KEY', 'a.env:DB_PASSWORD']);
    // A new value clears its debt, and only its own.
    expect((await w.as(w.me, ['set', 'DB_PASSWORD', 'correct-horse', '-f', 'a.env'])).code).toBe(0);
    expect(await debt()).toEqual(['a.env:API_KEY']);
    const status = await w.as(w.me, ['status']);
    expect(status.stdout).not.toMatch(/hunter2|k1|correct-horse/);
  });
});

describe('files git ignores are still files', () => {
  it('a git-ignored .env: encrypt says so; team add bob re-keys it (bob can read it); status lists it', async () => {
    const w = await workspace();
    const { execFileSync } = await import('node:child_process');
    execFileSync('git', ['init', '-q', w.dir]);
    w.write('.gitignore', '.env\nnode_modules/\n');
    w.write('.env', 'SECRET=one\n');
    w.write('app.env', 'OTHER=two\n');
    const enc = await w.as(w.me, ['encrypt', '.env', '--age', w.me.recipient]);
    expect(enc.code).toBe(0);
    expect(enc.stderr).toContain('note: git ignores .env');
    const tracked = await w.as(w.me, ['encrypt', 'app.env', '--age', w.me.recipient]);
    expect(tracked.stderr).not.toContain('git ignores');
    const add = await w.as(w.me, ['team', 'add', 'bob', w.bob.recipient]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toContain('re-wrap 2 files for bob');
    expect(add.stderr).toContain('including a file git ignores, which a rule covers: .env');
    expect((await w.as(w.bob, ['get', 'SECRET'])).stdout).toBe('one\n');
    const status = await w.as(w.me, ['status']);
    expect(status.stdout).toMatch(/^\.env \(dotenv\)/m);
    expect(status.stdout).toContain('(git ignores .env; listed because a rule covers it)');
  });
});

describe('the inventory and the policy CI can check', () => {
  function git(dir: string, args: string[], date?: string): void {
    const env = { ...process.env, GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.com', ...(date === undefined ? {} : { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }) };
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    execFileSync('git', ['-C', dir, ...args], { env, stdio: 'ignore' });
  }

  it('status --json lists, per secret, its readers by name and its last change (commit, author, date)', async () => {
    const w = await workspace();
    git(w.dir, ['init', '-q']);
    w.write('a.env', 'A=1\nB=2\n');
    w.write('b.yaml', 'db:\n  password: pw\n  port_unencrypted: 5432\n');
    w.write('c.json', '{"token": "t"}\n');
    for (const f of ['a.env', 'b.yaml', 'c.json']) expect((await w.as(w.me, ['encrypt', f, '--age', w.me.recipient])).code).toBe(0);
    expect((await w.as(w.me, ['team', 'add', 'alice', w.alice.recipient])).code).toBe(0);
    git(w.dir, ['add', '-A']);
    git(w.dir, ['commit', '-q', '-m', 'secrets'], '2026-01-10T10:00:00Z');
    expect((await w.as(w.me, ['set', 'B', 'two', '-f', 'a.env'])).code).toBe(0);
    git(w.dir, ['commit', '-q', '-am', 'new B'], '2026-02-20T10:00:00Z');
    expect((await w.as(w.me, ['rotate', 'c.json'])).code).toBe(0); // a new data key, no new value
    git(w.dir, ['commit', '-q', '-am', 'rotate'], '2026-03-01T10:00:00Z');
    expect((await w.as(w.me, ['set', 'A', 'one', '-f', 'a.env'])).code).toBe(0); // not committed
    const r = await w.as(w.me, ['status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { secrets: Array<{ file: string; key: string; readers: Array<{ name: string | null }>; lastChanged: unknown }> };
    const by = (file: string, key: string) => json.secrets.find((s) => s.file === file && s.key === key);
    expect(json.secrets.map((s) => `${s.file}:${s.key}`).sort()).toEqual(['a.env:A', 'a.env:B', 'b.yaml:db.password', 'c.json:token']);
    expect(by('a.env', 'B')?.readers.map((x) => x.name)).toEqual(['mia', 'alice']);
    expect(by('a.env', 'B')?.lastChanged).toMatchObject({ author: 'Ada', date: '2026-02-20T10:00:00Z', approximate: false });
    expect(by('a.env', 'A')?.lastChanged).toBe('uncommitted');
    expect(by('c.json', 'token')?.lastChanged).toMatchObject({ date: '2026-01-10T10:00:00Z' }); // the rotation is not a change
    expect(by('b.yaml', 'db.password')?.lastChanged).toMatchObject({ date: '2026-01-10T10:00:00Z' });
    expect(r.stdout).not.toMatch(/"(one|two|pw|t)"/);
  });

  it('status --check exits 8 with open debt, with a secret past max_age, with an expired member; 0 once each is fixed; never a value', async () => {
    const w = await workspace();
    git(w.dir, ['init', '-q']);
    w.write('a.env', 'OLD=ancient-value\nNEW=fresh-value\n');
    expect((await w.as(w.me, ['encrypt', 'a.env', '--age', w.me.recipient])).code).toBe(0);
    expect((await w.as(w.me, ['team', 'add', 'alice', w.alice.recipient, '--expires', '2026-10-01'])).code).toBe(0);
    expect((await w.as(w.me, ['team', 'add', 'bob', w.bob.recipient])).code).toBe(0);
    w.write('.sops.yaml', w.read('.sops.yaml').replace('envseal:\n', 'envseal:\n  policy:\n    max_age: 90d\n'));
    git(w.dir, ['add', '-A']);
    git(w.dir, ['commit', '-q', '-m', 'old'], '2026-01-01T00:00:00Z');
    expect((await w.as(w.me, ['team', 'rm', 'bob'])).code).toBe(0);
    expect((await w.as(w.me, ['set', 'NEW', 'fresher', '-f', 'a.env'])).code).toBe(0);
    git(w.dir, ['commit', '-q', '-am', 'bob gone'], '2026-10-25T00:00:00Z');
    const check = async () => w.as(w.me, ['status', '--check']);
    const failing = await check();
    expect(failing.code).toBe(8);
    const kinds = failing.stderr.split('\n').filter((l) => /^ {2}\w/.test(l)).map((l) => l.trim().split(':')[0]);
    expect(kinds.sort()).toEqual(['debt', 'expired-member', 'max-age']);
    expect(failing.stderr).toMatch(/debt: a\.env OLD: bob could read it/);
    expect(failing.stderr).toMatch(/max-age: a\.env OLD: unchanged since 2026-01-01T00:00:00Z .* max_age 90d/);
    expect(failing.stderr).toMatch(/expired-member: alice's access expired after 2026-10-01, but they can still read a\.env/);
    expect(failing.stdout + failing.stderr).not.toMatch(/ancient-value|fresh-value|fresher/);
    // Fix each: alice removed (which puts what she could read in debt), then new values.
    expect((await w.as(w.me, ['team', 'rm', 'alice'])).code).toBe(0);
    expect((await w.as(w.me, ['set', 'OLD', 'renewed', '-f', 'a.env'])).code).toBe(0);
    expect((await w.as(w.me, ['set', 'NEW', 'renewed-too', '-f', 'a.env'])).code).toBe(0);
    git(w.dir, ['commit', '-q', '-am', 'alice gone, values renewed'], '2026-11-01T00:00:00Z');
    const passing = await check();
    expect(passing.stderr).toMatch(/check passed/);
    expect(passing.code).toBe(0);
  });

  it('an expiry within 14 days is shown by team ls and warned about by status (not yet a violation); renewing clears it', async () => {
    const w = await workspace();
    git(w.dir, ['init', '-q']);
    w.write('a.env', 'A=value-a\n');
    expect((await w.as(w.me, ['encrypt', 'a.env', '--age', w.me.recipient])).code).toBe(0);
    // The tests' clock reads 2026-11-01.
    expect((await w.as(w.me, ['team', 'add', 'alice', w.alice.recipient, '--expires', '2026-11-10'])).code).toBe(0);
    expect((await w.as(w.me, ['team', 'add', 'bob', w.bob.recipient, '--expires', '2027-06-30'])).code).toBe(0);
    const ls = await w.as(w.me, ['team', 'ls']);
    expect(ls.stdout).toMatch(/alice .*\(access until 2026-11-10, soon\)/);
    expect(ls.stdout).toMatch(/bob .*\(access until 2027-06-30\)/);
    const status = await w.as(w.me, ['status', '--check']);
    expect(status.code).toBe(0);
    expect(status.stderr).toMatch(/warning: alice's access ends after 2026-11-10/);
    expect(status.stderr).not.toMatch(/bob's access/);
    expect(JSON.parse((await w.as(w.me, ['status', '--json'])).stdout).expiringSoon).toEqual([{ name: 'alice', expires: '2026-11-10' }]);
    expect((await w.as(w.me, ['team', 'add', 'alice', w.alice.recipient, '--expires', '2027-01-31'])).code).toBe(0);
    expect((await w.as(w.me, ['status'])).stderr).not.toMatch(/alice's access/);
  });

  it('status --check flags plaintext that must be encrypted, and recipients outside the roster', async () => {
    const w = await workspace();
    git(w.dir, ['init', '-q']);
    w.write('.gitignore', '.env.local\n');
    w.write('a.env', 'A=1\n');
    expect((await w.as(w.me, ['encrypt', 'a.env', '--age', w.me.recipient])).code).toBe(0);
    expect((await w.as(w.me, ['team', 'add', 'alice', w.alice.recipient])).code).toBe(0);
    w.write('.sops.yaml', w.read('.sops.yaml').replace('envseal:\n', 'envseal:\n  policy:\n    encrypted: ["secrets/*"]\n'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(w.dir, 'secrets'));
    w.write('secrets/key.pem', 'PRIVATE\n');
    w.write('.env.production', 'TOKEN=plain\n');
    w.write('.env.example', 'TOKEN=\n');
    w.write('.env.local', 'MINE=local\n');
    w.write('b.env', 'B=1\n');
    expect((await w.as(w.me, ['encrypt', 'b.env', '--age', w.bob.recipient, '--age', w.me.recipient])).code).toBe(0);
    git(w.dir, ['add', '-A']);
    git(w.dir, ['commit', '-q', '-m', 'x'], '2026-10-01T00:00:00Z');
    expect((await w.as(w.me, ['decrypt', 'a.env', '--in-place'])).code).toBe(0);
    const r = await w.as(w.me, ['status', '--check', '--json']);
    expect(r.code).toBe(8);
    const v = (JSON.parse(r.stdout) as { violations: Array<{ kind: string; file: string }> }).violations.map((x) => `${x.kind} ${x.file}`).sort();
    expect(v).toEqual(['outside-roster b.env', 'unencrypted .env.production', 'unencrypted a.env', 'unencrypted secrets/key.pem']);
  });
});
