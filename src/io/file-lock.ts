/**
 * A lock per file for the moment envseal replaces it: `.NAME.envseal-lock` in the same
 * folder, created with O_EXCL (so exactly one process wins), holding `pid host`. Under the
 * lock the writer checks the file is still what it read, then renames its new version in:
 * two `set` at once can no longer both pass the check and lose one update.
 *
 * A lock left by a crashed envseal (kill -9, power loss) is recognised and taken over: its
 * process is gone (same host), or it is older than any write could take. Its temporary file
 * is removed at the same time. Otherwise a writer waits its turn: up to 30 s, saying so
 * after 2 s, then it gives up with an error naming the file and the holder.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, promises as fsp, constants as fsConstants, openSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describeFsError, errnoCode, fsErrorHint, IoError } from '../errors.js';
import type { Interrupts } from './interrupts.js';

export interface FileLock {
  readonly path: string;
  release(): Promise<void>;
}

export interface LockOptions {
  /** Where the undo step goes that removes the lock if envseal is stopped by a signal. */
  readonly interrupts?: Interrupts;
  /** How long to wait for another writer (ms). Default 30 s. */
  readonly waitMs?: number;
  /** Called once when the wait passes {@link SAY_WAITING_AFTER_MS}, with who holds the lock. */
  readonly onWait?: (holder: string) => void;
  /** A lock older than this is abandoned whatever its owner (ms). */
  readonly staleMs?: number;
}

export function lockPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.envseal-lock`);
}

/** Temporary files of writers to `target` are named with this prefix and their pid. */
function tempPrefixFor(target: string): string {
  return `.${basename(target)}.envseal-`;
}

/** A new temporary file name next to `target` for this process: `.NAME.envseal-PID-RANDOM.tmp`. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `${tempPrefixFor(target)}${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

/** A writer that has waited this long says so (a script or a second terminal is in the way). */
const SAY_WAITING_AFTER_MS = 2_000;

export async function acquireLock(target: string, options: LockOptions = {}): Promise<FileLock> {
  const path = lockPathFor(target);
  const waitMs = options.waitMs ?? 30_000;
  let said = false;
  const staleMs = options.staleMs ?? 10 * 60_000;
  const me = `${process.pid} ${hostname()}\n`;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    // Created synchronously, so a signal handler (which runs between JavaScript turns) sees
    // either no lock or a complete one of ours, never an open still in flight.
    let created = false;
    const forget = options.interrupts?.onInterrupt(() => {
      if (created) rmSync(path, { force: true });
    });
    try {
      const fd = openSync(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
      created = true;
      try {
        writeSync(fd, me);
      } finally {
        closeSync(fd);
      }
      return held(path, forget);
    } catch (err) {
      if (created) rmSync(path, { force: true });
      forget?.();
      if (errnoCode(err) !== 'EEXIST') throw lockError(err, target);
    }
    const holder = await readHolder(path);
    if (holder !== null && (await isAbandoned(holder, staleMs))) {
      await takeOver(path, holder, target);
      continue;
    }
    const waited = Date.now() - started;
    const who = holder === null ? 'another envseal' : `another envseal (pid ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`})`;
    if (waited >= waitMs) {
      throw new IoError(`the file is still being written by ${who} after ${Math.round(waitMs / 1000)} s; nothing was written`, {
        file: target,
        hint: `run the command again once it is done; if no envseal is running, delete ${path}`,
      }, 'CONFLICT');
    }
    if (!said && waited >= SAY_WAITING_AFTER_MS) {
      said = true;
      options.onWait?.(who);
    }
    await sleep(Math.min(200, 10 * 2 ** Math.min(attempt, 5)) + Math.random() * 10);
  }
}

function held(path: string, forget: (() => void) | undefined): FileLock {
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      await fsp.rm(path, { force: true });
      forget?.();
    },
  };
}

interface Holder {
  readonly text: string;
  readonly pid: number;
  readonly host: string;
  readonly mtimeMs: number;
}

async function readHolder(path: string): Promise<Holder | null> {
  try {
    const [text, stat] = await Promise.all([fsp.readFile(path, 'utf8'), fsp.stat(path)]);
    const [pid = '', host = ''] = text.trim().split(' ');
    return { text, pid: Number(pid), host, mtimeMs: stat.mtimeMs };
  } catch {
    return null; // released meanwhile, or being written: look again
  }
}

/** A writer fills its lock right after creating it: one still empty after this was abandoned. */
const FILL_MS = 2_000;

async function isAbandoned(holder: Holder, staleMs: number): Promise<boolean> {
  const age = Date.now() - holder.mtimeMs;
  if (age > staleMs) return true;
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return age > FILL_MS;
  if (holder.host !== hostname()) return false;
  return !processAlive(holder.pid);
}

/**
 * Moves the abandoned lock aside before deleting it, and checks it was the one judged
 * abandoned: two writers may find the same dead lock, and only one may take it over. The
 * loser put back what it moved if that was a live writer's new lock.
 */
async function takeOver(path: string, holder: Holder, target: string): Promise<void> {
  const aside = `${path}.${randomBytes(4).toString('hex')}`;
  try {
    await fsp.rename(path, aside);
  } catch {
    return; // someone else took it over first
  }
  const moved = await fsp.readFile(aside, 'utf8').catch(() => '');
  if (moved !== holder.text) {
    await fsp.link(aside, path).catch(() => undefined);
    await fsp.rm(aside, { force: true });
    return;
  }
  await fsp.rm(aside, { force: true });
  await removeTempFilesOf(target, holder.pid);
}

/** The temporary file a crashed writer left next to `target` (named with its pid). */
async function removeTempFilesOf(target: string, pid: number): Promise<void> {
  const prefix = `${tempPrefixFor(target)}${pid}-`;
  const names = await fsp.readdir(dirname(target)).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) await fsp.rm(join(dirname(target), name), { force: true });
  }
}

/** Whether a process with this pid exists (EPERM: it does, but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) !== 'ESRCH';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Why the lock file could not be made: the folder is missing or not writable, as a person would say it. */
function lockError(err: unknown, target: string): IoError {
  return new IoError(`cannot write the file: ${describeFsError(err)}`, { file: target, cause: err, hint: fsErrorHint(errnoCode(err), 'write', target) });
}
