/** What scan and the guard ask git (src/ops/git.ts): the lines each commit added (`git log -p -U0`), staged paths, the hooks folder. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitPatches, hooksFolder, parsePatches, stagedPaths } from '../../src/ops/git.js';
import { actingAs } from '../helpers/ops.js';
import { tempDir } from '../helpers/cli.js';
import { git } from '../helpers/git.js';

describe('parsePatches', () => {
  it('commits, files with their blobs, added lines numbered as in the file after the commit', () => {
    const blobA = 'a'.repeat(40);
    const blobB = 'b'.repeat(40);
    const text = [
      '\x1e' + ['c'.repeat(40), 'Ada', 'ada@example.com', '1767225600', 'two hunks'].join('\x1f'),
      '',
      'diff --git a/dir/x y.txt b/dir/x y.txt',
      `index ${blobA}..${blobB} 100644`,
      '--- a/dir/x y.txt',
      '+++ b/dir/x y.txt',
      '@@ -1 +1,2 @@',
      '-old ENC[AES256_GCM,data:x]',
      '+new one',
      '++plus at the start',
      '@@ -9,0 +11 @@ context',
      '+eleven',
      '\\ No newline at end of file',
      'diff --git "a/caf\\303\\251\\t.env" "b/caf\\303\\251\\t.env"',
      'new file mode 100644',
      `index ${'0'.repeat(40)}..${blobA}`,
      'Binary files /dev/null and "b/caf\\303\\251\\t.env" differ',
      '\x1e' + ['d'.repeat(40), 'Bo', 'bo@example.com', '0', 'empty'].join('\x1f'),
    ].join('\n');
    const [first, second] = parsePatches(text);
    expect(first).toMatchObject({ commit: 'c'.repeat(40), author: 'Ada', date: '2026-01-01T00:00:00Z', subject: 'two hunks' });
    expect(first?.files).toEqual([
      { path: 'dir/x y.txt', before: blobA, after: blobB, binary: false, removedSealed: true, added: [{ line: 1, text: 'new one' }, { line: 2, text: '+plus at the start' }, { line: 11, text: 'eleven' }] },
      { path: 'café\t.env', before: null, after: blobA, binary: true, removedSealed: false, added: [] },
    ]);
    expect(second?.files).toEqual([]);
  });
});

describe('hooksFolder', () => {
  it('.git/hooks, or core.hooksPath when a team sets one (husky does)', async () => {
    const dir = tempDir();
    git(dir, ['init', '-q']);
    const { ctx } = actingAs(dir, null);
    expect(await hooksFolder(ctx, dir)).toBe(join(dir, '.git', 'hooks'));
    git(dir, ['config', 'core.hooksPath', '.githooks']);
    expect(await hooksFolder(ctx, dir)).toBe(join(dir, '.githooks'));
    expect(await hooksFolder(ctx, tempDir())).toBeNull();
  });
});

describe('commitPatches and stagedPaths, in a real repository', () => {
  it('every commit from HEAD, newest first; --since leaves out what it holds; odd names survive', async () => {
    const dir = tempDir();
    git(dir, ['init', '-q']);
    writeFileSync(join(dir, 'a b.txt'), 'one\ntwo\n');
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', 'first'], '2026-01-01T00:00:00Z');
    const first = git(dir, ['rev-parse', 'HEAD']);
    writeFileSync(join(dir, 'a b.txt'), 'one\n2\nthree\n');
    writeFileSync(join(dir, 'é"q.env'), 'K=v\n');
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', 'second'], '2026-01-02T00:00:00Z');
    const { ctx } = actingAs(dir, null);
    const all = await commitPatches(ctx, dir);
    expect(all.map((c) => c.subject)).toEqual(['second', 'first']);
    expect(all[0]?.files.map((f) => [f.path, f.added])).toEqual([
      ['a b.txt', [{ line: 2, text: '2' }, { line: 3, text: 'three' }]],
      ['é"q.env', [{ line: 1, text: 'K=v' }]],
    ]);
    expect((await commitPatches(ctx, dir, { since: first })).map((c) => c.subject)).toEqual(['second']);
    writeFileSync(join(dir, 'new.txt'), 'x\n');
    git(dir, ['add', 'new.txt']);
    git(dir, ['rm', '-q', 'a b.txt']);
    expect(await stagedPaths(ctx, dir)).toEqual(['new.txt']);
  });
});
