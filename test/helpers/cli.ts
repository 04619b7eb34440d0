/**
 * In-process CLI tests: main(argv, io) against a temporary folder, with captured output
 * and an environment that holds only what the test gives it (no identity of the machine).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { nodeFs } from '../../src/io/fs.js';
import { nodeHost } from '../../src/io/host.js';
import type { Fs, Io } from '../../src/io/io.js';
import { runCapture } from '../../src/io/terminal.js';
import { main } from '../../src/cli/main.js';
import { BIN } from './paths.js';

const made: string[] = [];

/** A fresh folder, removed after the test. */
export function tempDir(prefix = 'envseal-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const madeForSuite: string[] = [];

/** A fresh folder that lasts for the whole test file (for fixtures built in beforeAll). */
export function suiteDir(prefix = 'envseal-suite-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeForSuite.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of madeForSuite.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd: string;
  readonly env?: Record<string, string | undefined>;
  /** Standard input (not a terminal when given); bytes for input that is not UTF-8. */
  readonly stdin?: string | Uint8Array;
  readonly now?: Date;
  readonly prompt?: (question: string) => string | null;
  /** A filesystem with injected faults, say. */
  readonly fs?: Fs;
  readonly runInteractive?: Io['runInteractive'];
  readonly tempRoot?: string;
}

/** A minimal environment: HOME inside the test folder, so no real key file is ever found. */
export function isolatedEnv(cwd: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { PATH: process.env['PATH'], HOME: join(cwd, '.home'), ...extra };
}

export function testIo(options: CliOptions): { io: Io; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const env = options.env ?? isolatedEnv(options.cwd);
  const io: Io = {
    ...nodeHost({ env }),
    cwd: options.cwd,
    homedir: join(options.cwd, '.home'),
    stdout: { isTTY: false, write: (d) => void (out += typeof d === 'string' ? d : Buffer.from(d).toString('utf8')) },
    stderr: { isTTY: false, write: (d) => void (err += typeof d === 'string' ? d : Buffer.from(d).toString('utf8')) },
    stdin: { isTTY: options.stdin === undefined, read: async () => (typeof options.stdin === 'string' || options.stdin === undefined ? new Uint8Array(Buffer.from(options.stdin ?? '')) : new Uint8Array(options.stdin)) },
    fs: options.fs ?? nodeFs(),
    now: () => options.now ?? new Date(),
    prompt: async (question) => options.prompt?.(question) ?? null,
    runCommand(argv, extraEnv, opts) {
      return runCapture(argv, { ...this.env, ...extraEnv }, opts);
    },
    runInteractive: options.runInteractive ?? (async () => Promise.reject(Object.assign(new Error('no editor in tests'), { code: 'ENOENT' }))),
    privateTempRoot: options.tempRoot ?? tmpdir(),
    execPath: process.execPath,
    self: [process.execPath, BIN],
  };
  return { io, out: () => out, err: () => err };
}

/**
 * Part of every secret value of the hardening projects (helpers/project.ts). No run of the
 * suite may show it on stderr: errors, warnings and progress never carry a value.
 */
export const CANARY = 'cnry5e1f';

export async function cli(argv: readonly string[], options: CliOptions): Promise<CliResult> {
  const { io, out, err } = testIo(options);
  const code = await main(argv, io);
  if (err().includes(CANARY)) throw new Error(`a secret value reached stderr: envseal ${argv.join(' ')}\n${err()}`);
  return { code, stdout: out(), stderr: err() };
}
