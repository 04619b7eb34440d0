/**
 * YAML (sops-format.md §6.3, §7.1): typed as go-yaml v3 types plain scalars, comments and
 * layout kept by editing values in place (see yaml/write.ts). When that is not possible,
 * the file is written out in full: sops's layout (indent 4) for encrypted files, indent 2
 * for plaintext, or the indent `.sops.yaml` sets (`stores.yaml.indent`), which the
 * metadata block always follows.
 */
import { ParseError } from '../errors.js';
import { nodeToRaw } from '../metadata/raw-tree.js';
import { sameTree, type MapNode, type Node } from '../tree.js';
import type { Format, ParsedFile } from './format.js';
import { emitYaml } from './yaml/emit.js';
import { readYaml } from './yaml/read.js';
import { writeInPlace } from './yaml/write.js';

interface YamlLayout {
  readonly text: string;
  readonly inPlace: boolean;
  /** Offsets of every value and comment token the documents came from. */
  readonly offsets: ReadonlySet<number>;
}

export const yamlFormat: Format = {
  name: 'yaml',
  parse(text, file) {
    const read = readYaml(text, file);
    const docs = read.documents.map((d) => d.doc);
    const sops = read.documents[0]?.sops;
    if (sops === undefined) refuseLaterSopsKey(read.documents, text, file);
    else refuseTimestampLastModified(sops.node, file);
    const layout: YamlLayout = { text, inPlace: read.inPlace, offsets: collectOffsets(docs) };
    return { format: 'yaml', docs, metadata: sops === undefined ? undefined : nodeToRaw(sops.node), layout };
  },
  emitEncrypted(docs, metadata, original, _file, store) {
    const indent = store?.yamlIndent ?? 4;
    return inPlace(docs, metadata, original, indent) ?? emitYaml(docs.map((doc) => ({ doc, metadata })), { indent });
  },
  emitPlain(docs, original, _file, store) {
    return inPlace(docs, undefined, original, store?.yamlIndent ?? 4) ?? emitYaml(docs.map((doc) => ({ doc })), { indent: store?.yamlIndent ?? 2 });
  },
};

/**
 * The original text with only the changes applied, or null when that is not possible. The
 * result is read back and must hold exactly the intended documents: a CST edit that went
 * wrong falls back to writing the file out in full instead of writing something else.
 */
function inPlace(docs: readonly MapNode[], metadata: Parameters<typeof writeInPlace>[2], original: ParsedFile | undefined, metadataIndent: number): string | null {
  const layout = original?.format === 'yaml' ? (original.layout as YamlLayout | undefined) : undefined;
  if (layout === undefined || !layout.inPlace) return null;
  const text = writeInPlace(layout.text, docs, metadata, layout.offsets, metadataIndent);
  if (text === null) return null;
  try {
    const back = readYaml(text, 'check.yaml').documents;
    return back.length === docs.length && back.every((d, i) => sameTree(d.doc, docs[i] as MapNode)) ? text : null;
  } catch {
    return null;
  }
}

/**
 * A plaintext file (no metadata in its first document) with a top-level `sops` key in a later
 * document: sops refuses to encrypt it (the key is reserved for its metadata, which it writes
 * into every document), where envseal would have replaced the user's value silently.
 */
function refuseLaterSopsKey(documents: ReturnType<typeof readYaml>['documents'], text: string, file: string): void {
  const at = documents.findIndex((d) => d.sops !== undefined);
  if (at === -1) return;
  const offset = (documents[at] as (typeof documents)[number]).sops?.offset ?? 0;
  const line = text.slice(0, offset).split('\n').length;
  throw new ParseError(`document ${at + 1} has a top-level key "sops", which sops reserves for its metadata`, {
    file,
    line,
    hint: 'rename the key (sops refuses to encrypt such a file too)',
  });
}

/**
 * An unquoted `lastmodified` is a YAML timestamp, which sops cannot decode into its metadata
 * (a string field), so it cannot open the file; sops always writes it quoted.
 */
function refuseTimestampLastModified(node: Node, file: string): void {
  if (node.kind !== 'map') return;
  const entry = node.items.find((i) => i.kind === 'entry' && i.key === 'lastmodified');
  if (entry?.kind === 'entry' && entry.value.kind === 'time') {
    throw new ParseError('the sops metadata has an unquoted lastmodified, a timestamp sops cannot read', {
      file,
      line: entry.line,
      hint: 'quote it, as sops writes it: lastmodified: "2024-01-01T00:00:00Z"',
    });
  }
}

function collectOffsets(docs: readonly MapNode[]): Set<number> {
  const out = new Set<number>();
  const visit = (node: Node | MapNode['items'][number]): void => {
    if (node.kind === 'blank') return;
    if (node.kind === 'entry') return visit(node.value);
    if (node.kind === 'map' || node.kind === 'list') {
      for (const item of node.items) visit(item);
      return;
    }
    const src = node.src as { offset?: number } | undefined;
    if (src?.offset !== undefined) out.add(src.offset);
  };
  for (const doc of docs) visit(doc);
  return out;
}
