/** The write lock (file-lock.ts) and the undo steps run on a signal (interrupts.ts). */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IoError } from '../../src/errors.js';
import { acquireLock, lockPathFor } from '../../src/io/file-lock.js';
import { UndoList } from '../../src/io/interrupts.js';
import { REPO } from '../helpers/paths.js';
import { tempDir } from '../helpers/cli.js';

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('the write lock', () => {
  it('lets one writer in at a time; the next gets it once released', async () => {
    const target = join(tempDir(), 'a.env');
    const first = await acquireLock(target);
    expect(readFileSync(lockPathFor(target), 'utf8')).toBe(`${process.pid} ${hostname()}\n`);
    let second = false;
    const waiting = acquireLock(target).then((l) => {
      second = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 80));
    expect(second).toBe(false);
    await first.release();
    await (await waiting).release();
    expect(second).toBe(true);
    expect(existsSync(lockPathFor(target))).toBe(false);
  });

  it('gives up on a live holder with an error naming the file and the lock', async () => {
    const target = join(tempDir(), 'a.env');
    writeFileSync(lockPathFor(target), `${process.ppid} ${hostname()}\n`);
    const err = await acquireLock(target, { waitMs: 150 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).file).toBe(target);
    expect((err as IoError).exitCode).toBe(7);
    expect((err as IoError).message).toContain(`pid ${process.ppid}`);
    expect((err as IoError).hint).toContain(lockPathFor(target));
  });

  it('takes over the lock of a dead process and removes its temporary file', async () => {
    const dir = tempDir();
    const target = join(dir, 'a.env');
    const pid = deadPid();
    writeFileSync(lockPathFor(target), `${pid} ${hostname()}\n`);
    const stale = join(dir, `.a.env.envseal-${pid}-0123456789ab.tmp`);
    const someoneElses = join(dir, `.a.env.envseal-${process.pid}-0123456789ab.tmp`);
    writeFileSync(stale, 'half a file');
    writeFileSync(someoneElses, 'in progress');
    const lock = await acquireLock(target, { waitMs: 0 });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(someoneElses)).toBe(true);
    await lock.release();
  });

  it('an empty lock is a writer about to fill it, unless it has been empty for seconds', async () => {
    const target = join(tempDir(), 'a.env');
    writeFileSync(lockPathFor(target), '');
    await expect(acquireLock(target, { waitMs: 100 })).rejects.toThrow(/being written by another envseal/);
    const old = (Date.now() - 5_000) / 1000;
    utimesSync(lockPathFor(target), old, old);
    await (await acquireLock(target, { waitMs: 0 })).release();
  });

  it("trusts another machine's lock until it is older than any write could take", async () => {
    const target = join(tempDir(), 'a.env');
    writeFileSync(lockPathFor(target), `${deadPid()} some-other-host\n`);
    await expect(acquireLock(target, { waitMs: 100 })).rejects.toThrow(/on some-other-host/);
    const old = (Date.now() - 11 * 60_000) / 1000;
    utimesSync(lockPathFor(target), old, old);
    await (await acquireLock(target, { waitMs: 0 })).release();
  });
});

describe('undo steps on a signal', () => {
  it('run newest first, all of them even when one fails, and only once', () => {
    const undo = new UndoList();
    const ran: string[] = [];
    undo.onInterrupt(() => ran.push('first'));
    const forget = undo.onInterrupt(() => ran.push('forgotten'));
    undo.onInterrupt(() => {
      throw new Error('fails');
    });
    undo.onInterrupt(() => ran.push('last'));
    forget();
    undo.interrupt();
    undo.interrupt();
    expect(ran).toEqual(['last', 'first']);
    expect(undo.size).toBe(0);
  });

  it('a real SIGTERM runs them, then ends the process by that signal; an editor on the terminal keeps them back', async () => {
    const dir = tempDir();
    const marker = join(dir, 'cleaned');
    const script = `
      const { processInterrupts } = await import(${JSON.stringify(join(REPO, 'dist', 'io', 'interrupts.js'))});
      const { writeFileSync } = await import('node:fs');
      const interrupts = processInterrupts(process);
      interrupts.onInterrupt(() => writeFileSync(${JSON.stringify(marker)}, 'yes'));
      if (process.argv[1] === 'interactive') {
        await interrupts.whileInteractive(() => new Promise((r) => { process.kill(process.pid, 'SIGINT'); setTimeout(r, 100); }));
        console.log('survived');
        process.exit(0);
      }
      process.kill(process.pid, 'SIGTERM');
      setTimeout(() => console.log('still alive'), 1000);
    `;
    const run = (mode: string): Promise<{ code: number | null; signal: string | null; out: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code, signal) => resolve({ code, signal, out }));
      });
    expect(await run('plain')).toEqual({ code: null, signal: 'SIGTERM', out: '' });
    expect(readFileSync(marker, 'utf8')).toBe('yes');
    writeFileSync(marker, 'no');
    expect(await run('interactive')).toEqual({ code: 0, signal: null, out: 'survived\n' });
    expect(readFileSync(marker, 'utf8')).toBe('no');
  });
});
