/** The bundle for `envseal run … -- CMD` (dist/bundle/run.cjs; fast.ts). */
import { runHandler } from './commands/run.js';
import { fastKind, fastMain } from './fast.js';

export { nodeIo, safeToExitNow } from '../io/io.js';
export const takes = (argv: readonly string[]): boolean => fastKind(argv) === 'run';
export const main = fastMain('run', runHandler);
