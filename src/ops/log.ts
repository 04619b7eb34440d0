/**
 * `envseal log`'s use case: the history of secrets from git, newest first, every commit that
 * changed a sops file with what it changed there (keys, recipients, the data key), compared
 * as `diff` compares (ops/diff.ts). Never a value. Every commit counts, also on branches a
 * merge did not take; a merge shows only what it made itself.
 */
import { posix } from 'node:path';
import { detectFormat, formatFor } from '../formats/index.js';
import { describeKeyPath, parseKeyPath } from '../tree-path.js';
import type { Ctx } from './context.js';
import { compareVersions, givenPaths, requireWorkTree, type FileChange } from './diff.js';
import { blobText, commitLog, pathsEverSealed, readBlobs, type CommitInfo } from './git.js';
import { valuesOf, type Snapshot } from './history.js';
import { rosterNamers } from './names.js';

export interface LogRequest {
  /** Only changes of this key (`db.password`, `["db"]["password"]`). */
  readonly key?: string | undefined;
  /** Only these files (relative to the current folder); none: every file that was ever a sops file. */
  readonly files: readonly string[];
}

export interface LogEntry extends CommitInfo {
  readonly files: readonly FileChange[];
}

export async function secretsLog(ctx: Ctx, request: LogRequest): Promise<LogEntry[]> {
  const root = await requireWorkTree(ctx, 'log');
  const paths = request.files.length > 0 ? await givenPaths(ctx, root, request.files) : (await pathsEverSealed(ctx, root)).filter((p) => detectFormat(p) !== null);
  const commits = await commitLog(ctx, root, paths, { fullHistory: true });
  const blobs = await readBlobs(ctx, root, commits.flatMap((c) => c.files.flatMap((f) => [...f.before, f.after].filter((b): b is string => b !== null))));
  const snapshots = new Map<string, Promise<Snapshot | null>>();
  const snapshot = (blob: string | null, path: string): Promise<Snapshot | null> => {
    const text = blobText(blob === null ? undefined : blobs.get(blob));
    if (blob === null || text === null) return Promise.resolve(null);
    let found = snapshots.get(`${path}\0${blob}`);
    if (found === undefined) {
      found = valuesOf(ctx, text, formatFor(path), path);
      snapshots.set(`${path}\0${blob}`, found);
    }
    return found;
  };
  const names = rosterNamers(ctx, root);
  const key = request.key === undefined ? null : keyName(request.key);
  const out: LogEntry[] = [];
  for (const { files, ...info } of commits) {
    const changes: FileChange[] = [];
    for (const file of files) {
      const befores = await Promise.all(file.before.map((b) => snapshot(b, file.path)));
      const after = await snapshot(file.after, file.path);
      const change = compareVersions(file.path, befores, after, await names(posix.join(root, file.path)));
      const kept = change === null || key === null ? change : onlyKey(change, key, [...befores, after]);
      if (kept !== null) changes.push(kept);
    }
    if (changes.length > 0) out.push({ ...info, files: changes });
  }
  return out;
}

/** A key as the comparison names it: `["db"]["password"]` → `db.password`. */
function keyName(text: string): string {
  const path = parseKeyPath(text);
  return path.segments === null ? path.text : describeKeyPath(path.segments);
}

/**
 * The change narrowed to one key: kept when the key changed, or when a file holding it was
 * re-encrypted (envseal cannot tell whether its value changed); the other keys left out, the
 * file's recipients and data key kept as context. Null when neither.
 */
function onlyKey(change: FileChange, key: string, versions: ReadonlyArray<Snapshot | null>): FileChange | null {
  const keys = change.keys.filter((k) => k.key === key);
  const held = versions.some((v) => v?.values?.has(key) === true);
  if (keys.length === 0 && !(change.dataKey === 'reencrypted' && held)) return null;
  return { ...change, keys };
}
