/** The bundle for the pre-commit guard, `envseal scan --staged` (dist/bundle/scan.cjs; fast.ts). */
import { scanHandler } from './commands/scan.js';
import { fastKind, fastMain } from './fast.js';

export { nodeIo, safeToExitNow } from '../io/io.js';
export const takes = (argv: readonly string[]): boolean => fastKind(argv) === 'scan';
export const main = fastMain('scan', scanHandler);
