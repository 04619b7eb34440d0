/**
 * The filesystem as envseal uses it: reads, and writes that are atomic (a temporary file in
 * the same folder, fsync, rename, the original's mode kept) and take the file's lock
 * (file-lock.ts). Every failure becomes an {@link IoError} naming the file. The calls an
 * atomic write is made of are a parameter ({@link WriteSteps}), so tests inject faults
 * without mocks.
 */
import { accessSync, chmodSync, closeSync, constants as fsConstants, fchmod, fsync, lstatSync, mkdirSync, openSync, promises as fsp, readdirSync, readFileSync, rmSync, statSync, write as fsWrite } from 'node:fs';
import { AsyncLocalStorage } from 'node:async_hooks';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { errnoCode, IoError, toIoError } from '../errors.js';
import { acquireLock, processAlive, tempPathFor } from './file-lock.js';
import { UndoList, type Interrupts } from './interrupts.js';

export interface FileStat {
  readonly mode: number;
  readonly size: number;
  readonly mtimeMs: number;
  /** The owner's user id (-1 where the system has none, Windows). */
  readonly uid: number;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
}

export interface DirEntry {
  readonly name: string;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
}

export interface WriteOptions {
  /**
   * What the file held when it was read (null: it did not exist). The write stops with an
   * error instead of overwriting if the file changed since.
   */
  readonly expected?: Uint8Array | null;
  /** Mode for a new file. An existing file keeps its own mode unless `forceMode`. */
  readonly mode?: number;
  /** Apply `mode` even when the file exists (plaintext written on purpose is always 0600). */
  readonly forceMode?: boolean;
}

export interface Fs {
  /** The whole file: a view that may share a larger buffer (use byteOffset with `.buffer`). */
  readFile(path: string): Promise<Uint8Array>;
  stat(path: string): Promise<FileStat | null>;
  /**
   * Atomic replace: temp file in the same folder, fsync, rename; the original's mode kept.
   * Takes the file's lock for the moment of the check and the rename, unless this Fs already
   * holds it ({@link withLock}).
   */
  writeFileAtomic(path: string, data: string | Uint8Array, options?: WriteOptions): Promise<void>;
  /**
   * Holds the file's write lock while `work` runs, so a read-change-write is one turn: another
   * envseal writing the same file waits for it (up to 30 s, saying so after 2 s) instead of
   * failing. Writes to `path` inside `work` use the held lock.
   */
  withLock<T>(path: string, work: () => Promise<T>): Promise<T>;
  /** Creates a new file; fails if it exists. */
  writeNewFile(path: string, data: string | Uint8Array, mode: number): Promise<void>;
  appendFile(path: string, data: string, mode: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  mkdir(path: string, mode: number): Promise<void>;
  readdir(path: string): Promise<DirEntry[]>;
  /**
   * A new folder only this user can enter, for plaintext (`edit`'s temporary file, `demo`):
   * `<base>/envseal-<uid>/<name><pid>-XXXXXX` for `prefix` = `<base>/<name>`. The per-user
   * folder is made 0700 and checked (a real folder, ours, closed to others) before anything
   * goes in; folders of envseal processes that died are removed from it, and only from it.
   * The new folder is removed by `remove()` or, on a signal, by the signal handler (unless
   * `removeOnSignal: false`: a library in someone else's process installs no handler).
   */
  privateFolder(prefix: string, options?: { readonly removeOnSignal?: boolean }): Promise<PrivateFolder>;
  /**
   * Removes the folders {@link privateFolder} made for `prefix` whose envseal process is gone
   * (killed with SIGKILL, say), as privateFolder does before making one. Only inside this
   * user's own closed root, and only when that root exists: nothing is created, and a root
   * that is not ours is left alone.
   */
  removeAbandonedFolders(prefix: string): Promise<void>;
}

export interface PrivateFolder {
  readonly path: string;
  remove(): Promise<void>;
  /**
   * Runs `work` (a child process that uses the folder) with envseal's own signal handling
   * set aside, as for a program on the terminal: a signal is the child's business (run
   * passes it on) and does not remove the folder, which the caller removes once the child
   * is gone.
   */
  handOver<T>(work: () => Promise<T>): Promise<T>;
}

export interface NodeFsOptions {
  /** The calls an atomic write is made of (tests inject faults here). */
  readonly steps?: WriteSteps;
  /** Where undo steps go so a signal never leaves a temporary file, a lock or plaintext behind. */
  readonly interrupts?: Interrupts;
  /** How long a write waits for another envseal writing the same file (ms). */
  readonly lockWaitMs?: number;
  /** Told when a write has waited a while for another envseal (a line for stderr). */
  readonly onLockWait?: (message: string) => void;
}

/** A whole file as a plain Uint8Array: a view of what Node read (it may share a larger buffer), not a copy. */
export function readBytesSync(path: string): Uint8Array {
  const data = readFileSync(path);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function nodeFs(options: NodeFsOptions = {}): Fs {
  const steps = options.steps ?? realWriteSteps;
  const interrupts = options.interrupts ?? new UndoList();
  // The locks the current async context holds (withLock), so that writes inside it, and a
  // nested withLock of the same file, use the held lock instead of waiting for themselves,
  // while a concurrent turn in the same process still waits.
  const held = new AsyncLocalStorage<ReadonlySet<string>>();
  const holds = (path: string): boolean => held.getStore()?.has(path) === true;
  const lock = (path: string): ReturnType<typeof acquireLock> =>
    acquireLock(path, {
      waitMs: options.lockWaitMs,
      interrupts,
      onWait: (holder) => options.onLockWait?.(`waiting for ${holder}, which is writing ${path}…`),
    });
  return {
    // Reads, stats and the sweep's listing are synchronous underneath (the interface stays a
    // promise): reading a local file takes microseconds, while the first asynchronous call
    // starts libuv's thread pool and each costs a round trip through it, ~2 ms of every `run`
    // (issue 18's profile); `fs.promises` would also load a dozen more of Node's modules.
    async readFile(path) {
      try {
        return readBytesSync(path);
      } catch (err) {
        throw toIoError(err, 'read', path);
      }
    },
    async stat(path) {
      try {
        const s = statSync(path);
        return { mode: s.mode & 0o7777, size: s.size, mtimeMs: s.mtimeMs, uid: process.platform === 'win32' ? -1 : s.uid, isFile: s.isFile(), isDirectory: s.isDirectory() };
      } catch (err) {
        if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return null;
        throw toIoError(err, 'inspect', path);
      }
    },
    writeFileAtomic: (path, data, writeOptions) => atomicWrite({ steps, interrupts, lock: holds(path) ? null : lock }, path, data, writeOptions),
    async withLock(path, work) {
      if (holds(path)) return work();
      const taken = await lock(path);
      try {
        return await held.run(new Set([...(held.getStore() ?? []), path]), work);
      } finally {
        await taken.release().catch(() => undefined);
      }
    },
    async writeNewFile(path, data, mode) {
      let handle: fsp.FileHandle | undefined;
      try {
        handle = await fsp.open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, mode);
        await handle.writeFile(data);
        await handle.sync();
      } catch (err) {
        throw toIoError(err, 'create', path);
      } finally {
        await handle?.close();
      }
    },
    async appendFile(path, data, mode) {
      try {
        await fsp.appendFile(path, data, { mode, flush: true });
      } catch (err) {
        throw toIoError(err, 'write', path);
      }
    },
    async chmod(path, mode) {
      try {
        await fsp.chmod(path, mode);
      } catch (err) {
        throw toIoError(err, 'change the mode of', path);
      }
    },
    async mkdir(path, mode) {
      try {
        await fsp.mkdir(path, { recursive: true, mode });
      } catch (err) {
        throw toIoError(err, 'create folder', path);
      }
    },
    async readdir(path) {
      try {
        const entries = await fsp.readdir(path, { withFileTypes: true });
        return entries.map((e) => ({ name: e.name, isFile: e.isFile(), isDirectory: e.isDirectory() }));
      } catch (err) {
        throw toIoError(err, 'list', path);
      }
    },
    async privateFolder(prefix, folderOptions = {}) {
      const root = ownPrivateRoot(dirname(prefix), prefix);
      const name = basename(prefix);
      await sweepDeadFolders(root, name);
      let path: string;
      try {
        path = await fsp.mkdtemp(join(root, `${name}${process.pid}-`));
      } catch (err) {
        throw toIoError(err, 'create folder', join(root, name));
      }
      const forget = folderOptions.removeOnSignal === false ? () => undefined : interrupts.onInterrupt(() => rmSync(path, { recursive: true, force: true }));
      return {
        path,
        async remove() {
          await fsp.rm(path, { recursive: true, force: true });
          forget();
        },
        handOver(work) {
          forget();
          return interrupts.whileInteractive(work);
        },
      };
    },
    async removeAbandonedFolders(prefix) {
      const uid = process.getuid?.();
      if (uid === undefined) return;
      const root = join(dirname(prefix), `envseal-${uid}`);
      let stat;
      try {
        stat = lstatSync(root);
      } catch {
        return;
      }
      if (stat.isDirectory() && !stat.isSymbolicLink() && stat.uid === uid && (stat.mode & 0o077) === 0) await sweepDeadFolders(root, basename(prefix));
    },
  };
}

/**
 * This user's own folder under `base` (a folder others may write, such as /dev/shm or /tmp):
 * `envseal-<uid>`, created 0700. It must be a real folder (not a symbolic link), owned by this
 * user, and closed to others; one planted by someone else is refused, never used or deleted.
 * (Windows has no uid; its temporary folder is per user already.)
 */
function ownPrivateRoot(base: string, prefix: string): string {
  const uid = process.getuid?.();
  if (uid === undefined) return base;
  const root = join(base, `envseal-${uid}`);
  try {
    mkdirSync(root, { mode: 0o700 });
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw toIoError(err, 'create folder', prefix);
  }
  let stat = lstatSync(root);
  if (stat.isDirectory() && !stat.isSymbolicLink() && stat.uid === uid && (stat.mode & 0o077) !== 0) {
    chmodSync(root, 0o700); // ours, but left open (an old umask): close it before use
    stat = lstatSync(root);
  }
  if (!stat.isDirectory() || stat.isSymbolicLink() || stat.uid !== uid || (stat.mode & 0o077) !== 0) {
    throw new IoError('the private folder for plaintext is not this user\'s own closed folder; nothing was put in it', {
      file: root,
      hint: 'someone else made it: have it removed, or set XDG_RUNTIME_DIR to a folder only you can enter',
    });
  }
  return root;
}

/**
 * Private folders of envseal processes that no longer exist (killed with SIGKILL, or the
 * machine lost power while `edit` ran): their plaintext is removed by the next one. Only
 * inside this user's own root (see {@link ownPrivateRoot}), where nobody else can put or
 * swap anything; the folder names carry the pid, and a live process's folder stays.
 */
async function sweepDeadFolders(root: string, name: string): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const entry of names) {
    if (!entry.startsWith(name)) continue;
    const pid = Number(/^(\d+)-/.exec(entry.slice(name.length))?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    await fsp.rm(join(root, entry), { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * The filesystem calls an atomic write is made of. Tests replace single steps to inject
 * faults (ENOSPC on write, EIO on fsync, a failing rename) and check nothing is lost.
 */
export interface WriteSteps {
  /**
   * Creates the temporary file and returns its descriptor. Synchronous on purpose: a signal
   * handler runs between JavaScript turns, and must never miss a file whose creation is
   * still in flight on another thread.
   */
  open(path: string, flags: number, mode: number): number;
  write(fd: number, data: Uint8Array): Promise<void>;
  sync(fd: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

const fdWrite = promisify(fsWrite);

export const realWriteSteps: WriteSteps = {
  open: (path, flags, mode) => openSync(path, flags, mode),
  write: async (fd, data) => {
    for (let done = 0; done < data.length; ) done += (await fdWrite(fd, data, done, data.length - done)).bytesWritten;
  },
  sync: promisify(fsync),
  rename: (from, to) => fsp.rename(from, to),
};

/**
 * Replaces `path` atomically: a temporary file in the same folder, written, fsynced and
 * renamed over the original (whose mode it takes). On any failure the original is
 * untouched and the temporary file is removed. With `expected`, a file changed by someone
 * else since it was read is not overwritten: the check and the rename happen under the
 * file's lock (file-lock.ts), so two envseal writers cannot both pass it. A signal on the
 * way removes the temporary file and the lock (interrupts.ts).
 */
async function atomicWrite(
  how: { steps: WriteSteps; interrupts: Interrupts; lock: ((path: string) => ReturnType<typeof acquireLock>) | null },
  path: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  const { steps } = how;
  const dir = dirname(path);
  const temp = tempPathFor(path);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let mode = options.mode ?? 0o644;
  // A new file gets `mode` narrowed by the umask, as any program's new file; an existing one
  // keeps its own mode exactly, and plaintext written on purpose gets exactly `mode` (0600).
  let exact = options.forceMode === true;
  try {
    const current = await fsp.stat(path);
    // A file its owner made read-only was made so on purpose; renaming over it would ignore
    // that (and root writes anything), so envseal asks for the write bit instead.
    if ((current.mode & 0o200) === 0) {
      throw new IoError(`the file is read-only (mode ${(current.mode & 0o777).toString(8).padStart(4, '0')}); nothing was written`, { file: path, hint: `chmod u+w ${basename(path)} to let envseal change it` });
    }
    if (options.forceMode !== true) mode = current.mode & 0o7777;
    exact = true;
  } catch (err) {
    if (err instanceof IoError) throw err;
    if (errnoCode(err) !== 'ENOENT') throw toIoError(err, 'inspect', path);
  }
  const lock = how.lock === null ? null : await how.lock(path);
  let created = false;
  const forget = how.interrupts.onInterrupt(() => {
    if (created) rmSync(temp, { force: true });
  });
  let fd: number | undefined;
  try {
    fd = steps.open(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, mode);
    created = true;
    await steps.write(fd, bytes);
    if (exact) await fdChmod(fd, mode); // open() applied the umask; undo that where the mode must be exact
    await steps.sync(fd);
    closeSync(fd);
    fd = undefined;
    // Once, under the lock and right before the rename: no envseal can change the file now.
    await checkUnchanged(path, options.expected);
    await steps.rename(temp, path);
    created = false;
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    if (created) rmSync(temp, { force: true });
    if (err instanceof IoError) throw err;
    throw toIoError(err, 'write', path);
  } finally {
    await lock?.release().catch(() => undefined);
    forget();
  }
  await syncFolder(dir);
}

const fdChmod = promisify(fchmod);

async function checkUnchanged(path: string, expected: Uint8Array | null | undefined): Promise<void> {
  if (expected === undefined) return;
  let current: Uint8Array | null;
  try {
    current = new Uint8Array(await fsp.readFile(path));
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw toIoError(err, 'read', path);
    current = null;
  }
  const same = current === null || expected === null ? current === expected : Buffer.from(current).equals(expected);
  if (!same) {
    throw new IoError('the file was changed by someone else while envseal was working on it; nothing was written', {
      file: path,
      hint: 'run the command again',
    }, 'CONFLICT');
  }
}

async function syncFolder(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch {
    // Some filesystems cannot fsync a folder; the rename itself has already happened.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Where private temporary folders go: `$XDG_RUNTIME_DIR` (a per-user folder in memory, on
 * systemd machines), else /dev/shm when it is writable (memory: plaintext never reaches a
 * disk), else the OS temp folder. {@link ownPrivateRoot} makes a per-user folder inside it.
 */
export function memoryTempRoot(env: Readonly<Record<string, string | undefined>>): string {
  const runtime = env['XDG_RUNTIME_DIR'];
  for (const candidate of [runtime, '/dev/shm']) {
    if (candidate === undefined || !isAbsolute(candidate)) continue;
    try {
      accessSync(candidate, fsConstants.W_OK);
      return candidate;
    } catch {
      // not there or not writable: the next one
    }
  }
  return tmpdir();
}
