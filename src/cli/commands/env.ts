/** What a command module gets from main: the Io, a place for its exit code, and main itself. */
import type { Io } from '../../io/io.js';
import { makeCtx, type Ctx } from '../../ops/context.js';
import { printable } from '../../text.js';

export interface CommandEnv {
  readonly io: Io;
  /** Set by commands whose exit code is not simply 0 on success (`run`, batches). */
  exitCode: number;
  /** Runs another envseal command line (the demo tells its story with real commands). */
  readonly main: (argv: readonly string[], io: Io) => Promise<number>;
}

export function ctxFor(env: CommandEnv, configPath: string | undefined): Ctx {
  return makeCtx(env.io, configPath);
}

/** A status line for people, on stderr (stdout is kept for data); control characters escaped. */
export function say(env: CommandEnv, line: string): void {
  env.io.stderr.write(`${printable(line)}\n`);
}

/** The line that says which files of a plan git ignores (they are included all the same). */
export function sayIgnored(env: CommandEnv, ignored: readonly string[]): void {
  if (ignored.length > 0) say(env, `  including ${ignored.length === 1 ? 'a file' : `${ignored.length} files`} git ignores, which a rule covers: ${ignored.join(', ')}`);
}
