/**
 * The part of the outside world that synchronous code needs: the environment, the platform,
 * whole-file reads, a file's mode, and running a program to capture its output. Identity
 * discovery and `config()` (which cannot await) work from a {@link Host}; the CLI's
 * {@link Io} is a Host plus the rest (streams, atomic writes, prompts), built by `nodeIo()`
 * from the same {@link nodeHost}, so the two paths cannot drift apart (for example in which
 * environment `SOPS_AGE_KEY_CMD` runs).
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { readBytesSync } from './fs.js';

/**
 * node:child_process takes ~5 ms to load, and `node --import envseal/config` needs it only
 * for SOPS_AGE_KEY_CMD: it is loaded on first use.
 */
function childProcess(): typeof import('node:child_process') {
  return createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  /** stdout as bytes (git blobs are not always text). */
  readonly raw?: Uint8Array;
}

export interface Host {
  readonly env: Env;
  readonly platform: NodeJS.Platform;
  readonly homedir: string;
  /** This process's user id; null where the system has none (Windows). */
  readonly uid: number | null;
  /**
   * Reads a whole file: a view that may share a larger buffer (use byteOffset with `.buffer`).
   * Throws the Node error (with its `code`: ENOENT, EACCES, …).
   */
  readFileSync(path: string): Uint8Array;
  /** The permission bits of a file, or null when it cannot be inspected. */
  fileModeSync(path: string): number | null;
  /**
   * Runs a program (no shell) in the host's environment plus `extraEnv` and captures its
   * stdout; its stderr passes through. Throws the spawn error when it cannot start.
   */
  runSync(argv: readonly string[], extraEnv: Readonly<Record<string, string>>, options?: RunSyncOptions): CommandResult;
}

export interface RunSyncOptions {
  /**
   * Run it in a session of its own, with no controlling terminal, so it cannot ask anything
   * (opening /dev/tty fails), and stop it after `timeoutMs`: the pre-commit guard's way of
   * running SOPS_AGE_KEY_CMD. (A program that asks through a window is not stopped by this.)
   */
  readonly noTerminal?: { readonly timeoutMs: number };
}

export interface HostOptions {
  /** The environment to use instead of process.env (tests, `config({ env })`). */
  readonly env?: Env | undefined;
}

export function nodeHost(options: HostOptions = {}): Host {
  const env = options.env ?? process.env;
  return {
    env,
    platform: process.platform,
    homedir: homedir(),
    uid: process.getuid?.() ?? null,
    readFileSync: readBytesSync,
    fileModeSync: (path) => {
      try {
        return statSync(path).mode & 0o7777;
      } catch {
        return null;
      }
    },
    // A method reading `this.env`: an Io made from this host with another environment
    // ({ ...io, env }) runs programs in that environment, not in this one.
    runSync(argv, extraEnv, options = {}) {
      const [command = '', ...args] = argv;
      const result = childProcess().spawnSync(command, args, {
        env: { ...definedOnly(this.env), ...extraEnv },
        stdio: ['ignore', 'pipe', 'inherit'],
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
        ...(options.noTerminal === undefined ? {} : { detached: true, timeout: options.noTerminal.timeoutMs, killSignal: 'SIGKILL' as const }),
      });
      if (result.error !== undefined) throw result.error;
      return { code: result.status ?? 1, stdout: result.stdout };
    },
  };
}

/** An environment object child processes accept (no undefined values). */
export function definedOnly(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}
