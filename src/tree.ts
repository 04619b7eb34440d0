/**
 * The format-neutral document tree (sops-format.md §1). Every format parses into it and
 * emits from it, so the crypto code never needs to know about formats.
 *
 * A document is an ordered map. Maps hold entries, comments and (dotenv only) blank
 * lines, in file order. Lists hold nodes and comments. Leaves are typed scalars or null.
 *
 * `src` is an opaque handle a format may attach to remember where a node came from (the
 * YAML format uses it to edit values in place). Tree transforms copy it unchanged.
 */

export type Scalar =
  | { readonly kind: 'str'; readonly value: string; readonly src?: unknown }
  /** int64, kept exact. */
  | { readonly kind: 'int'; readonly value: bigint; readonly src?: unknown }
  | { readonly kind: 'float'; readonly value: number; readonly src?: unknown }
  | { readonly kind: 'bool'; readonly value: boolean; readonly src?: unknown }
  /** A timestamp, held as Go's `time.MarshalText` form (RFC 3339, nanoseconds, no trailing zeros). */
  | { readonly kind: 'time'; readonly value: string; readonly src?: unknown }
  /** Legacy sops type `bytes`: raw bytes. Never written by current sops. */
  | { readonly kind: 'bytes'; readonly value: Uint8Array; readonly src?: unknown };

export interface NullNode {
  readonly kind: 'null';
  readonly src?: unknown;
}

export interface MapNode {
  readonly kind: 'map';
  readonly items: readonly MapItem[];
  readonly src?: unknown;
}

export interface ListNode {
  readonly kind: 'list';
  readonly items: readonly ListItem[];
  readonly src?: unknown;
}

export type Node = Scalar | NullNode | MapNode | ListNode;

export interface Entry {
  readonly kind: 'entry';
  readonly key: string;
  readonly value: Node;
  /** 1-based source line of the key, for error messages. */
  readonly line?: number;
  readonly src?: unknown;
}

export interface Comment {
  readonly kind: 'comment';
  /** The comment text without its `#` (leading space kept), as sops stores it. */
  readonly text: string;
  /** Written at the end of the line of the entry that follows it (`key: v # this`). */
  readonly trailing?: boolean;
  /** 1-based source line, for messages (not part of the data). */
  readonly line?: number;
  readonly src?: unknown;
}

/** A blank line. Only the dotenv format produces these; they carry no data. */
export interface Blank {
  readonly kind: 'blank';
}

export type MapItem = Entry | Comment | Blank;
export type ListItem = Node | Comment;

/** One leaf as seen by a walk: a scalar, or a comment. Null leaves are never visited. */
export type Leaf = Scalar | Comment;

/** What a walk tells about a leaf. Valid during the callback only: the walk reuses it. */
export interface LeafContext {
  /** Map keys from the document root to the leaf (list indices are not part of it). */
  readonly path: readonly string[];
  /** Comments active at each nesting level (sops-format.md §4 "comment stack"). */
  readonly commentStack: readonly (readonly string[])[];
  readonly isComment: boolean;
  /**
   * Whether the leaf is an item of a list. Only there may a leaf change kind: sops stores an
   * encrypted comment inside a list as a string item `ENC[...,type:comment]` (its list walk
   * keeps what the cipher returns), and opening that item gives the comment back.
   */
  readonly inList: boolean;
  /**
   * Where the leaf is in its document, unambiguously: map keys, list indices (comments
   * counted), and for a comment between map entries its ordinal among them. Unlike `path`
   * (the AAD), no two leaves of a document share it. The IV stash is keyed by it.
   */
  readonly place: readonly Place[];
}

/** One step of a {@link LeafContext.place}: a map key, a list index, or the n-th comment of a map. */
export type Place = string | number | { readonly comment: number };

/** Returns the leaf to put in its place: the same kind, except inside lists (see {@link LeafContext.inList}). */
export type LeafFn = (leaf: Leaf, ctx: LeafContext) => Leaf;

export const str = (value: string): Scalar => ({ kind: 'str', value });
export const entry = (key: string, value: Node): Entry => ({ kind: 'entry', key, value });
export const map = (items: readonly MapItem[]): MapNode => ({ kind: 'map', items });
export const list = (items: readonly ListItem[]): ListNode => ({ kind: 'list', items });

export function isScalar(node: Node | Comment | Blank): node is Scalar {
  switch (node.kind) {
    case 'str':
    case 'int':
    case 'float':
    case 'bool':
    case 'time':
    case 'bytes':
      return true;
    default:
      return false;
  }
}

/**
 * Rebuilds `doc` with every leaf passed through `fn`, walking exactly as sops does
 * (sops.go walkBranch/walkSlice): depth first in document order; a comment joins the
 * active comments of its level; the level's comments are cleared after each non-comment
 * entry, once its subtree has been walked. Null leaves are skipped.
 *
 * In a list, an encrypted comment is a string item until it is opened (sops.go walkSlice):
 * it does not count as a comment for its own rule decision, and once opened it joins the
 * stack, so the items after it see the same comments as when the file was sealed. (sops
 * 3.13.3 clears the stack there instead, so with a comment-regex rule it cannot open such a
 * list, getsops/sops#2281; without one the stack plays no part.)
 */
export function mapLeaves(doc: MapNode, fn: LeafFn): MapNode {
  // Down through maps alone a leaf's place is its path: the two share one array until a list
  // or a comment makes them differ (one array fewer per leaf of a 10,000-key file).
  const root: string[] = [];
  return walkMap(doc, root, root, [], fn);
}

/** Visits every leaf in walk order without rebuilding anything. */
export function forEachLeaf(doc: MapNode, fn: (leaf: Leaf, ctx: LeafContext) => void): void {
  mapLeaves(doc, (leaf, ctx) => {
    fn(leaf, ctx);
    return leaf;
  });
}

function walkNode(node: Node, path: string[], place: Place[], stack: string[][], fn: LeafFn): Node {
  switch (node.kind) {
    case 'map':
      return walkMap(node, path, place, stack, fn);
    case 'list':
      return walkList(node, path, place, stack, fn);
    case 'null':
      return node;
    default:
      return fn(node, { path, commentStack: stack, isComment: false, inList: false, place }) as Scalar;
  }
}

function walkMap(node: MapNode, path: string[], place: Place[], outer: string[][], fn: LeafFn): MapNode {
  const level: string[] = [];
  const stack = [...outer, level];
  const items: MapItem[] = [];
  let comments = 0;
  for (const item of node.items) {
    if (item.kind === 'blank') {
      items.push(item);
    } else if (item.kind === 'comment') {
      level.push(item.text);
      items.push(fn(item, { path, commentStack: stack, isComment: true, inList: false, place: [...place, { comment: comments++ }] }) as Comment);
    } else {
      const childPath = [...path, item.key];
      const value = walkNode(item.value, childPath, place === path ? childPath : [...place, item.key], stack, fn);
      items.push(value === item.value ? item : { ...item, value });
      level.length = 0;
    }
  }
  return { ...node, items };
}

function walkList(node: ListNode, path: string[], place: Place[], outer: string[][], fn: LeafFn): ListNode {
  const level: string[] = [];
  const stack = [...outer, level];
  const items: ListItem[] = [];
  node.items.forEach((item, index) => {
    const at = [...place, index];
    if (item.kind === 'comment') {
      level.push(item.text);
      items.push(fn(item, { path, commentStack: stack, isComment: true, inList: true, place: at }));
    } else if (isScalar(item)) {
      const out = fn(item, { path, commentStack: stack, isComment: false, inList: true, place: at });
      items.push(out);
      // An item that opened to a comment stays active, as it was when it was sealed.
      if (out.kind === 'comment') level.push(out.text);
      else level.length = 0;
    } else {
      items.push(walkNode(item, path, at, stack, fn));
      level.length = 0;
    }
  });
  return { ...node, items };
}

/** The AAD of a leaf: its map-key path joined with `:`, plus a trailing `:` (§3). */
export function aadFor(path: readonly string[]): string {
  return path.length === 0 ? ':' : `${path.join(':')}:`;
}

/** Whether two nodes hold the same data and comments (source handles and lines ignored). */
export function sameTree(a: Node | MapItem | ListItem, b: Node | MapItem | ListItem): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'map':
    case 'list': {
      const items = (b as MapNode | ListNode).items as readonly (MapItem | ListItem)[];
      return a.items.length === items.length && a.items.every((item, i) => sameTree(item, items[i] as MapItem | ListItem));
    }
    case 'entry':
      return a.key === (b as Entry).key && sameTree(a.value, (b as Entry).value);
    case 'comment':
      return a.text === (b as Comment).text;
    case 'blank':
    case 'null':
      return true;
    case 'float':
      return Object.is(a.value, (b as typeof a).value);
    case 'bytes':
      return Buffer.from(a.value).equals((b as typeof a).value);
    default:
      return a.value === (b as typeof a).value;
  }
}
