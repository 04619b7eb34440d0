// `node --import envseal/config app.js`: loads .env (or the comma-separated files in
// ENVSEAL_FILES) into process.env before the app starts. An entry point like bin/envseal.cjs:
// it turns an error into a message and an exit code.
'use strict';
const { config, renderError } = require('./load-bundle.cjs').loadBundle('preload');

try {
  const files = process.env.ENVSEAL_FILES;
  config({
    path: files ? files.split(',').map((f) => f.trim()).filter(Boolean) : '.env',
    ignoreMissing: process.env.ENVSEAL_IGNORE_MISSING === '1',
  });
} catch (err) {
  process.stderr.write(renderError(err, process.cwd(), process.env.ENVSEAL_DEBUG === '1'));
  process.exit(typeof err?.exitCode === 'number' ? err.exitCode : 1);
}
