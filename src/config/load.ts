/**
 * Finding `.sops.yaml`: `--config` (or SOPS_CONFIG) when given; otherwise the nearest one
 * from the target file's folder upwards, then from the current folder upwards (sops looks
 * only from the current folder; starting at the file means `envseal encrypt sub/.env`
 * finds `sub/.sops.yaml` too). At most 100 levels, as sops.
 */
import { dirname, join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Io } from '../io/io.js';
import { resolveFromCwd } from '../paths.js';
import { parseConfig, type SopsConfig } from './schema.js';

export const CONFIG_NAME = '.sops.yaml';

export interface ConfigChoice {
  /** --config given on the command line. */
  readonly explicit?: string | undefined;
}

export async function findConfigPath(io: Io, fileAbs: string | null, choice: ConfigChoice = {}): Promise<string | null> {
  const explicit = choice.explicit ?? io.env['SOPS_CONFIG'];
  if (explicit !== undefined && explicit !== '') {
    const path = resolveFromCwd(io, explicit);
    if ((await io.fs.stat(path))?.isFile !== true) {
      throw new ConfigError(`config file ${explicit} does not exist`, { file: explicit, hint: 'check the --config path' });
    }
    return path;
  }
  const starts = fileAbs === null ? [io.cwd] : [dirname(fileAbs), io.cwd];
  for (const start of starts) {
    let dir = start;
    for (let level = 0; level < 100; level++) {
      const candidate = join(dir, CONFIG_NAME);
      if ((await io.fs.stat(candidate))?.isFile === true) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return null;
}

export async function loadConfig(io: Io, path: string, warn: (message: string) => void): Promise<SopsConfig> {
  const text = Buffer.from(await io.fs.readFile(path)).toString('utf8');
  return parseConfig(text, path, warn);
}
