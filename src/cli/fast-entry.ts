/**
 * What bin/envseal.cjs needs from the fast bundle (dist/bundle/fast.cjs): `takes` decides,
 * and `main` runs only the fast paths. A command line it does not take goes to the full
 * bundle untouched, so no object ever passes from one bundle to the other.
 */
import type { Io } from '../io/io.js';
import { UsageError } from '../errors.js';
import { guarded, runFastPath } from './fast.js';

export { nodeIo } from '../io/io.js';
export { takes } from './fast.js';

export async function main(argv: readonly string[], io: Io): Promise<number> {
  return guarded(argv, io, main, async (env, args) => {
    if (!(await runFastPath(env, args))) throw new UsageError('not a command line the fast bundle runs (bin/envseal.cjs asks `takes` first)');
  });
}
