/**
 * The sops metadata block (sops-format.md §6) as envseal holds it. Key types envseal cannot
 * wrap for (pgp, kms, …) are kept verbatim so a team that mixes sops backends loses nothing
 * when the data key is kept.
 */
import type { EncryptionRule } from '../rules/rules.js';

/** What a format hands over for the `sops` block: plain JSON-like data. */
export type RawValue = string | number | boolean | null | RawValue[] | RawMap;
export interface RawMap {
  [key: string]: RawValue;
}

export interface AgeKey {
  /** The recipient string as stored (trimmed). */
  readonly recipient: string;
  /** The armored age file holding the wrapped data key (or Shamir share). */
  readonly enc: string;
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
