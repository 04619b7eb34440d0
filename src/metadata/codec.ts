/**
 * The metadata block to and from plain data (sops-format.md §6). Reading accepts every
 * layout sops has written (≤3.9, 3.10–3.12, 3.13) and the weakly typed values of the flat
 * formats (`"true"`, `"2"`). Writing produces the 3.13 layout: every map sorted by key,
 * empty lists and optional fields left out, `age` and `hc_vault` always present inside
 * `key_groups`.
 */
import { ParseError } from '../errors.js';
import { parseRecipient } from '../keys/recipient.js';
import { DEFAULT_RULE, RULE_FIELDS, type EncryptionRule } from '../rules/rules.js';
import {
  OTHER_KEY_TYPES,
  type AgeKey,
  type KeyGroup,
  type Metadata,
  type OtherKeyType,
  type RawMap,
  type RawValue,
} from './model.js';

export function isRawMap(value: unknown): value is RawMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses the `sops` block. Throws ParseError naming the file when it is not usable. */
export function parseMetadata(raw: RawValue | undefined, file: string): Metadata {
  const fail = (what: string): never => {
    throw new ParseError(`the sops metadata ${what}`, {
      file,
      hint: 'the file was damaged or is not a sops file; restore it from git',
    });
  };
  if (!isRawMap(raw)) return fail('is missing or is not a map');
  const flat = groupFrom(raw, fail);
  const hasFlatKeys = flat.age.length > 0 || Object.keys(flat.others).length > 0;
  let keyGroups: KeyGroup[];
  if (hasFlatKeys) {
    keyGroups = [flat];
  } else {
    const groups = raw['key_groups'];
    if (!Array.isArray(groups) || groups.length === 0) return fail('lists no keys');
    keyGroups = groups.map((group) => (isRawMap(group) ? groupFrom(group, fail) : fail('has a key group that is not a map')));
  }
  const lastModified = stringField(raw, 'lastmodified', fail);
  if (lastModified === '') fail('has no lastmodified');
  // sops parses it with Go's time.Parse(time.RFC3339): upper-case T and Z only.
  if (!isGoRfc3339(lastModified)) fail('has a lastmodified that is not an RFC 3339 time sops can read (upper-case T and Z)');
  const version = stringField(raw, 'version', fail);
  if (!isSopsVersion(version)) fail('has a version sops cannot compare (semver, optionally after a v, or 1.x)');
  const shamirThreshold = intField(raw, 'shamir_threshold', fail);
  if (keyGroups.length > 1 && shamirThreshold > keyGroups.length) {
    fail(`asks for ${shamirThreshold} of its ${keyGroups.length} key groups (shamir_threshold is larger than the number of groups)`);
  }
  return {
    keyGroups,
    shamirThreshold,
    lastModified,
    mac: stringField(raw, 'mac', fail),
    rule: ruleFrom(raw, fail),
    macOnlyEncrypted: boolField(raw, 'mac_only_encrypted', fail),
    version,
  };
}

type Fail = (what: string) => never;

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/**
 * What sops accepts as a file's version (version.AIsNewerThanB, run on every decrypt): any
 * `1.…` (sops 1 did not use semver), or strict semver after an optional `v`.
 */
export function isSopsVersion(version: string): boolean {
  return version.startsWith('1.') || SEMVER.test(version.replace(/^v/, ''));
}

/** Go's time.Parse(time.RFC3339, …): the fraction may follow `.` or `,`; the zone is `Z` or ±hh:mm. */
function isGoRfc3339(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,]\d+)?(Z|[+-](\d{2}):(\d{2}))$/.exec(text);
  if (m === null) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const validOffset = m[8] === undefined || (Number(m[8]) <= 24 && Number(m[9]) <= 60);
  return mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate() && h < 24 && mi < 60 && s < 60 && validOffset;
}

function groupFrom(raw: RawMap, fail: Fail): KeyGroup {
  const ageRaw = raw['age'];
  const age: AgeKey[] = [];
  if (Array.isArray(ageRaw)) {
    for (const item of ageRaw) {
      if (!isRawMap(item)) return fail('has an age entry that is not a map');
      const recipient = item['recipient'];
      const enc = item['enc'];
      if (typeof recipient !== 'string' || typeof enc !== 'string') return fail('has an age entry without recipient and enc');
      const label = recipient.trim();
      const parsed = parseRecipient(label);
      age.push({ label, recipient: parsed.ok ? parsed.recipient : null, enc });
    }
  } else if (ageRaw !== undefined && ageRaw !== null && ageRaw !== '') {
    fail('has an age field that is not a list');
  }
  const others: Partial<Record<OtherKeyType, RawValue[]>> = {};
  for (const type of OTHER_KEY_TYPES) {
    const list = raw[type];
    if (Array.isArray(list) && list.length > 0) others[type] = list;
  }
  return { age, others };
}

function stringField(raw: RawMap, name: string, fail: Fail): string {
  const value = raw[name];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(`field ${name} is not a string`);
}

function intField(raw: RawMap, name: string, fail: Fail): number {
  const value = raw[name];
  if (value === undefined || value === null || value === '') return 0;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : fail(`field ${name} is not an integer`);
}

function boolField(raw: RawMap, name: string, fail: Fail): boolean {
  const value = raw[name];
  if (value === undefined || value === null || value === '') return false;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'True' || value === '1') return true;
  if (value === 'false' || value === 'False' || value === '0') return false;
  return fail(`field ${name} is not a boolean`);
}

function ruleFrom(raw: RawMap, fail: Fail): EncryptionRule {
  const set = RULE_FIELDS.flatMap((field) => {
    const value = raw[field];
    return typeof value === 'string' && value !== '' ? [{ field, value }] : [];
  });
  if (set.length > 1) return fail(`sets more than one of ${set.map((r) => r.field).join(', ')}`);
  return set[0] ?? DEFAULT_RULE;
}

/** The metadata in sops 3.13's layout, maps sorted by key at every level. */
export function metadataToRaw(meta: Metadata): RawMap {
  const out: RawMap = {};
  if (meta.keyGroups.length === 1) {
    const group = meta.keyGroups[0] as KeyGroup;
    if (group.age.length > 0) out['age'] = group.age.map(ageToRaw);
    for (const type of OTHER_KEY_TYPES) {
      const list = group.others[type];
      if (list !== undefined && list.length > 0) out[type] = [...list];
    }
  } else {
    out['key_groups'] = meta.keyGroups.map((group) => {
      const g: RawMap = { age: group.age.map(ageToRaw), hc_vault: [...(group.others.hc_vault ?? [])] };
      for (const type of OTHER_KEY_TYPES) {
        const list = group.others[type];
        if (type !== 'hc_vault' && list !== undefined && list.length > 0) g[type] = [...list];
      }
      return g;
    });
  }
  if (meta.shamirThreshold > 0) out['shamir_threshold'] = meta.shamirThreshold;
  out['lastmodified'] = meta.lastModified;
  out['mac'] = meta.mac;
  if (meta.macOnlyEncrypted) out['mac_only_encrypted'] = true;
  out[meta.rule.field] = meta.rule.value;
  out['version'] = meta.version;
  return sortDeep(out) as RawMap;
}

function ageToRaw(key: AgeKey): RawMap {
  return { enc: key.enc, recipient: key.label };
}

/** Sorts map keys in byte order at every level, as sops 3.13 writes them. */
export function sortDeep(value: RawValue): RawValue {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (!isRawMap(value)) return value;
  // A null prototype, so that a key named `__proto__` in a damaged file stays a plain key.
  const out = Object.create(null) as RawMap;
  for (const key of Object.keys(value).sort(byteOrder)) out[key] = sortDeep(value[key] as RawValue);
  return out;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
