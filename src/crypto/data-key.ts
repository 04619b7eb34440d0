/**
 * The data key: one random 32-byte AES key per file, wrapped separately for each age
 * recipient as an armored age file (sops-format.md §8.1), split with Shamir when the file
 * has several key groups (§9).
 *
 * Unwrapping is one synchronous walk over the entries ({@link collect}). X25519 identities
 * and SSH keys open entries with the small built-in reader (age-x25519.ts, age-ssh.ts);
 * post-quantum identities need age-encryption, whose API is asynchronous: those entries are
 * opened first, then handed to the same walk. age-encryption is imported lazily: it is the
 * most expensive import envseal has, and most runs never need it. Wrapping always uses it;
 * SSH recipients plug into it as custom recipients.
 *
 * An SSH key is opened only when an entry has a stanza with its tag (age's rule), so its
 * passphrase is asked for only for files encrypted to it.
 *
 * Entry labels (`recipient:`) are not authenticated, so they only order the attempts: every
 * entry is tried, ours first.
 */
import { randomBytes } from 'node:crypto';
import type { Identity } from '../keys/identity.js';
import { sshKeyOf, type Recipient } from '../keys/recipient.js';
import { ageKeyFor, allAgeKeys, effectiveThreshold, type AgeKey, type KeyGroup, type Metadata } from '../metadata/model.js';
import { wrapForSshKey } from './age-ssh.js';
import { sealAge, x25519Stanza, type StanzaMaker } from './age-seal.js';
import { openAge, stanzasOf, x25519Identity, type AgeIdentity } from './age-x25519.js';
import { combine, split } from './shamir.js';
import type { SshIdentity } from './ssh-identity.js';

/** What identity discovery finds: age secret keys, and SSH keys opened on demand. */
export type AnyIdentity = Identity | SshIdentity;

export const DATA_KEY_LENGTH = 32;

export function generateDataKey(): Uint8Array {
  return new Uint8Array(randomBytes(DATA_KEY_LENGTH));
}

/**
 * Wraps `secret` (a data key or a Shamir share) for each recipient: one age file each.
 * X25519 and SSH recipients are sealed with Node's crypto (age-seal.ts); only post-quantum
 * ones load age-encryption.
 */
export async function wrapForRecipients(secret: Uint8Array, recipients: readonly Recipient[]): Promise<AgeKey[]> {
  return Promise.all(
    recipients.map(async (recipient) => {
      const maker = nativeStanza(recipient);
      return ageKeyFor(recipient, maker === null ? await sealWithAgeEncryption(secret, recipient) : sealAge(secret, [maker]));
    }),
  );
}

/** Post-quantum (age1pq1…) recipients: age-encryption, loaded only for them. */
async function sealWithAgeEncryption(secret: Uint8Array, recipient: Recipient): Promise<string> {
  const age = await import('age-encryption');
  const encrypter = new age.Encrypter();
  encrypter.addRecipient(recipient);
  return age.armor.encode(await encrypter.encrypt(secret));
}

function nativeStanza(recipient: Recipient): StanzaMaker | null {
  const ssh = sshKeyOf(recipient);
  if (ssh !== null) return (fileKey) => wrapForSshKey(ssh, fileKey);
  return x25519Stanza(recipient);
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
export async function wrapDataKey(dataKey: Uint8Array, groups: readonly GroupPlan[], threshold: number): Promise<KeyGroup[]> {
  const secrets = groups.length === 1 ? [dataKey] : split(dataKey, groups.length, effectiveThreshold(groups.length, threshold));
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
  /** Entries opened, but what they held cannot be the data key: the file was damaged or tampered with. */
  | { ok: false; reason: 'damaged'; labels: string[] };

type KeyMeta = Pick<Metadata, 'keyGroups' | 'shamirThreshold'>;
/** Opens one entry: its content, or null when none of our identities opens it. */
type Opener = (entry: AgeKey) => Uint8Array | null;

/**
 * Recovers the data key with the given identities, cheapest first: the built-in reader with
 * X25519 identities and SSH keys that need no passphrase (no age-encryption import); then
 * post-quantum identities through age-encryption; then, one at a time, the
 * passphrase-protected SSH keys some entry is for. So nobody whose other keys open the file
 * is asked for a passphrase.
 */
export async function unwrapDataKey(meta: KeyMeta, identities: readonly AnyIdentity[]): Promise<UnwrapResult> {
  const ageKeys = identities.filter((id): id is Identity => typeof id === 'string');
  const x25519 = ageKeys.flatMap((id) => x25519Identity(id) ?? []);
  const ssh = sshKeysFor(meta, identities);
  const native: AgeIdentity[] = [...x25519, ...ssh.flatMap((id) => id.openNow() ?? [])];
  let result = unwrapDataKeySync(meta, native);
  const postQuantum = ageKeys.filter((id) => x25519Identity(id) === null);
  const others = result.ok || postQuantum.length === 0 ? null : await openWithAgeEncryption(meta, postQuantum);
  const attempt = (): UnwrapResult =>
    collect(meta, new Set([...native.map((id) => id.recipient), ...(others?.recipients ?? [])]), (entry) => nativeOpen(entry, native) ?? others?.opened.get(entry) ?? null);
  if (others !== null) result = attempt();
  for (const id of ssh) {
    if (result.ok) break;
    if (!id.locked) continue;
    const opened = await id.open();
    if (opened === null) continue;
    native.push(opened);
    result = attempt();
  }
  return result;
}

/** Every entry opened with age-encryption (post-quantum identities), and their recipients. */
async function openWithAgeEncryption(meta: KeyMeta, identities: readonly Identity[]): Promise<{ recipients: string[]; opened: Map<AgeKey, Uint8Array | null> }> {
  const age = await import('age-encryption');
  const recipients = await Promise.all(identities.map((id) => age.identityToRecipient(id)));
  const decrypter = new age.Decrypter();
  for (const id of identities) decrypter.addIdentity(id);
  const opened = new Map<AgeKey, Uint8Array | null>();
  await Promise.all(
    allAgeKeys(meta).map(async (entry) => {
      try {
        opened.set(entry, await decrypter.decrypt(age.armor.decode(entry.enc)));
      } catch {
        opened.set(entry, null);
      }
    }),
  );
  return { recipients, opened };
}

/** The synchronous path (`config()`): X25519 identities and SSH keys that need no passphrase. */
export function unwrapDataKeySync(meta: KeyMeta, identities: readonly AgeIdentity[]): UnwrapResult {
  const ours = new Set<string>(identities.map((id) => id.recipient));
  return collect(meta, ours, (entry) => nativeOpen(entry, identities));
}

/** The identities the built-in reader can use now, without asking anything (`config()`). */
export function nativeIdentitiesNow(meta: KeyMeta, identities: readonly AnyIdentity[]): AgeIdentity[] {
  const x25519 = identities.flatMap((id) => (typeof id === 'string' ? (x25519Identity(id) ?? []) : []));
  return [...x25519, ...sshKeysFor(meta, identities).flatMap((id) => id.openNow() ?? [])];
}

function nativeOpen(entry: AgeKey, identities: readonly AgeIdentity[]): Uint8Array | null {
  const opened = openAge(entry.enc, identities);
  return opened?.ok === true ? opened.plaintext : null;
}

/** The SSH keys some entry has a stanza for (by type and tag): the only ones worth opening. */
function sshKeysFor(meta: KeyMeta, identities: readonly AnyIdentity[]): SshIdentity[] {
  const ssh = identities.filter((id): id is SshIdentity => typeof id !== 'string');
  if (ssh.length === 0) return [];
  const tags = new Set<string>();
  for (const entry of allAgeKeys(meta)) {
    for (const stanza of stanzasOf(entry.enc) ?? []) if (stanza.args[0]?.startsWith('ssh-') === true) tags.add(`${stanza.args[0]} ${stanza.args[1]}`);
  }
  return ssh.filter((id) => tags.has(`${id.publicKey.type} ${id.publicKey.tag}`));
}

/**
 * The walk: per group, the entries labelled with one of our recipients first, then the
 * others (labels are untrusted), until one opens; then the whole key (one group) or the
 * Shamir shares combined. A share of the wrong length, or shares that cannot be combined
 * (a duplicate x-coordinate, which anyone who knows the public recipients can write), mean a
 * damaged file.
 */
function collect(meta: KeyMeta, ours: ReadonlySet<string>, open: Opener): UnwrapResult {
  const groups = meta.keyGroups;
  const needed = effectiveThreshold(groups.length, meta.shamirThreshold);
  if (ours.size === 0) return { ok: false, reason: 'no-identity', opened: 0, needed };
  const expectedLength = groups.length === 1 ? DATA_KEY_LENGTH : DATA_KEY_LENGTH + 1;
  const parts: Uint8Array[] = [];
  const damaged: string[] = [];
  for (const group of groups) {
    if (parts.length >= needed) break;
    const ordered = [...group.age].sort((a, b) => Number(isOurs(ours, b)) - Number(isOurs(ours, a)));
    for (const entry of ordered) {
      const part = open(entry);
      if (part === null) {
        // Labelled ours but not ours to open: the entry (or its label) was changed.
        if (isOurs(ours, entry)) damaged.push(entry.label);
        continue;
      }
      if (part.length === expectedLength) {
        parts.push(part);
        break;
      }
      damaged.push(entry.label);
    }
  }
  if (parts.length === 0 && damaged.length > 0) return { ok: false, reason: 'damaged', labels: damaged };
  if (parts.length < needed) return { ok: false, reason: parts.length === 0 ? 'no-identity' : 'not-enough-groups', opened: parts.length, needed };
  if (groups.length === 1) return { ok: true, dataKey: parts[0] as Uint8Array };
  try {
    return { ok: true, dataKey: combine(parts) };
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return { ok: false, reason: 'damaged', labels: [`the key groups' shares (${err.message.replace(/^shamir: /, '')})`] };
  }
}

function isOurs(ours: ReadonlySet<string>, entry: AgeKey): boolean {
  return entry.recipient !== null && ours.has(entry.recipient);
}
