/**
 * What changed in a sops file between versions, by key: values added, removed or changed,
 * recipients added or removed, the data key rotated. `compareVersions` is the comparison
 * (pure: snapshots in, a change out), shared by `envseal diff` and `envseal log`;
 * `diffRevisions` is diff's use case: two commits, or a commit and the work tree.
 *
 * Values are compared decrypted where the user's identities open the versions, so a rotation
 * (every ciphertext new, no value new) is not a value change. Where a version cannot be
 * opened, ciphertexts are compared and the change says it is not exact; when every
 * ciphertext changed, it is reported as a re-encryption envseal cannot explain.
 */
import { isAbsolute, posix, sep } from 'node:path';
import { UsageError } from '../errors.js';
import { detectFormat, formatFor } from '../formats/index.js';
import { allAgeKeys, otherKeyDescriptions, type Metadata } from '../metadata/model.js';
import type { Ctx } from './context.js';
import { blobText, changedPaths, readBlobs, resolveCommit, workTreePrefix, workTreeRoot } from './git.js';
import { isSealed, sameValue, valuesOf, type Held, type Snapshot } from './history.js';
import { rosterNamers, type NameOf } from './names.js';
import { repoPath } from './repository.js';

/** What a version of a file is: not there, plaintext, a sops file, or text that does not parse. */
export type FileState = 'absent' | 'plaintext' | 'sops' | 'unreadable';

export interface KeyChange {
  /** `db.password`; `#1 key` for a value of a later YAML document. */
  readonly key: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Told by ciphertext (a version could not be opened): a re-encryption of the same value would count. */
  readonly approximate: boolean;
  /** Only when asked for (`diff --values`): the value before and after, null where absent or not opened. */
  readonly values?: { readonly before: string | null; readonly after: string | null };
}

export interface RecipientRef {
  readonly recipient: string;
  /** The roster's name for it, when it has one. */
  readonly name: string | null;
}

export interface FileChange {
  /** Relative to the top of the work tree, with `/`. */
  readonly file: string;
  /** The state before (in the first parent, for a merge) and after. */
  readonly before: FileState;
  readonly after: FileState;
  readonly keys: readonly KeyChange[];
  readonly recipients: { readonly added: readonly RecipientRef[]; readonly removed: readonly RecipientRef[] };
  /**
   * `rotated`: the data key is new (known from the keys, or from the entries that wrap them);
   * `reencrypted`: every encrypted value's ciphertext changed and no identity here opens the
   * versions, so envseal cannot tell a new data key from new values; null: neither.
   */
  readonly dataKey: 'rotated' | 'reencrypted' | null;
  /** Whether every version compared was decrypted: the key changes are exact. */
  readonly exact: boolean;
}

/**
 * The change from `befores` (the file in each parent: one for an ordinary commit or a diff,
 * one per parent for a merge; null where absent) to `after`. For a merge only what the merge
 * itself made counts: a key or recipient the result holds as some parent did is no change.
 * Null when no version is a sops file, or nothing changed.
 */
export function compareVersions(file: string, befores: ReadonlyArray<Snapshot | null>, after: Snapshot | null, nameOf: NameOf = () => undefined): FileChange | null {
  const sides = [...befores, after];
  if (!sides.some((s) => s?.sops === true)) return null;
  const dataKey = dataKeyChange(befores, after);
  const unreadable = sides.some((s) => s !== null && s.values === null);
  const keys = unreadable ? [] : keyChanges(befores.map(valuesIn), valuesIn(after)).filter((k) => !(dataKey === 'reencrypted' && k.change === 'changed'));
  const recipients = recipientChanges(befores.map(recipientsIn), recipientsIn(after), nameOf);
  const change: FileChange = {
    file,
    before: stateOf(befores[0] ?? null),
    after: stateOf(after),
    keys,
    recipients,
    dataKey,
    exact: sides.every((s) => s === null || s.opened),
  };
  const nothing = keys.length === 0 && recipients.added.length === 0 && recipients.removed.length === 0 && dataKey === null && change.before === change.after;
  return nothing ? null : change;
}

function stateOf(s: Snapshot | null): FileState {
  if (s === null) return 'absent';
  if (s.values === null) return 'unreadable';
  return s.sops ? 'sops' : 'plaintext';
}

function valuesIn(s: Snapshot | null): ReadonlyMap<string, Held> {
  return s?.values ?? new Map<string, Held>();
}

/** Keys in the order of the newest version, then the ones it no longer has. */
function keyChanges(befores: ReadonlyArray<ReadonlyMap<string, Held>>, after: ReadonlyMap<string, Held>): KeyChange[] {
  const keys = new Set([...after.keys(), ...befores.flatMap((b) => [...b.keys()])]);
  const out: KeyChange[] = [];
  for (const key of keys) {
    const now = after.get(key);
    const comparisons = befores.map((b) => sameValue(b.get(key), now));
    if (comparisons.some((c) => c.same)) continue;
    const change = now === undefined ? 'removed' : befores.every((b) => !b.has(key)) ? 'added' : 'changed';
    out.push({ key, change, approximate: change === 'changed' && comparisons.some((c) => c.approximate) });
  }
  return out;
}

/** Who a version is encrypted for: its age recipients (labels that parse) and other key types. */
function recipientsIn(s: Snapshot | null): ReadonlySet<string> {
  const meta = s?.metadata;
  if (meta === null || meta === undefined) return new Set();
  return new Set([...allAgeKeys(meta).flatMap((k) => (k.recipient === null ? [] : [k.recipient])), ...otherKeyDescriptions(meta)]);
}

function recipientChanges(befores: ReadonlyArray<ReadonlySet<string>>, after: ReadonlySet<string>, nameOf: NameOf): FileChange['recipients'] {
  const ref = (recipient: string): RecipientRef => ({ recipient, name: nameOf(recipient) ?? null });
  const all = new Set(befores.flatMap((b) => [...b]));
  return {
    added: [...after].filter((r) => befores.every((b) => !b.has(r))).map(ref),
    removed: [...all].filter((r) => !after.has(r) && befores.every((b) => b.has(r))).map(ref),
  };
}

function dataKeyChange(befores: ReadonlyArray<Snapshot | null>, after: Snapshot | null): FileChange['dataKey'] {
  if (after?.sops !== true || befores.length === 0 || !befores.every((b) => b?.sops === true)) return null;
  const olds = befores as readonly Snapshot[];
  const same = olds.map((b) => sameDataKey(b, after));
  if (same.some((s) => s === true)) return null;
  if (same.every((s) => s === false)) return 'rotated';
  return olds.every((b) => everyCiphertextChanged(b, after)) ? 'reencrypted' : null;
}

/**
 * Whether two versions have the same data key: compared when both were unwrapped; the same
 * when some entry wrapping it is byte-identical in both (it opens to the same key); else
 * unknown (null).
 */
function sameDataKey(a: Snapshot, b: Snapshot): boolean | null {
  if (a.dataKey !== null && b.dataKey !== null) return Buffer.from(a.dataKey).equals(Buffer.from(b.dataKey));
  if (a.metadata !== null && b.metadata !== null && sharesAWrapping(a.metadata, b.metadata)) return true;
  return null;
}

function sharesAWrapping(a: Metadata, b: Metadata): boolean {
  const wrapped = new Set(allAgeKeys(a).map((k) => k.enc));
  return allAgeKeys(b).some((k) => wrapped.has(k.enc));
}

/** Every encrypted value both versions hold has a new ciphertext (and there is at least one). */
function everyCiphertextChanged(a: Snapshot, b: Snapshot): boolean {
  const shared = [...valuesIn(b)].flatMap(([key, now]) => {
    const then = valuesIn(a).get(key);
    return then !== undefined && isSealed(then) && isSealed(now) ? [then.stored !== now.stored] : [];
  });
  return shared.length > 0 && shared.every(Boolean);
}

/** A value as people read it: its text without the type (`int:8080` → `8080`); null when not known. */
function shownValue(held: Held | undefined): string | null {
  if (held?.plain === undefined || held.plain === null) return null;
  return held.plain.slice(held.plain.indexOf(':') + 1);
}

function withValues(change: FileChange, before: Snapshot | null, after: Snapshot | null): FileChange {
  return {
    ...change,
    keys: change.keys.map((k) => ({ ...k, values: { before: shownValue(before?.values?.get(k.key)), after: shownValue(after?.values?.get(k.key)) } })),
  };
}

/** The top of the work tree, or a usage error naming the command that needs one. */
export async function requireWorkTree(ctx: Ctx, command: string): Promise<string> {
  const root = await workTreeRoot(ctx, ctx.cwd);
  if (root === null) throw new UsageError(`envseal ${command} reads git history, and ${ctx.cwd} is not in a git work tree`, { hint: 'run it inside a git repository' });
  return root;
}

/** Paths the user gave (relative to the current folder), relative to the top of the work tree. */
export async function givenPaths(ctx: Ctx, root: string, given: readonly string[]): Promise<string[]> {
  const prefix = (await workTreePrefix(ctx, ctx.cwd)) ?? '';
  return given.map((file) => {
    const path = isAbsolute(file) ? repoPath(root, file) : posix.normalize(posix.join(prefix, file.split(sep).join('/')));
    if (path.startsWith('../') || path === '..') throw new UsageError(`${file} is outside the git work tree`, { file });
    return path;
  });
}

async function commitOf(ctx: Ctx, root: string, rev: string): Promise<string> {
  const commit = await resolveCommit(ctx, root, rev);
  if (commit === null) throw new UsageError(`unknown revision ${JSON.stringify(rev)}`, { hint: rev === 'HEAD' ? 'there is no commit yet' : 'name a commit: HEAD~1, a branch, a tag or a hash' });
  return commit;
}

export interface DiffRequest {
  /** No revision: the work tree against HEAD; one: the work tree against it; two: the first against the second. */
  readonly revs: readonly string[];
  /** Only these files (relative to the current folder); none: every sops file that changed. */
  readonly files: readonly string[];
  /** Include the values (`--values`). */
  readonly values: boolean;
}

export interface Diff {
  readonly from: string;
  /** The commit compared with, or null for the work tree. */
  readonly to: string | null;
  readonly files: FileChange[];
  /** Files given by name that are a sops file in neither version. */
  readonly notSops: string[];
}

export async function diffRevisions(ctx: Ctx, request: DiffRequest): Promise<Diff> {
  const revs = request.revs.flatMap(splitRange);
  if (revs.length > 2) throw new UsageError('give at most two revisions', { hint: 'envseal diff [REV [REV]] [-- FILE...]' });
  const root = await requireWorkTree(ctx, 'diff');
  const from = await commitOf(ctx, root, revs[0] ?? 'HEAD');
  const to = revs[1] === undefined ? null : await commitOf(ctx, root, revs[1]);
  const paths = request.files.length > 0 ? await givenPaths(ctx, root, request.files) : (await changedPaths(ctx, root, from, to)).filter((p) => detectFormat(p) !== null);
  const befores = await textsAt(ctx, root, from, paths);
  const afters = to === null ? await workTreeTexts(ctx, root, paths) : await textsAt(ctx, root, to, paths);
  const names = rosterNamers(ctx, root);
  const files: FileChange[] = [];
  const notSops: string[] = [];
  for (const [i, path] of paths.entries()) {
    const format = formatFor(path);
    const read = async (text: string | null): Promise<Snapshot | null> => (text === null ? null : valuesOf(ctx, text, format, path));
    const [before, after] = [await read(befores[i] ?? null), await read(afters[i] ?? null)];
    if (before?.sops !== true && after?.sops !== true) {
      if (request.files.length > 0) notSops.push(path);
      continue;
    }
    const change = compareVersions(path, [before], after, await names(posix.join(root, path)));
    if (change !== null) files.push(request.values ? withValues(change, before, after) : change);
  }
  return { from, to, files, notSops };
}

/** `A..B` as git reads it in a diff: A and B (an empty side is HEAD). `...` is not taken apart. */
function splitRange(rev: string): string[] {
  if (!rev.includes('..') || rev.includes('...')) return [rev];
  return rev.split('..').map((side) => (side === '' ? 'HEAD' : side));
}

async function textsAt(ctx: Ctx, root: string, commit: string, paths: readonly string[]): Promise<Array<string | null>> {
  const blobs = await readBlobs(ctx, root, paths.map((p) => `${commit}:${p}`));
  return paths.map((p) => blobText(blobs.get(`${commit}:${p}`)));
}

async function workTreeTexts(ctx: Ctx, root: string, paths: readonly string[]): Promise<Array<string | null>> {
  return Promise.all(
    paths.map(async (p) => {
      const abs = posix.join(root, p);
      const stat = await ctx.io.fs.stat(abs);
      return stat === null || !stat.isFile ? null : Buffer.from(await ctx.io.fs.readFile(abs)).toString('utf8');
    }),
  );
}
