/** What every operation gets: the outside world and a place for warnings. */
import type { Host } from '../io/host.js';
import type { Io } from '../io/io.js';
import { printable } from '../text.js';

/** What the synchronous path (`config()`) has: a Host, a folder, and warnings. */
export interface SyncCtx {
  readonly host: Host;
  readonly cwd: string;
  /** Prints a warning (never containing a secret value) on stderr. */
  warn(message: string): void;
}

export interface Ctx extends SyncCtx {
  readonly io: Io;
  /** `--config`, when given. */
  readonly configPath?: string | undefined;
}

export function makeCtx(io: Io, configPath?: string): Ctx {
  return {
    io,
    host: io,
    cwd: io.cwd,
    configPath,
    warn: (message) => io.stderr.write(`envseal: warning: ${printable(message)}\n`),
  };
}
