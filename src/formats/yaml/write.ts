/**
 * Writing YAML back in place: the original text is parsed again into its lossless CST, only
 * the changed values and comments are rewritten token by token, the `sops:` block is
 * replaced, and every other byte stays. Returns null when the change is not a pure value
 * change (a key added or removed), so the caller can write the file out in full instead.
 */
import { CST, Parser } from 'yaml';
import type { RawMap } from '../../metadata/model.js';
import type { MapNode, Node, Scalar } from '../../tree.js';
import { emitMetadataBlock } from './emit.js';
import type { CommentSrc, ScalarSrc } from './read.js';
import { scalarSource } from './scalars.js';

interface Located {
  readonly token: CST.SourceToken | CST.FlowScalar | CST.BlockScalar;
  /** Tag tokens in front of a value (`!!int`), removed when the value is replaced. */
  readonly tags: Array<{ list: CST.Token[]; token: CST.Token }>;
}

export function writeInPlace(
  text: string,
  docs: readonly MapNode[],
  metadata: RawMap | undefined,
  expectedOffsets: ReadonlySet<number>,
): string | null {
  const tokens = [...new Parser().parse(text)];
  const documents = tokens.filter((t): t is CST.Document => t.type === 'document');
  if (documents.length !== docs.length) return null;
  const index = indexTokens(tokens);
  const seen = new Set<number>();
  for (const doc of docs) if (!applyNode(doc, index, seen)) return null;
  if (seen.size !== expectedOffsets.size || [...seen].some((o) => !expectedOffsets.has(o))) return null;
  const sopsBlock = metadata === undefined ? '' : emitMetadataBlock(metadata);
  let out = '';
  for (const token of tokens) {
    if (token.type !== 'document') {
      out += CST.stringify(token);
      continue;
    }
    const kept = removeSopsItem(token);
    let docText = CST.stringify(token);
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

function applyNode(node: Node, index: Map<number, Located>, seen: Set<number>): boolean {
  if (node.kind === 'map' || node.kind === 'list') {
    for (const item of node.items) {
      if (item.kind === 'blank') continue;
      if (item.kind === 'comment') {
        const src = item.src as CommentSrc | undefined;
        const located = src === undefined ? undefined : index.get(src.offset);
        if (src === undefined || located === undefined) return false;
        seen.add(src.offset);
        const source = `#${item.text.replace(/\n/g, ' ')}`;
        if ((located.token as CST.SourceToken).source !== source) (located.token as CST.SourceToken).source = source;
        continue;
      }
      if (!applyNode(item.kind === 'entry' ? item.value : item, index, seen)) return false;
    }
    return true;
  }
  const src = node.src as ScalarSrc | undefined;
  if (node.kind === 'null') {
    if (src !== undefined) seen.add(src.offset);
    return true;
  }
  if (src === undefined) return false;
  const located = index.get(src.offset);
  if (located === undefined) return false;
  seen.add(src.offset);
  if (sameScalar(node, src.original)) return true;
  const { text, style } = scalarSource(node, src.inFlow);
  CST.setScalarValue(located.token, text, { afterKey: src.afterKey, inFlow: src.inFlow, type: style });
  for (const { list, token } of located.tags) {
    const at = list.indexOf(token);
    if (at === -1) continue;
    const next = list[at + 1];
    list.splice(at, next?.type === 'space' ? 2 : 1);
  }
  return true;
}

function sameScalar(a: Scalar, b: Scalar): boolean {
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
      case 'block-seq':
        for (const item of t.items) visitItem(item as CST.CollectionItem);
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
