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
