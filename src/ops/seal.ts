/**
 * Writing sops files: sealing a plaintext file for the first time, and re-sealing an
 * opened one after a change. Re-sealing reuses the data key and the IV stash, so values
 * that did not change keep their exact ciphertext, and `lastmodified`/`mac` change only
 * when some value did.
 */
import { generateDataKey, wrapDataKey, type GroupPlan } from '../crypto/data-key.js';
import { encryptMac, formatLastModified } from '../crypto/mac.js';
import { RuleRegexError, type EncryptionRule } from '../rules/rules.js';
import { sealDocuments, type SealPolicy } from '../crypto/seal.js';
import { IvStash } from '../crypto/stash.js';
import { InternalError, ParseError } from '../errors.js';
import { metadataToRaw } from '../metadata/codec.js';
import { SOPS_VERSION, type KeyGroup, type Metadata } from '../metadata/model.js';
import type { ParsedFile } from '../formats/format.js';
import type { MapNode } from '../tree.js';
import { clearCommentSecrets } from '../rules/comment-secrets.js';
import { findStoreOptions } from '../config/load.js';
import type { Ctx } from './context.js';
import type { LoadedFile } from './load.js';
import type { OpenedFile } from './open.js';

export interface KeyPlan {
  readonly groups: readonly GroupPlan[];
  readonly threshold: number;
  readonly rule: EncryptionRule;
  readonly macOnlyEncrypted: boolean;
}

export function isCommentRule(rule: EncryptionRule): boolean {
  return rule.field === 'encrypted_comment_regex' || rule.field === 'unencrypted_comment_regex';
}

function seal(docs: readonly MapNode[], key: Uint8Array, policy: SealPolicy, stash: IvStash, file: string): ReturnType<typeof sealDocuments> {
  try {
    return sealDocuments(docs, key, policy, stash);
  } catch (err) {
    if (err instanceof RuleRegexError) throw new ParseError(`the file's ${err.message}`, { file });
    throw err;
  }
}

/** Encrypts plaintext documents into a new sops file (new data key, fresh IVs). */
export async function sealNew(ctx: Ctx, loaded: LoadedFile, docs: readonly MapNode[], plan: KeyPlan): Promise<string> {
  const dataKey = generateDataKey();
  const keyGroups = await wrapDataKey(dataKey, plan.groups, plan.threshold);
  const policy: SealPolicy = { rule: plan.rule, macOnlyEncrypted: plan.macOnlyEncrypted, encryptComments: isCommentRule(plan.rule) };
  const sealed = seal(docs, dataKey, policy, new IvStash(), loaded.abs);
  warnCommentedSecrets(ctx, loaded, sealed.docs);
  const lastModified = formatLastModified(ctx.io.now());
  const metadata: Metadata = {
    keyGroups,
    shamirThreshold: plan.groups.length > 1 ? plan.threshold || plan.groups.length : plan.threshold,
    lastModified,
    mac: encryptMac(dataKey, sealed.macHex, lastModified),
    rule: plan.rule,
    macOnlyEncrypted: plan.macOnlyEncrypted,
    version: SOPS_VERSION,
  };
  const store = await findStoreOptions(ctx.io, loaded.abs, { explicit: ctx.configPath });
  return loaded.format.emitEncrypted(sealed.docs, metadataToRaw(metadata), loaded.parsed, loaded.abs, store);
}

/**
 * Comments stay readable in files envseal writes (README "Comments"), so a secret someone
 * commented out (`# OLD_PASSWORD=…`) would be committed in clear: say so, naming the line and
 * the key, never the value. Only values above the floor for secrets count (not `# PORT=3000`).
 */
export function warnCommentedSecrets(ctx: Ctx, loaded: LoadedFile, sealedDocs: readonly MapNode[]): void {
  const source = loaded.bytes === null ? undefined : Buffer.from(loaded.bytes).toString('utf8');
  for (const { key, line } of clearCommentSecrets(sealedDocs, source)) {
    ctx.warn(
      `${loaded.display}${line === undefined ? '' : `:${line}`}: a comment assigns ${key} a value that looks like a secret, and comments stay readable in the encrypted file (delete it, or make it a value so it is encrypted)`,
    );
  }
}

export interface ResealOptions {
  /** A new data key and its wrapped key groups (rotate); default: keep both. */
  readonly rekey?: { readonly dataKey: Uint8Array; readonly keyGroups: readonly KeyGroup[]; readonly shamirThreshold: number };
  /** New key groups for the same data key (updatekeys, team add). */
  readonly keyGroups?: readonly KeyGroup[];
  /** The layout to write into (edit: the file as the person left it); default the file's own. */
  readonly layout?: ParsedFile;
  /** A newer sops version to record (edit raises it, as sops does). */
  readonly version?: string;
}

export interface Resealed {
  readonly text: string;
  /** The documents as written (values sealed). */
  readonly docs: readonly MapNode[];
  /** Whether any value (anything the MAC covers) changed. */
  readonly valuesChanged: boolean;
  readonly metadata: Metadata;
}

export function reseal(ctx: Ctx, opened: OpenedFile, docs: readonly MapNode[], options: ResealOptions = {}): Resealed {
  const { loaded, metadata } = opened;
  const dataKey = options.rekey?.dataKey ?? opened.dataKey;
  const policy: SealPolicy = {
    rule: metadata.rule,
    macOnlyEncrypted: metadata.macOnlyEncrypted,
    encryptComments: opened.hadEncryptedComments || isCommentRule(metadata.rule),
  };
  if (opened.stash === null) throw new InternalError('a file opened read-only was written back');
  const sealed = seal(docs, dataKey, policy, opened.stash, loaded.abs);
  const valuesChanged = sealed.macHex !== opened.macHex;
  const keepMac = !valuesChanged && opened.macValid && options.rekey === undefined;
  const lastModified = keepMac ? metadata.lastModified : formatLastModified(ctx.io.now());
  const next: Metadata = {
    ...metadata,
    keyGroups: options.rekey?.keyGroups ?? options.keyGroups ?? metadata.keyGroups,
    shamirThreshold: options.rekey?.shamirThreshold ?? metadata.shamirThreshold,
    lastModified,
    mac: keepMac ? metadata.mac : encryptMac(dataKey, sealed.macHex, lastModified),
    version: options.version ?? metadata.version,
  };
  const text = loaded.format.emitEncrypted(sealed.docs, metadataToRaw(next), options.layout ?? loaded.parsed, loaded.abs, opened.store);
  return { text, docs: sealed.docs, valuesChanged, metadata: next };
}
