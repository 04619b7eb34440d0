/**
 * Opening a sops file: parse its metadata, recover the data key with the identities found,
 * decrypt every value and check the MAC. The result is what every reading and writing
 * command works from.
 */
import { unwrapDataKey } from '../crypto/data-key.js';
import { IvStash } from '../crypto/stash.js';
import { ParseError } from '../errors.js';
import { parseMetadata } from '../metadata/codec.js';
import { allAgeKeys, type Metadata } from '../metadata/model.js';
import { decryptVerified, macError, unwrapError, type NameOf } from './open-common.js';
import { findConfigPath, loadConfig } from '../config/load.js';
import { namer, readRoster } from '../config/roster.js';
import type { MapNode } from '../tree.js';
import type { Ctx } from './context.js';
import { discoverIdentities } from './identities.js';
import type { LoadedFile } from './load.js';

export interface OpenedFile {
  readonly loaded: LoadedFile;
  readonly metadata: Metadata;
  readonly dataKey: Uint8Array;
  /** IVs to reuse when writing back; null when opened read-only. */
  readonly stash: IvStash | null;
  /** The documents with every value decrypted. */
  readonly docs: MapNode[];
  /** Whether the stored MAC matched (always true unless --ignore-mac was given). */
  readonly macValid: boolean;
  /** The MAC computed from the decrypted values (hex), to tell later whether a value changed. */
  readonly macHex: string;
  /** Leaves that should have been encrypted but held plaintext (only with plaintextLeaves: 'collect'). */
  readonly plaintextPaths: readonly (readonly string[])[];
  readonly hadEncryptedComments: boolean;
}

export interface OpenOptions {
  readonly ignoreMac?: boolean;
  readonly plaintextLeaves?: 'reject' | 'collect';
  /** Names for recipients (from the roster), used in "no identity" errors. */
  readonly nameOf?: (recipient: string) => string | undefined;
  /** Nothing will be written back (run, get, decrypt): skip recording IVs for re-encryption. */
  readonly readOnly?: boolean;
}

export function metadataOf(loaded: LoadedFile): Metadata {
  if (loaded.parsed.metadata === undefined) {
    throw new ParseError('the file is not encrypted (it has no sops metadata)', {
      file: loaded.abs,
      hint: `encrypt it first: envseal encrypt ${loaded.display}`,
    });
  }
  return parseMetadata(loaded.parsed.metadata, loaded.abs);
}

export async function recoverDataKey(ctx: Ctx, loaded: LoadedFile, metadata: Metadata, options: OpenOptions = {}): Promise<Uint8Array> {
  const discovery = await discoverIdentities(ctx, allAgeKeys(metadata)[0]?.recipient);
  const result = await unwrapDataKey(metadata, discovery.identities);
  if (result.ok) return result.dataKey;
  throw unwrapError(loaded.abs, metadata, discovery, result, options.nameOf ?? (await rosterNamer(ctx, loaded.abs)));
}

/** Names from the nearest roster, for error messages only (any problem: no names). */
async function rosterNamer(ctx: Ctx, fileAbs: string): Promise<NameOf | undefined> {
  try {
    const path = await findConfigPath(ctx.io, fileAbs, { explicit: ctx.configPath });
    if (path === null) return undefined;
    const config = await loadConfig(ctx.io, path, () => undefined);
    return namer(readRoster(config.raw, path));
  } catch {
    return undefined;
  }
}

export async function openFile(ctx: Ctx, loaded: LoadedFile, options: OpenOptions = {}): Promise<OpenedFile> {
  const metadata = metadataOf(loaded);
  const dataKey = await recoverDataKey(ctx, loaded, metadata, options);
  const stash = options.readOnly === true ? null : new IvStash();
  const opened = decryptVerified(loaded.abs, loaded.parsed.docs, dataKey, metadata, stash, {
    plaintextLeaves: options.plaintextLeaves ?? 'reject',
  });
  if (opened.macProblem !== null) {
    if (options.ignoreMac !== true) throw macError(loaded.abs, opened.macProblem);
    ctx.warn(`${loaded.display}: integrity check skipped (--ignore-mac): ${opened.macProblem.reason}`);
  } else if (options.ignoreMac === true) {
    ctx.warn(`${loaded.display}: --ignore-mac given; the MAC happens to match`);
  }
  return {
    loaded,
    metadata,
    dataKey,
    stash,
    docs: opened.docs,
    macValid: opened.macValid,
    macHex: opened.macHex,
    plaintextPaths: opened.plaintextPaths,
    hadEncryptedComments: opened.hadEncryptedComments,
  };
}
