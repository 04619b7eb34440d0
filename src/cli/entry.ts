/** What bin/envseal.cjs needs, in one module for the bundle. */
export { main } from './main.js';
export { nodeIo, safeToExitNow } from '../io/io.js';
