/**
 * The data key: one random 32-byte AES key per file, wrapped separately for each age
 * recipient as an armored age file (sops-format.md §8.1), split with Shamir when the file
 * has several key groups (§9).
 *
 * age-encryption is imported lazily: it is the most expensive import envseal has, and
 * commands that do not touch keys should not pay for it.
 */
import { randomBytes } from 'node:crypto';
import type { Identity } from '../keys/identity.js';
import type { Recipient } from '../keys/recipient.js';
import type { AgeKey, KeyGroup, Metadata } from '../metadata/model.js';
import { combine, split } from './shamir.js';

export const DATA_KEY_LENGTH = 32;

export function generateDataKey(): Uint8Array {
  return new Uint8Array(randomBytes(DATA_KEY_LENGTH));
}

/** Wraps `secret` (a data key or a Shamir share) for each recipient: one age file each. */
export async function wrapForRecipients(secret: Uint8Array, recipients: readonly Recipient[]): Promise<AgeKey[]> {
  const age = await import('age-encryption');
  return Promise.all(
    recipients.map(async (recipient) => {
      const encrypter = new age.Encrypter();
      encrypter.addRecipient(recipient);
      return { recipient, enc: age.armor.encode(await encrypter.encrypt(secret)) };
    }),
  );
}

export interface GroupPlan {
  readonly age: readonly Recipient[];
  /** Entries of other key types, kept as they are (only valid while the data key is kept). */
  readonly others: KeyGroup['others'];
}

/**
 * Wraps the data key for every group: the whole key with one group, a Shamir share per
 * group otherwise (threshold 0 means every group is needed).
 */
export async function wrapDataKey(
  dataKey: Uint8Array,
  groups: readonly GroupPlan[],
  threshold: number,
): Promise<KeyGroup[]> {
  const secrets = groups.length === 1 ? [dataKey] : split(dataKey, groups.length, threshold === 0 ? groups.length : threshold);
  return Promise.all(
    groups.map(async (group, i) => ({
      age: await wrapForRecipients(secrets[i] as Uint8Array, group.age),
      others: group.others,
    })),
  );
}

export type UnwrapResult =
  | { ok: true; dataKey: Uint8Array }
  | { ok: false; reason: 'no-identity' | 'not-enough-groups'; opened: number; needed: number }
  /** An entry addressed to one of the identities did not open: the file was damaged or tampered with. */
  | { ok: false; reason: 'damaged'; recipients: string[] };

/**
 * Recovers the data key with the given identities. Entries whose recipient matches one of
 * the identities are tried first; a damaged or foreign entry is skipped, not fatal.
 */
export async function unwrapDataKey(
  meta: Pick<Metadata, 'keyGroups' | 'shamirThreshold'>,
  identities: readonly Identity[],
): Promise<UnwrapResult> {
  const groups = meta.keyGroups;
  const needed = groups.length === 1 ? 1 : meta.shamirThreshold === 0 ? groups.length : meta.shamirThreshold;
  if (identities.length === 0) return { ok: false, reason: 'no-identity', opened: 0, needed };
  const age = await import('age-encryption');
  const ours = new Set(await Promise.all(identities.map((id) => age.identityToRecipient(id))));
  const decrypter = new age.Decrypter();
  for (const id of identities) decrypter.addIdentity(id);
  const expectedLength = groups.length === 1 ? DATA_KEY_LENGTH : DATA_KEY_LENGTH + 1;
  const parts: Uint8Array[] = [];
  const damaged: string[] = [];
  for (const group of groups) {
    const ordered = [...group.age].sort((a, b) => Number(ours.has(b.recipient)) - Number(ours.has(a.recipient)));
    for (const entry of ordered) {
      const part = await tryUnwrap(age, decrypter, entry.enc);
      if (part !== null && part.length === expectedLength) {
        parts.push(part);
        break;
      }
      if (ours.has(entry.recipient)) damaged.push(entry.recipient);
    }
    if (parts.length === needed) break;
  }
  if (parts.length === 0 && damaged.length > 0) return { ok: false, reason: 'damaged', recipients: damaged };
  if (groups.length === 1) {
    const [only] = parts;
    return only === undefined ? { ok: false, reason: 'no-identity', opened: 0, needed } : { ok: true, dataKey: only };
  }
  if (parts.length < needed) {
    return { ok: false, reason: parts.length === 0 ? 'no-identity' : 'not-enough-groups', opened: parts.length, needed };
  }
  return { ok: true, dataKey: combine(parts) };
}

type AgeModule = typeof import('age-encryption');

async function tryUnwrap(age: AgeModule, decrypter: InstanceType<AgeModule['Decrypter']>, enc: string): Promise<Uint8Array | null> {
  try {
    return await decrypter.decrypt(age.armor.decode(enc));
  } catch {
    return null;
  }
}
