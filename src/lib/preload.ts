/** What bin/config.cjs (node --import envseal/config) needs, in one module for the bundle. */
export { config } from './config-loader.js';
export { renderError } from '../cli/render.js';
