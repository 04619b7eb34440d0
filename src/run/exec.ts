/**
 * Running the child of `envseal run`: from argv with no shell, found on PATH, with the
 * environment given. The only module that spawns the user's command.
 *
 * Signals (PRODUCT.md §5): SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 reach the
 * child exactly once, and envseal never exits before the child does.
 *  - On a terminal the child stays in envseal's process group, so it can read the terminal;
 *    Ctrl-C and Ctrl-\ already reach it from the terminal, so SIGINT and SIGQUIT are not
 *    forwarded (that would deliver them twice). The other signals are forwarded.
 *  - Without a terminal (CI, a supervisor) the child gets its own process group and every
 *    signal is forwarded: a signal sent to envseal's whole group then still arrives once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { errnoCode } from '../errors.js';
import type { Sink } from './mask.js';

export const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;
const TERMINAL_SIGNALS = new Set<string>(['SIGINT', 'SIGQUIT']);

export interface ExecOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Whether envseal runs attached to a terminal (see the module comment). */
  readonly onTerminal: boolean;
  /** When set, the child's stdout/stderr are piped here instead of inherited (--mask). */
  readonly outputs?: { readonly stdout: Sink; readonly stderr: Sink; readonly transform: (stream: Readable, to: Sink) => Promise<void> };
}

export type ExecResult =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signaled'; readonly signal: NodeJS.Signals; readonly code: number }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'not-executable' }
  /** E2BIG: the arguments and environment pass the system's limit for a new process. */
  | { readonly kind: 'too-large' }
  /** Any other reason the system refused to start it (ENOEXEC, ELOOP…), by its error code. */
  | { readonly kind: 'cannot-start'; readonly reason: string };

export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

export function execChild(options: ExecOptions): Promise<ExecResult> {
  return new Promise((resolvePromise) => {
    let child: ChildProcess;
    const piped = options.outputs !== undefined;
    try {
      child = spawn(options.command, options.args, {
        env: options.env,
        cwd: options.cwd,
        stdio: ['inherit', piped ? 'pipe' : 'inherit', piped ? 'pipe' : 'inherit'],
        detached: !options.onTerminal && process.platform !== 'win32',
        windowsHide: false,
      });
    } catch (err) {
      resolvePromise(spawnFailure(err));
      return;
    }
    const handlers = new Map<NodeJS.Signals, () => void>();
    for (const signal of FORWARDED_SIGNALS) {
      const handler = (): void => {
        if (options.onTerminal && TERMINAL_SIGNALS.has(signal)) return;
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      };
      handlers.set(signal, handler);
      process.on(signal, handler);
    }
    const cleanup = (): void => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
    const pumps: Promise<void>[] = [];
    if (options.outputs !== undefined && child.stdout !== null && child.stderr !== null) {
      pumps.push(options.outputs.transform(child.stdout, options.outputs.stdout));
      pumps.push(options.outputs.transform(child.stderr, options.outputs.stderr));
    }
    let settled = false;
    child.on('error', (err) => {
      if (settled) return;
      settled = true;
      cleanup();
      resolvePromise(spawnFailure(err));
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      cleanup();
      void Promise.all(pumps).then(() => {
        if (signal !== null) resolvePromise({ kind: 'signaled', signal, code: signalExitCode(signal) });
        else resolvePromise({ kind: 'exited', code: code ?? 1 });
      });
    });
  });
}

function spawnFailure(err: unknown): ExecResult {
  const code = errnoCode(err);
  switch (code) {
    case 'ENOENT':
      return { kind: 'not-found' };
    case 'EACCES':
      return { kind: 'not-executable' };
    case 'E2BIG':
      return { kind: 'too-large' };
    default:
      return { kind: 'cannot-start', reason: code === '' ? 'unknown error' : code };
  }
}
