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
import { openAgeX25519, x25519Identity, type X25519Identity } from './age-x25519.js';
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

type KeyMeta = Pick<Metadata, 'keyGroups' | 'shamirThreshold'>;
type Opener = (enc: string) => Uint8Array | null | Promise<Uint8Array | null>;

/**
 * Recovers the data key with the given identities. X25519 identities are tried with the
 * built-in opener first (no age-encryption import); other identity types, or a miss, fall
 * back to age-encryption. A damaged or foreign entry is skipped, not fatal.
 */
export async function unwrapDataKey(meta: KeyMeta, identities: readonly Identity[]): Promise<UnwrapResult> {
  const x25519 = identities.flatMap((id) => x25519Identity(id) ?? []);
  const fast = unwrapDataKeySync(meta, x25519);
  if (fast.ok || x25519.length === identities.length) return fast;
  const age = await import('age-encryption');
  const ours = new Set(await Promise.all(identities.map((id) => age.identityToRecipient(id))));
  const decrypter = new age.Decrypter();
  for (const id of identities) decrypter.addIdentity(id);
  return collect(meta, ours, (enc) => tryUnwrap(age, decrypter, enc));
}

/** The synchronous path: X25519 identities only (what `config()` can use). */
export function unwrapDataKeySync(meta: KeyMeta, identities: readonly X25519Identity[]): UnwrapResult {
  const ours = new Set(identities.map((id) => id.recipient));
  const result = collect(meta, ours, (enc) => openAgeX25519(enc, identities));
  if (result instanceof Promise) throw new Error('unreachable: synchronous opener');
  return result;
}

/** Tries entries (ours first) group by group; works with a synchronous or an async opener. */
function collect(meta: KeyMeta, ours: ReadonlySet<string>, open: Opener): UnwrapResult | Promise<UnwrapResult> {
  const groups = meta.keyGroups;
  const needed = groups.length === 1 ? 1 : meta.shamirThreshold === 0 ? groups.length : meta.shamirThreshold;
  if (ours.size === 0) return { ok: false, reason: 'no-identity', opened: 0, needed };
  const expectedLength = groups.length === 1 ? DATA_KEY_LENGTH : DATA_KEY_LENGTH + 1;
  const parts: Uint8Array[] = [];
  const damaged: string[] = [];
  const queue = groups.map((group) => [...group.age].sort((a, b) => Number(ours.has(b.recipient)) - Number(ours.has(a.recipient))));
  let g = 0;
  let e = 0;
  const finish = (): UnwrapResult => {
    if (parts.length === 0 && damaged.length > 0) return { ok: false, reason: 'damaged', recipients: damaged };
    if (parts.length < needed) {
      return { ok: false, reason: parts.length === 0 ? 'no-identity' : 'not-enough-groups', opened: parts.length, needed };
    }
    return { ok: true, dataKey: groups.length === 1 ? (parts[0] as Uint8Array) : combine(parts) };
  };
  const step = (part: Uint8Array | null): void => {
    const entry = queue[g]?.[e];
    if (part !== null && part.length === expectedLength) {
      parts.push(part);
      g += 1;
      e = 0;
    } else {
      if (entry !== undefined && ours.has(entry.recipient)) damaged.push(entry.recipient);
      e += 1;
      if (e >= (queue[g]?.length ?? 0)) {
        g += 1;
        e = 0;
      }
    }
  };
  const next = (): string | undefined => {
    while (g < queue.length && parts.length < needed) {
      const entry = queue[g]?.[e];
      if (entry !== undefined) return entry.enc;
      g += 1;
      e = 0;
    }
    return undefined;
  };
  const loop = (): UnwrapResult | Promise<UnwrapResult> => {
    for (let enc = next(); enc !== undefined; enc = next()) {
      const part = open(enc);
      if (part instanceof Promise) return part.then((p) => (step(p), loop()));
      step(part);
    }
    return finish();
  };
  return loop();
}

type AgeModule = typeof import('age-encryption');

async function tryUnwrap(age: AgeModule, decrypter: InstanceType<AgeModule['Decrypter']>, enc: string): Promise<Uint8Array | null> {
  try {
    return await decrypter.decrypt(age.armor.decode(enc));
  } catch {
    return null;
  }
}
