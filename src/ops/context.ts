/** What every operation gets: the outside world and a place for warnings. */
import type { Io } from '../io/io.js';

export interface Ctx {
  readonly io: Io;
  /** Prints a warning (never containing a secret value) on stderr. */
  warn(message: string): void;
  /** `--config`, when given. */
  readonly configPath?: string | undefined;
}

export function makeCtx(io: Io, configPath?: string): Ctx {
  return {
    io,
    configPath,
    warn: (message) => io.stderr.write(`envseal: warning: ${message}\n`),
  };
}
