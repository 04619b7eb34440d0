/**
 * The variables a set of files gives (for `run` and `load()`; `config()` has the synchronous
 * twin in env-values-sync.ts): later files override earlier ones; a file that is not
 * encrypted is read as plain text, with a warning.
 */
import { addDocuments, type EnvValue } from '../run/env.js';
import type { Ctx } from './context.js';
import { loadFile } from './load.js';
import { openFile } from './open.js';

export async function loadValues(ctx: Ctx, files: readonly string[], format: string | undefined, flatten: boolean): Promise<Map<string, EnvValue>> {
  const merged = new Map<string, EnvValue>();
  for (const file of files) {
    const loaded = await loadFile(ctx, file, format);
    if (loaded.parsed.metadata === undefined) {
      ctx.warn(`${loaded.display} is not encrypted; loading it as plain text`);
      addDocuments(merged, loaded.parsed.docs, loaded.parsed.docs, flatten, loaded.abs, false);
      continue;
    }
    const opened = await openFile(ctx, loaded, { readOnly: true });
    addDocuments(merged, loaded.parsed.docs, opened.docs, flatten, loaded.abs, true);
  }
  return merged;
}
