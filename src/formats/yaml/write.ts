/**
 * Writing YAML back in place: the original text is parsed again into its lossless CST, only
 * the changed values and comments are rewritten token by token, the `sops:` block is
 * replaced, and every other byte stays. Returns null when the change is not a pure value
 * change (a key added or removed), so the caller can write the file out in full instead.
 */
import type { CST } from 'yaml';
import { yamlLib } from '../../yaml-lib.js';
import type { RawMap } from '../../metadata/model.js';
import type { Entry, MapNode, Node, Scalar } from '../../tree.js';
import { emitEntry, emitMetadataBlock, quoteDouble } from './emit.js';
import type { CommentSrc, ScalarSrc } from './read.js';
import { scalarSource } from './scalars.js';
import { isUtf8 } from 'node:buffer';

interface Located {
  readonly token: CST.SourceToken | CST.FlowScalar | CST.BlockScalar;
  /** Tag tokens in front of a value (`!!int`), removed when the value is replaced. */
  readonly tags: Array<{ list: CST.Token[]; token: CST.Token }>;
  /** The `- ` item of a block list that holds this value, if any. */
  seqItem?: CST.CollectionItem;
}

export function writeInPlace(
  text: string,
  docs: readonly MapNode[],
  metadata: RawMap | undefined,
  expectedOffsets: ReadonlySet<number>,
  metadataIndent = 4,
): string | null {
  const tokens = [...new (yamlLib().Parser)().parse(text)];
  const documents = tokens.filter((t): t is CST.Document => t.type === 'document');
  if (documents.length !== docs.length) return null;
  const index = indexTokens(tokens);
  const state: ApplyState = { index, maps: indexBlockMaps(tokens), seen: new Set(), removed: new Set(), step: indentStep(tokens) };
  for (const doc of docs) if (!applyNode(doc, state)) return null;
  for (const offset of state.seen) if (!expectedOffsets.has(offset)) return null;
  for (const offset of expectedOffsets) if (!state.seen.has(offset) && !state.removed.has(offset)) return null;
  const sopsBlock = metadata === undefined ? '' : emitMetadataBlock(metadata, metadataIndent);
  let out = '';
  for (const token of tokens) {
    if (token.type !== 'document') {
      out += yamlLib().CST.stringify(token);
      continue;
    }
    const kept = removeSopsItem(token);
    let docText = yamlLib().CST.stringify(token);
    // A document that held only the sops block would vanish; keep it as an empty map.
    const emptied = token.value?.type === 'block-map' && token.value.items.length === 0;
    const body = sopsBlock !== '' ? sopsBlock : emptied ? '{}\n' : '';
    if (body !== '' || kept !== '') {
      if (docText !== '' && !docText.endsWith('\n')) docText += '\n';
      docText += kept + body;
    }
    out += docText;
  }
  return out;
}

interface ApplyState {
  readonly index: Map<number, Located>;
  readonly maps: Map<number, CST.BlockMap>;
  readonly seen: Set<number>;
  /** Offsets of tokens that belonged to entries taken out. */
  readonly removed: Set<number>;
  /** Indentation step of the file, for keys added in place. */
  readonly step: number;
}

function applyNode(node: Node, state: ApplyState): boolean {
  if (node.kind === 'map' || node.kind === 'list') {
    if (node.kind === 'map' && !reconcileEntries(node, state)) return false;
    for (const item of node.items) {
      if (item.kind === 'blank') continue;
      if (item.kind === 'comment') {
        const src = item.src as CommentSrc | undefined;
        const located = src === undefined ? undefined : state.index.get(src.offset);
        if (src === undefined || located === undefined) return false;
        state.seen.add(src.offset);
        const source = `#${item.text.replace(/\n/g, ' ')}`;
        if (located.token.type !== 'comment' && !listItemToComment(located)) return false;
        if ((located.token as CST.SourceToken).source !== source) (located.token as CST.SourceToken).source = source;
        continue;
      }
      if (item.kind === 'entry' && item.src === undefined) continue; // added by reconcileEntries
      if (!applyNode(item.kind === 'entry' ? item.value : item, state)) return false;
    }
    return true;
  }
  const src = node.src as ScalarSrc | undefined;
  if (src === undefined) return false;
  const located = state.index.get(src.offset);
  if (located === undefined) return false;
  state.seen.add(src.offset);
  if (located.token.type === 'comment') return commentToListItem(located.token as CST.SourceToken, node);
  if (node.kind === 'null' || sameScalar(node, src.original)) return node.kind !== 'null' || src.original.kind === 'null';
  if (node.kind === 'bytes' && !isUtf8(node.value)) return false; // needs a !!binary tag: written out in full
  const { text, style } = scalarSource(node, src.inFlow);
  yamlLib().CST.setScalarValue(located.token, text, { afterKey: src.afterKey, inFlow: src.inFlow, type: style });
  // The yaml package leaves NEL, LS and PS raw inside double quotes, where go-yaml reads them
  // as line breaks: write the quotes ourselves, every such character escaped.
  if (style === 'QUOTE_DOUBLE') (located.token as CST.FlowScalar).source = quoteDouble(text);
  for (const { list, token } of located.tags) {
    const at = list.indexOf(token);
    if (at === -1) continue;
    const next = list[at + 1];
    list.splice(at, next?.type === 'space' ? 2 : 1);
  }
  return true;
}

/**
 * An encrypted comment that sops stored as a list item (`- ENC[...,type:comment]`), opened:
 * the item's `- ` goes, and its value token is then rewritten as the comment line, at the
 * column of the dash. (The result is read back before it is used.)
 */
function listItemToComment(located: Located): boolean {
  const start = located.seqItem?.start;
  const at = start?.findIndex((t) => t.type === 'seq-item-ind') ?? -1;
  if (start === undefined || at === -1 || located.seqItem?.value !== located.token) return false;
  start.splice(at, start[at + 1]?.type === 'space' ? 2 : 1);
  return true;
}

/** A comment line inside a list, sealed: sops writes it as a string item (`- ENC[...]`). */
function commentToListItem(token: CST.SourceToken, node: Node): boolean {
  if (node.kind !== 'str') return false;
  const { text, style } = scalarSource(node, false);
  if (style !== 'PLAIN') return false;
  token.source = `- ${text}`;
  return true;
}

/**
 * Keys added to or removed from a block map, applied to its CST: a removed entry leaves its
 * leading comments behind; an added one is written like its siblings and placed after the
 * last entry (before trailing comments).
 */
function reconcileEntries(node: MapNode, state: ApplyState): boolean {
  const added = node.items.filter((i): i is Entry => i.kind === 'entry' && i.src === undefined);
  const mapSrc = node.src as { offset: number } | undefined;
  const token = mapSrc === undefined ? undefined : state.maps.get(mapSrc.offset);
  if (token === undefined) return added.length === 0;
  const kept = new Set(node.items.flatMap((i) => (i.kind === 'entry' && i.src !== undefined ? [(i.src as { offset: number }).offset] : [])));
  token.items = token.items.map((item, i) => {
    if (item.key === undefined || item.key === null || !('offset' in item.key) || kept.has(item.key.offset)) return item;
    collectOffsets([item.key, ...(item.sep ?? []), ...(item.value === undefined ? [] : [item.value])], state.removed);
    // The first item's indentation is written before the map; the next one brings its own.
    const next = token.items[i + 1];
    if (i === 0 && item.start.length === 0 && next?.start[0]?.type === 'space') next.start.shift();
    return { start: item.start };
  });
  if (added.length === 0) return true;
  let at = token.items.length;
  while (at > 0 && isCommentOnly(token.items[at - 1] as CST.CollectionItem)) at -= 1;
  const last = token.items[at - 1] as CST.CollectionItem | undefined;
  const lastEnd = last?.value !== undefined && 'end' in last.value ? last.value.end : undefined;
  if (lastEnd !== undefined && !lastEnd.some((t) => t.type === 'newline')) lastEnd.push({ type: 'newline', offset: -1, indent: 0, source: '\n' });
  const fresh = added.flatMap((entry) => parsedItems(emitEntry(entry, token.indent, state.step), token.indent));
  token.items.splice(at, 0, ...(fresh as CST.BlockMap["items"]));
  return true;
}

function isCommentOnly(item: CST.CollectionItem): boolean {
  return (item.key === undefined || item.key === null) && item.sep === undefined && item.value === undefined;
}

/** The block-map items of a YAML snippet whose keys sit at column `col`. */
function parsedItems(snippet: string, col: number): CST.CollectionItem[] {
  const doc = [...new (yamlLib().Parser)().parse(snippet)].find((t): t is CST.Document => t.type === 'document');
  if (doc?.value?.type !== 'block-map') return [];
  const items = doc.value.items as CST.CollectionItem[];
  if (col > 0 && items[0] !== undefined) items[0].start.unshift({ type: 'space', offset: -1, indent: 0, source: ' '.repeat(col) });
  return items;
}

function collectOffsets(tokens: ReadonlyArray<CST.Token | undefined | null>, into: Set<number>): void {
  for (const t of tokens) {
    if (t === undefined || t === null) continue;
    if ('offset' in t) into.add(t.offset);
    if ('items' in t) for (const it of t.items as CST.CollectionItem[]) collectOffsets([it.key, ...it.start, ...(it.sep ?? []), it.value], into);
    if ('end' in t && Array.isArray(t.end)) collectOffsets(t.end, into);
    if (t.type === 'block-scalar') collectOffsets(t.props, into);
  }
}

function indexBlockMaps(tokens: readonly CST.Token[]): Map<number, CST.BlockMap> {
  const maps = new Map<number, CST.BlockMap>();
  const visit = (t: CST.Token | undefined | null): void => {
    if (t === undefined || t === null) return;
    if (t.type === 'document') visit(t.value);
    if (t.type === 'block-map') maps.set(t.offset, t);
    if (t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection') {
      for (const it of t.items as CST.CollectionItem[]) {
        visit(it.key);
        visit(it.value);
      }
    }
  };
  for (const t of tokens) visit(t);
  return maps;
}

/** How far nested maps are indented in this file (2 unless it shows otherwise). */
function indentStep(tokens: readonly CST.Token[]): number {
  for (const map of indexBlockMaps(tokens).values()) {
    for (const item of map.items) {
      if (item.value?.type === 'block-map' && item.value.indent > map.indent) return item.value.indent - map.indent;
    }
  }
  return 2;
}

function sameScalar(a: Scalar, b: Scalar | { kind: 'null' }): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'float' && b.kind === 'float') return Object.is(a.value, b.value);
  if (a.kind === 'bytes' && b.kind === 'bytes') return Buffer.from(a.value).equals(b.value);
  return a.value === b.value;
}

/** Every scalar, alias and comment token by offset, with the tags written in front of values. */
function indexTokens(tokens: readonly CST.Token[]): Map<number, Located> {
  const index = new Map<number, Located>();
  const tagsOf = new Map<number, Located['tags']>();
  const visitList = (list: CST.Token[] | undefined, value?: CST.Token): void => {
    for (const t of list ?? []) {
      if (t.type === 'tag' && value !== undefined) {
        const tags = tagsOf.get(offsetOf(value)) ?? [];
        tags.push({ list, token: t } as { list: CST.Token[]; token: CST.Token });
        tagsOf.set(offsetOf(value), tags);
      } else {
        visit(t);
      }
    }
  };
  const visitItem = (it: CST.CollectionItem): void => {
    visit(it.key);
    visitList(it.start, it.sep === undefined ? it.value : undefined);
    visitList(it.sep, it.value);
    visit(it.value);
  };
  const visit = (t: CST.Token | undefined | null): void => {
    if (t === undefined || t === null) return;
    switch (t.type) {
      case 'document':
        visitList(t.start, t.value);
        visit(t.value);
        visitList(t.end);
        break;
      case 'block-map':
        for (const item of t.items) visitItem(item as CST.CollectionItem);
        break;
      case 'block-seq':
        for (const item of t.items) {
          visitItem(item as CST.CollectionItem);
          const located = item.value !== undefined && 'offset' in item.value ? index.get(item.value.offset) : undefined;
          if (located !== undefined && located.token === item.value) located.seqItem = item as CST.CollectionItem;
        }
        break;
      case 'flow-collection':
        for (const item of t.items) visitItem(item);
        visitList(t.end);
        break;
      case 'scalar':
      case 'single-quoted-scalar':
      case 'double-quoted-scalar':
      case 'alias':
        index.set(t.offset, { token: t, tags: [] });
        visitList(t.end);
        break;
      case 'block-scalar':
        index.set(t.offset, { token: t, tags: [] });
        visitList(t.props);
        break;
      case 'doc-end':
        visitList(t.end);
        break;
      case 'comment':
        index.set(t.offset, { token: t, tags: [] });
        break;
      default:
        break;
    }
  };
  for (const t of tokens) visit(t);
  for (const [offset, tags] of tagsOf) index.get(offset)?.tags.push(...tags);
  return index;
}

function offsetOf(t: CST.Token): number {
  return 'offset' in t ? t.offset : -1;
}

/**
 * Takes the `sops` entry out of a document's top-level map. Returns the text to keep in
 * front of the new block: comments that stood just before `sops:`, and top-level comments
 * that had ended up inside the old block.
 */
function removeSopsItem(doc: CST.Document): string {
  const map = doc.value;
  if (map === undefined || map.type !== 'block-map') return '';
  const at = map.items.findIndex((item) => item.key !== undefined && item.key !== null && 'source' in item.key && item.key.source === 'sops');
  if (at === -1) return '';
  const [item] = map.items.splice(at, 1);
  if (item === undefined) return '';
  let kept = item.start.map((t) => t.source).join('');
  kept = kept.replace(/^[ \t]+/, '');
  const stray: string[] = [];
  const collect = (t: CST.Token | CST.Token[] | undefined | null, depth: number): void => {
    if (t === undefined || t === null) return;
    if (Array.isArray(t)) {
      for (const x of t) collect(x, depth);
      return;
    }
    if (t.type === 'comment' && t.indent === 0 && depth > 0) stray.push(`${t.source}\n`);
    if ('items' in t) for (const it of t.items as CST.CollectionItem[]) collect([...it.start, ...(it.sep ?? []), ...(it.value ? [it.value] : [])], depth + 1);
    if ('end' in t && Array.isArray(t.end)) collect(t.end, depth + 1);
  };
  collect(item.sep ?? [], 1);
  collect(item.value, 1);
  return kept + stray.join('');
}
