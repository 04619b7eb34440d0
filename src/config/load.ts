/**
 * Finding `.sops.yaml`: `--config` (or SOPS_CONFIG) when given; otherwise the nearest one
 * from the target file's folder upwards, then from the current folder upwards (sops looks
 * only from the current folder; starting at the file means `envseal encrypt sub/.env`
 * finds `sub/.sops.yaml` too). At most 100 levels, as sops.
 */
import { dirname, isAbsolute, join, relative } from 'node:path';
import { ConfigError } from '../errors.js';
import type { FileStat, Io } from '../io/io.js';
import { resolveFromCwd } from '../paths.js';
import type { StoreOptions } from '../store-options.js';
import { parseConfig, readStoreOptions, type SopsConfig } from './schema.js';

export const CONFIG_NAME = '.sops.yaml';

export interface ConfigChoice {
  /** --config given on the command line. */
  readonly explicit?: string | undefined;
  /** Told about a `.sops.yaml` that was found but not trusted. */
  readonly warn?: ((message: string) => void) | undefined;
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
    const boundary = await trustBoundary(io, start);
    let dir = start;
    for (let level = 0; level < 100; level++) {
      const candidate = join(dir, CONFIG_NAME);
      const stat = await io.fs.stat(candidate);
      if (stat?.isFile === true && (within(dir, boundary) || ownedSafely(io, candidate, stat, choice.warn))) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return null;
}

/**
 * Up to where a found `.sops.yaml` is trusted as it is: the git work tree the search starts
 * in (the team's own files, whoever wrote them: CI runners and containers run as other
 * users), or, outside git, the home folder. Above that (a planted /tmp/.sops.yaml that
 * would choose the recipients of your files), see {@link ownedSafely}.
 */
async function trustBoundary(io: Io, start: string): Promise<string> {
  let dir = start;
  for (let level = 0; level < 100; level++) {
    if ((await io.fs.stat(join(dir, '.git'))) !== null) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return io.env['HOME'] !== undefined && io.env['HOME'] !== '' ? io.env['HOME'] : io.homedir;
}

function within(dir: string, root: string): boolean {
  const rel = relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** A config outside the trust boundary counts only when it is yours (or root's) and only its owner can change it. */
function ownedSafely(io: Io, path: string, stat: FileStat, warn: ((message: string) => void) | undefined): boolean {
  if (io.uid === null || stat.uid < 0) return true;
  const owner = stat.uid === io.uid || stat.uid === 0;
  const closed = (stat.mode & 0o022) === 0;
  if (owner && closed) return true;
  warn?.(`ignored ${path}: it is outside this project and ${owner ? 'others can change it' : 'belongs to another user'}, so it may not choose your recipients`);
  return false;
}

export async function loadConfig(io: Io, path: string, warn: (message: string) => void): Promise<SopsConfig> {
  const text = Buffer.from(await io.fs.readFile(path)).toString('utf8');
  return parseConfig(text, path, warn);
}

/** The `stores:` layout of the `.sops.yaml` that applies to `fileAbs` (none found: sops's defaults). */
export async function findStoreOptions(io: Io, fileAbs: string, choice: ConfigChoice = {}): Promise<StoreOptions> {
  const path = await findConfigPath(io, fileAbs, choice);
  if (path === null) return {};
  return readStoreOptions(Buffer.from(await io.fs.readFile(path)).toString('utf8'), path);
}
