/** What a command module gets from main: the Io, and a place to put its exit code. */
import type { Io } from '../../io/io.js';
import { makeCtx, type Ctx } from '../../ops/context.js';

export interface CommandEnv {
  readonly io: Io;
  /** Set by commands whose exit code is not simply 0 on success (`run`). */
  exitCode: number;
}

export function ctxFor(env: CommandEnv, configPath: string | undefined): Ctx {
  return makeCtx(env.io, configPath);
}

/** A status line for people, on stderr (stdout is kept for data). */
export function say(env: CommandEnv, line: string): void {
  env.io.stderr.write(`${line}\n`);
}
