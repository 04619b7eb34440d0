/** The variables a set of files gives, synchronously (for `config()`). See env-values.ts. */
import { addDocuments, type EnvValue } from '../run/env.js';
import { openFileSync, type SyncWorld } from './open-sync.js';

export function loadValuesSync(world: SyncWorld, files: readonly string[], format: string | undefined, flatten: boolean): Map<string, EnvValue> {
  const merged = new Map<string, EnvValue>();
  for (const file of files) {
    const opened = openFileSync(world, file, format);
    if (!opened.encrypted) world.warn(`${file} is not encrypted; loading it as plain text`);
    addDocuments(merged, opened.stored, opened.docs, flatten, world.resolve(file), opened.encrypted);
  }
  return merged;
}

