/**
 * The command lines envseal runs without yargs, each parsed from its own flag table: an
 * ordinary `envseal run … -- CMD`, the pre-commit hook's `envseal scan --staged`, and the
 * merge driver git runs (`envseal git merge-driver O A B P`). They are most of envseal's
 * invocations, so each has its own small bundle (dist/bundle/run.cjs, scan.cjs, merge.cjs,
 * from fast-*.ts), chosen by bin/envseal.cjs through `takes`; main.ts runs the same paths
 * the same way, and everything else through yargs.
 */
import { EnvsealError, ExitCode } from '../errors.js';
import type { Io } from '../io/io.js';
import type { CommandEnv } from './commands/env.js';
import { parseRunArgv, type RunArgs } from './commands/run-options.js';
import { parseScanArgv, type ScanArgs } from './commands/scan-options.js';
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

export interface MergeDriverArgs {
  readonly base: string;
  readonly ours: string;
  readonly theirs: string;
  readonly path: string;
}

interface FastArgs {
  readonly run: RunArgs;
  readonly scan: ScanArgs;
  readonly merge: MergeDriverArgs;
}

export type FastPath = { [K in keyof FastArgs]: { readonly kind: K; readonly args: FastArgs[K] } }[keyof FastArgs];

/** The fast path a command line (attached values already expanded) takes, or null. */
export function fastPathOf(args: readonly string[]): FastPath | null {
  const run = args[0] === 'run' ? parseRunArgv(args.slice(1)) : null;
  if (run !== null) return { kind: 'run', args: run };
  const scan = args[0] === 'scan' ? parseScanArgv(args.slice(1)) : null;
  if (scan !== null) return { kind: 'scan', args: scan };
  const merge = mergeDriverArgs(args);
  return merge === null ? null : { kind: 'merge', args: merge };
}

/** `git merge-driver BASE OURS THEIRS PATH` as git writes it: four words, none an option. */
function mergeDriverArgs(args: readonly string[]): MergeDriverArgs | null {
  if (args[0] !== 'git' || args[1] !== 'merge-driver' || args.length !== 6) return null;
  const [base, ours, theirs, path] = args.slice(2) as [string, string, string, string];
  return [base, ours, theirs, path].some((a) => a.startsWith('-')) ? null : { base, ours, theirs, path };
}

/** Which fast path, if any, a bundle entry takes (a pure check: nothing is read or written). */
export function fastKind(argv: readonly string[]): FastPath['kind'] | null {
  try {
    return fastPathOf(expandAttachedValues(argv))?.kind ?? null;
  } catch {
    return null; // the full CLI reports the problem, in the same words
  }
}

/**
 * A bundle entry's `main`: runs its one fast path. bin/envseal.cjs asks `takes` first, so
 * anything else here is a bug, reported as one.
 */
export function fastMain<K extends keyof FastArgs>(kind: K, handler: (env: CommandEnv, args: FastArgs[K]) => Promise<void>): Main {
  const main: Main = (argv, io) =>
    guarded(argv, io, main, async (env, args) => {
      const path = fastPathOf(args);
      if (path?.kind !== kind) throw new TypeError(`the ${kind} bundle was given another command line`);
      await handler(env, path.args as FastArgs[K]);
    });
  return main;
}
