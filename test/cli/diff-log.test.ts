/**
 * `envseal diff` and `envseal log` (issue 14) in real git repositories: keys that changed
 * (+/~/-), recipients added and removed, rotations told from value changes when an identity
 * opens both versions and reported as re-encryptions when none does; never a value without
 * `--values`; the --json shapes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, isolatedEnv, suiteDir, tempDir } from '../helpers/cli.js';
import { git } from '../helpers/git.js';
import { makeIdentity, type TestIdentity } from '../helpers/keys.js';

/** Every secret value the stories below ever store: none may be printed without --values. */
const SECRETS = ['alpha-secret-1', 'bravo-secret-2', 'charlie-secret-3', 'bravo-secret-NEW', 'delta-secret-4', 'yaml-secret-pw', 'yaml-secret-NEW', 'echo-merge-5', 'alpha-side-6'];

interface Repo {
  readonly dir: string;
  readonly me: TestIdentity;
  readonly bob: TestIdentity;
  /** Commit hashes by subject. */
  readonly commits: Record<string, string>;
  as(who: TestIdentity | null, argv: string[], cwd?: string): ReturnType<typeof cli>;
}

function expectNoSecret(result: { stdout: string; stderr: string }, except: readonly string[] = []): void {
  for (const secret of SECRETS.filter((s) => !except.includes(s))) expect(result.stdout + result.stderr, secret).not.toContain(secret);
}

/**
 * A history of a .env and a YAML file: created; values changed, one removed, one added; bob
 * added (data key kept); rotated (no value changed); bob removed (a new data key).
 */
async function history(): Promise<Repo> {
  const dir = suiteDir();
  const [me, bob] = [await makeIdentity(dir, 'me'), await makeIdentity(dir, 'bob')];
  writeFileSync(join(dir, '.gitignore'), '*.key\n.home/\n');
  let tick = 0;
  const as: Repo['as'] = (who, argv, cwd = dir) =>
    cli(argv, { cwd, env: isolatedEnv(dir, { ...(who === null ? {} : { SOPS_AGE_KEY_FILE: who.file }), USER: 'mia' }), now: new Date(Date.UTC(2026, 0, 1) + 1000 * ++tick) });
  const ok = async (argv: string[]) => {
    const r = await as(me, argv);
    expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
  };
  const commits: Record<string, string> = {};
  const commit = (subject: string, date: string) => {
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', subject], date);
    commits[subject] = git(dir, ['rev-parse', 'HEAD']);
  };
  git(dir, ['init', '-q']);
  writeFileSync(join(dir, 'a.env'), 'A=alpha-secret-1\nB=bravo-secret-2\nC=charlie-secret-3\n');
  mkdirSync(join(dir, 'conf'));
  writeFileSync(join(dir, 'conf', 's.yaml'), 'db:\n  password: yaml-secret-pw\n  port_unencrypted: 5432\n');
  writeFileSync(join(dir, 'README.md'), 'not a secret\n');
  await ok(['encrypt', 'a.env', 'conf/s.yaml', '--age', me.recipient]);
  commit('secrets', '2026-01-10T10:00:00Z');
  await ok(['set', 'B', 'bravo-secret-NEW', '-f', 'a.env']);
  await ok(['unset', 'C', '-f', 'a.env']);
  await ok(['set', 'D', 'delta-secret-4', '-f', 'a.env']);
  await ok(['set', 'db.password', 'yaml-secret-NEW', '-f', 'conf/s.yaml']);
  commit('new values', '2026-02-20T10:00:00Z');
  await ok(['team', 'add', 'bob', bob.recipient]);
  commit('bob joins', '2026-03-01T10:00:00Z');
  await ok(['rotate', 'a.env']);
  commit('rotate', '2026-03-02T10:00:00Z');
  await ok(['team', 'rm', 'bob']);
  commit('bob leaves', '2026-03-03T10:00:00Z');
  return { dir, me, bob, commits, as };
}

interface JsonChange {
  file: string;
  before: string;
  after: string;
  keys: Array<{ key: string; change: string; approximate: boolean; values?: { before: string | null; after: string | null } }>;
  recipients: { added: Array<{ recipient: string; name: string | null }>; removed: Array<{ recipient: string; name: string | null }> };
  dataKey: string | null;
  exact: boolean;
}

const keysOf = (change: JsonChange | undefined) => change?.keys.map((k) => `${{ added: '+', removed: '-', changed: '~' }[k.change]} ${k.key}`);

let repo: Repo;
beforeAll(async () => {
  repo = await history();
}, 60_000);

describe('envseal diff', () => {
  it('names the keys that changed between two commits (+/~/-), never a value', async () => {
    const r = await repo.as(repo.me, ['diff', repo.commits['secrets'] as string, repo.commits['new values'] as string]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(['a.env', '  ~ B', '  + D', '  - C', 'conf/s.yaml', '  ~ db.password', ''].join('\n'));
    expectNoSecret(r);
    expect((await repo.as(repo.me, ['diff', 'HEAD~4..HEAD~3'])).stdout).toBe(r.stdout); // git's A..B
  });

  it('--values shows the values of what changed, and only those', async () => {
    const r = await repo.as(repo.me, ['diff', 'HEAD~4', 'HEAD~3', '--values']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'a.env',
      '  ~ B: "bravo-secret-2" -> "bravo-secret-NEW"',
      '  + D = "delta-secret-4"',
      '  - C (was "charlie-secret-3")',
      'conf/s.yaml',
      '  ~ db.password: "yaml-secret-pw" -> "yaml-secret-NEW"',
      '',
    ]);
    expectNoSecret(r, ['bravo-secret-2', 'bravo-secret-NEW', 'delta-secret-4', 'charlie-secret-3', 'yaml-secret-pw', 'yaml-secret-NEW']);
  });

  it('a recipient added keeps the data key: only the recipient is reported', async () => {
    const r = await repo.as(repo.me, ['diff', 'HEAD~3', 'HEAD~2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { from: string; to: string | null; files: JsonChange[] };
    expect(json.from).toBe(repo.commits['new values']);
    expect(json.to).toBe(repo.commits['bob joins']);
    const a = json.files.find((f) => f.file === 'a.env');
    expect(a).toMatchObject({ before: 'sops', after: 'sops', keys: [], dataKey: null, exact: true, recipients: { removed: [] } });
    expect(a?.recipients.added).toEqual([{ recipient: repo.bob.recipient, name: 'bob' }]);
    expectNoSecret(r);
  });

  it('a rotation is a new data key, not a value change, when the identity opens both versions', async () => {
    const r = await repo.as(repo.me, ['diff', 'HEAD~2', 'HEAD~1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(['a.env', '  data key rotated (every value re-encrypted)', ''].join('\n'));
    const json = JSON.parse((await repo.as(repo.me, ['diff', 'HEAD~2', 'HEAD~1', '--json'])).stdout) as { files: JsonChange[] };
    expect(json.files).toEqual([expect.objectContaining({ file: 'a.env', keys: [], dataKey: 'rotated', exact: true })]);
  });

  it('without an identity the rotation is a re-encryption envseal cannot explain; a set is a change told by ciphertext', async () => {
    const rotation = await repo.as(null, ['diff', 'HEAD~2', 'HEAD~1', '--json']);
    expect(rotation.code, rotation.stderr).toBe(0);
    expect((JSON.parse(rotation.stdout) as { files: JsonChange[] }).files).toEqual([expect.objectContaining({ file: 'a.env', keys: [], dataKey: 'reencrypted', exact: false })]);
    const text = await repo.as(null, ['diff', 'HEAD~2', 'HEAD~1']);
    expect(text.stdout).toContain("re-encrypted: every value's ciphertext changed (cannot tell without an identity");
    const set = await repo.as(null, ['diff', 'HEAD~4', 'HEAD~3', '--values']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('  ~ B: (cannot decrypt) -> (cannot decrypt)');
    expect(set.stdout).toContain('(told by ciphertext');
    expectNoSecret(set);
  });

  it('a member removed: the recipient is gone and the data key rotated', async () => {
    const r = await repo.as(repo.me, ['diff', 'HEAD~1', 'HEAD']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`a.env\n  - recipient bob (${repo.bob.recipient.slice(0, 16)}…)\n  data key rotated`);
    expect(r.stdout).toContain(`conf/s.yaml\n  - recipient bob (${repo.bob.recipient.slice(0, 16)}…)\n  data key rotated`);
    expect(r.stdout).not.toMatch(/^ {2}[~+-] (?!recipient )/m); // no value changed
  });

  it('by default: the work tree against HEAD, with files given after --, from a subfolder', async () => {
    const clean = await repo.as(repo.me, ['diff']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toBe('');
    expect(clean.stderr).toContain('no change to a sops file between');
    const before = readFileSync(join(repo.dir, 'a.env'), 'utf8');
    try {
      expect((await repo.as(repo.me, ['set', 'A', 'alpha-side-6', '-f', 'a.env'])).code).toBe(0);
      writeFileSync(join(repo.dir, 'b.env'), 'PLAIN=1\n');
      const r = await repo.as(repo.me, ['diff', '--json']);
      const json = JSON.parse(r.stdout) as { to: string | null; files: JsonChange[] };
      expect(json.to).toBeNull();
      expect(json.files.map((f) => [f.file, keysOf(f)])).toEqual([['a.env', ['~ A']]]);
      const sub = await repo.as(repo.me, ['diff', 'HEAD', '--', 's.yaml', '../a.env'], join(repo.dir, 'conf'));
      expect(sub.code, sub.stderr).toBe(0);
      expect(sub.stdout).toBe('a.env\n  ~ A\n');
      const notSops = await repo.as(repo.me, ['diff', '--', 'b.env']);
      expect(notSops.stderr).toContain('b.env is not a sops file in either version');
      expectNoSecret(r);
    } finally {
      writeFileSync(join(repo.dir, 'a.env'), before);
    }
  });

  it('refuses an unknown revision, three revisions, and a folder outside git (exit 2)', async () => {
    const unknown = await repo.as(repo.me, ['diff', 'no-such-branch']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown revision "no-such-branch"');
    expect((await repo.as(repo.me, ['diff', 'HEAD', 'HEAD', 'HEAD'])).code).toBe(2);
    const outside = tempDir();
    const r = await cli(['diff'], { cwd: outside, env: isolatedEnv(outside) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not in a git work tree');
  });
});

interface JsonLog {
  commits: Array<{ commit: string; author: string; email: string; date: string; subject: string; files: JsonChange[] }>;
}

describe('envseal log', () => {
  it('every commit that changed a secret, newest first, with what changed per file; never a value', async () => {
    const r = await repo.as(repo.me, ['log']);
    expect(r.code, r.stderr).toBe(0);
    const short = (s: string) => (repo.commits[s] as string).slice(0, 7);
    const bobShort = `bob (${repo.bob.recipient.slice(0, 16)}…)`;
    const meShort = `mia (${repo.me.recipient.slice(0, 16)}…)`; // team add named the existing reader after $USER
    expect(r.stdout).toBe(
      [
        `${short('bob leaves')} 2026-03-03T10:00:00Z Ada <ada@example.com>  bob leaves`,
        '  a.env',
        `    - recipient ${bobShort}`,
        '    data key rotated (every value re-encrypted)',
        '  conf/s.yaml',
        `    - recipient ${bobShort}`,
        '    data key rotated (every value re-encrypted)',
        '',
        `${short('rotate')} 2026-03-02T10:00:00Z Ada <ada@example.com>  rotate`,
        '  a.env',
        '    data key rotated (every value re-encrypted)',
        '',
        `${short('bob joins')} 2026-03-01T10:00:00Z Ada <ada@example.com>  bob joins`,
        '  a.env',
        `    + recipient ${bobShort}`,
        '  conf/s.yaml',
        `    + recipient ${bobShort}`,
        '',
        `${short('new values')} 2026-02-20T10:00:00Z Ada <ada@example.com>  new values`,
        '  a.env',
        '    ~ B',
        '    + D',
        '    - C',
        '  conf/s.yaml',
        '    ~ db.password',
        '',
        `${short('secrets')} 2026-01-10T10:00:00Z Ada <ada@example.com>  secrets`,
        '  a.env (new)',
        '    + A',
        '    + B',
        '    + C',
        `    + recipient ${meShort}`,
        '  conf/s.yaml (new)',
        '    + db.password',
        '    + db.port_unencrypted',
        `    + recipient ${meShort}`,
        '',
      ].join('\n'),
    );
    expectNoSecret(r);
  });

  it('KEY narrows to the commits that changed it (a rotation is not a change); -f narrows to files', async () => {
    const b = await repo.as(repo.me, ['log', 'B', '--json']);
    expect(b.code, b.stderr).toBe(0);
    const json = JSON.parse(b.stdout) as JsonLog;
    expect(json.commits.map((c) => c.subject)).toEqual(['new values', 'secrets']);
    expect(json.commits.map((c) => c.files.map(keysOf))).toEqual([[['~ B']], [['+ B']]]);
    expect(json.commits[0]).toMatchObject({ commit: repo.commits['new values'], author: 'Ada', email: 'ada@example.com', date: '2026-02-20T10:00:00Z' });
    const yaml = await repo.as(repo.me, ['log', '["db"]["password"]', '-f', 'conf/s.yaml', '--json']);
    expect((JSON.parse(yaml.stdout) as JsonLog).commits.map((c) => c.subject)).toEqual(['new values', 'secrets']);
    const file = await repo.as(repo.me, ['log', '-f', 'a.env', '--json']);
    expect((JSON.parse(file.stdout) as JsonLog).commits.flatMap((c) => c.files.map((f) => f.file))).toEqual(['a.env', 'a.env', 'a.env', 'a.env', 'a.env']);
    expectNoSecret(b);
  });

  it('without an identity: says which commits re-encrypted everything, and that changes are told by ciphertext', async () => {
    const r = await repo.as(null, ['log', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as JsonLog;
    const bySubject = (s: string) => json.commits.find((c) => c.subject === s)?.files.find((f) => f.file === 'a.env');
    expect(bySubject('rotate')).toMatchObject({ dataKey: 'reencrypted', keys: [], exact: false });
    expect(bySubject('bob leaves')).toMatchObject({ dataKey: 'reencrypted', keys: [] });
    expect(bySubject('bob joins')).toMatchObject({ dataKey: null, keys: [] }); // the data key is kept: its wrapping for me did not change
    expect(keysOf(bySubject('new values'))).toEqual(['~ B', '+ D', '- C']);
    expect(bySubject('new values')?.keys[0]).toMatchObject({ approximate: true });
    const text = await repo.as(null, ['log', 'A']);
    expect(text.stdout).toContain("re-encrypted: every value's ciphertext changed");
    expect(text.stdout.match(/^\w{7} /gm)?.length).toBe(3); // the rotations, and the commit that added A
    expectNoSecret(text);
  });
});

describe('envseal log across a merge', () => {
  it('a merge shows only what it made itself, not what it took from either side', async () => {
    const dir = tempDir();
    const me = await makeIdentity(dir, 'me');
    const as = (argv: string[]) => cli(argv, { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: me.file }) });
    git(dir, ['init', '-q', '-b', 'main']);
    writeFileSync(join(dir, '.gitignore'), '*.key\n.home/\n');
    writeFileSync(join(dir, 'a.env'), 'A=alpha-secret-1\nB=bravo-secret-2\n');
    expect((await as(['encrypt', 'a.env', '--age', me.recipient])).code).toBe(0);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', 'base'], '2026-01-01T00:00:00Z');
    git(dir, ['checkout', '-q', '-b', 'side']);
    expect((await as(['set', 'A', 'alpha-side-6', '-f', 'a.env'])).code).toBe(0);
    git(dir, ['commit', '-q', '-am', 'side A'], '2026-01-02T00:00:00Z');
    git(dir, ['checkout', '-q', 'main']);
    expect((await as(['set', 'B', 'bravo-secret-NEW', '-f', 'a.env'])).code).toBe(0);
    git(dir, ['commit', '-q', '-am', 'main B'], '2026-01-03T00:00:00Z');
    // A merge by hand: ours, then side's A (the same value, a new ciphertext) and a new key E.
    git(dir, ['merge', '-q', '--no-commit', '-s', 'ours', 'side'], '2026-01-04T00:00:00Z');
    expect((await as(['set', 'A', 'alpha-side-6', '-f', 'a.env'])).code).toBe(0);
    expect((await as(['set', 'E', 'echo-merge-5', '-f', 'a.env'])).code).toBe(0);
    git(dir, ['commit', '-q', '-am', 'merge side'], '2026-01-04T00:00:00Z');
    const r = await as(['log', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as JsonLog;
    expect(json.commits.map((c) => [c.subject, c.files.map(keysOf)])).toEqual([
      ['merge side', [['+ E']]],
      ['main B', [['~ B']]],
      ['side A', [['~ A']]],
      ['base', [['+ A', '+ B']]],
    ]);
    expectNoSecret(r);
  });
});
