/**
 * Addressing one value in a document: `db.password` (dotted) or `["db"]["password"]` /
 * `["hosts"][0]` (sops's --extract syntax). Dotted paths are matched against the keys that
 * exist, longest first, so a key that itself contains dots (`DOTTED.KEY`) still works. Pure.
 */
import { UsageError } from './errors.js';
import type { Entry, ListItem, MapItem, MapNode, Node } from './tree.js';

export type Segment = string | number;

export interface KeyPath {
  readonly text: string;
  /** Explicit segments for the sops syntax; null for a dotted path, resolved against the tree. */
  readonly segments: readonly Segment[] | null;
}

const SOPS_PART = /\[(?:"([^"]*)"|'([^']*)'|(\d+))\]/y;

export function parseKeyPath(text: string): KeyPath {
  if (text === '') throw new UsageError('the key is empty');
  if (!text.startsWith('[')) return { text, segments: null };
  const segments: Segment[] = [];
  SOPS_PART.lastIndex = 0;
  while (SOPS_PART.lastIndex < text.length) {
    const m = SOPS_PART.exec(text);
    if (m === null) throw new UsageError(`cannot read the path ${JSON.stringify(text)}`, { hint: 'write it as db.password or ["db"]["password"]' });
    segments.push(m[3] !== undefined ? Number(m[3]) : (m[1] ?? m[2] ?? ''));
  }
  return { text, segments };
}

export function describeKeyPath(path: readonly Segment[]): string {
  return path.map((s) => (typeof s === 'number' ? `[${s}]` : s)).join('.');
}

/**
 * The segments a path names in `doc`: as far as they exist, then the rest as new keys (for
 * `set`). `found` tells whether the whole path exists.
 */
export function resolveKeyPath(doc: MapNode, path: KeyPath, flat: boolean): { segments: Segment[]; found: boolean } {
  if (flat) return { segments: [path.text], found: findEntry(doc, path.text) !== undefined };
  if (path.segments !== null) return { segments: [...path.segments], found: getAt(doc, path.segments) !== undefined };
  const parts = path.text.split('.');
  const out: Segment[] = [];
  let node: Node | undefined = doc;
  let i = 0;
  while (i < parts.length && node !== undefined) {
    if (node.kind === 'list') {
      const index = /^\d+$/.test(parts[i] as string) ? Number(parts[i]) : -1;
      const items = listValues(node);
      if (index < 0 || index >= items.length) break;
      out.push(index);
      node = items[index];
      i += 1;
      continue;
    }
    if (node.kind !== 'map') break;
    let matched = false;
    for (let j = parts.length; j > i; j--) {
      const key = parts.slice(i, j).join('.');
      const entry = findEntry(node, key);
      if (entry !== undefined) {
        out.push(key);
        node = entry.value;
        i = j;
        matched = true;
        break;
      }
    }
    if (!matched) break;
  }
  const found = i === parts.length;
  return { segments: found ? out : [...out, ...parts.slice(i)], found };
}

/** The entry for `key`; when a key appears twice (sops JSON allows it) the last one, which readers see. */
export function findEntry(node: MapNode, key: string): Entry | undefined {
  return node.items.findLast((i): i is Entry => i.kind === 'entry' && i.key === key);
}

function listValues(node: { items: readonly ListItem[] }): Node[] {
  return node.items.filter((i): i is Node => i.kind !== 'comment');
}

export function getAt(doc: MapNode, segments: readonly Segment[]): Node | undefined {
  let node: Node | undefined = doc;
  for (const s of segments) {
    if (node === undefined) return undefined;
    if (typeof s === 'number') node = node.kind === 'list' ? listValues(node)[s] : undefined;
    else node = node.kind === 'map' ? findEntry(node, s)?.value : undefined;
  }
  return node;
}

/**
 * Returns `doc` with `value` at `segments`: an existing value is replaced where it stands;
 * missing keys are appended, creating maps on the way (an index one past the end appends
 * to a list).
 */
export function setAt(doc: MapNode, segments: readonly Segment[], value: Node): MapNode {
  return setIn(doc, segments, value) as MapNode;
}

function setIn(node: Node, segments: readonly Segment[], value: Node): Node {
  const [head, ...rest] = segments;
  if (head === undefined) return value;
  if (typeof head === 'number') {
    if (node.kind !== 'list') throw new UsageError(`[${head}] indexes a list, but the value there is not a list`);
    const values = listValues(node);
    if (head > values.length) throw new UsageError(`index ${head} is past the end of the list (${values.length} items)`);
    if (head === values.length) return { ...node, items: [...node.items, setIn({ kind: 'map', items: [] }, rest, value)] };
    let seen = -1;
    return { ...node, items: node.items.map((item) => (item.kind !== 'comment' && ++seen === head ? setIn(item, rest, value) : item)) };
  }
  if (node.kind !== 'map') throw new UsageError(`cannot set ${head}: the value above it is not a map`);
  const existing = findEntry(node, head);
  if (existing !== undefined) {
    const next = rest.length === 0 ? keepSource(existing.value, value) : setIn(existing.value, rest, value);
    const items: MapItem[] = node.items.map((item) => (item === existing ? { ...existing, value: next } : item));
    return { ...node, items };
  }
  const entry: Entry = { kind: 'entry', key: head, value: setIn({ kind: 'map', items: [] }, rest, value) };
  return { ...node, items: [...node.items, entry] };
}

/**
 * A scalar replacing a scalar takes over its source handle, so a format that edits in place
 * (YAML) rewrites that value where it stands instead of writing the file out again.
 */
function keepSource(old: Node, value: Node): Node {
  const oldIsLeaf = old.kind !== 'map' && old.kind !== 'list';
  const newIsLeaf = value.kind !== 'map' && value.kind !== 'list';
  return oldIsLeaf && newIsLeaf && old.src !== undefined ? ({ ...value, src: old.src } as Node) : value;
}

/** Returns `doc` without the value at `segments` (which must exist). */
export function removeAt(doc: MapNode, segments: readonly Segment[]): MapNode {
  return removeIn(doc, segments) as MapNode;
}

function removeIn(node: Node, segments: readonly Segment[]): Node {
  const [head, ...rest] = segments;
  if (head === undefined) return node;
  if (typeof head === 'number' && node.kind === 'list') {
    let seen = -1;
    const at = node.items.findIndex((item) => item.kind !== 'comment' && ++seen === head);
    if (at === -1) return node;
    if (rest.length > 0) return { ...node, items: node.items.map((item, i) => (i === at ? removeIn(item as Node, rest) : item)) };
    return { ...node, items: withoutItem(node.items, at) };
  }
  if (typeof head === 'string' && node.kind === 'map') {
    const at = node.items.findLastIndex((item) => item.kind === 'entry' && item.key === head);
    if (at === -1) return node;
    const entry = node.items[at] as Entry;
    if (rest.length > 0) return { ...node, items: node.items.map((item, i) => (i === at ? { ...entry, value: removeIn(entry.value, rest) } : item)) };
    return { ...node, items: withoutItem(node.items, at) };
  }
  return node;
}

/** Removes item `at` and the comment written at the end of its line, if any. */
function withoutItem<T extends MapItem | ListItem>(items: readonly T[], at: number): T[] {
  const before = items[at - 1];
  const trailing = before !== undefined && before.kind === 'comment' && (before as { trailing?: boolean }).trailing === true;
  return items.filter((_, i) => i !== at && !(trailing && i === at - 1));
}

/**
 * Every leaf of a document with its path (list items by index; comments and blanks skipped).
 * In a sealed document an encrypted comment inside a list is a string item of type comment
 * (sops's list walk); it is skipped too, so indices match those of the opened document.
 */
export function leavesOf(node: Node, path: Segment[] = []): Array<{ path: Segment[]; node: Node }> {
  if (node.kind === 'map') return node.items.flatMap((item) => (item.kind === 'entry' ? leavesOf(item.value, [...path, item.key]) : []));
  if (node.kind === 'list') {
    let i = 0;
    return node.items.flatMap((item) => (item.kind === 'comment' || isSealedComment(item) ? [] : leavesOf(item, [...path, i++])));
  }
  return [{ path, node }];
}

/** `ENC[AES256_GCM,…,type:comment]` (its shape only: a damaged one is found when it is opened). */
function isSealedComment(node: Node): boolean {
  return node.kind === 'str' && node.value.startsWith('ENC[AES256_GCM,') && node.value.endsWith(',type:comment]');
}
