/**
 * Values as files (`run --as-file`, `load({ asFile })`): each value is written, byte for
 * byte, to a 0600 file in a new private folder of this user (Fs.privateFolder: 0700, in
 * memory when the system has a place for it, checked before use), and the variable holds
 * the file's path instead. The folder is never inside the project. Whoever writes the files
 * removes the folder; the folders of envseal processes that died (SIGKILL) are removed by
 * the next `run` or `load` ({@link removeAbandonedSecretFiles}).
 */
import { dirname, join, relative, isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Io, PrivateFolder } from '../io/io.js';
import type { AsFile } from '../run/as-file.js';
import type { EnvValue } from '../run/env.js';
import type { Ctx } from './context.js';

/** The folder name's start, under {@link Io.privateTempRoot} (its per-user root). */
const PREFIX = 'envseal-run-';

function prefixFor(io: Io): string {
  return join(io.privateTempRoot, PREFIX);
}

/** Removes what killed envseal processes left (cheap when there is nothing: one lstat). */
export function removeAbandonedSecretFiles(io: Io): Promise<void> {
  return io.fs.removeAbandonedFolders(prefixFor(io));
}

/**
 * Writes the values named in `asFiles` to files and puts their paths into `env` (the
 * environment being built). A variable the files do not set, or whose value the environment
 * overrides (it wins unless --override), is left as it is, with a warning. `projectFolders`:
 * where the files must not go (the working folder, the folders of the files read).
 * `removeOnSignal: false` for the library, which installs no signal handler in an app.
 * Returns the folder to remove, or null when nothing was written.
 */
export async function writeSecretFiles(
  ctx: Ctx,
  asFiles: readonly AsFile[],
  values: ReadonlyMap<string, EnvValue>,
  env: Record<string, string>,
  where: { readonly projectFolders: readonly string[]; readonly removeOnSignal: boolean },
): Promise<PrivateFolder | null> {
  const missing = asFiles.filter((f) => values.get(f.key) === undefined && env[f.key] === undefined).map((f) => f.key);
  if (missing.length > 0) {
    throw new ConfigError(`--as-file: no value for ${missing.join(', ')} in the files`, {
      hint: 'name a key the files set (with --flatten, nested keys are DB_PASSWORD-style); the command was not started',
    }, 'MISSING_KEYS');
  }
  const wanted = asFiles.filter((f) => {
    const value = values.get(f.key);
    if (value !== undefined && env[f.key] === value.value) return true;
    ctx.warn(`--as-file ${f.key}: ${value === undefined ? 'the files do not set it' : 'the environment sets it, and wins without --override'}; its variable is passed on as it is`);
    return false;
  });
  if (wanted.length === 0) return null;
  refuseInsideProject(ctx.io.privateTempRoot, where.projectFolders);
  const folder = await ctx.io.fs.privateFolder(prefixFor(ctx.io), { removeOnSignal: where.removeOnSignal });
  try {
    for (const f of wanted) {
      const path = join(folder.path, f.fileName);
      await ctx.io.fs.writeNewFile(path, Buffer.from((values.get(f.key) as EnvValue).value, 'utf8'), 0o600);
      env[f.key] = path;
    }
  } catch (err) {
    await folder.remove().catch(() => undefined);
    throw err;
  }
  return folder;
}

/**
 * The temporary root must not lie inside the project (a TMPDIR set to `./tmp`, say): a secret
 * written there could be committed. A filesystem root as "project" says nothing, and is skipped.
 */
function refuseInsideProject(tempRoot: string, projectFolders: readonly string[]): void {
  const root = resolve(tempRoot);
  for (const folder of projectFolders.map((f) => resolve(f))) {
    if (dirname(folder) === folder) continue;
    const rel = relative(folder, root);
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
      throw new ConfigError(`--as-file: the private folder for secret files would be inside ${folder}, where a file could be committed`, {
        file: root,
        hint: 'set XDG_RUNTIME_DIR (or TMPDIR) to a folder outside the project',
      });
    }
  }
}
