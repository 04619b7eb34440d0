/**
 * Reading and changing single values (get, set, unset). Writing re-seals with the file's
 * data key and IV stash, so every other value keeps its ciphertext.
 */
import { ConfigError, UsageError } from '../errors.js';
import type { FormatName } from '../formats/format.js';
import { resolveFromCwd } from '../paths.js';
import { describeKeyPath, getAt, parseKeyPath, removeAt, resolveKeyPath, setAt, type Segment } from '../tree-path.js';
import { sameTree, type Entry, type MapNode, type Node } from '../tree.js';
import type { Ctx } from './context.js';
import { emptyFile, loadFile, type LoadedFile } from './load.js';
import { openFile, type OpenedFile } from './open.js';
import { parseRecipientFlags, planForNewFile, strangersQuestion, type PlanFlags } from './plan.js';
import { confirm } from './confirm.js';
import { registerSopsFile } from './git-setup.js';
import { reseal, sealNew } from './seal.js';

export interface Located {
  readonly opened: OpenedFile;
  /** The document the key is in (see {@link locate}). */
  readonly doc: number;
  readonly segments: Segment[];
  readonly found: boolean;
}

const DOTENV_KEY = /^[\w.-]+$/;

/**
 * Opens `file` and resolves `key`. In a file of several YAML documents the last document that
 * holds the key counts, as in `run` (later documents override earlier ones, like later files);
 * a key no document holds belongs to the first.
 */
async function locate(ctx: Ctx, file: string, key: string, format?: string | undefined): Promise<Located> {
  const loaded = await loadFile(ctx, file, format);
  const opened = await openFile(ctx, loaded);
  const path = parseKeyPath(key);
  const flat = loaded.format.name === 'dotenv';
  for (let doc = opened.docs.length - 1; doc >= 0; doc--) {
    const found = resolveKeyPath(opened.docs[doc] as MapNode, path, flat);
    if (found.found) return { opened, doc, ...found };
  }
  return { opened, doc: 0, ...resolveKeyPath(opened.docs[0] ?? { kind: 'map', items: [] }, path, flat) };
}

function notFound(file: LoadedFile, key: string, hint?: string): ConfigError {
  return new ConfigError(`key ${key} is not in the file`, { file: file.abs, hint: hint ?? `envseal decrypt ${file.display} lists what is there` }, 'MISSING_KEYS');
}

export async function getValue(ctx: Ctx, file: string, key: string, format?: string | undefined): Promise<Node> {
  const { opened, doc, segments, found } = await locate(ctx, file, key, format);
  const value = found ? getAt(opened.docs[doc] as MapNode, segments) : undefined;
  if (value === undefined) throw notFound(opened.loaded, key);
  return value;
}

/**
 * Every value of a file, decrypted (`get` with no key). Several YAML documents read as `run`
 * reads them: one map in which a later document's top-level key replaces an earlier one's.
 */
export async function getAllValues(ctx: Ctx, file: string, format?: string | undefined): Promise<{ doc: MapNode; format: string }> {
  const loaded = await loadFile(ctx, file, format);
  const opened = await openFile(ctx, loaded, { readOnly: true });
  return { doc: laterDocumentsWin(opened.docs), format: loaded.format.name };
}

function laterDocumentsWin(docs: readonly MapNode[]): MapNode {
  if (docs.length === 1) return docs[0] as MapNode;
  // A replaced key keeps the place it first had, as a Map does in run's environment.
  const entries = new Map<string, Entry>();
  for (const doc of docs) {
    for (const item of doc.items) {
      if (item.kind !== 'entry') continue;
      entries.set(item.key, item);
    }
  }
  return { kind: 'map', items: [...entries.values()] };
}

/** The value to store, made from the value it replaces (undefined for a new key) and the file's format: ops/typed-value.ts. */
export type ValueFor = (current: Node | undefined, format: FormatName) => Node;

export interface SetResult {
  readonly file: LoadedFile;
  readonly changed: boolean;
  readonly created: boolean;
  readonly path: string;
  /** The kind of value stored (`int` for `set port 7777` on an int). */
  readonly kind: Node['kind'];
}

/**
 * Sets `key` to `value` (or to what `value` makes of the value there), creating the file (for
 * the recipients of its rule or --age) when missing. One turn under the file's lock: read,
 * change, write.
 */
export async function setValue(ctx: Ctx, file: string, key: string, given: Node | ValueFor, options: { format?: string | undefined; plan: PlanFlags }): Promise<SetResult> {
  const probe = emptyFile(ctx, file, options.format);
  if (probe.format.name === 'dotenv' && !DOTENV_KEY.test(key)) {
    throw new UsageError(`${JSON.stringify(key)} cannot be a .env key (letters, digits, _ . - only)`);
  }
  return ctx.io.fs.withLock(probe.abs, async () => {
    if ((await ctx.io.fs.stat(probe.abs)) === null) return createWith(ctx, probe, key, valueOf(given, undefined, probe.format.name), options.plan);
    if (options.plan.age !== undefined && options.plan.age.length > 0) {
      parseRecipientFlags(options.plan.age); // a bad recipient is an error even when unused
      ctx.warn(`--age is used only when set creates a file; ${probe.display} keeps its recipients (change them with envseal updatekeys or envseal team add)`);
    }
    const { opened, doc, segments } = await locate(ctx, file, key, options.format);
    const docs = [...opened.docs];
    const current = getAt(docs[doc] as MapNode, segments);
    const value = valueOf(given, current, opened.loaded.format.name);
    if (current !== undefined && sameTree(current, value)) return { file: opened.loaded, changed: false, created: false, path: describeKeyPath(segments), kind: value.kind };
    docs[doc] = setAt(docs[doc] as MapNode, segments, value);
    await write(ctx, opened, docs);
    return { file: opened.loaded, changed: true, created: false, path: describeKeyPath(segments), kind: value.kind };
  });
}

function valueOf(given: Node | ValueFor, current: Node | undefined, format: FormatName): Node {
  return typeof given === 'function' ? given(current, format) : given;
}

async function createWith(ctx: Ctx, probe: LoadedFile, key: string, value: Node, flags: PlanFlags): Promise<SetResult> {
  const { segments } = resolveKeyPath(probe.parsed.docs[0] as MapNode, parseKeyPath(key), probe.format.name === 'dotenv');
  const doc = setAt(probe.parsed.docs[0] as MapNode, segments, value);
  const plan = await planForNewFile(ctx, probe.abs, probe.display, flags);
  await confirm(ctx, [strangersQuestion(plan.strangers, probe.display)], flags.yes === true);
  const text = await sealNew(ctx, probe, [doc], plan);
  await ctx.io.fs.writeFileAtomic(probe.abs, text, { expected: null, mode: 0o644 });
  await registerSopsFile(ctx, probe.abs);
  return { file: probe, changed: true, created: true, path: describeKeyPath(segments), kind: value.kind };
}

/**
 * Removes `key`. A key that is not there is exit 3 (as `sops unset`), or, with `idempotent`
 * (sops's `--idempotent`), nothing to do: `removed` is false and nothing is written.
 */
export async function unsetValue(ctx: Ctx, file: string, key: string, format?: string, options: { idempotent?: boolean } = {}): Promise<{ file: LoadedFile; path: string; removed: boolean }> {
  return ctx.io.fs.withLock(resolveFromCwd(ctx, file), async () => {
    const { opened, doc, segments, found } = await locate(ctx, file, key, format);
    if (!found && options.idempotent === true) return { file: opened.loaded, path: describeKeyPath(segments), removed: false };
    if (!found) throw notFound(opened.loaded, key, 'pass --idempotent when a missing key is fine');
    const docs = [...opened.docs];
    docs[doc] = removeAt(docs[doc] as MapNode, segments);
    await write(ctx, opened, docs);
    return { file: opened.loaded, path: describeKeyPath(segments), removed: true };
  });
}

async function write(ctx: Ctx, opened: OpenedFile, docs: MapNode[]): Promise<void> {
  const { text } = reseal(ctx, opened, docs);
  await ctx.io.fs.writeFileAtomic(opened.loaded.abs, text, { expected: opened.loaded.bytes });
}
