/**
 * Writing YAML from the tree, when a file cannot be edited in place (a conversion from
 * JSON or dotenv, aliases of whole maps, a new document) and for the `sops:` block, which
 * is always written the way sops 3.13 writes it (go-yaml v3, indent 4).
 */
import { isUtf8 } from 'node:buffer';
import { rawToNode } from '../../metadata/raw-tree.js';
import type { RawMap } from '../../metadata/model.js';
import type { ListItem, MapItem, MapNode, Node, Scalar } from '../../tree.js';
import { scalarSource, stringStyle, type ScalarStyle } from './scalars.js';

export interface EmitOptions {
  /** Spaces per level: sops uses 4. */
  readonly indent: number;
}

/** Documents, separated by `---`, each with an optional `sops:` block as its last key. */
export function emitYaml(docs: ReadonlyArray<{ doc: MapNode; metadata?: RawMap | undefined }>, options: EmitOptions): string {
  return docs
    .map(({ doc, metadata }, i) => {
      const items = metadata === undefined ? doc.items : [...doc.items, { kind: 'entry' as const, key: 'sops', value: rawToNode(metadata) }];
      const body = items.length === 0 || items.every((it) => it.kind !== 'entry') ? writeComments(items, 0) + '{}\n' : writeMap(items, 0, 0, options.indent);
      return (i > 0 || docs.length > 1 ? '---\n' : '') + body;
    })
    .join('');
}

/** One map entry as block YAML with its key at column `col` (for adding a key in place). */
export function emitEntry(entry: MapItem, col: number, step: number): string {
  return writeMap([entry], col, col, step);
}

/** The `sops:` key and its block, as sops writes it (indent 4 unless `.sops.yaml` says otherwise). */
export function emitMetadataBlock(metadata: RawMap, indent = 4): string {
  return writeMap([{ kind: 'entry', key: 'sops', value: rawToNode(metadata) }], 0, 0, indent);
}

function writeComments(items: readonly (MapItem | ListItem)[], indent: number): string {
  return items
    .filter((i) => i.kind === 'comment')
    .map((c) => `${' '.repeat(indent)}#${(c as { text: string }).text}\n`)
    .join('');
}

/**
 * A block map whose keys sit at column `col`; nested content is indented from `base`
 * (go-yaml indents a map that starts inside a `- ` item from the item, not from its keys).
 */
function writeMap(items: readonly MapItem[], col: number, base: number, step: number, firstPrefix = ''): string {
  let out = '';
  let first = true;
  for (const item of items) {
    const pad = first && firstPrefix !== '' ? firstPrefix : ' '.repeat(col);
    if (item.kind === 'blank') continue;
    if (item.kind === 'comment') {
      out += `${pad}#${item.text}\n`;
      first = false;
      continue;
    }
    first = false;
    out += `${pad}${keyText(item.key)}:${writeValue(item.value, base + step, step)}`;
  }
  return out;
}

/** The text after `key:` (or `-`): ` scalar\n`, or `\n` and a nested block. */
function writeValue(node: Node, childIndent: number, step: number): string {
  switch (node.kind) {
    case 'null':
      return ' null\n';
    case 'map':
      if (!node.items.some((i) => i.kind === 'entry')) return ' {}\n';
      return `\n${writeMap(node.items, childIndent, childIndent, step)}`;
    case 'list':
      if (!node.items.some((i) => i.kind !== 'comment')) return ' []\n';
      return `\n${writeSeq(node.items, childIndent, step)}`;
    default:
      return ` ${scalarText(node, childIndent)}`;
  }
}

function writeSeq(items: readonly ListItem[], col: number, step: number): string {
  let out = '';
  const pad = ' '.repeat(col);
  for (const item of items) {
    if (item.kind === 'comment') {
      out += `${pad}#${item.text}\n`;
    } else if (item.kind === 'map' && item.items.some((i) => i.kind === 'entry')) {
      // keys sit after "- "; their children must be deeper than the keys (go-yaml: item + 4)
      out += writeMap(item.items, col + 2, col + Math.max(step, 4) - step, step, `${pad}- `);
    } else if (item.kind === 'list' && item.items.some((i) => i.kind !== 'comment')) {
      out += `${pad}-\n${writeSeq(item.items, col + step, step)}`;
    } else {
      out += `${pad}-${writeValue(item, col + step, step)}`;
    }
  }
  return out;
}

function keyText(key: string): string {
  const style = stringStyle(key, false);
  return style === 'BLOCK_LITERAL' ? quoteDouble(key) : renderInline(key, style);
}

/** A scalar on the rest of the line (block literals continue on the following lines, at `indent`). */
function scalarText(scalar: Scalar, indent: number): string {
  // Bytes that are not UTF-8: go-yaml writes such a string as !!binary, and reads it back so.
  if (scalar.kind === 'bytes' && !isUtf8(scalar.value)) return `!!binary ${Buffer.from(scalar.value).toString('base64')}\n`;
  const { text, style } = scalarSource(scalar, false);
  if (style === 'BLOCK_LITERAL') {
    const trailing = /\n*$/.exec(text)?.[0].length ?? 0;
    const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
    const body = trailing === 0 ? text : text.slice(0, text.length - 1);
    const pad = ' '.repeat(indent);
    return `|${chomp}\n${body
      .split('\n')
      .map((line) => (line === '' ? '' : pad + line))
      .join('\n')}\n`;
  }
  return `${renderInline(text, style)}\n`;
}

function renderInline(text: string, style: ScalarStyle): string {
  if (style === 'PLAIN') return text;
  if (style === 'QUOTE_SINGLE') return `'${text.replace(/'/g, "''")}'`;
  return quoteDouble(text);
}

/** A YAML double-quoted scalar: JSON-like escapes, every non-printable written as an escape. */
export function quoteDouble(text: string): string {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\u2028') out += '\\L';
    else if (ch === '\u2029') out += '\\P';
    else if (c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f) || c === 0xfeff || (c >= 0xd800 && c <= 0xdfff)) {
      out += c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}
