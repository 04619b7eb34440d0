/**
 * dotenvx-encrypted files made by dotenvx itself (the devDependency's CLI, spawned in the
 * test folder with a HOME of its own), so tests meet the real format, not envseal's idea of it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const DOTENVX_CLI = join(dirname(require.resolve('@dotenvx/dotenvx/package.json')), 'src', 'cli', 'dotenvx.js');

/** Runs `dotenvx encrypt -f FILE` in `dir`: FILE gets `encrypted:` values, `.env.keys` its private key. */
export function dotenvxEncrypt(dir: string, file: string): { privateKeys: string } {
  const result = spawnSync(process.execPath, [DOTENVX_CLI, 'encrypt', '-f', file], { cwd: dir, env: { PATH: process.env['PATH'], HOME: join(dir, '.dotenvx-home') }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`dotenvx encrypt failed (${result.status}): ${result.stderr}`);
  return { privateKeys: readFileSync(join(dir, '.env.keys'), 'utf8') };
}
