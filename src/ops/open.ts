/**
 * Opening a sops file: parse its metadata, recover the data key with the identities found,
 * decrypt every value and check the MAC. The result is what every reading and writing
 * command works from.
 *
 * One core ({@link decryptWithKey}) and two ways to the data key: {@link openFile} (the CLI
 * and `load()`: every identity type, passphrase prompts) and {@link openFileSync}
 * (`config()`, which cannot await: X25519 identities and SSH keys without a passphrase).
 */
import { nativeIdentitiesNow, unwrapDataKey, unwrapDataKeySync, type UnwrapResult } from '../crypto/data-key.js';
import { verifyMac, type MacCheck } from '../crypto/mac.js';
import { RuleRegexError } from '../rules/rules.js';
import { openDocuments, type OpenResult } from '../crypto/seal.js';
import { IvStash } from '../crypto/stash.js';
import { IntegrityError, NoIdentityError, ParseError } from '../errors.js';
import { parseMetadata } from '../metadata/codec.js';
import { allAgeKeys, labelProblems, otherKeyDescriptions, printableLabel, type Metadata } from '../metadata/model.js';
import { count } from '../text.js';
import type { MapNode } from '../tree.js';
import type { Ctx, SyncCtx } from './context.js';
import { identitiesFor, identitiesNow, type FoundIdentities } from './identities.js';
import type { LoadedFile } from './load.js';
import { findStoreOptions } from '../config/load.js';
import type { StoreOptions } from '../formats/format.js';
import { rosterNamer, type NameOf } from './names.js';

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
  /** The layout `.sops.yaml` asks for (`stores:`), looked up when the file will be written back. */
  readonly store?: StoreOptions;
}

export interface OpenOptions {
  readonly ignoreMac?: boolean;
  readonly plaintextLeaves?: 'reject' | 'collect';
  /** Names for recipients (from the roster), used in "no identity" errors. */
  readonly nameOf?: NameOf;
  /** Nothing will be written back (run, get, decrypt): skip recording IVs for re-encryption. */
  readonly readOnly?: boolean;
  /** Record IVs into this stash (the merge driver shares one between two versions under one key). */
  readonly stash?: IvStash;
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

export async function openFile(ctx: Ctx, loaded: LoadedFile, options: OpenOptions = {}): Promise<OpenedFile> {
  const metadata = metadataOf(loaded);
  const dataKey = await recoverDataKey(ctx, loaded, metadata, options);
  const opened = decryptWithKey(ctx, loaded, metadata, dataKey, options);
  if (options.readOnly === true) return opened;
  return { ...opened, store: await findStoreOptions(ctx.io, loaded.abs, { explicit: ctx.configPath }) };
}

/** The synchronous way (`config()`): X25519 identities and unprotected SSH keys, no prompt. */
export function openFileSync(ctx: SyncCtx, loaded: LoadedFile, options: OpenOptions = {}): OpenedFile {
  const metadata = metadataOf(loaded);
  const discovery = identitiesNow(ctx.host, ctx.warn, firstLabel(metadata));
  const result = unwrapDataKeySync(metadata, nativeIdentitiesNow(metadata, discovery.identities));
  if (!result.ok) throw unwrapError(loaded.abs, metadata, discovery, result, options.nameOf);
  return decryptWithKey(ctx, loaded, metadata, result.dataKey, options);
}

export async function recoverDataKey(ctx: Ctx, loaded: LoadedFile, metadata: Metadata, options: OpenOptions = {}): Promise<Uint8Array> {
  const discovery = await identitiesFor(ctx, firstLabel(metadata));
  const result = await unwrapDataKey(metadata, discovery.identities);
  if (result.ok) return result.dataKey;
  throw unwrapError(loaded.abs, metadata, discovery, result, options.nameOf ?? (await rosterNamer(ctx, loaded.abs)));
}

/** SOPS_AGE_KEY_CMD gets the file's first recipient, as sops passes it. */
function firstLabel(metadata: Metadata): string | undefined {
  return allAgeKeys(metadata)[0]?.recipient ?? undefined;
}

/**
 * Decrypts every value with the data key and checks the MAC. A MAC that does not match is an
 * error unless `ignoreMac` (then a warning). Labels that cannot be trusted are warned about:
 * they are not used to decrypt, so reading goes on (as sops does). (`scan` calls it with data
 * keys it unwrapped itself: many versions of a file in history share one.)
 */
export function decryptWithKey(ctx: SyncCtx, loaded: LoadedFile, metadata: Metadata, dataKey: Uint8Array, options: OpenOptions): OpenedFile {
  for (const problem of labelProblems(metadata)) ctx.warn(`${loaded.display}: ${problem}`);
  const stash = options.readOnly === true ? null : (options.stash ?? new IvStash());
  let opened: OpenResult;
  try {
    opened = openDocuments(loaded.parsed.docs, dataKey, metadata, stash, { plaintextLeaves: options.plaintextLeaves ?? 'reject' });
  } catch (err) {
    if (err instanceof IntegrityError) throw err.withFile(loaded.abs);
    if (err instanceof RuleRegexError) throw new ParseError(`the file's ${err.message}`, { file: loaded.abs });
    throw err;
  }
  const check = verifyMac(dataKey, metadata.mac, metadata.lastModified, opened.macHex);
  if (!check.ok) {
    if (options.ignoreMac !== true) throw macError(loaded.abs, check);
    ctx.warn(`${loaded.display}: integrity check skipped (--ignore-mac): ${check.reason}`);
  } else if (options.ignoreMac === true) {
    ctx.warn(`${loaded.display}: --ignore-mac given; the MAC happens to match`);
  }
  return {
    loaded,
    metadata,
    dataKey,
    stash,
    docs: opened.docs,
    macValid: check.ok,
    macHex: opened.macHex,
    plaintextPaths: opened.plaintextPaths,
    hadEncryptedComments: opened.hadEncryptedComments,
  };
}

function unwrapError(file: string, metadata: Metadata, discovery: FoundIdentities, result: Exclude<UnwrapResult, { ok: true }>, nameOf?: NameOf): Error {
  if (result.reason === 'damaged') {
    return new IntegrityError(`the data key wrapped for ${result.labels.map(printableLabel).join(', ')} is damaged`, {
      file,
      hint: 'the file was changed outside envseal; restore it from git',
    });
  }
  const recipients = [
    ...allAgeKeys(metadata).map((k) => {
      const name = k.recipient === null ? undefined : nameOf?.(k.recipient);
      const shown = k.recipient ?? printableLabel(k.label);
      return name === undefined ? shown : `${name} (${shown})`;
    }),
    ...otherKeyDescriptions(metadata),
  ];
  const found = discovery.identities.length;
  const tried = discovery.tried;
  const message =
    result.reason === 'not-enough-groups'
      ? `only ${result.opened} of the ${result.needed} key groups needed could be opened`
      : found === 0
        ? 'no age identity found to open the file'
        : `none of the ${count(found, 'age identity', 'age identities')} found can open the file`;
  return new NoIdentityError(message, tried, recipients, {
    file,
    details: [...tried.map((t) => `looked in ${t}`), ...recipients.map((r) => `the file is encrypted to ${r}`)],
    hint:
      found === 0
        ? 'create an identity with `envseal keygen` and ask a member to add you (envseal team add), or point SOPS_AGE_KEY_FILE at your key file (SOPS_AGE_SSH_PRIVATE_KEY_FILE at an SSH key)'
        : 'ask someone who can open it to add your recipient (envseal team add NAME RECIPIENT)',
  });
}

function macError(file: string, check: Exclude<MacCheck, { ok: true }>): IntegrityError {
  return new IntegrityError(`integrity check failed: ${check.reason}`, {
    file,
    hint: 'the file was changed outside envseal; restore it from git (decrypt --ignore-mac reads it anyway)',
  }, 'MAC_MISMATCH');
}
