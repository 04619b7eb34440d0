/**
 * The variables a set of files gives (for `run`, `load()` and, synchronously, `config()`):
 * later files override earlier ones; a file that is not encrypted is read as plain text,
 * with a warning.
 */
import { addDocuments, type EnvValue } from '../run/env.js';
import type { Ctx, SyncCtx } from './context.js';
import { loadFile, loadFileSync, type LoadedFile } from './load.js';
import { openFile, openFileSync } from './open.js';
import type { MapNode } from '../tree.js';
import { resolveFromCwd } from '../paths.js';

export async function loadValues(ctx: Ctx, files: readonly string[], format: string | undefined, flatten: boolean, ignoreMissing = false): Promise<Map<string, EnvValue>> {
  const merged = new Map<string, EnvValue>();
  for (const file of files) {
    if (ignoreMissing && (await ctx.io.fs.stat(resolveFromCwd(ctx, file))) === null) continue;
    const loaded = await loadFile(ctx, file, format);
    const opened = isEncrypted(loaded) ? (await openFile(ctx, loaded, { readOnly: true })).docs : null;
    addFile(ctx, merged, loaded, opened, flatten);
  }
  return merged;
}

export function loadValuesSync(ctx: SyncCtx, files: readonly string[], format: string | undefined, flatten: boolean, ignoreMissing = false): Map<string, EnvValue> {
  const merged = new Map<string, EnvValue>();
  for (const file of files) {
    if (ignoreMissing && ctx.host.fileModeSync(resolveFromCwd(ctx, file)) === null) continue;
    const loaded = loadFileSync(ctx, file, format);
    const opened = isEncrypted(loaded) ? openFileSync(ctx, loaded, { readOnly: true }).docs : null;
    addFile(ctx, merged, loaded, opened, flatten);
  }
  return merged;
}

function isEncrypted(loaded: LoadedFile): boolean {
  return loaded.parsed.metadata !== undefined;
}

/** `opened`: the decrypted documents, or null for a file that is not encrypted. */
function addFile(ctx: SyncCtx, into: Map<string, EnvValue>, loaded: LoadedFile, opened: MapNode[] | null, flatten: boolean): void {
  if (opened === null) ctx.warn(`${loaded.display} is not encrypted; loading it as plain text`);
  // A .env's keys are variable names already: --flatten renames only YAML and JSON keys.
  addDocuments(into, loaded.parsed.docs, opened ?? loaded.parsed.docs, flatten && loaded.format.name !== 'dotenv', loaded.abs, opened !== null);
}
