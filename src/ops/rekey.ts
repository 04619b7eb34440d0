/**
 * Re-keying one file. `updateKeys` (sops updatekeys): the recipients follow the rules, the
 * data key is kept, values and MAC are untouched — entries of recipients that stay are kept
 * byte for byte. `rotate`: a new data key, every value re-encrypted (same IVs, as sops does),
 * a new MAC.
 */
import { generateDataKey, wrapDataKey, wrapForRecipients } from '../crypto/data-key.js';
import { ConfigError } from '../errors.js';
import type { Recipient } from '../keys/recipient.js';
import { metadataToRaw } from '../metadata/codec.js';
import { allAgeKeys, otherKeyDescriptions, type KeyGroup, type Metadata } from '../metadata/model.js';
import type { Ctx } from './context.js';
import type { LoadedFile } from './load.js';
import { metadataOf, openFile, recoverDataKey, type OpenOptions } from './open.js';
import { reseal } from './seal.js';

export interface KeyTarget {
  /** Age recipients per key group. */
  readonly groups: ReadonlyArray<readonly Recipient[]>;
  readonly threshold: number;
}

export interface KeyChange {
  readonly text: string;
  readonly added: string[];
  readonly removed: string[];
}

export function currentTarget(meta: Metadata): KeyTarget {
  return { groups: meta.keyGroups.map((g) => g.age.map((k) => k.recipient as Recipient)), threshold: meta.shamirThreshold };
}

function sameGroups(meta: Metadata, target: KeyTarget): boolean {
  return (
    meta.keyGroups.length === target.groups.length &&
    meta.keyGroups.every((group, i) => {
      const want = new Set(target.groups[i]);
      return group.age.length === want.size && group.age.every((k) => want.has(k.recipient as Recipient));
    })
  );
}

function diff(meta: Metadata, target: KeyTarget): { added: string[]; removed: string[] } {
  const before = new Set(allAgeKeys(meta).map((k) => k.recipient));
  const after = new Set(target.groups.flat());
  return { added: [...after].filter((r) => !before.has(r)), removed: [...before].filter((r) => !after.has(r as Recipient)) };
}

/** Null when the file already has exactly these recipients. */
export async function updateKeys(ctx: Ctx, loaded: LoadedFile, target: KeyTarget, options: OpenOptions = {}): Promise<KeyChange | null> {
  const meta = metadataOf(loaded);
  if (sameGroups(meta, target)) return null;
  if (target.groups.every((g) => g.length === 0)) {
    throw new ConfigError('the rules leave the file with no recipient', { file: loaded.abs, hint: 'every file needs at least one recipient' });
  }
  const dataKey = await recoverDataKey(ctx, loaded, meta, options);
  let keyGroups: KeyGroup[];
  if (meta.keyGroups.length === 1 && target.groups.length === 1) {
    const group = meta.keyGroups[0] as KeyGroup;
    const kept = new Map(group.age.map((k) => [k.recipient, k]));
    const fresh = (target.groups[0] ?? []).filter((r) => !kept.has(r));
    const wrapped = new Map((await wrapForRecipients(dataKey, fresh)).map((k) => [k.recipient, k]));
    keyGroups = [{ age: (target.groups[0] ?? []).map((r) => kept.get(r) ?? (wrapped.get(r) as KeyGroup['age'][number])), others: group.others }];
  } else {
    refuseOtherKeys(meta, loaded, 'the key groups change');
    keyGroups = await wrapDataKey(dataKey, target.groups.map((age) => ({ age, others: {} })), target.threshold);
  }
  const next: Metadata = { ...meta, keyGroups, shamirThreshold: target.groups.length > 1 ? target.threshold || target.groups.length : meta.shamirThreshold };
  const text = loaded.format.emitEncrypted(loaded.parsed.docs, metadataToRaw(next), loaded.parsed, loaded.abs);
  return { text, ...diff(meta, target) };
}

export interface RotateOptions extends OpenOptions {
  /** Remove entries of key types envseal cannot wrap for (pgp, kms, …) instead of stopping. */
  readonly dropOtherKeys?: boolean;
}

/** A new data key for `target` (default: the file's own age recipients); values re-encrypted. */
export async function rotate(ctx: Ctx, loaded: LoadedFile, target: KeyTarget | undefined, options: RotateOptions = {}): Promise<KeyChange> {
  const meta = metadataOf(loaded);
  if (options.dropOtherKeys !== true) refuseOtherKeys(meta, loaded, 'a new data key cannot be wrapped for them');
  const opened = await openFile(ctx, loaded, options);
  const goal = target ?? currentTarget(meta);
  if (goal.groups.every((g) => g.length === 0)) throw new ConfigError('no age recipient would be left', { file: loaded.abs });
  const dataKey = generateDataKey();
  const keyGroups = await wrapDataKey(dataKey, goal.groups.map((age) => ({ age, others: {} })), goal.threshold);
  const shamirThreshold = goal.groups.length > 1 ? goal.threshold || goal.groups.length : 0;
  const { text } = reseal(ctx, opened, opened.docs, { rekey: { dataKey, keyGroups, shamirThreshold } });
  return { text, ...diff(meta, goal) };
}

/** Commands that need a new data key stop before writing when the file has keys envseal cannot use. */
function refuseOtherKeys(meta: Metadata, loaded: LoadedFile, why: string): void {
  const others = otherKeyDescriptions(meta);
  if (others.length === 0) return;
  throw new ConfigError(`the file also has keys envseal cannot wrap for (${others.join(', ')}), and ${why}`, {
    file: loaded.abs,
    hint: 'use sops for this file, or pass --drop-other-keys to remove those entries',
  });
}
