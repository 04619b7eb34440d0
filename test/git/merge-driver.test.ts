/**
 * The merge driver in real git repositories (issue 14): `envseal git setup`, then real
 * `git merge` and `git rebase` between branches that change encrypted files. Checked
 * independently of envseal's reader: the data key from the `age` binary, the values and the
 * MAC by the test's own sops reader (test/helpers/independent-*.ts).
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unwrapDataKey } from '../../src/crypto/data-key.js';
import { parseIdentities } from '../../src/keys/identity.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { git } from '../helpers/git.js';
import { ageDecryptDataKey, checkSopsDotenv } from '../helpers/independent-sops.js';
import { independentYaml } from '../helpers/independent-walk.js';
import { makeIdentity, type TestIdentity } from '../helpers/keys.js';
import { readMetadata } from '../helpers/open-with-key.js';

interface Repo {
  readonly dir: string;
  readonly alice: TestIdentity;
  readonly bob: TestIdentity;
  readonly carol: TestIdentity;
  as(who: TestIdentity, argv: string[], extra?: Record<string, string>): ReturnType<typeof cli>;
  read(file: string): string;
  write(file: string, text: string): void;
  commit(message: string): void;
  /** A git command run with envseal's merge driver reachable (the driver uses alice's key). */
  gitAs(who: TestIdentity, args: string[]): { code: number; out: string };
  opens(who: TestIdentity, file: string): Promise<boolean>;
}

let clock = 0;

async function repo(files: Record<string, string>, members: Array<'bob' | 'carol'> = [], setupArgs: string[] = ['--no-hook']): Promise<Repo> {
  const dir = tempDir();
  const keys = tempDir('envseal-keys-');
  const [alice, bob, carol] = [await makeIdentity(keys, 'alice'), await makeIdentity(keys, 'bob'), await makeIdentity(keys, 'carol')];
  const env = (who: TestIdentity) => isolatedEnv(dir, { SOPS_AGE_KEY_FILE: who.file });
  const as = (who: TestIdentity, argv: string[]) => cli(argv, { cwd: dir, env: env(who), now: new Date(Date.UTC(2026, 0, 1) + 60_000 * ++clock) });
  git(dir, ['init', '-q', '-b', 'main']);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  expect((await as(alice, ['team', 'add', 'alice', alice.recipient])).code).toBe(0);
  for (const [file] of Object.entries(files)) expect((await as(alice, ['encrypt', file])).code).toBe(0);
  for (const m of members) expect((await as(alice, ['team', 'add', m, (m === 'bob' ? bob : carol).recipient])).code).toBe(0);
  // The merge tests commit often: the guard (tested below) would only slow them down.
  const setup = await as(alice, ['git', 'setup', ...setupArgs]);
  expect(setup.code, setup.stderr).toBe(0);
  const commit = (message: string) => {
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', message], new Date(Date.UTC(2026, 0, 1) + 60_000 * ++clock).toISOString());
  };
  commit('start');
  const { execFileSync } = await import('node:child_process');
  const gitAs = (who: TestIdentity, args: string[]) => {
    const gitEnv = { ...process.env, SOPS_AGE_KEY_FILE: who.file, GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'a@x', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'a@x', GIT_EDITOR: 'true' };
    try {
      return { code: 0, out: execFileSync('git', ['-C', dir, ...args], { env: gitEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
    } catch (err) {
      const e = err as { status: number; stdout: string; stderr: string };
      return { code: e.status, out: `${e.stdout}${e.stderr}` };
    }
  };
  const opens = async (who: TestIdentity, file: string) =>
    (await unwrapDataKey(readMetadata(join(dir, file)), parseIdentities(readFileSync(who.file, 'utf8')).identities)).ok;
  return { dir, alice, bob, carol, as, read: (f) => readFileSync(join(dir, f), 'utf8'), write: (f, t) => writeFileSync(join(dir, f), t), commit, gitAs, opens };
}

const encOf = (text: string, key: string): string => {
  const line = text.split('\n').find((l) => l.startsWith(`${key}=`) || l.trimStart().startsWith(`${key}:`));
  return /ENC\[[^\]]+\]/.exec(line ?? '')?.[0] ?? `(no ${key})`;
};

/** Every file of the working tree (not .git), for "no plaintext anywhere" checks. */
function workingTreeText(dir: string): string {
  let all = '';
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      if (name === '.git') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else all += readFileSync(p, 'latin1');
    }
  };
  walk(dir);
  return all;
}

describe('changes to different keys merge cleanly', () => {
  it.each(['merge', 'rebase'])('dotenv, YAML and JSON, by git %s: both changes, the MAC verified independently, untouched ciphertexts byte-identical', async (how) => {
    const r = await repo({ '.env': 'A=one\nB=two\nC=three\n', 'app.yaml': 'db:\n  user: admin\n  password: pw\nport_unencrypted: 5432\ntoken: t0\n', 'c.json': '{\n  "x": "1",\n  "y": "2",\n  "z": "3"\n}\n' });
    const before = { env: r.read('.env'), yaml: r.read('app.yaml') };
    git(r.dir, ['checkout', '-q', '-b', 'feature']);
    expect((await r.as(r.alice, ['set', 'A', 'uno'])).code).toBe(0);
    expect((await r.as(r.alice, ['set', 'db.password', 'new-pw', '-f', 'app.yaml'])).code).toBe(0);
    expect((await r.as(r.alice, ['set', 'x', 'one', '-f', 'c.json'])).code).toBe(0);
    expect((await r.as(r.alice, ['set', 'added', 'new', '-f', 'c.json'])).code).toBe(0);
    r.commit('feature changes');
    git(r.dir, ['checkout', '-q', 'main']);
    expect((await r.as(r.alice, ['set', 'C', 'tres'])).code).toBe(0);
    expect((await r.as(r.alice, ['set', 'token', 't1', '-f', 'app.yaml'])).code).toBe(0);
    expect((await r.as(r.alice, ['unset', 'z', '-f', 'c.json'])).code).toBe(0);
    r.commit('main changes');
    const result = how === 'merge' ? r.gitAs(r.alice, ['merge', '-q', '--no-edit', 'feature']) : (git(r.dir, ['checkout', '-q', 'feature']), r.gitAs(r.alice, ['rebase', '-q', 'main']));
    expect(result.code, result.out).toBe(0);
    expect(r.read('.env')).not.toContain('<<<<<<<');
    const env = checkSopsDotenv(r.read('.env'), r.alice.file);
    expect(env.macMatches).toBe(true);
    expect(env.values).toEqual({ A: 'uno', B: 'two', C: 'tres' });
    expect(encOf(r.read('.env'), 'B')).toBe(encOf(before.env, 'B'));
    const yaml = r.read('app.yaml');
    const meta = readMetadata(join(r.dir, 'app.yaml'));
    const key = ageDecryptDataKey(meta.keyGroups[0]?.age[0]?.enc as string, r.alice.file);
    const independent = independentYaml(yaml, key);
    expect(independent.macMatches).toBe(true);
    expect(independent.docs[0]).toEqual({ db: { user: 'admin', password: 'new-pw' }, port_unencrypted: 5432, token: 't1' });
    expect(encOf(yaml, 'user')).toBe(encOf(before.yaml, 'user'));
    const json = JSON.parse((await r.as(r.alice, ['decrypt', 'c.json'])).stdout) as Record<string, string>;
    expect(json).toEqual({ x: 'one', y: '2', added: 'new' });
    expect(Object.keys(json)).toEqual(['x', 'y', 'added']);
    // git sees a clean tree (the driver's result is what is committed).
    expect(git(r.dir, ['status', '--porcelain'])).toBe('');
  });
});

describe('rotations merge without letting anyone back in', () => {
  it('one branch removes a member (new data key), the other sets a value: clean; the new key, and bob cannot open it', async () => {
    const r = await repo({ '.env': 'A=one\nB=two\n' }, ['bob']);
    expect(await r.opens(r.bob, '.env')).toBe(true);
    git(r.dir, ['checkout', '-q', '-b', 'offboard']);
    expect((await r.as(r.alice, ['team', 'rm', 'bob'])).code).toBe(0);
    r.commit('bob leaves');
    const rotatedKey = readMetadata(join(r.dir, '.env')).keyGroups[0]?.age[0]?.enc as string;
    git(r.dir, ['checkout', '-q', 'main']);
    expect((await r.as(r.alice, ['set', 'B', 'deux'])).code).toBe(0);
    r.commit('B');
    const merged = r.gitAs(r.alice, ['merge', '-q', '--no-edit', 'offboard']);
    expect(merged.code, merged.out).toBe(0);
    expect(checkSopsDotenv(r.read('.env'), r.alice.file)).toMatchObject({ macMatches: true, values: { A: 'one', B: 'deux' } });
    expect(await r.opens(r.bob, '.env')).toBe(false);
    expect(readMetadata(join(r.dir, '.env')).keyGroups[0]?.age[0]?.enc).toBe(rotatedKey);
  });

  it('both branches remove a different member: a fresh data key that neither removed member opens', async () => {
    const r = await repo({ '.env': 'A=one\n' }, ['bob', 'carol']);
    git(r.dir, ['checkout', '-q', '-b', 'no-bob']);
    expect((await r.as(r.alice, ['team', 'rm', 'bob'])).code).toBe(0);
    r.commit('bob leaves');
    git(r.dir, ['checkout', '-q', 'main']);
    expect((await r.as(r.alice, ['team', 'rm', 'carol'])).code).toBe(0);
    r.commit('carol leaves');
    const merged = r.gitAs(r.alice, ['merge', '-q', '--no-edit', 'no-bob']);
    // .sops.yaml and the exposure list change on both sides too: the roster conflicts in git
    // (a text file), the exposure list merges by its own rule (a union).
    expect(r.read('.env')).not.toContain('<<<<<<<');
    expect(checkSopsDotenv(r.read('.env'), r.alice.file)).toMatchObject({ macMatches: true, values: { A: 'one' } });
    expect(await r.opens(r.bob, '.env')).toBe(false);
    expect(await r.opens(r.carol, '.env')).toBe(false);
    const exposures = r.read('.envseal-exposures.yaml');
    expect(exposures).toContain('member: bob');
    expect(exposures).toContain('member: carol');
    expect(exposures).not.toContain('<<<<<<<');
    expect(merged.out).not.toMatch(/CONFLICT \(content\): Merge conflict in \.(env|envseal-exposures\.yaml)\b/);
  });
});

describe('a real conflict', () => {
  it('both branches change one key differently: git reports it, no plaintext anywhere, `envseal edit` resolves it', async () => {
    const r = await repo({ '.env': 'A=one\nB=two\n' });
    git(r.dir, ['checkout', '-q', '-b', 'other']);
    expect((await r.as(r.alice, ['set', 'A', 'their-secret-A'])).code).toBe(0);
    r.commit('theirs');
    git(r.dir, ['checkout', '-q', 'main']);
    expect((await r.as(r.alice, ['set', 'A', 'our-secret-A'])).code).toBe(0);
    expect((await r.as(r.alice, ['set', 'B', 'both-fine'])).code).toBe(0);
    r.commit('ours');
    const merged = r.gitAs(r.alice, ['merge', '--no-edit', 'other']);
    expect(merged.code).not.toBe(0);
    expect(merged.out).toMatch(/CONFLICT/);
    expect(merged.out).toMatch(/changed differently on both sides: A/);
    expect(git(r.dir, ['diff', '--name-only', '--diff-filter=U'])).toBe('.env');
    const tree = workingTreeText(r.dir);
    expect(tree).not.toContain('their-secret-A');
    expect(tree).not.toContain('our-secret-A');
    expect(tree).not.toContain('both-fine');
    // Other commands say how to resolve it.
    const get = await r.as(r.alice, ['get', 'B']);
    expect(get.code).toBe(6);
    expect(get.stderr).toMatch(/unresolved merge conflicts.*\nhint: envseal edit \.env/);
    // The editor sees both sides decrypted and keeps theirs.
    const editor = join(tempDir(), 'keep-theirs.mjs');
    writeFileSync(
      editor,
      "import { readFileSync, writeFileSync } from 'node:fs';\nconst f = process.argv[2];\nconst t = readFileSync(f, 'utf8');\nwriteFileSync(f + '.seen', t);\nwriteFileSync(f, t.replace(/<<<<<<< ours\\n[\\s\\S]*?=======\\n([\\s\\S]*?)>>>>>>> theirs\\n/, '$1'));\n",
    );
    let seen = '';
    const runInteractive = async (argv: readonly string[]) => {
      const { execFileSync } = await import('node:child_process');
      execFileSync(process.execPath, [editor, argv.at(-1) as string]);
      seen = readFileSync(`${argv.at(-1) as string}.seen`, 'utf8');
      return { code: 0, interrupted: false };
    };
    const edit = await cli(['edit', '.env'], { cwd: r.dir, env: isolatedEnv(r.dir, { SOPS_AGE_KEY_FILE: r.alice.file, EDITOR: 'keep-theirs' }), runInteractive, stdin: '' });
    expect(edit.code, edit.stderr).toBe(0);
    expect(seen).toBe('<<<<<<< ours\nA=our-secret-A\n=======\nA=their-secret-A\n>>>>>>> theirs\nB=both-fine\n');
    expect(checkSopsDotenv(r.read('.env'), r.alice.file)).toMatchObject({ macMatches: true, values: { A: 'their-secret-A', B: 'both-fine' } });
    git(r.dir, ['add', '.env']);
    git(r.dir, ['commit', '-q', '--no-edit']);
    expect(git(r.dir, ['status', '--porcelain'])).toBe('');
  });

  it('without an identity the driver falls back to git\'s own conflict and says why', async () => {
    const r = await repo({ '.env': 'A=one\nB=two\n' });
    git(r.dir, ['checkout', '-q', '-b', 'other']);
    expect((await r.as(r.alice, ['set', 'A', 'x'])).code).toBe(0);
    r.commit('theirs');
    git(r.dir, ['checkout', '-q', 'main']);
    expect((await r.as(r.alice, ['set', 'B', 'y'])).code).toBe(0);
    r.commit('ours');
    const stranger = await makeIdentity(tempDir(), 'stranger');
    const merged = r.gitAs(stranger, ['merge', '--no-edit', 'other']);
    expect(merged.code).not.toBe(0);
    expect(merged.out).toMatch(/cannot merge \.env by key: no identity of yours opens every version/);
  });

  it('a plaintext .env.example gets an ordinary text merge', async () => {
    const r = await repo({ '.env': 'A=one\n' });
    r.write('.env.example', 'A=\nB=\nC=\n');
    r.commit('example');
    git(r.dir, ['checkout', '-q', '-b', 'other']);
    r.write('.env.example', 'A=\nB=\nC=\nD=\n');
    r.commit('D');
    git(r.dir, ['checkout', '-q', 'main']);
    r.write('.env.example', 'Z=\nA=\nB=\nC=\n');
    r.commit('Z');
    const merged = r.gitAs(r.alice, ['merge', '-q', '--no-edit', 'other']);
    expect(merged.code, merged.out).toBe(0);
    expect(r.read('.env.example')).toBe('Z=\nA=\nB=\nC=\nD=\n');
  });
});

describe('git setup', () => {
  it('is idempotent, and files created later join the block', async () => {
    const r = await repo({ 'app.yaml': 'k: v\n' });
    const first = r.read('.gitattributes');
    expect(first).toContain('/app.yaml merge=envseal');
    expect((await r.as(r.alice, ['git', 'setup', '--no-hook'])).stderr).toContain('already done; nothing changed');
    expect(r.read('.gitattributes')).toBe(first);
    expect((await r.as(r.alice, ['set', 'x', 'y', '-f', 'new.json'])).code).toBe(0);
    expect(r.read('.gitattributes')).toContain('/new.json merge=envseal');
    expect(git(r.dir, ['config', 'merge.envseal.driver'])).toMatch(/envseal\.cjs git merge-driver %O %A %B %P$/);
    expect(() => git(r.dir, ['config', 'diff.envseal.textconv'])).toThrow();
  });

  it('--diff-values: git diff shows decrypted values by key, also for .env.production (git names its copy XXXXXX_.env.production); off again with --no-diff-values', async () => {
    const r = await repo({ '.env.production': 'API_TOKEN=old-token-1\n', 'app.yaml': 'db:\n  password: old-password-2\n' });
    expect((await r.as(r.alice, ['git', 'setup', '--no-hook', '--diff-values'])).code).toBe(0);
    expect(r.read('.gitattributes')).toContain('\n.env.* merge=envseal diff=envseal\n');
    expect(r.read('.gitattributes')).toContain('/app.yaml merge=envseal diff=envseal');
    r.commit('diff on');
    expect((await r.as(r.alice, ['set', 'API_TOKEN', 'new-token-3', '-f', '.env.production'])).code).toBe(0);
    expect((await r.as(r.alice, ['set', 'db.password', 'new-password-4', '-f', 'app.yaml'])).code).toBe(0);
    r.commit('new values');
    const shown = r.gitAs(r.alice, ['diff', 'HEAD~1', 'HEAD']);
    expect(shown.code, shown.out).toBe(0);
    expect(shown.out).toContain('-API_TOKEN=old-token-1');
    expect(shown.out).toContain('+API_TOKEN=new-token-3');
    expect(shown.out).toContain('-  password: old-password-2');
    expect(shown.out).toContain('+  password: new-password-4');
    expect(shown.out).not.toContain('ENC[');
    expect((await r.as(r.alice, ['git', 'setup', '--no-hook', '--no-diff-values'])).code).toBe(0);
    const hidden = r.gitAs(r.alice, ['diff', 'HEAD~1', 'HEAD']);
    expect(hidden.out).toContain('ENC[');
    expect(hidden.out).not.toMatch(/old-token-1|new-token-3|old-password-2|new-password-4/);
  });

  it('installs the pre-commit guard: a real commit of a plaintext .env is stopped, an encrypted one goes through', async () => {
    const r = await repo({ 'app.yaml': 'k: v\n' }, [], []);
    const hook = r.read('.git/hooks/pre-commit');
    expect(hook).toContain('scan --staged');
    const again = await r.as(r.alice, ['git', 'setup']);
    expect(again.stderr).toContain('.git/hooks/pre-commit: the pre-commit guard is in place');
    expect(again.stderr).toContain('already done; nothing changed');
    r.write('.env', 'API_TOKEN=plaintext-token-123\n');
    git(r.dir, ['add', '.env']);
    const blocked = r.gitAs(r.alice, ['commit', '-q', '-m', 'leak']);
    expect(blocked.code).not.toBe(0);
    expect(blocked.out).toMatch(/\.env/);
    expect(blocked.out).not.toContain('plaintext-token-123');
    expect((await r.as(r.alice, ['encrypt', '.env'])).code).toBe(0);
    git(r.dir, ['add', '.env']);
    expect(r.gitAs(r.alice, ['commit', '-q', '-m', 'sealed']).code).toBe(0);
  });
});

