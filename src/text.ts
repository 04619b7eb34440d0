/** Small wording helpers shared by messages everywhere (no I/O, no secrets). */
import { isAbsolute, relative } from 'node:path';

/** `1 file`, `3 files`; `plural` for the irregular ones (`2 identities`). */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** A path as people see it in messages: relative to `cwd` when it lies below it. */
export function displayPath(file: string, cwd: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}
