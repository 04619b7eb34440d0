/**
 * The CLI's entry (README "Commands", "Exit codes"). The fast paths (fast.ts: `run … -- CMD`,
 * `scan --staged`) run without loading yargs; everything else goes through yargs (parser.ts),
 * loaded then. Errors become an exit code and a message in one place, fast.ts `guarded`.
 */
import type { Io } from '../io/io.js';
import { guarded, runFastPath } from './fast.js';

export async function main(argv: readonly string[], io: Io): Promise<number> {
  return guarded(argv, io, main, async (env, args) => {
    if (await runFastPath(env, args)) return;
    const { parseWithYargs } = await import('./parser.js');
    await parseWithYargs(args, env);
  });
}
