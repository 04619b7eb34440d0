#!/usr/bin/env node
// The only file that touches process.argv and process.exitCode; everything else gets an Io.
// It loads a bundled CLI (dist/bundle, built by `npm run build`), compiled from its code cache
// when there is one (load-bundle.cjs): `fast` for `run … -- CMD` and `scan --staged` (most
// invocations, a third of the code), `envseal` for everything else. `takes` only looks at
// the words, so a command line the fast bundle does not take reaches the full one untouched.
'use strict';
const { loadBundle } = require('./load-bundle.cjs');

const argv = process.argv.slice(2);
const fast = argv[0] === 'run' || argv[0] === 'scan' ? loadBundle('fast') : null;
const { main, nodeIo } = fast !== null && fast.takes(argv) ? fast : loadBundle('envseal');

main(argv, nodeIo({ script: __filename })).then((code) => {
  process.exitCode = code;
});
