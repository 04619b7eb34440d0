/**
 * The yaml package, loaded on first use. It costs ~35 ms to import, and most runs never need
 * it (`envseal run` on a .env file). It is CommonJS, so a synchronous `require` works, which
 * the synchronous `config()` needs; the CLI bundle keeps it external for the same reason.
 */
import { createRequire } from 'node:module';

let loaded: typeof import('yaml') | undefined;

export function yamlLib(): typeof import('yaml') {
  loaded ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return loaded;
}
