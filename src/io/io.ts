/**
 * The outside world, passed in: one seam. Commands and operations receive an {@link Io};
 * only `nodeIo()` (and the entry points that call it) touches `process` and the real
 * filesystem. An Io is a {@link Host} (what synchronous code such as identity discovery
 * needs) plus streams, the filesystem with atomic writes, the clock, prompts and programs on
 * the terminal. Tests build an Io around a temporary folder and captured output.
 */
import { isatty } from 'node:tty';
import { memoryTempRoot, nodeFs, type Fs } from './fs.js';
import { nodeHost, type CommandResult, type Env, type Host } from './host.js';
import { processInterrupts, SIGNALS } from './interrupts.js';
import { promptOnTerminal, runCapture, runOnTerminal, type CaptureOptions, type InteractiveResult } from './terminal.js';

export type { Fs, FileStat, DirEntry, WriteOptions, PrivateFolder, WriteSteps } from './fs.js';
export type { CommandResult, Env, Host } from './host.js';
export type { InteractiveResult } from './terminal.js';

export interface Output {
  write(data: string | Uint8Array): void;
  readonly isTTY: boolean;
}

export interface Input {
  readonly isTTY: boolean;
  /** Reads all of stdin. */
  read(): Promise<Uint8Array>;
}

export interface Io extends Host {
  readonly cwd: string;
  readonly stdout: Output;
  readonly stderr: Output;
  readonly stdin: Input;
  readonly fs: Fs;
  now(): Date;
  /** Asks on the terminal; null when there is no terminal. `hidden` turns echo off. */
  prompt(question: string, options?: { hidden?: boolean }): Promise<string | null>;
  /** Runs a program and captures its stdout. Its stderr passes through unless `quiet`; `input` goes to its stdin. */
  runCommand(argv: readonly string[], extraEnv: Readonly<Record<string, string>>, options?: CaptureOptions): Promise<CommandResult>;
  /**
   * Runs a program on the terminal (an editor) and waits for it. Ctrl-C goes to the program,
   * not to envseal; SIGTERM/SIGHUP are passed on to it. Rejects with code ENOENT when the
   * program does not exist.
   */
  runInteractive(argv: readonly string[]): Promise<InteractiveResult>;
  /** Where private temporary files go: a memory-backed folder when there is one. */
  readonly privateTempRoot: string;
  /** The Node.js binary running envseal (the demo starts its sample app with it). */
  readonly execPath: string;
  /**
   * How to start this very envseal again, not depending on PATH: the Node.js binary and the
   * script (git's merge driver and hooks run it). Empty when unknown (a library caller).
   */
  readonly self: readonly string[];
}

export interface NodeIoOptions {
  readonly cwd?: string | undefined;
  readonly env?: Env | undefined;
  /** The script that started envseal (bin/envseal.cjs passes its own path). */
  readonly script?: string | undefined;
}

/** The standard streams this process has written to (see {@link safeToExitNow}). */
const writtenTo = new Set<NodeJS.WriteStream>();

function writeTo(stream: NodeJS.WriteStream, data: string | Uint8Array): void {
  writtenTo.add(stream);
  stream.write(data);
}

/**
 * Whether bin/envseal.cjs may end the process at once when a command has finished, skipping
 * the heap's teardown (~5 ms; bench/RESULTS.md): nothing written is still waiting to be
 * flushed, no write failed (a full disk or a closed pipe must still reach its error and exit
 * code, which Node reports a turn later), and no interrupt handler is installed (a signal
 * received during the last step must still end the process with 128+n: processInterrupts
 * keeps its handlers for two more turns). Streams never written to are not touched: creating
 * process.stdout costs milliseconds.
 */
export function safeToExitNow(): boolean {
  for (const stream of writtenTo) if (stream.writableLength > 0 || stream.errored !== null) return false;
  return SIGNALS.every((signal) => process.listenerCount(signal) === 0);
}

/** The real world. Only the entry points (bin/, the library) call this. */
export function nodeIo(options: NodeIoOptions = {}): Io {
  const host = nodeHost({ env: options.env });
  const interrupts = processInterrupts(process);
  const say = (line: string): void => writeTo(process.stderr, `envseal: ${line}\n`);
  return {
    ...host,
    cwd: options.cwd ?? process.cwd(),
    // isatty() instead of process.stdin.isTTY: creating the stdin stream costs ~3 ms of every run.
    stdout: { write: (data) => writeTo(process.stdout, data), isTTY: isatty(1) },
    stderr: { write: (data) => writeTo(process.stderr, data), isTTY: isatty(2) },
    stdin: {
      isTTY: isatty(0),
      async read() {
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
        return new Uint8Array(Buffer.concat(chunks));
      },
    },
    fs: nodeFs({ interrupts, onLockWait: say }),
    now: () => new Date(),
    prompt: (question, opts) => promptOnTerminal(question, opts?.hidden === true),
    // Methods reading `this.env`, as the host's runSync does (see there).
    runCommand(argv, extraEnv, opts) {
      return runCapture(argv, { ...this.env, ...extraEnv }, opts);
    },
    runInteractive(argv) {
      return interrupts.whileInteractive(() => runOnTerminal(argv, this.env));
    },
    privateTempRoot: memoryTempRoot(host.env),
    execPath: process.execPath,
    self: options.script === undefined ? [] : [process.execPath, options.script],
  };
}
