// Bundles the CLI, its fast paths and the `envseal/config` preload into one CommonJS file each
// (dist/bundle/envseal.cjs; run.cjs, scan.cjs, merge.cjs; preload.cjs). Loading one file instead of some sixty
// ES modules is most of envseal's start-up time. The heavy dependencies stay outside the
// bundle and are loaded only when a command needs them: yargs (everything but a plain
// `run`), yaml (YAML files, .sops.yaml), age-encryption (wrapping keys, post-quantum).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const FAST = ['run', 'scan', 'merge'];
rmSync('dist/bundle', { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20.19',
  external: ['yargs', 'yargs/*', 'yaml', 'age-encryption', '@noble/*'],
  // yaml-lib.ts uses createRequire(import.meta.url); in CommonJS that is this file's URL.
  define: { 'import.meta.url': '__envseal_module_url' },
  // Each bundle is written as the function Node would wrap a CommonJS module in, so the
  // loader (bin/load-bundle.cjs) compiles the file's text as it is, without making a wrapped
  // copy first; it is not meant to be require()d.
  banner: { js: "(function (exports, require, module, __filename, __dirname) {'use strict';\nconst __envseal_module_url = require('node:url').pathToFileURL(__filename).href;" },
  footer: { js: '})' },
  // import() of the external ESM packages becomes require() (Node ≥ 20.19 loads ESM that way):
  // a bundle without import() can be compiled from a V8 code cache (bin/load-bundle.cjs).
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
  // No comments or indentation: a third less to read and check against the code cache at every
  // start. Names are kept, so ENVSEAL_DEBUG's stack traces still say which function failed.
  minifyWhitespace: true,
  minifySyntax: true,
};
await build({ ...common, entryPoints: ['src/cli/entry.ts'], outfile: 'dist/bundle/envseal.cjs' });
await build({ ...common, entryPoints: ['src/lib/preload.ts'], outfile: 'dist/bundle/preload.cjs' });
// The fast paths alone (src/cli/fast.ts), one bundle each: `run … -- CMD`, `scan --staged`,
// and git's merge driver, each a fraction of the full CLI to load.
for (const name of FAST) await build({ ...common, entryPoints: [`src/cli/fast-${name}.ts`], outfile: `dist/bundle/${name}.cjs` });
// The code caches (bin/load-bundle.cjs): a speed-up only, so a failure is a warning, not a failed build.
try {
  execFileSync(process.execPath, ['scripts/code-cache.cjs'], { stdio: ['ignore', 'ignore', 'inherit'] });
} catch {
  for (const name of ['envseal', ...FAST, 'preload']) rmSync(`dist/bundle/${name}.cjs.cache`, { force: true });
  process.stderr.write('bundle: no code cache written (envseal starts a little slower); see the message above\n');
}
