/**
 * Rotation debt: which secret values a removed member could read, kept in the repository
 * (`.envseal-exposures.yaml`, next to `.sops.yaml`) until each value really changes —
 * whatever re-encrypts it in between (envseal or sops rotating, decrypt + encrypt, a merge).
 *
 * How "changed" is told without keeping anything about the value that others could use: per
 * file, a random check key is wrapped (age, like a data key) for the people who can read the
 * file once the member is gone, and each value is recorded as HMAC-SHA256(check key, value).
 * Only someone who can read the file can unwrap the check key, so the record tells nobody
 * else anything about a value, and nothing in it can be brute-forced without that key. The
 * check key does not depend on the file's data key, so it survives every rotation.
 *
 * When envseal cannot tell (the user cannot unwrap the check key, or open the file, or the
 * entry was recorded by envseal 0.1, by the IV of the value's ciphertext, and the file was
 * re-encrypted since), the value stays listed and `status` says why.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { b64encode, parseEnc } from '../crypto/enc-value.js';
import { unwrapDataKey, wrapForRecipients } from '../crypto/data-key.js';
import { ConfigError } from '../errors.js';
import { scalarText } from '../formats/go-scalars.js';
import type { Recipient } from '../keys/recipient.js';
import { parseRecipient } from '../keys/recipient.js';
import type { AgeKey } from '../metadata/model.js';
import { describeKeyPath, getAt, leavesOf, type Segment } from '../tree-path.js';
import { isScalar, type MapNode, type Node } from '../tree.js';
import { yamlLib } from '../yaml-lib.js';
import type { Ctx } from './context.js';
import { identitiesFor } from './identities.js';
import { loadFile, type LoadedFile } from './load.js';
import { openFile, type OpenedFile } from './open.js';
import { EXPOSURES_FILE, repoPath } from './repository.js';

export interface ExposedValue {
  readonly file: string;
  readonly doc: number;
  readonly path: Segment[];
  /** The path for people: `db.password`. */
  readonly key: string;
  /** HMAC of the value under its file's check key; null when the value could not be read. */
  readonly fingerprint: string | null;
  /** The IV of the value's ciphertext (envseal 0.1's record, and values it could not read). */
  readonly iv: string | null;
}

/** A file's check key, wrapped for those who can read the file. */
export interface CheckKey {
  readonly file: string;
  readonly age: readonly AgeKey[];
}

export interface Exposure {
  readonly member: string;
  readonly recipient: string;
  readonly removed: string;
  readonly values: ExposedValue[];
  readonly checks: CheckKey[];
}

/**
 * What a member could read in one file, ready for the record: the values fingerprinted when
 * `opened` (the file decrypted), otherwise by IV only; the check key wrapped for `readers`.
 */
export async function exposedIn(file: LoadedFile, opened: OpenedFile | null, root: string, readers: readonly Recipient[]): Promise<{ values: ExposedValue[]; check: CheckKey | null }> {
  const name = repoPath(root, file.abs);
  const checkKey = opened === null ? null : new Uint8Array(randomBytes(32));
  const values: ExposedValue[] = [];
  file.parsed.docs.forEach((stored, doc) => {
    for (const { path, node } of leavesOf(stored)) {
      if (node.kind !== 'str' || !node.value.startsWith('ENC[')) continue;
      const parsed = parseEnc(node.value);
      const plain = opened === null ? undefined : getAt(opened.docs[doc] as MapNode, path);
      const print = checkKey === null || plain === undefined ? null : fingerprint(checkKey, doc, path, plain);
      // The IV is kept only where there is no fingerprint: it is the weaker record.
      values.push({ file: name, doc, path, key: describeKeyPath(path), fingerprint: print, iv: print === null && parsed.ok ? b64encode(parsed.value.iv) : null });
    }
  });
  const check = checkKey === null || readers.length === 0 ? null : { file: name, age: await wrapForRecipients(checkKey, readers) };
  return { values, check };
}


/** HMAC-SHA256 under the check key of the value's place and typed text (an injective encoding). */
function fingerprint(checkKey: Uint8Array, doc: number, path: readonly Segment[], value: Node): string {
  const typed = isScalar(value) ? scalarText(value) : { type: value.kind, text: '' };
  const text = value.kind === 'bytes' ? Buffer.from(value.value).toString('base64') : typed.text;
  return createHmac('sha256', checkKey).update(JSON.stringify([doc, path, typed.type, text])).digest('base64');
}

export async function readExposures(ctx: Ctx, root: string): Promise<Exposure[]> {
  const path = join(root, EXPOSURES_FILE);
  if ((await ctx.io.fs.stat(path)) === null) return [];
  return parseExposures(Buffer.from(await ctx.io.fs.readFile(path)).toString('utf8'), path);
}

/** The list from its text (both layouts envseal has written). */
export function parseExposures(source: string, path: string): Exposure[] {
  let data: unknown;
  try {
    data = yamlLib().parse(source);
  } catch {
    throw new ConfigError('the exposure list does not parse', { file: path, hint: 'restore it from git' });
  }
  const list = isRecord(data) ? data['exposures'] : undefined;
  if (!Array.isArray(list)) return [];
  return list.filter(isRecord).map((e) => ({
    member: text(e['member']),
    recipient: canonical(text(e['recipient'])),
    removed: text(e['removed']),
    values: records(e['values']).map((v) => ({
      file: text(v['file']),
      doc: typeof v['doc'] === 'number' ? v['doc'] : 0,
      path: Array.isArray(v['path']) ? v['path'].filter((s): s is Segment => typeof s === 'string' || typeof s === 'number') : [text(v['key'])],
      key: text(v['key']),
      fingerprint: typeof v['fingerprint'] === 'string' ? v['fingerprint'] : null,
      iv: typeof v['iv'] === 'string' ? v['iv'] : null,
    })),
    checks: records(e['checks']).map((c) => ({
      file: text(c['file']),
      age: records(c['age']).flatMap((k) => {
        const label = text(k['recipient']).trim();
        const parsed = parseRecipient(label);
        return typeof k['enc'] === 'string' ? [{ label, recipient: parsed.ok ? parsed.recipient : null, enc: k['enc'] }] : [];
      }),
    })),
  }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function canonical(recipient: string): string {
  const parsed = parseRecipient(recipient);
  return parsed.ok ? parsed.recipient : recipient;
}

const HEADER = `Written by \`envseal team rm\`: the secret values removed members could read, by file and key.
A value stays listed (envseal status) until it changes; then change it at its source too.
Nothing here reveals a value: \`fingerprint\` is an HMAC under a key (\`checks\`) wrapped only
for the people who can read that file anyway.
`;

/**
 * The list with `exposure` added, leaving out values already listed for the same recipient
 * (a `team rm` run again to finish after a failure, or a member removed twice, lists each
 * value once). Null when nothing is new.
 */
export function withExposure(list: readonly Exposure[], exposure: Exposure): Exposure[] | null {
  const idOf = (v: ExposedValue): string => JSON.stringify([v.file, v.doc, v.path]);
  const known = new Set(list.filter((e) => e.recipient === exposure.recipient).flatMap((e) => e.values.map(idOf)));
  const values = exposure.values.filter((v) => !known.has(idOf(v)));
  if (values.length === 0) return null;
  const files = new Set(values.map((v) => v.file));
  return [...list, { ...exposure, values, checks: exposure.checks.filter((c) => files.has(c.file)) }];
}

export function exposuresText(list: readonly Exposure[]): string {
  const data = {
    version: 2,
    exposures: list.map((e) => ({
      member: e.member,
      recipient: e.recipient,
      removed: e.removed,
      values: e.values.map((v) => ({
        file: v.file,
        key: v.key,
        path: v.path,
        ...(v.doc === 0 ? {} : { doc: v.doc }),
        ...(v.fingerprint === null ? {} : { fingerprint: v.fingerprint }),
        ...(v.iv === null || v.fingerprint !== null ? {} : { iv: v.iv }),
      })),
      ...(e.checks.length === 0 ? {} : { checks: e.checks.map((c) => ({ file: c.file, age: c.age.map((k) => ({ recipient: k.label, enc: k.enc })) })) }),
    })),
  };
  const header = HEADER.trimEnd().split('\n').map((l) => `# ${l}`).join('\n');
  return `${header}\n${yamlLib().stringify(data, { lineWidth: 0, flowCollectionPadding: false })}`;
}

/**
 * Two branches' lists as one (the merge driver): the list only ever grows, so the union of
 * both sides, each value once per recipient, is the merge whatever the base held.
 */
export function unionExposures(ours: readonly Exposure[], theirs: readonly Exposure[]): Exposure[] {
  let list = [...ours];
  for (const exposure of theirs) list = withExposure(list, exposure) ?? list;
  return list;
}

/**
 * Adds `exposure` to the repository's list (written atomically, under its lock). Entries an
 * older envseal recorded by IV are upgraded on the way wherever the IV shows the value is
 * still the exposed one and this user can read the file: they get a fingerprint.
 */
export async function recordExposure(ctx: Ctx, root: string, exposure: Exposure): Promise<void> {
  const path = join(root, EXPOSURES_FILE);
  await ctx.io.fs.withLock(path, async () => {
    const old = (await ctx.io.fs.stat(path)) === null ? null : await ctx.io.fs.readFile(path);
    const list = await readExposures(ctx, root);
    const upgraded = await upgradeByIv(ctx, root, list);
    const updated = withExposure(upgraded ?? list, exposure) ?? upgraded;
    if (updated !== null) await ctx.io.fs.writeFileAtomic(path, exposuresText(updated), { expected: old, mode: 0o644 });
  });
}

/** `list` with IV-only entries fingerprinted where that can be done now; null when none could. */
async function upgradeByIv(ctx: Ctx, root: string, list: readonly Exposure[]): Promise<Exposure[] | null> {
  let changed = false;
  const out: Exposure[] = [];
  for (const exposure of list) {
    const byFile = new Map<string, ExposedValue[]>();
    for (const v of exposure.values) if (v.fingerprint === null && v.iv !== null) byFile.set(v.file, [...(byFile.get(v.file) ?? []), v]);
    let { values, checks } = exposure;
    for (const [file, old] of byFile) {
      if (checks.some((c) => c.file === file)) continue; // fingerprints under another key: leave them
      const now = await look(ctx, join(root, file));
      if (now.opened === null) continue;
      const meta = now.opened.metadata;
      const readers = [...new Set(meta.keyGroups.flatMap((g) => g.age.flatMap((k) => (k.recipient === null ? [] : [k.recipient]))))];
      const fresh = await exposedIn(now.opened.loaded, now.opened, root, readers);
      const stillSame = new Set(
        old.filter((v) => fresh.values.find((f) => f.doc === v.doc && JSON.stringify(f.path) === JSON.stringify(v.path) && ivNow(now, v) === v.iv) !== undefined).map((v) => JSON.stringify([v.doc, v.path])),
      );
      if (stillSame.size === 0 || fresh.check === null) continue;
      values = values.map((v) => {
        if (v.file !== file || !stillSame.has(JSON.stringify([v.doc, v.path]))) return v;
        const f = fresh.values.find((x) => x.doc === v.doc && JSON.stringify(x.path) === JSON.stringify(v.path));
        return f === undefined ? v : { ...v, fingerprint: f.fingerprint, iv: null };
      });
      checks = [...checks, fresh.check];
      changed = true;
    }
    out.push({ ...exposure, values, checks });
  }
  return changed ? out : null;
}

function ivNow(now: FileNow, value: ExposedValue): string | null {
  const node = now.stored?.[value.doc] === undefined ? undefined : getAt(now.stored[value.doc] as MapNode, value.path);
  const parsed = node?.kind === 'str' ? parseEnc(node.value) : null;
  return parsed?.ok === true ? b64encode(parsed.value.iv) : null;
}

export interface Debt {
  readonly file: string;
  readonly key: string;
  readonly member: string;
  readonly removed: string;
  /** Null when the value is known to be the one the member saw; otherwise why envseal cannot tell. */
  readonly unsure: string | null;
}

/** What envseal can see of one file now, for judging its listed values. */
interface FileNow {
  readonly stored: MapNode[] | null;
  readonly opened: OpenedFile | null;
  readonly why: string;
}

/**
 * The exposed values that still hold (or may still hold) the value the member saw. A value
 * removed from its file, or known to have changed, is no longer listed.
 */
export async function outstandingDebt(ctx: Ctx, root: string, exposures: readonly Exposure[]): Promise<Debt[]> {
  const files = new Map<string, Promise<FileNow>>();
  const now = (file: string): Promise<FileNow> => {
    let found = files.get(file);
    if (found === undefined) {
      found = look(ctx, join(root, file));
      files.set(file, found);
    }
    return found;
  };
  const debt: Debt[] = [];
  for (const exposure of exposures) {
    const keys = new Map<string, Promise<Uint8Array | null>>();
    for (const value of exposure.values) {
      const current = await now(value.file);
      const stored = current.stored?.[value.doc];
      const node = stored === undefined ? undefined : getAt(stored, value.path);
      if (node === undefined) continue; // the value is gone from its file
      const check = exposure.checks.find((c) => c.file === value.file);
      if (!keys.has(value.file)) keys.set(value.file, check === undefined ? Promise.resolve(null) : unwrapCheck(ctx, check));
      const verdict = await judge(value, node, current, await (keys.get(value.file) as Promise<Uint8Array | null>));
      if (verdict !== 'changed') debt.push({ file: value.file, key: value.key, member: exposure.member, removed: exposure.removed, unsure: verdict === 'same' ? null : verdict });
    }
  }
  return debt;
}

async function look(ctx: Ctx, abs: string): Promise<FileNow> {
  let loaded: LoadedFile;
  try {
    loaded = await loadFile(ctx, abs);
  } catch {
    return { stored: null, opened: null, why: 'the file cannot be read' };
  }
  try {
    return { stored: loaded.parsed.docs, opened: await openFile(ctx, loaded, { readOnly: true }), why: '' };
  } catch {
    return { stored: loaded.parsed.docs, opened: null, why: 'you cannot open the file' };
  }
}

async function unwrapCheck(ctx: Ctx, check: CheckKey): Promise<Uint8Array | null> {
  const result = await unwrapDataKey({ keyGroups: [{ age: check.age, others: {} }], shamirThreshold: 0 }, (await identitiesFor(ctx)).identities);
  return result.ok ? result.dataKey : null;
}

/** 'same' (still the exposed value), 'changed', or why envseal cannot tell. */
async function judge(value: ExposedValue, storedNode: Node, current: FileNow, checkKey: Uint8Array | null): Promise<'same' | 'changed' | string> {
  if (value.fingerprint !== null) {
    if (checkKey === null) return 'you cannot unwrap the key its record was made with (only those who could read the file then can)';
    if (current.opened === null) return current.why;
    const plain = getAt(current.opened.docs[value.doc] as MapNode, value.path);
    if (plain === undefined) return 'changed';
    return fingerprint(checkKey, value.doc, value.path, plain) === value.fingerprint ? 'same' : 'changed';
  }
  // Recorded by IV (envseal 0.1, or a file the remover could not open): the same IV means the
  // same value; another IV may be the same value re-encrypted.
  const parsed = storedNode.kind === 'str' ? parseEnc(storedNode.value) : null;
  if (parsed?.ok === true && value.iv !== null && b64encode(parsed.value.iv) === value.iv) return 'same';
  return 'recorded without a fingerprint (envseal 0.1, or a file its remover could not open) and re-encrypted since';
}
