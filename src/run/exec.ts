/**
 * Running the child of `envseal run`: from argv with no shell, found on PATH, with the
 * environment given. The only module that spawns the user's command.
 *
 * Signals (README "run"): SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 reach the
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
import { errnoCode, ExitCode, RunError } from '../errors.js';
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

/**
 * Why the system refused to start the command (E2BIG), never naming a value: Linux caps a
 * single variable at 128 KiB and the whole of the arguments and environment at a quarter of
 * the stack limit (2 MiB by default).
 */
function describeEnvSize(childEnv: Readonly<Record<string, string>>, argv: readonly string[]): string {
  const PER_STRING = 128 * 1024;
  let total = 0;
  let largest = '';
  let largestSize = 0;
  for (const [name, value] of Object.entries(childEnv)) {
    const size = Buffer.byteLength(name) + Buffer.byteLength(value) + 2;
    total += size;
    if (size > largestSize) {
      largest = name;
      largestSize = size;
    }
  }
  for (const arg of argv) total += Buffer.byteLength(arg) + 1;
  const kib = (n: number): string => `${Math.ceil(n / 1024)} KiB`;
  if (largestSize > PER_STRING) {
    return `the variable ${largest} is ${kib(largestSize)}, more than the ${kib(PER_STRING)} the system allows for one variable`;
  }
  const count = Object.keys(childEnv).length;
  return `its environment (${count} variables, ${kib(total)} with the arguments) is larger than the system allows for a new process`;
}

/** A command `run` could not start, as the error main renders (exit 126 or 127). */
export function startError(result: Extract<ExecResult, { kind: 'not-found' | 'not-executable' | 'too-large' | 'cannot-start' }>, command: string, childEnv: Readonly<Record<string, string>>, argv: readonly string[]): RunError {
  switch (result.kind) {
    case 'not-found':
      return new RunError(`command not found: ${command}`, ExitCode.commandNotFound, { hint: 'check the name and your PATH' });
    case 'not-executable':
      return new RunError(`cannot execute ${command}: permission denied`, ExitCode.cannotExecute, { hint: `make it executable (chmod +x ${command}) or run it through its interpreter` });
    case 'too-large':
      return new RunError(`cannot start ${command}: ${describeEnvSize(childEnv, argv)}`, ExitCode.cannotExecute, {
        hint: 'run the command with fewer of these files, or load large files from inside the program (envseal/config or the library)',
      });
    case 'cannot-start':
      return new RunError(`cannot start ${command} (${result.reason})`, ExitCode.cannotExecute);
  }
}
