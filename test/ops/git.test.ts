/**
 * What envseal reads from git (ops/git.ts), in a real repository: blobs by id and by
 * `REV:path`, a history over several paths with each file's blob before and after (a merge's
 * per parent), names with spaces, paths that ever held an encrypted value, revisions.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCtx } from '../../src/ops/context.js';
import { changedPaths, commitLog, fileLog, pathsEverSealed, readBlobs, resolveCommit, workTreePrefix } from '../../src/ops/git.js';
import { cli, isolatedEnv, suiteDir, tempDir, testIo } from '../helpers/cli.js';
import { git } from '../helpers/git.js';
import { makeIdentity } from '../helpers/keys.js';

const blobOf = (dir: string, rev: string, path: string) => git(dir, ['rev-parse', `${rev}:${path}`]);

let dir: string;
const ctx = () => makeCtx(testIo({ cwd: dir }).io);

beforeAll(() => {
  dir = suiteDir();
  git(dir, ['init', '-q', '-b', 'main']);
  writeFileSync(join(dir, 'x y.env'), 'A=ENC[AES256_GCM,data:aa,iv:i,tag:t,type:str]\n');
  writeFileSync(join(dir, 'plain.txt'), 'hello\n');
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'one'], '2026-01-01T00:00:00Z');
  git(dir, ['checkout', '-q', '-b', 'side']);
  writeFileSync(join(dir, 'x y.env'), 'A=side\n');
  git(dir, ['commit', '-q', '-am', 'side'], '2026-01-02T00:00:00Z');
  git(dir, ['checkout', '-q', 'main']);
  writeFileSync(join(dir, 'x y.env'), 'A=main\n');
  writeFileSync(join(dir, 'plain.txt'), 'hello again\n');
  git(dir, ['commit', '-q', '-am', 'main'], '2026-01-03T00:00:00Z');
  expect(() => git(dir, ['merge', '-q', 'side'])).toThrow(); // both changed x y.env
  writeFileSync(join(dir, 'x y.env'), 'A=merged\n'); // a version neither parent had
  git(dir, ['commit', '-q', '-am', 'merge'], '2026-01-04T00:00:00Z');
}, 30_000);

describe('git', () => {
  it('readBlobs: by id and by REV:path, keyed as asked; missing names and trees left out', async () => {
    const id = blobOf(dir, 'HEAD^1', 'plain.txt');
    const blobs = await readBlobs(ctx(), dir, [id, 'HEAD^2:plain.txt', 'HEAD^1:nope', 'HEAD^1:x y.env', 'HEAD^1']);
    expect(Buffer.from(blobs.get(id) ?? []).toString()).toBe('hello again\n');
    expect(Buffer.from(blobs.get('HEAD^2:plain.txt') ?? []).toString()).toBe('hello\n');
    expect(Buffer.from(blobs.get('HEAD^1:x y.env') ?? []).toString()).toBe('A=main\n');
    expect([...blobs.keys()].sort()).toEqual([id, 'HEAD^2:plain.txt', 'HEAD^1:x y.env'].sort());
  });

  it('commitLog: newest first, each file with its blob before (per parent for a merge) and after', async () => {
    const log = await commitLog(ctx(), dir, ['x y.env', 'plain.txt'], { fullHistory: true });
    expect(log.map((c) => c.subject)).toEqual(['merge', 'main', 'side', 'one']);
    const [merge, main, , one] = log;
    expect(merge?.files).toEqual([{ path: 'x y.env', before: [blobOf(dir, 'HEAD^1', 'x y.env'), blobOf(dir, 'HEAD^2', 'x y.env')], after: blobOf(dir, 'HEAD', 'x y.env') }]);
    expect(main?.files.map((f) => f.path)).toEqual(['plain.txt', 'x y.env']);
    expect(one?.files.find((f) => f.path === 'x y.env')).toEqual({ path: 'x y.env', before: [null], after: blobOf(dir, 'HEAD~2', 'x y.env') });
    expect(one).toMatchObject({ author: 'Ada', email: 'ada@example.com', date: '2026-01-01T00:00:00Z' });
  });

  it('fileLog: the blob after each commit, the merge included', async () => {
    const log = await fileLog(ctx(), dir, 'x y.env');
    expect(log[0]).toMatchObject({ subject: 'merge', blob: blobOf(dir, 'HEAD', 'x y.env') });
  });

  it('pathsEverSealed: the paths that held an ENC[AES256_GCM value in some commit', async () => {
    expect(await pathsEverSealed(ctx(), dir)).toEqual(['x y.env']);
  });

  it('changedPaths, resolveCommit, workTreePrefix', async () => {
    expect(await changedPaths(ctx(), dir, 'HEAD^1', 'HEAD')).toEqual(['x y.env']);
    expect(await changedPaths(ctx(), dir, 'HEAD~2', 'HEAD')).toEqual(['plain.txt', 'x y.env']);
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'new.env'), 'N=1\n');
    expect((await changedPaths(ctx(), dir, 'HEAD', null)).sort()).toEqual(['sub/new.env']);
    expect(await resolveCommit(ctx(), dir, 'HEAD')).toBe(git(dir, ['rev-parse', 'HEAD']));
    expect(await resolveCommit(ctx(), dir, 'nope')).toBeNull();
    expect(await resolveCommit(ctx(), dir, '--all')).toBeNull();
    expect(await workTreePrefix(ctx(), join(dir, 'sub'))).toBe('sub/');
  });
});

describe('REV:path lookups, as status --check uses them', () => {
  it('a YAML file encrypted in HEAD and decrypted in place is a violation (exit 8)', async () => {
    const repo = tempDir();
    const me = await makeIdentity(repo, 'me');
    const as = (argv: string[]) => cli(argv, { cwd: repo, env: isolatedEnv(repo, { SOPS_AGE_KEY_FILE: me.file }) });
    git(repo, ['init', '-q']);
    writeFileSync(join(repo, '.gitignore'), '*.key\n.home/\n');
    writeFileSync(join(repo, 's.yaml'), 'token: t0ken-value\n');
    expect((await as(['encrypt', 's.yaml', '--age', me.recipient])).code).toBe(0);
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-q', '-m', 'sealed']);
    expect((await as(['status', '--check'])).code).toBe(0);
    expect((await as(['decrypt', 's.yaml', '--in-place'])).code).toBe(0);
    const check = await as(['status', '--check']);
    expect(check.code).toBe(8);
    expect(check.stderr).toContain('s.yaml: encrypted in HEAD but plaintext now');
  });
});
