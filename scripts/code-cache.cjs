// Writes the V8 code caches that bin/load-bundle.cjs reads (dist/bundle/NAME.cjs.cache), part
// of `npm run build`. Each cache is made in a fresh Node process that compiles the bundle,
// does the everyday job once (envseal and run: `run` of a .env and of a YAML file with
// --flatten; the preload: config() of a .env), then serialises everything V8 compiled on the way, so those
// functions need no compiling at start-up either. Nothing here is needed for correctness: with
// no cache (or one V8 refuses) the bundles are compiled as usual.
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { bundlePath, compileBundle } = require('../bin/load-bundle.cjs');

const BIN = join(__dirname, '..', 'bin', 'envseal.cjs');

/** In the child: compile NAME, do its job in DIR, write the cache. */
async function warm(name, dir) {
  process.env.SOPS_AGE_KEY_FILE = join(dir, 'keys.txt');
  const { exports, script } = compileBundle(name);
  if (name === 'envseal' || name === 'run') {
    const io = exports.nodeIo({ script: BIN, cwd: dir });
    for (const args of [['-f', '.env'], ['--flatten', '-f', 'settings.yaml']]) {
      const code = await exports.main(['run', ...args, '--', process.execPath, '-e', '0'], io);
      if (code !== 0) throw new Error(`warm-up run exited ${code}`);
    }
  } else if (name === 'preload') {
    exports.config({ path: join(dir, '.env'), processEnv: {} });
  }
  // scan and merge: compiled only (their everyday job needs a git repository or three
  // versions of a file); the cache still spares them parsing the bundle.
  writeFileSync(`${bundlePath(name)}.cache`, script.createCachedData());
}

function main() {
  const dir = mkdtempSync(join(tmpdir(), 'envseal-code-cache-'));
  try {
    const envseal = (...args) => execFileSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SOPS_AGE_KEY_FILE: join(dir, 'keys.txt') } });
    const recipient = envseal('keygen', '--out', join(dir, 'keys.txt')).trim();
    writeFileSync(join(dir, '.env'), 'API_TOKEN=warm-up-token-value\nPORT=3000\n');
    writeFileSync(join(dir, 'settings.yaml'), 'database:\n  password: warm-up-password\n  port: 5432\n');
    envseal('encrypt', '.env', 'settings.yaml', '--age', recipient);
    for (const name of ['envseal', 'run', 'scan', 'merge', 'preload']) execFileSync(process.execPath, [__filename, 'warm', name, dir], { stdio: 'inherit' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'warm') {
  warm(process.argv[3], process.argv[4]).catch((err) => {
    process.stderr.write(`code cache for ${process.argv[3]}: ${err.stack}\n`);
    process.exitCode = 1;
  });
} else {
  main();
}
