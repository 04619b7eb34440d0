/** The bundle for git's merge driver, `envseal git merge-driver O A B P` (dist/bundle/merge.cjs; fast.ts). */
import { runMergeDriver } from './commands/merge-driver.js';
import { fastKind, fastMain } from './fast.js';

export { nodeIo, safeToExitNow } from '../io/io.js';
export const takes = (argv: readonly string[]): boolean => fastKind(argv) === 'merge';
export const main = fastMain('merge', async (env, args) => {
  env.exitCode = await runMergeDriver(env, args);
});
