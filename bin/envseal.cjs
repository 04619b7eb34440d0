#!/usr/bin/env node
// The only file that touches process.argv and process.exitCode; everything else gets an Io.
// It loads the bundled CLI (dist/bundle, built by `npm run build`): one CommonJS file to read
// instead of sixty ES modules, which is most of envseal's start-up.
'use strict';
const { main, nodeIo } = require('../dist/bundle/envseal.cjs');

main(process.argv.slice(2), nodeIo({ script: __filename })).then((code) => {
  process.exitCode = code;
});
