/**
 * The variables a set of files gives (for `run`, `config()` and `load()`): later files
 * override earlier ones; a file that is not encrypted is read as plain text, with a warning.
 */
import { documentToEnv, type EnvValue } from '../run/env.js';
import type { MapNode } from '../tree.js';
import type { Ctx } from './context.js';
import { loadFile } from './load.js';
import { openFile } from './open.js';
import { openFileSync, type SyncWorld } from './open-sync.js';

export async function loadValues(ctx: Ctx, files: readonly string[], format: string | undefined, flatten: boolean): Promise<Map<string, EnvValue>> {
  const merged = new Map<string, EnvValue>();
  for (const file of files) {
    const loaded = await loadFile(ctx, file, format);
    if (loaded.parsed.metadata === undefined) {
      ctx.warn(`${loaded.display} is not encrypted; loading it as plain text`);
      addAll(merged, loaded.parsed.docs, loaded.parsed.docs, flatten, loaded.abs, false);
      continue;
    }
    const opened = await openFile(ctx, loaded);
    addAll(merged, loaded.parsed.docs, opened.docs, flatten, loaded.abs, true);
  }
  return merged;
}

export function loadValuesSync(world: SyncWorld, files: readonly string[], format: string | undefined, flatten: boolean): Map<string, EnvValue> {
  const merged = new Map<string, EnvValue>();
  for (const file of files) {
    const opened = openFileSync(world, file, format);
    if (!opened.encrypted) world.warn(`${file} is not encrypted; loading it as plain text`);
    addAll(merged, opened.stored, opened.docs, flatten, world.resolve(file), opened.encrypted);
  }
  return merged;
}

function addAll(
  into: Map<string, EnvValue>,
  stored: readonly MapNode[],
  docs: readonly MapNode[],
  flatten: boolean,
  file: string,
  encrypted: boolean,
): void {
  docs.forEach((doc, i) => {
    for (const [key, value] of documentToEnv(stored[i] ?? doc, doc, { flatten, file })) into.set(key, encrypted ? value : { ...value, secret: false });
  });
}
