/**
 * A three-way merge of sops files by key (the git merge driver, README "Commands"). The three
 * versions are decrypted in memory; nothing in plaintext is written anywhere.
 *
 * Values: a key changed on one side takes that side; the same change on both sides is one
 * change; keys added or removed on one side are added or removed; maps merge key by key, lists
 * are whole values. Comments and order follow ours; a key theirs added goes after the key it
 * follows in theirs, with the comment lines just above it.
 *
 * The data key: when one side rotated it (envseal rotate, team rm), the result uses the rotated
 * key, so a member removed on that side is not let back in, and the other side's changes are
 * re-encrypted under it. When both sides rotated (two different members removed), each removed
 * member holds one side's key, so the result gets a fresh one. Recipients merge as sets: added
 * on either side, added; removed on either side, removed.
 *
 * Untouched values keep their exact ciphertext: under the side's own data key, the IV stash
 * reproduces them byte for byte. The MAC and `lastmodified` are computed afresh.
 *
 * A key changed differently on both sides is a conflict: the result is written twice (every
 * conflict resolved to ours, then to theirs), both sealed under the same key, and the two texts
 * put together with git's conflict markers — ciphertext only; `envseal edit` shows it decrypted.
 */
import { generateDataKey, wrapForRecipients } from '../crypto/data-key.js';
import { encryptMac, formatLastModified } from '../crypto/mac.js';
import { sealDocuments } from '../crypto/seal.js';
import { IvStash } from '../crypto/stash.js';
import { EnvsealError, NoIdentityError } from '../errors.js';
import type { Recipient } from '../keys/recipient.js';
import { metadataToRaw } from '../metadata/codec.js';
import type { AgeKey, Metadata } from '../metadata/model.js';
import { describeKeyPath, type Segment } from '../tree-path.js';
import { sameTree, type Entry, type MapItem, type MapNode, type Node } from '../tree.js';
import { withMarkers } from './conflict.js';
import type { Ctx } from './context.js';
import { loadedFromText, type LoadedFile } from './load.js';
import { openFile, type OpenedFile } from './open.js';
import { currentTarget } from './rekey.js';
import { isCommentRule } from './seal.js';

export interface MergeInput {
  /** The file's path in the repository (its name decides the format). */
  readonly path: string;
  /** The common ancestor's text; null when the file is new on both sides. */
  readonly base: string | null;
  readonly ours: string;
  readonly theirs: string;
}

export type MergeOutcome =
  | { readonly kind: 'merged'; readonly text: string; readonly notes: string[] }
  | { readonly kind: 'conflict'; readonly text: string; readonly keys: string[]; readonly notes: string[] }
  /** One of the versions is not a sops file: an ordinary text merge is the right thing. */
  | { readonly kind: 'not-sops' }
  | { readonly kind: 'cannot'; readonly why: string };

export async function mergeSopsFiles(ctx: Ctx, input: MergeInput): Promise<MergeOutcome> {
  let ours: LoadedFile;
  let theirs: LoadedFile;
  let base: LoadedFile | null;
  try {
    ours = loadedFromText(ctx, input.path, input.path, input.ours);
    theirs = loadedFromText(ctx, input.path, input.path, input.theirs);
    base = input.base === null || input.base === '' ? null : loadedFromText(ctx, input.path, input.path, input.base);
  } catch (err) {
    if (err instanceof EnvsealError) return { kind: 'cannot', why: `a version does not parse (${err.message})` };
    throw err;
  }
  if ([ours, theirs, ...(base === null ? [] : [base])].some((f) => f.parsed.metadata === undefined)) return { kind: 'not-sops' };
  try {
    return await mergeOpened(ctx, input, ours, theirs, base);
  } catch (err) {
    if (err instanceof NoIdentityError) return { kind: 'cannot', why: 'no identity of yours opens every version (envseal decrypts all three to merge them)' };
    if (err instanceof EnvsealError) return { kind: 'cannot', why: err.message };
    throw err;
  }
}

async function mergeOpened(ctx: Ctx, input: MergeInput, oursFile: LoadedFile, theirsFile: LoadedFile, baseFile: LoadedFile | null): Promise<MergeOutcome> {
  const probe = {
    ours: await openFile(ctx, oursFile, { readOnly: true }),
    theirs: await openFile(ctx, theirsFile, { readOnly: true }),
    base: baseFile === null ? null : await openFile(ctx, baseFile, { readOnly: true }),
  };
  const groups = [probe.ours, probe.theirs, ...(probe.base === null ? [] : [probe.base])].map((o) => o.metadata.keyGroups.length);
  if (groups.some((n) => n !== 1)) return { kind: 'cannot', why: 'files with several key groups are not merged by key' };
  const notes: string[] = [];
  const plan = keyPlan(probe.ours, probe.theirs, probe.base, notes);
  // Open again, recording IVs, only the sides whose data key the result keeps: their
  // untouched values then come out byte for byte.
  const stash = new IvStash();
  const sameKey = (o: OpenedFile): boolean => plan.dataKey !== null && Buffer.from(o.dataKey).equals(plan.dataKey);
  if (sameKey(probe.theirs)) await openFile(ctx, theirsFile, { stash });
  if (sameKey(probe.ours)) await openFile(ctx, oursFile, { stash });
  const baseDocs = probe.base?.docs ?? null;
  if (baseDocs !== null && baseDocs.length !== probe.ours.docs.length) return { kind: 'cannot', why: 'the number of YAML documents differs between versions' };
  if (probe.ours.docs.length !== probe.theirs.docs.length) return { kind: 'cannot', why: 'the number of YAML documents differs between the sides' };
  const conflicts: string[] = [];
  const pairs = probe.ours.docs.map((doc, i) => mergeMap(baseDocs?.[i] ?? null, doc, probe.theirs.docs[i] as MapNode, [], i, conflicts));
  const dataKey = plan.dataKey ?? generateDataKey();
  const keyGroups = [{ age: await entries(plan, dataKey), others: probe.ours.metadata.keyGroups[0]?.others ?? {} }];
  const metadata: Metadata = { ...probe.ours.metadata, keyGroups, lastModified: formatLastModified(ctx.io.now()) };
  const render = (docs: MapNode[]): string => {
    const policy = { rule: metadata.rule, macOnlyEncrypted: metadata.macOnlyEncrypted, encryptComments: probe.ours.hadEncryptedComments || isCommentRule(metadata.rule) };
    const sealed = sealDocuments(docs, dataKey, policy, stash);
    const final = { ...metadata, mac: encryptMac(dataKey, sealed.macHex, metadata.lastModified) };
    return oursFile.format.emitEncrypted(sealed.docs, metadataToRaw(final), oursFile.parsed, input.path);
  };
  const oursSide = pairs.map((p) => p.ours);
  if (conflicts.length === 0) return { kind: 'merged', text: render(oursSide), notes };
  const text = withMarkers(render(oursSide), render(pairs.map((p) => p.theirs)), { ours: 'ours', theirs: `theirs (envseal edit ${input.path} shows both sides decrypted)` });
  return { kind: 'conflict', text, keys: conflicts, notes };
}

interface KeyPlan {
  /** The data key the result keeps; null: a fresh one. */
  readonly dataKey: Uint8Array | null;
  readonly recipients: Recipient[];
  /** Entries that can be reused as they are (they wrap the kept data key). */
  readonly reusable: ReadonlyMap<Recipient, AgeKey>;
}

/** Which data key and which recipients the result has (see the module comment). */
function keyPlan(ours: OpenedFile, theirs: OpenedFile, base: OpenedFile | null, notes: string[]): KeyPlan {
  const set = (o: OpenedFile): Recipient[] => currentTarget(o.loaded, o.metadata).groups.flat();
  const [ro, rt] = [set(ours), set(theirs)];
  const rb = base === null ? [...new Set([...ro, ...rt])] : set(base);
  const removed = new Set(rb.filter((r) => !ro.includes(r) || !rt.includes(r)));
  const recipients = [...new Set([...ro, ...rt, ...rb])].filter((r) => !removed.has(r));
  const same = (a: OpenedFile, b: OpenedFile): boolean => Buffer.from(a.dataKey).equals(b.dataKey);
  let keep: OpenedFile[];
  if (same(ours, theirs)) {
    keep = [ours, theirs];
  } else if (base !== null && same(ours, base)) {
    notes.push('theirs gave the file a new data key: the result keeps it, and values changed on our side are encrypted under it');
    keep = [theirs];
  } else if (base !== null && same(theirs, base)) {
    notes.push('ours gave the file a new data key: the result keeps it, and values changed on their side are encrypted under it');
    keep = [ours];
  } else {
    notes.push('each side has its own data key (both rotated it, or both created the file): the result gets a fresh one, so no member removed on either side can read it');
    return { dataKey: null, recipients, reusable: new Map() };
  }
  const reusable = new Map<Recipient, AgeKey>();
  for (const side of keep) {
    const labels = side.metadata.keyGroups[0]?.age.map((k) => k.label) ?? [];
    for (const k of side.metadata.keyGroups[0]?.age ?? []) {
      const trusted = k.recipient !== null && k.recipient === k.label && labels.indexOf(k.label) === labels.lastIndexOf(k.label);
      if (trusted && !reusable.has(k.recipient as Recipient)) reusable.set(k.recipient as Recipient, k);
    }
  }
  return { dataKey: keep[0]?.dataKey ?? null, recipients, reusable };
}

async function entries(plan: KeyPlan, dataKey: Uint8Array): Promise<AgeKey[]> {
  const reuse = plan.dataKey === null ? new Map<Recipient, AgeKey>() : plan.reusable;
  const fresh = new Map((await wrapForRecipients(dataKey, plan.recipients.filter((r) => !reuse.has(r)))).map((k) => [k.recipient as Recipient, k]));
  return plan.recipients.map((r) => reuse.get(r) ?? (fresh.get(r) as AgeKey));
}

/** A node of the result, as it comes out with every conflict taken from ours, and from theirs. */
interface Pair<T> {
  readonly ours: T;
  readonly theirs: T;
}

function mergeValue(base: Node | undefined, ours: Node, theirs: Node, path: Segment[], doc: number, conflicts: string[]): Pair<Node> {
  if (sameTree(ours, theirs)) return { ours, theirs: ours };
  if (base !== undefined && sameTree(base, ours)) return both(adopt(ours, theirs));
  if (base !== undefined && sameTree(base, theirs)) return { ours, theirs: ours };
  if (ours.kind === 'map' && theirs.kind === 'map' && (base === undefined || base.kind === 'map')) return mergeMap(base ?? null, ours, theirs, path, doc, conflicts);
  conflicts.push(keyLabel(doc, path));
  return { ours, theirs: adopt(ours, theirs) };
}

function both<T>(node: T): Pair<T> {
  return { ours: node, theirs: node };
}

function mergeMap(base: MapNode | null, ours: MapNode, theirs: MapNode, path: Segment[], doc: number, conflicts: string[]): Pair<MapNode> {
  const get = (map: MapNode | null, key: string): Node | undefined => {
    if (map === null) return undefined;
    for (let i = map.items.length - 1; i >= 0; i--) {
      const item = map.items[i] as MapItem;
      if (item.kind === 'entry' && item.key === key) return item.value;
    }
    return undefined;
  };
  const oursItems: MapItem[] = [];
  const theirsItems: MapItem[] = [];
  const push = (item: MapItem, into: 'both' | 'ours' | 'theirs' = 'both'): void => {
    if (into !== 'theirs') oursItems.push(item);
    if (into !== 'ours') theirsItems.push(item);
  };
  for (const item of ours.items) {
    if (item.kind !== 'entry') {
      push(item);
      continue;
    }
    const at = [...path, item.key];
    const b = get(base, item.key);
    const t = get(theirs, item.key);
    if (t === undefined) {
      if (b === undefined) push(item); // added on our side
      else if (!sameTree(b, item.value)) {
        conflicts.push(`${keyLabel(doc, at)} (changed on our side, removed on theirs)`);
        push(item, 'ours');
      } // else: removed on their side, unchanged on ours: removed
      continue;
    }
    const merged = mergeValue(b, item.value, t, at, doc, conflicts);
    push(merged.ours === item.value ? item : { ...item, value: merged.ours }, 'ours');
    push(merged.theirs === item.value ? item : { ...item, value: merged.theirs }, 'theirs');
  }
  // Keys only theirs has: added there (placed after the key they follow in theirs), or removed
  // on our side (stays removed, unless theirs changed it meanwhile: a conflict).
  theirs.items.forEach((item, index) => {
    if (item.kind !== 'entry' || get(ours, item.key) !== undefined) return;
    const b = get(base, item.key);
    const at = [...path, item.key];
    let into: 'both' | 'theirs' = 'both';
    if (b !== undefined) {
      if (sameTree(b, item.value)) return;
      conflicts.push(`${keyLabel(doc, at)} (removed on our side, changed on theirs)`);
      into = 'theirs';
    }
    const leading = commentsBefore(theirs.items, index);
    const added: MapItem[] = [...leading, { ...item, value: detached(item.value) }];
    const after = precedingKey(theirs.items, index - leading.length);
    if (into !== 'theirs') insertAfter(oursItems, after, added);
    insertAfter(theirsItems, after, added);
  });
  return { ours: { ...ours, items: oursItems }, theirs: { ...ours, items: theirsItems } };
}

/** Theirs' value in ours' place: a scalar keeps ours' source handle, so YAML edits it where it stands. */
function adopt(ours: Node, theirs: Node): Node {
  const leaf = (n: Node): boolean => n.kind !== 'map' && n.kind !== 'list';
  const copy = detached(theirs);
  return leaf(ours) && leaf(theirs) && ours.src !== undefined ? ({ ...copy, src: ours.src } as Node) : copy;
}

/** A copy of a node without source handles (they point into the other side's text). */
function detached(node: Node): Node {
  if (node.kind === 'map') return { kind: 'map', items: node.items.map((i) => (i.kind === 'entry' ? { kind: 'entry', key: i.key, value: detached(i.value) } : i.kind === 'comment' ? { kind: 'comment', text: i.text } : i)) };
  if (node.kind === 'list') return { kind: 'list', items: node.items.map((i) => (i.kind === 'comment' ? { kind: 'comment', text: i.text } : detached(i))) };
  if (node.kind === 'null') return { kind: 'null' };
  const { src: _src, ...rest } = node;
  return rest as Node;
}

function commentsBefore(items: readonly MapItem[], index: number): MapItem[] {
  let start = index;
  while (start > 0 && items[start - 1]?.kind === 'comment' && (items[start - 1] as { trailing?: boolean }).trailing !== true) start--;
  return items.slice(start, index).map((c) => (c.kind === 'comment' ? { kind: 'comment', text: c.text } : c));
}

function precedingKey(items: readonly MapItem[], index: number): string | null {
  for (let i = index - 1; i >= 0; i--) {
    const item = items[i] as MapItem;
    if (item.kind === 'entry') return item.key;
  }
  return null;
}

/** Inserts `added` after the entry `key` (its last occurrence), or at the end when it is not there. */
function insertAfter(items: MapItem[], key: string | null, added: readonly MapItem[]): void {
  const at = key === null ? -1 : items.findLastIndex((i): i is Entry => i.kind === 'entry' && i.key === key);
  if (at === -1) items.push(...added);
  else items.splice(at + 1, 0, ...added);
}

function keyLabel(doc: number, path: readonly Segment[]): string {
  return `${doc === 0 ? '' : `document ${doc + 1}: `}${describeKeyPath([...path])}`;
}
