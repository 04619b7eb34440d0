/**
 * What the async (open.ts) and the synchronous (open-sync.ts) way of opening a file share:
 * once the data key is known, decrypting every value and checking the MAC; and the errors
 * opening can end in.
 */
import type { UnwrapResult } from '../crypto/data-key.js';
import { verifyMac, type MacCheck } from '../crypto/mac.js';
import { RuleRegexError } from '../rules/rules.js';
import { openDocuments, type OpenOptions as SealOpenOptions, type OpenResult } from '../crypto/seal.js';
import type { IvStash } from '../crypto/stash.js';
import { IntegrityError, NoIdentityError, ParseError } from '../errors.js';
import type { Discovery } from '../keys/discovery.js';
import { allAgeKeys, otherKeyDescriptions, type Metadata } from '../metadata/model.js';
import { count } from '../text.js';
import type { MapNode } from '../tree.js';

export interface Decrypted extends OpenResult {
  /** Whether the stored MAC matched the values. */
  readonly macValid: boolean;
  /** Why it did not, when it did not. */
  readonly macProblem: Exclude<MacCheck, { ok: true }> | null;
}

/**
 * Decrypts the documents with the data key and checks the MAC. Errors name `file`. A MAC
 * that does not match is reported in the result, not thrown: the caller decides (--ignore-mac).
 */
export function decryptVerified(
  file: string,
  docs: readonly MapNode[],
  dataKey: Uint8Array,
  metadata: Metadata,
  stash: IvStash | null,
  options?: SealOpenOptions,
): Decrypted {
  let opened: OpenResult;
  try {
    opened = openDocuments(docs, dataKey, metadata, stash, options);
  } catch (err) {
    if (err instanceof IntegrityError) throw err.withFile(file);
    if (err instanceof RuleRegexError) throw new ParseError(`the file's ${err.message}`, { file });
    throw err;
  }
  const check = verifyMac(dataKey, metadata.mac, metadata.lastModified, opened.macHex);
  return { ...opened, macValid: check.ok, macProblem: check.ok ? null : check };
}

export type NameOf = (recipient: string) => string | undefined;

export function unwrapError(file: string, metadata: Metadata, discovery: Discovery, result: Exclude<UnwrapResult, { ok: true }>, nameOf?: NameOf): Error {
  if (result.reason === 'damaged') {
    return new IntegrityError(`the data key wrapped for ${result.recipients.join(', ')} is damaged`, {
      file,
      hint: 'the file was changed outside envseal; restore it from git',
    });
  }
  const recipients = [
    ...allAgeKeys(metadata).map((k) => {
      const name = nameOf?.(k.recipient);
      return name === undefined ? k.recipient : `${name} (${k.recipient})`;
    }),
    ...otherKeyDescriptions(metadata),
  ];
  const found = discovery.identities.length;
  const message =
    result.reason === 'not-enough-groups'
      ? `only ${result.opened} of the ${result.needed} key groups needed could be opened`
      : found === 0
        ? 'no age identity found to open the file'
        : `none of the ${count(found, 'age identity', 'age identities')} found can open the file`;
  return new NoIdentityError(message, discovery.tried, recipients, {
    file,
    details: [...discovery.tried.map((t) => `looked in ${t}`), ...recipients.map((r) => `the file is encrypted to ${r}`)],
    hint:
      found === 0
        ? 'create an identity with `envseal keygen` and ask a member to add you (envseal team add), or point SOPS_AGE_KEY_FILE at your key file'
        : 'ask someone who can open it to add your recipient (envseal team add NAME RECIPIENT)',
  });
}

export function macError(file: string, check: Exclude<MacCheck, { ok: true }>): IntegrityError {
  return new IntegrityError(`integrity check failed: ${check.reason}`, {
    file,
    hint: 'the file was changed outside envseal; restore it from git (decrypt --ignore-mac reads it anyway)',
  }, 'MAC_MISMATCH');
}
