#!/usr/bin/env node
// The only file that touches process.argv, process.exitCode and process.exit; everything else
// gets an Io.
// It loads a bundled CLI (dist/bundle, built by `npm run build`), compiled from its code cache
// when there is one (load-bundle.cjs): `run`, `scan` and `merge` for the fast paths (most
// invocations: `run … -- CMD`, `scan --staged`, git's merge driver; each a fraction of the
// code), `envseal` for everything else. `takes` only looks at the words: a command line a
// fast bundle does not take reaches the full one untouched.
'use strict';
const { loadBundle } = require('./load-bundle.cjs');

const FAST = { run: 'run', scan: 'scan', git: 'merge' };
const argv = process.argv.slice(2);
const fast = Object.hasOwn(FAST, argv[0] ?? '') ? loadBundle(FAST[argv[0]]) : null;
const { main, nodeIo, safeToExitNow } = fast !== null && fast.takes(argv) ? fast : loadBundle('envseal');

main(argv, nodeIo({ script: __filename })).then((code) => {
  // The command is done. When nothing is left to flush, no write failed and no signal handler
  // is waiting (safeToExitNow, src/io/io.ts), exit at once: a normal exit first tears down the
  // whole heap. Otherwise the usual way, which waits for all of that.
  if (safeToExitNow()) process.exit(code);
  process.exitCode = code;
});
