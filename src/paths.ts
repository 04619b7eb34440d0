/** Paths as people give them and see them (pure: the working folder is passed in). */
import { isAbsolute, relative, resolve } from 'node:path';

/** Resolves a path the user gave against the working folder. */
export function resolveFromCwd(at: { readonly cwd: string }, path: string): string {
  return resolve(at.cwd, path);
}

/** A path as people see it in messages: relative to `cwd` when it lies below it. */
export function displayPath(file: string, cwd: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}
