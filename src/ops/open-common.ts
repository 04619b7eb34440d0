/** The errors opening a file can end in, built the same way by the async and the synchronous path. */
import type { UnwrapResult } from '../crypto/data-key.js';
import type { MacCheck } from '../crypto/mac.js';
import { IntegrityError, NoIdentityError } from '../errors.js';
import type { Discovery } from '../keys/discovery.js';
import { allAgeKeys, otherKeyDescriptions, type Metadata } from '../metadata/model.js';

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
        : `none of the ${found} age ${found === 1 ? 'identity' : 'identities'} found can open the file`;
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
