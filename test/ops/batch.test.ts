/** Applying a plan file by file (src/ops/batch.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, NoIdentityError } from '../../src/errors.js';
import { applyToFiles, pooled } from '../../src/ops/batch.js';
import { loadFile, type LoadedFile } from '../../src/ops/load.js';
import { tempDir } from '../helpers/cli.js';
import { actingAs } from '../helpers/ops.js';

async function planned(dir: string, names: string[]): Promise<Array<{ file: LoadedFile }>> {
  const { ctx } = actingAs(dir, null);
  for (const name of names) writeFileSync(join(dir, name), `${name.toUpperCase().replace(/\W/g, '_')}=1\n`);
  return Promise.all(names.map(async (name) => ({ file: await loadFile(ctx, name) })));
}

describe('applyToFiles', () => {
  it('sorts files into done, unopened and failed; a file needing no change is in none', async () => {
    const dir = tempDir();
    const plan = await planned(dir, ['c.env', 'a.env', 'locked.env', 'broken.env', 'same.env']);
    const { ctx } = actingAs(dir, null);
    const outcome = await applyToFiles(ctx, plan, async (item) => {
      switch (item.file.display) {
        case 'locked.env':
          throw new NoIdentityError('no identity', [], []);
        case 'broken.env':
          throw new ConfigError('no rule');
        case 'same.env':
          return null;
        default:
          return `${item.file.display} was rewritten\n`;
      }
    });
    expect(outcome.done).toEqual(['a.env', 'c.env']);
    expect(outcome.unopened).toEqual(['locked.env']);
    expect(outcome.failed.map((f) => [f.file, f.error.message])).toEqual([['broken.env', 'no rule']]);
    expect(readFileSync(join(dir, 'a.env'), 'utf8')).toBe('a.env was rewritten\n');
    expect(readFileSync(join(dir, 'same.env'), 'utf8')).toBe('SAME_ENV=1\n');
    expect(readFileSync(join(dir, 'broken.env'), 'utf8')).toBe('BROKEN_ENV=1\n');
  });

  it('an error that is not an EnvsealError is a bug: it stops the batch', async () => {
    const dir = tempDir();
    const plan = await planned(dir, ['a.env']);
    await expect(applyToFiles(actingAs(dir, null).ctx, plan, async () => { throw new TypeError('bug'); })).rejects.toThrow(TypeError);
  });

  it('works from the file as it is now: the planned copy when unchanged, re-read when changed meanwhile', async () => {
    const dir = tempDir();
    const plan = await planned(dir, ['kept.env', 'changed.env']);
    writeFileSync(join(dir, 'changed.env'), 'CHANGED_ENV=2\nADDED=3\n');
    const seen = new Map<string, LoadedFile>();
    await applyToFiles(actingAs(dir, null).ctx, plan, async (item, current) => {
      seen.set(item.file.display, current);
      return null;
    });
    expect(seen.get('kept.env')).toBe(plan[0]?.file);
    const changed = seen.get('changed.env') as LoadedFile;
    expect(changed).not.toBe(plan[1]?.file);
    expect(Buffer.from(changed.bytes as Uint8Array).toString()).toBe('CHANGED_ENV=2\nADDED=3\n');
    expect(changed.parsed.docs[0]?.items.filter((i) => i.kind === 'entry')).toHaveLength(2);
  });

  it('shows progress only on a terminal, and clears the line at the end', async () => {
    const dir = tempDir();
    const plan = await planned(dir, ['a.env', 'b.env']);
    const { ctx, err: plainErr } = actingAs(dir, null);
    let err = '';
    const tty = { ...ctx, io: { ...ctx.io, stderr: { isTTY: true, write: (d: string | Uint8Array) => void (err += String(d)) } } };
    await applyToFiles(tty, plan, async () => null);
    expect(err).toMatch(/^\r {2}1\/2 [ab]\.env {45}\r {2}2\/2 [ab]\.env {45}\r\x1b\[K$/);
    await applyToFiles(ctx, plan, async () => null);
    expect(plainErr()).toBe('');
  });
});

describe('pooled', () => {
  it('runs at most `limit` at once and keeps the order of results', async () => {
    let running = 0;
    let most = 0;
    const results = await pooled([5, 1, 4, 2, 3, 0], 2, async (n, i) => {
      running += 1;
      most = Math.max(most, running);
      for (let k = 0; k < n; k++) await Promise.resolve();
      running -= 1;
      return `${i}:${n}`;
    });
    expect(results).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0']);
    expect(most).toBe(2);
    expect(await pooled([], 8, async () => 1)).toEqual([]);
  });
});
