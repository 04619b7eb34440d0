/**
 * Rotation debt: which secret values a removed member could read, kept in the repository
 * (`.envseal-exposures.yaml`, next to `.sops.yaml`) until each value changes.
 *
 * How "changed" is told without keeping anything about the value: each encrypted value is
 * recorded with the IV of its ciphertext. The IV is random, so it says nothing about the
 * value; and it stays the same exactly as long as the value does — re-keying keeps values
 * untouched, and rotation (envseal's and sops's) and every rewrite of an unchanged value reuse
 * its IV (the IV stash), while writing a new value draws a fresh one.
 */
import { yamlLib } from '../yaml-lib.js';
import { parseEnc } from '../crypto/enc-value.js';
import { ConfigError } from '../errors.js';
import { getAt, describeKeyPath, type Segment } from '../tree-path.js';
import type { MapNode, Node } from '../tree.js';
import type { Ctx } from './context.js';
import type { LoadedFile } from './load.js';
import { loadFile } from './load.js';
import { EXPOSURES_FILE, repoPath } from './repository.js';
import { b64encode } from '../crypto/enc-value.js';
import { join } from 'node:path';


export interface ExposedValue {
  readonly file: string;
  readonly doc: number;
  readonly path: Segment[];
  readonly key: string;
  readonly iv: string;
}

export interface Exposure {
  readonly member: string;
  readonly recipient: string;
  readonly removed: string;
  readonly values: ExposedValue[];
}

/** Every encrypted value of a file, with the IV of its ciphertext. */
export function exposedValues(loaded: LoadedFile, root: string): ExposedValue[] {
  const out: ExposedValue[] = [];
  const file = repoPath(root, loaded.abs);
  const visit = (node: Node, path: Segment[], doc: number): void => {
    if (node.kind === 'map') {
      for (const item of node.items) if (item.kind === 'entry') visit(item.value, [...path, item.key], doc);
    } else if (node.kind === 'list') {
      let i = 0;
      for (const item of node.items) if (item.kind !== 'comment') visit(item, [...path, i++], doc);
    } else if (node.kind === 'str' && node.value.startsWith('ENC[')) {
      const parsed = parseEnc(node.value);
      if (parsed.ok) out.push({ file, doc, path, key: describeKeyPath(path), iv: b64encode(parsed.value.iv) });
    }
  };
  loaded.parsed.docs.forEach((d, i) => visit(d, [], i));
  return out;
}

export async function readExposures(ctx: Ctx, root: string): Promise<Exposure[]> {
  const path = join(root, EXPOSURES_FILE);
  if ((await ctx.io.fs.stat(path)) === null) return [];
  let data: unknown;
  try {
    data = yamlLib().parse(Buffer.from(await ctx.io.fs.readFile(path)).toString('utf8'));
  } catch {
    throw new ConfigError('the exposure list does not parse', { file: path, hint: 'restore it from git' });
  }
  const list = (data as { exposures?: unknown } | null)?.exposures;
  if (!Array.isArray(list)) return [];
  return list.map((e: Record<string, unknown>) => ({
    member: String(e['member'] ?? ''),
    recipient: String(e['recipient'] ?? ''),
    removed: String(e['removed'] ?? ''),
    values: (Array.isArray(e['values']) ? e['values'] : []).map((v: Record<string, unknown>) => ({
      file: String(v['file'] ?? ''),
      doc: typeof v['doc'] === 'number' ? v['doc'] : 0,
      path: Array.isArray(v['path']) ? (v['path'] as Segment[]) : [String(v['key'] ?? '')],
      key: String(v['key'] ?? ''),
      iv: String(v['iv'] ?? ''),
    })),
  }));
}

const HEADER = `Written by \`envseal team rm\`: the secret values removed members could read, by file and key.
A value stays listed (envseal status) until it changes; then change it at its source too.
Nothing here reveals a value: \`iv\` is the random nonce of the value's ciphertext, which
changes exactly when the value does.
`;

/**
 * The list with `exposure` added, leaving out values already listed for the same recipient
 * (a `team rm` run again to finish after a failure, or a member removed twice, lists each
 * value once). Null when nothing is new.
 */
export function withExposure(list: readonly Exposure[], exposure: Exposure): Exposure[] | null {
  const idOf = (v: ExposedValue): string => JSON.stringify([v.file, v.doc, v.path, v.iv]);
  const known = new Set(list.filter((e) => e.recipient === exposure.recipient).flatMap((e) => e.values.map(idOf)));
  const values = exposure.values.filter((v) => !known.has(idOf(v)));
  return values.length === 0 ? null : [...list, { ...exposure, values }];
}

export function exposuresText(list: readonly Exposure[]): string {
  const data = {
    exposures: list.map((e) => ({
      member: e.member,
      recipient: e.recipient,
      removed: e.removed,
      values: e.values.map((v) => ({ file: v.file, key: v.key, path: v.path, ...(v.doc === 0 ? {} : { doc: v.doc }), iv: v.iv })),
    })),
  };
  const header = HEADER.trimEnd().split('\n').map((l) => `# ${l}`).join('\n');
  return `${header}\n${yamlLib().stringify(data, { lineWidth: 0, flowCollectionPadding: false })}`;
}

/** Adds `exposure` to the repository's list (written atomically, under its lock). */
export async function recordExposure(ctx: Ctx, root: string, exposure: Exposure): Promise<void> {
  const path = join(root, EXPOSURES_FILE);
  await ctx.io.fs.withLock(path, async () => {
    const old = (await ctx.io.fs.stat(path)) === null ? null : await ctx.io.fs.readFile(path);
    const updated = withExposure(await readExposures(ctx, root), exposure);
    if (updated !== null) await ctx.io.fs.writeFileAtomic(path, exposuresText(updated), { expected: old, mode: 0o644 });
  });
}

export interface Debt {
  readonly file: string;
  readonly key: string;
  readonly member: string;
  readonly removed: string;
}

/** The exposed values that still hold the value the member saw. */
export async function outstandingDebt(ctx: Ctx, root: string, exposures: readonly Exposure[]): Promise<Debt[]> {
  const docsOf = new Map<string, MapNode[] | null>();
  const debt: Debt[] = [];
  for (const exposure of exposures) {
    for (const value of exposure.values) {
      if (!docsOf.has(value.file)) {
        try {
          const loaded = await loadFile(ctx, join(root, value.file));
          docsOf.set(value.file, loaded.parsed.docs);
        } catch {
          docsOf.set(value.file, null);
        }
      }
      const docs = docsOf.get(value.file);
      const doc = docs?.[value.doc];
      if (doc === undefined) continue;
      const node = getAt(doc, value.path);
      if (node?.kind !== 'str') continue;
      const parsed = parseEnc(node.value);
      if (parsed.ok && b64encode(parsed.value.iv) === value.iv) {
        debt.push({ file: value.file, key: value.key, member: exposure.member, removed: exposure.removed });
      }
    }
  }
  return debt;
}
