/** Opens a sops file with a known data key, bypassing identity discovery (vector tests). */
import { readFileSync } from 'node:fs';
import { verifyMac } from '../../src/crypto/mac.js';
import { openDocuments } from '../../src/crypto/seal.js';
import { IvStash } from '../../src/crypto/stash.js';
import { formatFor } from '../../src/formats/index.js';
import { parseMetadata } from '../../src/metadata/codec.js';
import type { Metadata } from '../../src/metadata/model.js';
import type { MapNode } from '../../src/tree.js';

export interface OpenedWithKey {
  readonly metadata: Metadata;
  readonly docs: MapNode[];
  readonly macOk: boolean;
  readonly macReason?: string;
}

export function readMetadata(path: string): Metadata {
  const parsed = formatFor(path).parse(readFileSync(path, 'utf8'), path);
  return parseMetadata(parsed.metadata, path);
}

export function openWithKey(path: string, key: Uint8Array, formatName?: string): OpenedWithKey {
  const format = formatFor(path, formatName);
  const parsed = format.parse(readFileSync(path, 'utf8'), path);
  const metadata = parseMetadata(parsed.metadata, path);
  const opened = openDocuments(parsed.docs, key, metadata, new IvStash());
  const check = verifyMac(key, metadata.mac, metadata.lastModified, opened.macHex);
  return { metadata, docs: opened.docs, macOk: check.ok, ...(check.ok ? {} : { macReason: check.reason }) };
}

/** Plain JS view of a document for assertions: scalars as JS values, comments dropped. */
export function toPlain(node: MapNode['items'][number] | MapNode | import('../../src/tree.js').Node): unknown {
  if (node.kind === 'map') {
    const out: Record<string, unknown> = {};
    for (const item of node.items) if (item.kind === 'entry') out[item.key] = toPlain(item.value);
    return out;
  }
  if (node.kind === 'list') return node.items.filter((i) => i.kind !== 'comment').map((i) => toPlain(i as never));
  if (node.kind === 'null') return null;
  if (node.kind === 'int') return Number(node.value);
  if (node.kind === 'entry' || node.kind === 'comment' || node.kind === 'blank') return undefined;
  if (node.kind === 'bytes') return Buffer.from(node.value).toString('utf8');
  return node.value;
}
