// Loads one of the bundles in dist/bundle (built by `npm run build`). When the build left a
// V8 code cache beside it (NAME.cjs.cache, scripts/code-cache.cjs), the bundle is compiled
// from that cache instead of being parsed again: most of envseal's own start-up is compiling
// its bundle. A cache V8 does not accept (another Node version, a rebuilt bundle) is ignored
// and the bundle is compiled as usual, so a stale cache costs a file read, never correctness.
'use strict';
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

function bundlePath(name) {
  return join(__dirname, '..', 'dist', 'bundle', `${name}.cjs`);
}

/**
 * Compiles and runs the bundle as a CommonJS module; returns its exports and the compiled
 * script. The bundle's text is already the module wrapper function (scripts/bundle.mjs).
 */
function compileBundle(name, cachedData) {
  const filename = bundlePath(name);
  const script = new Script(readFileSync(filename, 'utf8'), { filename, cachedData });
  const module = { exports: {}, filename, id: filename, loaded: false };
  script.runInThisContext()(module.exports, createRequire(filename), module, filename, dirname(filename));
  module.loaded = true;
  return { exports: module.exports, script };
}

function loadBundle(name) {
  let cachedData;
  try {
    cachedData = readFileSync(`${bundlePath(name)}.cache`);
  } catch {
    cachedData = undefined; // compiled from its text alone
  }
  return compileBundle(name, cachedData).exports;
}

module.exports = { bundlePath, compileBundle, loadBundle };
