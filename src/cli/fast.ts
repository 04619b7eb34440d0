/**
 * The command lines envseal runs without yargs: an ordinary `envseal run … -- CMD`, and the
 * pre-commit hook's `envseal scan --staged`, each parsed from its own flag table. They are
 * most of envseal's invocations, so they have their own bundle (dist/bundle/fast.cjs, chosen
 * by bin/envseal.cjs through `takes`): a third of the full CLI to load. main.ts runs the same
 * paths, so both bundles behave alike; everything else goes through yargs there.
 */
import { EnvsealError, ExitCode } from '../errors.js';
import type { Io } from '../io/io.js';
import type { CommandEnv } from './commands/env.js';
import { runHandler } from './commands/run.js';
import { parseRunArgv } from './commands/run-options.js';
import { scanHandler } from './commands/scan.js';
import { parseScanArgv } from './commands/scan-options.js';
import { expandAttachedValues } from './argv.js';
import { renderError } from './render.js';

export type Main = (argv: readonly string[], io: Io) => Promise<number>;

/** The one try/catch that turns errors into an exit code and a message (README "Exit codes"). */
export async function guarded(argv: readonly string[], io: Io, main: Main, body: (env: CommandEnv, args: string[]) => Promise<void>): Promise<number> {
  const env: CommandEnv = { io, exitCode: ExitCode.ok, main };
  try {
    await body(env, expandAttachedValues(argv));
    return env.exitCode;
  } catch (err) {
    io.stderr.write(renderError(err, io.cwd, io.env['ENVSEAL_DEBUG'] === '1'));
    return err instanceof EnvsealError ? err.exitCode : ExitCode.internal;
  }
}

/** Runs the command line when it is a fast path; false (having done nothing) when it is not. */
export async function runFastPath(env: CommandEnv, args: readonly string[]): Promise<boolean> {
  const run = args[0] === 'run' ? parseRunArgv(args.slice(1)) : null;
  if (run !== null) {
    await runHandler(env, run);
    return true;
  }
  const scan = args[0] === 'scan' ? parseScanArgv(args.slice(1)) : null;
  if (scan !== null) {
    await scanHandler(env, scan);
    return true;
  }
  return false;
}

/** Whether the fast bundle runs this command line (a pure check: nothing is read or written). */
export function takes(argv: readonly string[]): boolean {
  try {
    const args = expandAttachedValues(argv);
    return (args[0] === 'run' && parseRunArgv(args.slice(1)) !== null) || (args[0] === 'scan' && parseScanArgv(args.slice(1)) !== null);
  } catch {
    return false; // the full CLI reports the problem, in the same words
  }
}
