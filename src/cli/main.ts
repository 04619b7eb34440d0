/**
 * The CLI's entry (README "Commands", "Exit codes"). The fast paths (fast.ts: `run … -- CMD`,
 * `scan --staged`, the merge driver) run without loading yargs; everything else goes through
 * yargs (parser.ts), loaded then. Errors become an exit code and a message in one place,
 * fast.ts `guarded`.
 */
import type { Io } from '../io/io.js';
import { runMergeDriver } from './commands/merge-driver.js';
import { runHandler } from './commands/run.js';
import { scanHandler } from './commands/scan.js';
import { fastPathOf, guarded } from './fast.js';

export async function main(argv: readonly string[], io: Io): Promise<number> {
  return guarded(argv, io, main, async (env, args) => {
    const fast = fastPathOf(args);
    if (fast?.kind === 'run') return runHandler(env, fast.args);
    if (fast?.kind === 'scan') return scanHandler(env, fast.args);
    if (fast?.kind === 'merge') {
      env.exitCode = await runMergeDriver(env, fast.args);
      return;
    }
    const { parseWithYargs } = await import('./parser.js');
    await parseWithYargs(args, env);
  });
}
