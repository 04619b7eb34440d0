/**
 * Reading YAML into the neutral tree, typed as sops (go-yaml v3) types it, from the
 * lossless CST of the `yaml` package, so the writer can later edit values in place.
 *
 * Every leaf remembers where it came from (`src`: the byte offset of its token), and so does
 * every comment. Comments go to the collection sops puts them in: the innermost open block
 * collection whose indentation is at or left of the `#` (inline comments go before the
 * entry they trail, as sops orders them).
 */
import type { CST, LineCounter } from 'yaml';
import { yamlLib, yamlProblem } from '../../yaml-lib.js';
import { ParseError } from '../../errors.js';
import type { Comment, Entry, ListItem, MapItem, MapNode, Node, Scalar } from '../../tree.js';
import { goBase64, goQuotedValue, unknownGoEscape, YAML11_BREAKS } from './go-text.js';
import { readYamlTimestamp, resolveNumber, resolvePlain, type Resolved } from './scalars.js';

/** Where a scalar leaf sits in the source. */
export interface ScalarSrc {
  readonly offset: number;
  readonly afterKey: boolean;
  readonly inFlow: boolean;
  /** The value as read, to tell later whether it changed. */
  readonly original: Scalar | { readonly kind: 'null' };
}

export interface CommentSrc {
  readonly offset: number;
}

export interface YamlDocument {
  readonly doc: MapNode;
  /** The `sops` entry of this document, if any (its data, and its item's offset). */
  readonly sops: { readonly node: Node; readonly offset: number } | undefined;
}

export interface YamlRead {
  readonly documents: YamlDocument[];
  /** False when values cannot be edited in place (aliases of collections, merge keys, a flow-map document). */
  readonly inPlace: boolean;
}

interface Builder {
  readonly kind: 'map' | 'list';
  readonly indent: number;
  readonly items: Array<MapItem | ListItem>;
  readonly keys: Set<string>;
}

type Props = { anchor?: string; tag?: string };

export function readYaml(text: string, file: string): YamlRead {
  checkSyntax(text, file);
  const lines = new (yamlLib().LineCounter)();
  const tokens = [...new (yamlLib().Parser)(lines.addNewLine).parse(text)];
  const reader = new Reader(file, lines, text);
  const documents: YamlDocument[] = [];
  let leading: CST.SourceToken[] = [];
  for (const token of tokens) {
    if (token.type === 'document') {
      documents.push(reader.document(token, leading));
      leading = [];
    } else if (token.type === 'comment') {
      leading.push(token);
    } else if (token.type === 'doc-end') {
      const last = documents.at(-1);
      if (last !== undefined) reader.trailing(last.doc, token.end ?? []);
    } else if (token.type === 'error') {
      throw reader.fail(token.offset, token.message);
    }
  }
  if (leading.length > 0 && documents.length > 0) reader.trailing((documents.at(-1) as YamlDocument).doc, leading);
  return { documents, inPlace: reader.inPlace };
}

/**
 * The yaml package's composer finds what the CST alone does not flag (bad indentation,
 * duplicate keys). Duplicate keys count in the first document only: sops checks them by
 * decoding that document into a map, and keeps both entries in later ones.
 */
function checkSyntax(text: string, file: string): void {
  const lines = new (yamlLib().LineCounter)();
  const docs = yamlLib().parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, strict: false });
  for (const [i, doc] of docs.entries()) {
    const err = doc.errors.find((e) => i === 0 || e.code !== 'DUPLICATE_KEY');
    if (err !== undefined) {
      const line = err.linePos?.[0].line;
      // Code and line only: the library's message can quote the offending line, which may hold a secret.
      throw new ParseError(`invalid YAML at line ${line ?? '?'} (${err.code}: ${yamlProblem(err.code)})`, { file, line });
    }
  }
}


class Reader {
  inPlace = true;
  /** Anchors stay defined in the documents after theirs, as in go-yaml's decoder (sops reads them all with one). */
  readonly #anchors = new Map<string, Node>();
  #documents = 0;
  /** Nodes copied by aliases so far: a few hundred bytes of aliases can otherwise mean gigabytes. */
  #expanded = 0;

  constructor(
    readonly file: string,
    readonly lines: LineCounter,
    readonly text: string,
  ) {}

  fail(offset: number, message: string): ParseError {
    const line = this.lines.linePos(offset).line;
    return new ParseError(`invalid YAML at line ${line}: ${message}`, { file: this.file, line });
  }

  #column(offset: number): number {
    return this.lines.linePos(offset).col - 1;
  }

  document(token: CST.Document, leading: CST.SourceToken[]): YamlDocument {
    this.#documents += 1;
    const top: Builder = { kind: 'map', indent: 0, items: [], keys: new Set() };
    for (const c of comments(leading)) top.items.push(this.#comment(c));
    for (const c of comments(token.start)) top.items.push(this.#comment(c));
    const value = token.value;
    let sops: YamlDocument['sops'];
    if (value !== undefined && value.type === 'block-map') {
      this.#blockMap(value, top, [top]);
    } else if (value !== undefined && value.type === 'flow-collection' && value.start.source === '{') {
      this.inPlace = false;
      this.#flowCollection(value, top, [top]);
    } else if (value !== undefined && !isEmptyScalar(value)) {
      throw this.fail(tokenOffset(value), 'the top level of a document must be a map (sops stores maps only)');
    } else if (value !== undefined && 'end' in value) {
      for (const c of comments(value.end ?? [])) top.items.push(this.#comment(c));
    }
    this.trailing(top, token.end ?? []);
    const items: MapItem[] = [];
    for (const item of top.items as MapItem[]) {
      if (item.kind === 'entry' && item.key === 'sops') sops = { node: item.value, offset: (item.src as { offset: number }).offset };
      else items.push(item);
    }
    const src = value !== undefined && value.type === 'block-map' ? { offset: value.offset } : undefined;
    return { doc: src === undefined ? { kind: 'map', items } : { kind: 'map', items, src }, sops };
  }

  trailing(doc: MapNode | Builder, tokens: readonly CST.SourceToken[]): void {
    for (const c of comments(tokens)) (doc.items as Array<MapItem | ListItem>).push(this.#comment(c));
  }

  #comment(token: CST.SourceToken, trailing = false): Comment {
    if (YAML11_BREAKS.test(token.source)) throw this.#breakInside(token.offset, 'a comment');
    const comment: Comment = { kind: 'comment', text: token.source.slice(1), line: this.lines.linePos(token.offset).line, src: { offset: token.offset } satisfies CommentSrc };
    return trailing ? { ...comment, trailing } : comment;
  }

  /** Sends each comment to the innermost open collection at or left of its column. */
  #distribute(tokens: readonly CST.SourceToken[], chain: readonly Builder[]): void {
    for (const c of comments(tokens)) {
      const col = this.#column(c.offset);
      const target = [...chain].reverse().find((b) => b.indent <= col) ?? (chain[0] as Builder);
      target.items.push(this.#comment(c));
    }
  }

  #blockMap(token: CST.BlockMap, builder: Builder, chain: readonly Builder[]): void {
    // The list of the previous entry, when it sits at this map's column (`key:` / `- a`).
    let indentless: Builder | undefined;
    for (const item of token.items) {
      if (indentless !== undefined) {
        const { foot, rest } = this.#splitFoot(item.start);
        for (const c of foot) indentless.items.push(this.#comment(c));
        this.#distribute(rest, chain);
      } else {
        this.#distribute(item.start, chain);
      }
      if (item.key === undefined && item.sep === undefined && item.value === undefined) continue;
      const keyToken = item.key;
      if (keyToken === undefined || keyToken === null) throw this.fail(item.sep?.[0]?.offset ?? 0, 'a map entry without a key');
      // `? key` (an explicit key) is the same entry for go-yaml, as long as the key is a string.
      const keyProps = propsOf(item.start);
      const key = this.#key(keyToken, keyProps);
      if (keyProps.anchor !== undefined) this.#anchors.set(keyProps.anchor, { kind: 'str', value: key });
      const child = this.#addEntry(builder, key, keyToken, item.sep ?? [], item.value, chain, false);
      indentless = child?.kind === 'list' && child.indent === builder.indent ? child : undefined;
    }
  }

  /**
   * Comment lines after an indentless list (its `- ` at the column of the map's keys), as
   * go-yaml's scanner splits them (scan_comments): the run that starts on the line after the
   * list's last item and ends at a blank line, or at the end of the document, is a foot
   * comment of that item, so sops keeps it in the list; the others are head comments of the
   * next key, in the map.
   */
  #splitFoot(tokens: readonly CST.SourceToken[]): { foot: CST.SourceToken[]; rest: CST.SourceToken[] } {
    const lines: CST.SourceToken[][] = [[]];
    for (const t of tokens) {
      if (t.type === 'newline') lines.push([]);
      else (lines.at(-1) as CST.SourceToken[]).push(t);
    }
    const complete = lines.slice(0, -1);
    const isComment = (line: CST.SourceToken[]): boolean => line.some((t) => t.type === 'comment');
    if (complete.length === 0 || !isComment(complete[0] as CST.SourceToken[])) return { foot: [], rest: [...tokens] };
    let end = complete.findIndex((line) => !isComment(line));
    if (end === -1) {
      const last = tokens.at(-1);
      if (last !== undefined && this.#contentFollows(last.offset + last.source.length)) return { foot: [], rest: [...tokens] };
      end = complete.length;
    }
    const foot = complete.slice(0, end).flat().filter((t) => t.type === 'comment');
    return { foot, rest: tokens.filter((t) => !foot.includes(t)) };
  }

  /** Whether anything but blank and comment lines follows `offset` in this document. */
  #contentFollows(offset: number): boolean {
    for (const line of this.text.slice(offset).split('\n')) {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      return !(line.startsWith('---') || line.startsWith('...'));
    }
    return false;
  }

  /** Adds an entry; returns the builder of its value when that is a block collection. */
  #addEntry(builder: Builder, key: string, keyToken: CST.Token, sep: readonly CST.SourceToken[], value: CST.Token | undefined, chain: readonly Builder[], inFlow: boolean): Builder | undefined {
    const offset = tokenOffset(keyToken);
    if (builder.keys.has(key) && this.#documents === 1) throw this.fail(offset, `key ${JSON.stringify(key)} appears twice`);
    builder.keys.add(key);
    const { inline, later } = splitInline(sep);
    for (const c of comments(inline)) builder.items.push(this.#comment(c, true));
    const props = propsOf(sep);
    const entry: { kind: 'entry'; key: string; value: Node; line: number; src: { offset: number } } = {
      kind: 'entry',
      key,
      value: { kind: 'null' },
      line: this.lines.linePos(offset).line,
      src: { offset },
    };
    if (value !== undefined && (value.type === 'block-map' || value.type === 'block-seq')) {
      builder.items.push(entry);
      const child: Builder = { kind: value.type === 'block-map' ? 'map' : 'list', indent: value.indent, items: [], keys: new Set() };
      this.#distribute(later, [...chain, child]);
      entry.value = this.#collection(value, child, [...chain, child]);
      if (props.anchor !== undefined) this.#anchors.set(props.anchor, entry.value);
      return child;
    } else {
      for (const c of comments(inlineEnd(value))) builder.items.push(this.#comment(c, true));
      builder.items.push(entry);
      this.#distribute(later, chain);
      entry.value = this.#value(value, props, { afterKey: true, inFlow }, chain);
      this.#distribute(afterInlineEnd(value), chain);
    }
    if (props.anchor !== undefined) this.#anchors.set(props.anchor, entry.value);
    return undefined;
  }

  #collection(token: CST.BlockMap | CST.BlockSequence, builder: Builder, chain: readonly Builder[]): Node {
    if (token.type === 'block-map') {
      this.#blockMap(token, builder, chain);
      return { kind: 'map', items: builder.items as MapItem[], src: { offset: token.offset } };
    }
    const parent = chain.at(-2);
    const indentless = parent?.kind === 'map' && parent.indent === token.indent;
    for (const item of token.items) {
      const { before, after, indicator } = splitAtIndicator(item.start);
      // Comments after the last `- ` come as an item with no indicator: not a null item.
      if (!indicator && item.value === undefined && indentless) {
        const { foot, rest } = this.#splitFoot(before);
        for (const c of foot) builder.items.push(this.#comment(c));
        this.#distribute(rest, chain.slice(0, -1));
        continue;
      }
      this.#distribute(before, chain);
      if (!indicator && item.value === undefined) continue;
      const props = propsOf(after);
      const value = item.value;
      if (value !== undefined && (value.type === 'block-map' || value.type === 'block-seq')) {
        const child: Builder = { kind: value.type === 'block-map' ? 'map' : 'list', indent: value.indent, items: [], keys: new Set() };
        const node = this.#collection(value, child, [...chain, child]);
        builder.items.push(node);
        if (props.anchor !== undefined) this.#anchors.set(props.anchor, node);
      } else {
        for (const c of comments(inlineEnd(value))) builder.items.push(this.#comment(c, true));
        const node = this.#value(value, props, { afterKey: false, inFlow: false }, chain);
        builder.items.push(node);
        this.#distribute(afterInlineEnd(value), chain);
        if (props.anchor !== undefined) this.#anchors.set(props.anchor, node);
      }
    }
    return { kind: 'list', items: builder.items as ListItem[], src: { offset: token.offset } };
  }

  #flowCollection(token: CST.FlowCollection, builder: Builder, chain: readonly Builder[]): void {
    const isMap = token.start.source === '{';
    for (const item of token.items) {
      this.#distribute(item.start, [...chain]);
      if (isMap) {
        if (item.key === undefined || item.key === null) {
          if (item.value === undefined) continue;
          throw this.fail(tokenOffset(item.value), 'a flow map entry without a key');
        }
        this.#addEntry(builder, this.#key(item.key), item.key, item.sep ?? [], item.value, chain, true);
      } else {
        if (item.key !== undefined && item.key !== null) throw this.fail(tokenOffset(item.key), 'maps inside flow lists ([a: b]) are not supported');
        const props = propsOf(item.sep ?? item.start);
        const node = this.#value(item.value, props, { afterKey: false, inFlow: true }, chain);
        builder.items.push(node);
        if (props.anchor !== undefined) this.#anchors.set(props.anchor, node);
      }
    }
    this.#distribute(token.end, chain);
  }

  #value(token: CST.Token | undefined, props: Props, where: { afterKey: boolean; inFlow: boolean }, chain: readonly Builder[]): Node {
    if (token === undefined) return { kind: 'null' };
    switch (token.type) {
      case 'alias':
        return this.#alias(token, where);
      case 'flow-collection': {
        // indent -1: a comment inside a flow collection always belongs to it
        const builder: Builder = { kind: token.start.source === '{' ? 'map' : 'list', indent: -1, items: [], keys: new Set() };
        this.#flowCollection(token, builder, [...chain, builder]);
        return builder.kind === 'map'
          ? { kind: 'map', items: builder.items as MapItem[], src: { offset: token.offset } }
          : { kind: 'list', items: builder.items as ListItem[], src: { offset: token.offset } };
      }
      case 'scalar':
      case 'single-quoted-scalar':
      case 'double-quoted-scalar':
      case 'block-scalar':
        return this.#scalar(token, props, where);
      case 'block-map':
      case 'block-seq':
        throw this.fail(token.offset, 'unexpected collection');
      default:
        throw this.fail(tokenOffset(token), 'unexpected token');
    }
  }

  #alias(token: CST.FlowScalar, where: { afterKey: boolean; inFlow: boolean }): Node {
    const name = token.source.slice(1);
    const target = this.#anchors.get(name);
    if (target === undefined) throw this.fail(token.offset, `alias *${name} has no anchor before it`);
    if (target.kind === 'map' || target.kind === 'list') {
      this.inPlace = false; // the copy has to be written out in full, as sops does
      this.#expanded += nodeCount(target);
      if (this.#expanded > MAX_ALIAS_EXPANSION) {
        throw this.fail(token.offset, `aliases expand to more than ${MAX_ALIAS_EXPANSION.toLocaleString('en')} values (an alias bomb?); envseal stops here`);
      }
      return stripSrc(target);
    }
    if (target.kind === 'null') return { kind: 'null' };
    const copy = { ...target } as Scalar;
    return { ...copy, src: { offset: token.offset, ...where, original: copy } satisfies ScalarSrc } as Scalar;
  }

  #scalar(token: CST.FlowScalar | CST.BlockScalar, props: Props, where: { afterKey: boolean; inFlow: boolean }): Node {
    const value = this.#scalarValue(token);
    if (value === null) return { kind: 'null' };
    const tag = normalizeTag(props.tag);
    const typed = this.#typed(value, token.type === 'scalar', tag, token.offset);
    const src: ScalarSrc = { offset: token.offset, ...where, original: typed };
    if (typed.kind === 'null') return { kind: 'null', src };
    return { ...typed, src } as Scalar;
  }

  /** A scalar's text as go-yaml reads it (go-text.ts), or null for an empty node. */
  #scalarValue(token: CST.FlowScalar | CST.BlockScalar): string | null {
    const quoted = token.type === 'single-quoted-scalar' || token.type === 'double-quoted-scalar';
    if (token.type === 'double-quoted-scalar') {
      const escape = unknownGoEscape(token.source);
      if (escape !== null) throw this.fail(token.offset, `go-yaml (sops) does not know the escape ${escape} in double quotes; write the character itself`);
    }
    if (YAML11_BREAKS.test(token.source)) {
      if (!quoted) throw this.#breakInside(token.offset, token.type === 'block-scalar' ? 'a block scalar' : 'an unquoted value');
      const value = goQuotedValue(token.source);
      if (value === null) throw this.fail(token.offset, 'go-yaml (sops) cannot read this quoted value');
      return value;
    }
    const resolved = yamlLib().CST.resolveAsScalar(token, true, (offset, _code, message) => {
      throw this.fail(offset, message);
    });
    return resolved === null ? null : resolved.value;
  }

  #breakInside(offset: number, where: string): ParseError {
    return this.fail(offset, `${where} holds U+0085, U+2028 or U+2029, which go-yaml (sops) reads as a line break; quote the value and write it as \\N, \\L or \\P`);
  }

  #typed(text: string, plain: boolean, tag: string | undefined, offset: number): Scalar | { kind: 'null' } {
    let resolved: Resolved;
    if (tag === undefined) {
      resolved = plain ? resolvePlain(text) : { kind: 'str', value: text };
    } else if (tag === 'str' || tag === 'binary') {
      if (tag === 'binary') return this.#binary(text, offset);
      resolved = { kind: 'str', value: text };
    } else if (['int', 'float', 'bool', 'null', 'timestamp'].includes(tag)) {
      resolved = this.#tagged(text, tag, offset);
    } else {
      resolved = { kind: 'str', value: text }; // unknown tags (!Ref, !secret): a string; the tag is lost, as in sops
    }
    if (resolved.kind === 'uint64') throw this.fail(offset, 'an integer is above the int64 range sops can store (quote it to keep it as text)');
    if (resolved.kind === 'unstorable-time') {
      throw this.fail(offset, 'a timestamp whose offset is 24 hours or more, which sops cannot store (Go refuses to write it); quote it to keep it as text');
    }
    return resolved;
  }

  /** go-yaml decodes `!!binary` into a string of the raw bytes; sops stores it as `type:str`. */
  #binary(text: string, offset: number): Scalar {
    const bytes = goBase64(text);
    if (bytes === null) throw this.fail(offset, 'a !!binary value that is not padded standard base64 (sops refuses it)');
    const asText = Buffer.from(bytes).toString('utf8');
    return Buffer.from(asText, 'utf8').equals(bytes) ? { kind: 'str', value: asText } : { kind: 'bytes', value: bytes };
  }

  #tagged(text: string, tag: string, offset: number): Resolved {
    const mismatch = (): never => {
      throw this.fail(offset, `a value tagged !!${tag} does not read as one`);
    };
    if (tag === 'timestamp') {
      const time = readYamlTimestamp(text);
      return time === null ? mismatch() : time;
    }
    const resolved = tag === 'int' || tag === 'float' ? resolveNumber(text) ?? resolvePlain(text) : resolvePlain(text);
    if (tag === 'float' && resolved.kind === 'int') return { kind: 'float', value: Number(resolved.value) };
    const wanted = { int: 'int', float: 'float', bool: 'bool', null: 'null' }[tag];
    return resolved.kind === wanted || (tag === 'int' && resolved.kind === 'uint64') ? resolved : mismatch();
  }

  #key(token: CST.Token, props: Props = {}): string {
    if (token.type === 'alias') {
      const target = this.#anchors.get(token.source.slice(1));
      if (target === undefined) throw this.fail(token.offset, `alias ${token.source} has no anchor before it`);
      if (target.kind === 'str') return target.value;
      throw this.fail(token.offset, `key ${token.source} is not a string (it stands for a ${target.kind}); sops keys must be strings`);
    }
    if (token.type !== 'scalar' && token.type !== 'single-quoted-scalar' && token.type !== 'double-quoted-scalar' && token.type !== 'block-scalar') {
      throw this.fail(tokenOffset(token), 'only plain, quoted and block keys are supported (sops keys are strings)');
    }
    const text = this.#scalarValue(token) ?? '';
    if (token.type !== 'scalar' || normalizeTag(props.tag) === 'str') return text;
    const typed = resolvePlain(text);
    if (typed.kind === 'str') return typed.value;
    throw this.fail(token.offset, `key ${JSON.stringify(text)} is not a string (it reads as ${typed.kind}); sops keys must be strings: quote it`);
  }
}

function normalizeTag(tag: string | undefined): string | undefined {
  if (tag === undefined) return undefined;
  if (tag.startsWith('!!')) return tag.slice(2);
  const m = /^!<tag:yaml\.org,2002:(\w+)>$/.exec(tag);
  return m?.[1] ?? tag;
}

/**
 * The most values aliases may copy into one file. Real files stay far below (a shared block
 * of settings used a few times); "billion laughs" files, where each alias doubles or
 * multiplies the last, reach it in a few lines (a 400-byte file once grew to 585 MB).
 */
const MAX_ALIAS_EXPANSION = 1_000_000;

/** Nodes in a (materialized) subtree; memoized, as anchored subtrees are counted each time they are used. */
const counted = new WeakMap<Node, number>();
function nodeCount(node: Node): number {
  const known = counted.get(node);
  if (known !== undefined) return known;
  let n = 1;
  if (node.kind === 'map') for (const item of node.items) n += item.kind === 'entry' ? nodeCount(item.value) : 0;
  else if (node.kind === 'list') for (const item of node.items) n += item.kind === 'comment' ? 0 : nodeCount(item);
  counted.set(node, n);
  return n;
}

function stripSrc(node: Node): Node {
  switch (node.kind) {
    case 'map':
      return { kind: 'map', items: node.items.map((i) => (i.kind === 'entry' ? ({ kind: 'entry', key: i.key, value: stripSrc(i.value) } satisfies Entry) : i.kind === 'comment' ? { kind: 'comment', text: i.text } : i)) };
    case 'list':
      return { kind: 'list', items: node.items.map((i) => (i.kind === 'comment' ? { kind: 'comment', text: i.text } : stripSrc(i))) };
    case 'null':
      return { kind: 'null' };
    default: {
      const { src: _src, ...rest } = node;
      return rest as Scalar;
    }
  }
}

function comments(tokens: readonly CST.Token[]): CST.SourceToken[] {
  return tokens.filter((t): t is CST.SourceToken => t.type === 'comment');
}

function propsOf(tokens: readonly CST.Token[]): Props {
  const props: Props = {};
  for (const t of tokens) {
    if (t.type === 'anchor') props.anchor = (t as CST.SourceToken).source.slice(1);
    else if (t.type === 'tag') props.tag = (t as CST.SourceToken).source;
  }
  return props;
}

/** Tokens up to the first newline (same line as the key) and the rest. */
function splitInline(tokens: readonly CST.SourceToken[]): { inline: CST.SourceToken[]; later: CST.SourceToken[] } {
  const i = tokens.findIndex((t) => t.type === 'newline');
  return i === -1 ? { inline: [...tokens], later: [] } : { inline: tokens.slice(0, i), later: tokens.slice(i) };
}

function splitAtIndicator(tokens: readonly CST.SourceToken[]): { before: CST.SourceToken[]; after: CST.SourceToken[]; indicator: boolean } {
  const i = tokens.findIndex((t) => t.type === 'seq-item-ind');
  return i === -1 ? { before: [...tokens], after: [], indicator: false } : { before: tokens.slice(0, i), after: tokens.slice(i + 1), indicator: true };
}

/** A scalar's trailing tokens on its own line (its inline comment), and what follows. */
function inlineEnd(value: CST.Token | undefined): CST.SourceToken[] {
  const end = value !== undefined && 'end' in value ? (value.end ?? []) : value?.type === 'block-scalar' ? value.props.filter((p): p is CST.SourceToken => 'source' in p) : [];
  return splitInline(end as CST.SourceToken[]).inline;
}

function afterInlineEnd(value: CST.Token | undefined): CST.SourceToken[] {
  const end = value !== undefined && 'end' in value ? (value.end ?? []) : [];
  return splitInline(end as CST.SourceToken[]).later;
}

function isEmptyScalar(token: CST.Token): boolean {
  return token.type === 'scalar' && token.source.trim() === '';
}

function tokenOffset(token: CST.Token | undefined): number {
  return token !== undefined && 'offset' in token ? token.offset : 0;
}
