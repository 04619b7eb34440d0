// Bundles the CLI and the `envseal/config` preload into one CommonJS file each
// (dist/bundle/envseal.cjs, dist/bundle/preload.cjs). Loading one file instead of some sixty
// ES modules is most of envseal's start-up time. The heavy dependencies stay outside the
// bundle and are loaded only when a command needs them: yargs (everything but a plain
// `run`), yaml (YAML files, .sops.yaml), age-encryption (wrapping keys, post-quantum).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/bundle', { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20.19',
  external: ['yargs', 'yargs/*', 'yaml', 'age-encryption', '@noble/*'],
  // yaml-lib.ts uses createRequire(import.meta.url); in CommonJS that is this file's URL.
  define: { 'import.meta.url': '__envseal_module_url' },
  banner: { js: "const __envseal_module_url = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
};
await build({ ...common, entryPoints: ['src/cli/entry.ts'], outfile: 'dist/bundle/envseal.cjs' });
await build({ ...common, entryPoints: ['src/lib/preload.ts'], outfile: 'dist/bundle/preload.cjs' });
