/**
 * The sops metadata block (sops-format.md §6) as envseal holds it. Key types envseal cannot
 * wrap for (pgp, kms, …) are kept verbatim so a team that mixes sops backends loses nothing
 * when the data key is kept.
 */
import type { EncryptionRule } from '../rules/rules.js';
import { isCanonicalLabel, looksLikeIdentity, type Recipient } from '../keys/recipient.js';

/** What a format hands over for the `sops` block: plain JSON-like data. */
export type RawValue = string | number | boolean | null | RawValue[] | RawMap;
export interface RawMap {
  [key: string]: RawValue;
}

export interface AgeKey {
  /**
   * The `recipient:` label as stored (trimmed). Not authenticated: anyone with write access
   * can put any text here, so it decides nothing about who can open the entry.
   */
  readonly label: string;
  /** The label parsed into a recipient; null when it does not parse as one. */
  readonly recipient: Recipient | null;
  /** The armored age file holding the wrapped data key (or Shamir share). */
  readonly enc: string;
}

/** A fresh entry written by envseal: its label is the canonical recipient. */
export function ageKeyFor(recipient: Recipient, enc: string): AgeKey {
  return { label: recipient, recipient, enc };
}

/**
 * Labels that are not exactly one parsed, canonical, distinct recipient each: they do not
 * parse, are spelt differently from the canonical form (upper case, spaces; an SSH key may
 * carry its comment, as sops records it), or repeat. A file with any of these cannot be
 * trusted about who reads it.
 */
export function labelProblems(meta: Pick<Metadata, 'keyGroups'>): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const key of allAgeKeys(meta)) {
    const shown = printableLabel(key.label);
    if (key.recipient === null) problems.push(`a key entry is labelled ${shown}, which is not a recipient`);
    else if (!isCanonicalLabel(key.label, key.recipient)) problems.push(`a key entry is labelled ${shown}, not in the canonical form of its recipient`);
    else if (seen.has(key.recipient)) problems.push(`two key entries are labelled ${shown}`);
    if (key.recipient !== null) seen.add(key.recipient);
  }
  return problems;
}

/** A label for a message: shortened, control characters escaped (it is untrusted text). */
export function printableLabel(label: string): string {
  if (looksLikeIdentity(label) || /AGE-(SECRET-KEY|PLUGIN)-/i.test(label)) return '(a secret key, not shown)';
  const short = label.length > 40 ? `${label.slice(0, 32)}…` : label;
  return JSON.stringify(short).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Key types sops supports and envseal keeps but cannot use. */
export const OTHER_KEY_TYPES = ['pgp', 'kms', 'gcp_kms', 'azure_kv', 'hc_vault', 'hckms'] as const;
export type OtherKeyType = (typeof OTHER_KEY_TYPES)[number];

export interface KeyGroup {
  readonly age: readonly AgeKey[];
  readonly others: Readonly<Partial<Record<OtherKeyType, readonly RawValue[]>>>;
}

export interface Metadata {
  /** One group: every key wraps the whole data key. Several: Shamir shares (§9). */
  readonly keyGroups: readonly KeyGroup[];
  /** 0 when unset. */
  readonly shamirThreshold: number;
  /** As stored (RFC 3339). */
  readonly lastModified: string;
  /** The encrypted MAC, `ENC[...]`, or '' when missing. */
  readonly mac: string;
  readonly rule: EncryptionRule;
  readonly macOnlyEncrypted: boolean;
  readonly version: string;
}

/** The sops version envseal writes into new files: its files are in the 3.13 layout. */
export const SOPS_VERSION = '3.13.3';

/** Whether sops version `version` (as a file records it) is older than `than` (x.y.z). */
export function olderThan(version: string, than: string): boolean {
  const a = version.replace(/^v/, '').split(/[.-]/).map(Number);
  const b = than.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

/**
 * How many key groups must be opened to recover the data key: one group holds the whole key;
 * with several, `shamir_threshold` of them (0 or unset: all of them, as sops does).
 */
export function effectiveThreshold(groupCount: number, shamirThreshold: number): number {
  if (groupCount <= 1) return 1;
  return shamirThreshold === 0 ? groupCount : shamirThreshold;
}

/** The threshold to record for `groupCount` groups: none for one group (sops writes none). */
export function recordedThreshold(groupCount: number, shamirThreshold: number): number {
  return groupCount > 1 ? effectiveThreshold(groupCount, shamirThreshold) : 0;
}

export function allAgeKeys(meta: Pick<Metadata, 'keyGroups'>): AgeKey[] {
  return meta.keyGroups.flatMap((group) => group.age);
}

/** Entries of key types envseal cannot wrap for, as `type: description` strings. */
export function otherKeyDescriptions(meta: Pick<Metadata, 'keyGroups'>): string[] {
  const out: string[] = [];
  for (const group of meta.keyGroups) {
    for (const type of OTHER_KEY_TYPES) {
      for (const entry of group.others[type] ?? []) out.push(`${type}: ${describeOtherKey(type, entry)}`);
    }
  }
  return out;
}

function describeOtherKey(type: OtherKeyType, entry: RawValue): string {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return String(entry);
  const field = { pgp: 'fp', kms: 'arn', gcp_kms: 'resource_id', azure_kv: 'vault_url', hc_vault: 'vault_address', hckms: 'key_id' }[type];
  const value = entry[field];
  return typeof value === 'string' ? value : '(entry)';
}
