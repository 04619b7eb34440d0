/**
 * Programs and questions on the terminal: the editor of `edit` (which owns the terminal
 * while it runs), captured commands (git), and a one-line prompt with echo off.
 */
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import type { CommandResult, Env } from './host.js';
import { definedOnly } from './host.js';

export interface InteractiveResult {
  /** The program's exit code, or 128+n when it (or envseal) was stopped by signal n. */
  readonly code: number;
  /** Set when envseal itself received SIGTERM/SIGHUP while the program ran. */
  readonly interrupted: boolean;
}

export function runOnTerminal(argv: readonly string[], env: Env): Promise<InteractiveResult> {
  return new Promise((resolvePromise, reject) => {
    const [command, ...args] = argv;
    if (command === undefined) {
      reject(Object.assign(new Error('empty command'), { code: 'ENOENT' }));
      return;
    }
    let interrupted = false;
    const child = spawn(command, args, { env: definedOnly(env), stdio: 'inherit' });
    const ignore = (): void => undefined; // Ctrl-C reaches the editor through the terminal
    const forward = (signal: NodeJS.Signals) => (): void => {
      interrupted = true;
      child.kill(signal);
    };
    const onTerm = forward('SIGTERM');
    const onHup = forward('SIGHUP');
    process.on('SIGINT', ignore);
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', onHup);
    const cleanup = (): void => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
    };
    child.on('error', (err) => {
      cleanup();
      reject(err);
    });
    child.on('close', (code, signal) => {
      cleanup();
      resolvePromise({ code: signal !== null ? 128 + (osConstants.signals[signal] ?? 0) : (code ?? 1), interrupted });
    });
  });
}

export interface CaptureOptions {
  readonly quiet?: boolean | undefined;
  /** Written to the program's stdin (otherwise it gets none). */
  readonly input?: string | Uint8Array | undefined;
}

/** Runs a program (no shell) and captures its stdout; stderr passes through unless `quiet`. */
export function runCapture(argv: readonly string[], env: Env, options: CaptureOptions = {}): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const [command, ...args] = argv;
    if (command === undefined) {
      reject(new Error('empty command'));
      return;
    }
    const child = spawn(command, args, {
      env: definedOnly(env),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', options.quiet === true ? 'ignore' : 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.stdin?.on('error', () => undefined); // a program that exits without reading its input
    child.stdin?.end(options.input);
    child.on('close', (code) => {
      const raw = Buffer.concat(chunks);
      resolvePromise({ code: code ?? 1, stdout: raw.toString('utf8'), raw: new Uint8Array(raw) });
    });
  });
}

/** Reads one line from the terminal, echo off when `hidden`. Null without a terminal. */
export async function promptOnTerminal(question: string, hidden: boolean): Promise<string | null> {
  const stdin = process.stdin;
  if (stdin.isTTY !== true) return null;
  process.stderr.write(question);
  return new Promise((resolvePromise) => {
    let answer = '';
    const wasRaw = stdin.isRaw;
    stdin.setRawMode(true);
    stdin.resume();
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish(answer);
          return;
        }
        if (ch === '\u0003') {
          finish(null);
          return;
        }
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else {
          answer += ch;
          if (!hidden) process.stderr.write(ch);
        }
      }
    };
    const finish = (value: string | null): void => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      process.stderr.write('\n');
      resolvePromise(value);
    };
    stdin.on('data', onData);
  });
}

