/**
 * The history of a sops file's values, from git: each committed version of the file, decrypted
 * where the user's identities open it, so that a change of value is told from a re-encryption
 * (a rotation changes every ciphertext but no value). Where a version cannot be opened, its
 * ciphertexts are compared instead, and the answer says it is approximate.
 */
import { unwrapDataKey } from '../crypto/data-key.js';
import { openDocuments } from '../crypto/seal.js';
import { scalarText } from '../formats/go-scalars.js';
import type { Format } from '../formats/format.js';
import { parseMetadata } from '../metadata/codec.js';
import type { Metadata } from '../metadata/model.js';
import { describeKeyPath, leavesOf, type Segment } from '../tree-path.js';
import { isScalar, type MapNode, type Node } from '../tree.js';
import type { Ctx } from './context.js';
import { blobText, fileLog, readBlobs, type FileCommit } from './git.js';
import { identitiesFor } from './identities.js';

/** One value of a version: what it decrypts to, when known, and how it is stored (`type:text`). */
export interface Held {
  readonly plain: string | null;
  readonly stored: string;
}

/** One version of a file's text, read and, where the user's identities open it, decrypted. */
export interface Snapshot {
  /** Its values by key; null when the text does not parse. */
  readonly values: ReadonlyMap<string, Held> | null;
  /** Whether its values are known in plaintext (decrypted, or a plaintext file). */
  readonly opened: boolean;
  /** Whether it is a sops file (it has a sops block). */
  readonly sops: boolean;
  /** The sops block, parsed; null for a plaintext file or a block that does not parse. */
  readonly metadata: Metadata | null;
  /** The data key, when the user's identities open it. */
  readonly dataKey: Uint8Array | null;
}

/** A version of the file in git. */
export interface Version extends Snapshot {
  readonly commit: FileCommit | null;
}

const UNREADABLE: Snapshot = { values: null, opened: false, sops: false, metadata: null, dataKey: null };

export interface LastChange {
  readonly commit: string;
  readonly author: string;
  readonly email: string;
  readonly date: string;
  readonly subject: string;
  /** True when ciphertexts had to be compared (a version could not be opened): a rotation counts as a change. */
  readonly approximate: boolean;
}

/** When each key of a file last changed: a commit, `uncommitted`, or null outside git. */
export type KeyHistory = ReadonlyMap<string, LastChange | 'uncommitted'>;

/** The versions of a sops file in git, newest first (`text` of each blob parsed with `format`). */
export async function versions(ctx: Ctx, root: string, relPath: string, format: Format, options: { rev?: string; since?: string } = {}): Promise<Version[]> {
  const log = await fileLog(ctx, root, relPath, options);
  const blobs = await readBlobs(ctx, root, log.flatMap((c) => (c.blob === null ? [] : [c.blob])));
  const out: Version[] = [];
  for (const commit of log) {
    const text = blobText(commit.blob === null ? undefined : blobs.get(commit.blob));
    out.push({ commit, ...(text === null ? UNREADABLE : await valuesOf(ctx, text, format, relPath)) });
  }
  return out;
}

/** The values of one version of a file's text, decrypted when possible. */
export async function valuesOf(ctx: Ctx, text: string, format: Format, name: string): Promise<Snapshot> {
  let parsed;
  try {
    parsed = format.parse(text, name, () => undefined);
  } catch {
    return UNREADABLE;
  }
  if (parsed.metadata === undefined) return { values: leafMap(parsed.docs, parsed.docs), opened: true, sops: false, metadata: null, dataKey: null };
  let metadata: Metadata | null = null;
  let dataKey: Uint8Array | null = null;
  let plainDocs: MapNode[] | null = null;
  try {
    metadata = parseMetadata(parsed.metadata, name);
    const key = await unwrapDataKey(metadata, (await identitiesFor(ctx)).identities);
    if (key.ok) {
      plainDocs = openDocuments(parsed.docs, key.dataKey, metadata, null).docs;
      dataKey = key.dataKey;
    }
  } catch {
    plainDocs = null; // damaged, or not ours to open: compare ciphertexts
  }
  return { values: leafMap(parsed.docs, plainDocs), opened: plainDocs !== null, sops: true, metadata, dataKey };
}

/** Whether a value is stored encrypted (`ENC[...]`) rather than in clear. */
export function isSealed(held: Held): boolean {
  return held.stored.startsWith('str:ENC[');
}

/** key (`db.password`, with `#n ` before it for documents after the first) → its value. */
function leafMap(stored: readonly MapNode[], plain: readonly MapNode[] | null): Map<string, Held> {
  const out = new Map<string, Held>();
  stored.forEach((doc, d) => {
    const plainLeaves = plain === null ? null : new Map(leavesOf(plain[d] as MapNode).map((l) => [JSON.stringify(l.path), l.node]));
    for (const { path, node } of leavesOf(doc)) {
      const twin = plainLeaves?.get(JSON.stringify(path));
      out.set(keyName(d, path), { stored: textOf(node), plain: twin === undefined ? null : textOf(twin) });
    }
  });
  return out;
}

export function keyName(doc: number, path: readonly Segment[]): string {
  return `${doc === 0 ? '' : `#${doc} `}${describeKeyPath([...path])}`;
}


function textOf(node: Node): string {
  if (node.kind === 'bytes') return `bytes:${Buffer.from(node.value).toString('base64')}`;
  if (isScalar(node)) {
    const { type, text } = scalarText(node);
    return `${type}:${text}`;
  }
  return node.kind;
}

/** Whether two versions hold the same value: by plaintext when both were opened, else by ciphertext. */
export function sameValue(a: Held | undefined, b: Held | undefined): { same: boolean; approximate: boolean } {
  if (a === undefined || b === undefined) return { same: a === b, approximate: false };
  if (a.plain !== null && b.plain !== null) return { same: a.plain === b.plain, approximate: false };
  return { same: a.stored === b.stored, approximate: true };
}

/**
 * For each key of the file as it is now (`current`), the commit where its value last changed:
 * the oldest commit of the newest run of versions holding the current value. `uncommitted`
 * when the value differs from the last commit's (or the file was never committed).
 */
export function lastChanges(current: ReadonlyMap<string, Held>, history: readonly Version[]): KeyHistory {
  const out = new Map<string, LastChange | 'uncommitted'>();
  for (const [key, now] of current) {
    let changed: LastChange | 'uncommitted' = 'uncommitted';
    let approximate = false;
    for (const version of history) {
      const held = version.values?.get(key);
      const cmp = sameValue(now, held);
      approximate ||= cmp.approximate;
      if (!cmp.same) break;
      const c = version.commit as FileCommit;
      changed = { commit: c.commit, author: c.author, email: c.email, date: c.date, subject: c.subject, approximate };
    }
    out.set(key, changed);
  }
  return out;
}
