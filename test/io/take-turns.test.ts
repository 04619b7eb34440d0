/** Writers take turns (issue 10): a writer waits for the lock, says so after 2 s, and gives up naming the holder. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, lockPathFor } from '../../src/io/file-lock.js';
import { nodeFs } from '../../src/io/fs.js';
import { tempDir } from '../helpers/cli.js';

describe('taking turns on a file', () => {
  it('a second writer waits, says so once after 2 s, and goes on when the first is done', async () => {
    const target = join(tempDir(), 'a.env');
    const first = await acquireLock(target);
    const told: string[] = [];
    const started = Date.now();
    const second = acquireLock(target, { onWait: (holder) => told.push(holder) });
    setTimeout(() => void first.release(), 2600);
    const lock = await second;
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
    expect(told).toEqual([`another envseal (pid ${process.pid})`]);
    await lock.release();
  }, 10_000);

  it('past the bound: exit 7 naming the file and the holder, and the lock is left to its owner', async () => {
    const target = join(tempDir(), 'a.env');
    const first = await acquireLock(target);
    const err = await acquireLock(target, { waitMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 7, file: target, code: 'CONFLICT' });
    expect(String((err as Error).message)).toMatch(new RegExp(`still being written by another envseal \\(pid ${process.pid}\\)`));
    expect(readFileSync(lockPathFor(target), 'utf8')).toContain(String(process.pid));
    await first.release();
  });

  it('withLock makes read-change-write one turn: writes inside use the held lock', async () => {
    const dir = tempDir();
    const target = join(dir, 'count.txt');
    const fs = nodeFs({ lockWaitMs: 20_000 });
    await fs.writeFileAtomic(target, '0');
    const bump = () =>
      fs.withLock(target, async () => {
        const n = Number(Buffer.from(await fs.readFile(target)).toString());
        await new Promise((r) => setTimeout(r, 5));
        await fs.writeFileAtomic(target, String(n + 1), { expected: Buffer.from(String(n)) });
      });
    // Some start at once, some while others hold the lock: each waits for its own turn.
    await Promise.all(Array.from({ length: 20 }, (_, i) => new Promise((r) => setTimeout(r, i * 3)).then(bump)));
    expect(readFileSync(target, 'utf8')).toBe('20');
  });
});
