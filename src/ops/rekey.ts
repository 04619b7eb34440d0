/**
 * Re-keying files. `updatekeys` (sops semantics): the recipients follow the rules, the data
 * key is kept, values and MAC untouched — entries of recipients that stay are kept byte for
 * byte. `rotate`: a new data key, every value re-encrypted (same IVs, as sops does), a new
 * MAC. Each comes as a plan (what would change, shown first) and its apply.
 */
import { generateDataKey, unwrapDataKey, wrapDataKey, wrapForRecipients } from '../crypto/data-key.js';
import { identitiesFor, ownRecipients } from './identities.js';
import { ConfigError, ParseError, type EnvsealError } from '../errors.js';
import type { Recipient } from '../keys/recipient.js';
import { metadataToRaw } from '../metadata/codec.js';
import { allAgeKeys, otherKeyDescriptions, printableLabel, recordedThreshold, type AgeKey, type KeyGroup, type Metadata } from '../metadata/model.js';
import { applyToFiles, type BatchOutcome } from './batch.js';
import type { Ctx } from './context.js';
import type { LoadedFile } from './load.js';
import { metadataOf, openFile, recoverDataKey, type OpenOptions } from './open.js';
import { labelled, ruleTarget, sopsFiles, strangersIn, type KeyTarget, type Team } from './repository.js';
import { count } from '../text.js';
import type { Question } from './confirm.js';
import { strangersQuestion } from './plan.js';
import { reseal } from './seal.js';
import { findStoreOptions } from '../config/load.js';

export interface KeyChange {
  readonly text: string;
  readonly added: Recipient[];
  readonly removed: Recipient[];
}

/**
 * Who a file is encrypted to now, from its entries' labels. Re-keying writes entries for
 * these recipients, so a label that does not parse stops it (before any plan is shown):
 * nobody can tell whom that entry was for.
 */
export function currentTarget(file: LoadedFile, meta: Metadata = metadataOf(file)): KeyTarget {
  const bad = allAgeKeys(meta).find((k) => k.recipient === null);
  if (bad !== undefined) {
    throw new ParseError(`a key entry is labelled ${printableLabel(bad.label)}, which is not a recipient; envseal cannot tell whom it is for`, {
      file: file.abs,
      hint: 'the labels are not covered by the MAC: restore the file from git, or correct the label by hand',
    });
  }
  const groups = meta.keyGroups.map((g) => [...new Set(g.age.map((k) => k.recipient as Recipient))]);
  return { groups, threshold: meta.shamirThreshold };
}

function sameGroups(meta: Metadata, target: KeyTarget): boolean {
  return (
    meta.keyGroups.length === target.groups.length &&
    meta.keyGroups.every((group, i) => {
      const want = new Set(target.groups[i]);
      return group.age.length === want.size && group.age.every((k) => k.recipient !== null && k.recipient === k.label && want.has(k.recipient));
    })
  );
}

function recipientDiff(meta: Metadata, target: KeyTarget): { added: Recipient[]; removed: Recipient[] } {
  const before = new Set(allAgeKeys(meta).flatMap((k) => (k.recipient === null ? [] : [k.recipient])));
  const after = new Set(target.groups.flat());
  return { added: [...after].filter((r) => !before.has(r)), removed: [...before].filter((r) => !after.has(r)) };
}

export interface UpdateKeysOptions extends OpenOptions {
  /** Recipients whose entries are wrapped anew even when an entry carries their label. */
  readonly rewrap?: readonly Recipient[];
}

/** Null when the file already has exactly these recipients (and nothing is to be re-wrapped). */
export async function updateKeys(ctx: Ctx, loaded: LoadedFile, target: KeyTarget, options: UpdateKeysOptions = {}): Promise<KeyChange | null> {
  const meta = metadataOf(loaded);
  const rewrap = new Set(options.rewrap ?? []);
  if (sameGroups(meta, target) && rewrap.size === 0) return null;
  if (target.groups.every((g) => g.length === 0)) {
    throw new ConfigError('the rules leave the file with no recipient', { file: loaded.abs, hint: 'every file needs at least one recipient' });
  }
  const dataKey = await recoverDataKey(ctx, loaded, meta, options);
  let keyGroups: KeyGroup[];
  if (meta.keyGroups.length === 1 && target.groups.length === 1) {
    const group = meta.keyGroups[0] as KeyGroup;
    // An entry is kept byte for byte only under a canonical label no other entry repeats;
    // any other is wrapped again (a relabelled entry must not pass for someone else's).
    const labels = group.age.map((k) => k.label);
    const trusted = group.age.filter(
      (k) => k.recipient !== null && k.recipient === k.label && labels.indexOf(k.label) === labels.lastIndexOf(k.label) && !rewrap.has(k.recipient),
    );
    const kept = new Map(trusted.map((k) => [k.recipient as Recipient, k]));
    const want = target.groups[0] ?? [];
    const wrapped = new Map((await wrapForRecipients(dataKey, want.filter((r) => !kept.has(r)))).map((k) => [k.recipient as Recipient, k]));
    keyGroups = [{ age: want.map((r) => kept.get(r) ?? (wrapped.get(r) as AgeKey)), others: group.others }];
  } else {
    refuseOtherKeysIn(meta, loaded, 'the key groups change');
    keyGroups = await wrapDataKey(dataKey, target.groups.map((age) => ({ age, others: {} })), target.threshold);
  }
  const next: Metadata = { ...meta, keyGroups, shamirThreshold: target.groups.length > 1 ? recordedThreshold(target.groups.length, target.threshold) : meta.shamirThreshold };
  const store = await findStoreOptions(ctx.io, loaded.abs, { explicit: ctx.configPath });
  const text = loaded.format.emitEncrypted(loaded.parsed.docs, metadataToRaw(next), loaded.parsed, loaded.abs, store);
  return { text, ...recipientDiff(meta, target) };
}

export interface RotateOptions extends OpenOptions {
  /** Remove entries of key types envseal cannot wrap for (pgp, kms, …) instead of stopping. */
  readonly dropOtherKeys?: boolean;
}

/** A new data key for `target` (default: the file's own age recipients); values re-encrypted. */
export async function rotate(ctx: Ctx, loaded: LoadedFile, target: KeyTarget | undefined, options: RotateOptions = {}): Promise<KeyChange> {
  const meta = metadataOf(loaded);
  if (options.dropOtherKeys !== true) refuseOtherKeysIn(meta, loaded, 'a new data key cannot be wrapped for them');
  const goal = target ?? currentTarget(loaded, meta);
  const opened = await openFile(ctx, loaded, options);
  if (goal.groups.every((g) => g.length === 0)) throw new ConfigError('no age recipient would be left', { file: loaded.abs });
  const dataKey = generateDataKey();
  const keyGroups = await wrapDataKey(dataKey, goal.groups.map((age) => ({ age, others: {} })), goal.threshold);
  const shamirThreshold = recordedThreshold(goal.groups.length, goal.threshold);
  const { text } = reseal(ctx, opened, opened.docs, { rekey: { dataKey, keyGroups, shamirThreshold } });
  return { text, ...recipientDiff(meta, goal) };
}

/** A file that also has keys envseal cannot wrap for stops a command that needs a new data key. */
function refuseOtherKeysIn(meta: Metadata, loaded: LoadedFile, why: string): void {
  const others = otherKeyDescriptions(meta);
  if (others.length === 0) return;
  throw new ConfigError(`the file also has keys envseal cannot wrap for (${others.join(', ')}), and ${why}`, {
    file: loaded.abs,
    hint: 'use sops for this file, or pass --drop-other-keys to remove those entries',
  });
}

/**
 * Commands that give files a new data key stop before writing anything when some file also
 * has keys envseal cannot wrap for (pgp, kms, …), unless told to drop them.
 */
export function refuseOtherKeys(files: readonly LoadedFile[], dropOtherKeys: boolean): void {
  if (dropOtherKeys) return;
  const found = files.flatMap((f) => otherKeyDescriptions(metadataOf(f)).map((d) => `${f.display} (${d})`));
  if (found.length === 0) return;
  throw new ConfigError(`these files also have keys envseal cannot wrap a new data key for: ${found.join(', ')}; nothing was written`, {
    hint: 'use sops for those files, or pass --drop-other-keys to remove those entries',
  });
}

/** The files a re-keying command works on: the given ones, or every sops file a rule covers. */
async function rekeyTargets(ctx: Ctx, team: Team, given: readonly string[]): Promise<{ files: LoadedFile[]; problems: EnvsealError[]; ignored: string[] }> {
  const { files, problems, ignored } = await sopsFiles(ctx, team, given);
  return { files: given.length > 0 ? files : files.filter((f) => ruleTarget(team.config, f.abs) !== null), problems, ignored: ignored.map((f) => f.display) };
}

export interface UpdateKeysItem {
  readonly file: LoadedFile;
  readonly target: KeyTarget;
  readonly added: Recipient[];
  readonly removed: Recipient[];
}

export interface UpdateKeysPlan {
  readonly items: UpdateKeysItem[];
  /** Files among them git ignores (included: a rule covers them). */
  readonly ignored: string[];
  /** What needs a yes before it is applied (recipients outside the roster). */
  readonly questions: Question[];
  /** Given files no creation rule covers: left as they are. */
  readonly uncovered: LoadedFile[];
  readonly problems: EnvsealError[];
}

export async function planUpdateKeys(ctx: Ctx, team: Team, given: readonly string[]): Promise<UpdateKeysPlan> {
  const { files, problems, ignored } = await rekeyTargets(ctx, team, given);
  const items: UpdateKeysItem[] = [];
  const uncovered: LoadedFile[] = [];
  for (const file of files) {
    const target = ruleTarget(team.config, file.abs);
    if (target === null) {
      uncovered.push(file);
      continue;
    }
    const meta = metadataOf(file);
    currentTarget(file, meta); // labels that do not parse stop the plan here
    const { added, removed } = recipientDiff(meta, target);
    if (added.length + removed.length > 0 || !sameGroups(meta, target)) items.push({ file, target, added, removed });
  }
  const strangers = strangersIn(team, items.flatMap((i) => i.added));
  const mine = await ownRecipients(ctx);
  const removals = items.flatMap((i) => i.removed.map((recipient) => ({ file: i.file.display, recipient })));
  return { items, uncovered, problems, ignored, questions: [strangersQuestion(strangers, 'the files'), removalsQuestion(team, mine, removals)] };
}

export function applyUpdateKeys(ctx: Ctx, plan: UpdateKeysPlan): Promise<BatchOutcome> {
  return applyToFiles(ctx, plan.items, async (item, current) => (await updateKeys(ctx, current, item.target))?.text ?? null);
}

export interface RotatePlan {
  readonly files: LoadedFile[];
  /** Files among them git ignores (included: a rule covers them). */
  readonly ignored: string[];
  readonly questions: Question[];
  readonly problems: EnvsealError[];
  readonly dropOtherKeys: boolean;
}

/**
 * --drop-other-keys removes pgp/kms/… entries nobody named on the command line: the removal is
 * shown by file and asked for (or --yes), as every removal of a reader nobody named is.
 */
export function droppedKeysQuestion(files: readonly LoadedFile[], dropOtherKeys: boolean): Question {
  const dropped = dropOtherKeys ? files.flatMap((f) => otherKeyDescriptions(metadataOf(f)).map((d) => `${f.display}: ${d}`)) : [];
  return { summary: `${count(dropped.length, 'key entry', 'key entries')} of other kinds would be removed (--drop-other-keys)`, lines: dropped };
}

export async function planRotate(ctx: Ctx, team: Team, given: readonly string[], dropOtherKeys: boolean): Promise<RotatePlan> {
  const { files, problems, ignored } = await rekeyTargets(ctx, team, given);
  const targets = new Map(files.map((file) => [file, currentTarget(file)])); // labels that do not parse stop here
  const openable = await filterOpenable(ctx, files);
  const recipients = files.flatMap((file) => (openable.has(file) ? (targets.get(file)?.groups.flat() ?? []) : []));
  refuseOtherKeys(files, dropOtherKeys);
  return { files, problems, ignored, dropOtherKeys, questions: [strangersQuestion(strangersIn(team, recipients), 'the new data keys'), droppedKeysQuestion(files, dropOtherKeys)] };
}

/**
 * The question before recipients nobody named on the command line lose access (updatekeys
 * follows rules someone else may have edited): by name, and "that is you" for the person
 * running it, who would lock themselves out.
 */
export function removalsQuestion(team: Team, mine: ReadonlySet<Recipient>, removals: ReadonlyArray<{ file: string; recipient: Recipient }>): Question {
  const you = removals.some((r) => mine.has(r.recipient));
  return {
    summary: `${count(new Set(removals.map((r) => r.recipient)).size, 'recipient')} would lose access${you ? ', you among them' : ''}`,
    lines: removals.map((r) => `${r.file}: -${labelled(team, r.recipient)}${mine.has(r.recipient) ? ' (that is you: you could no longer open it)' : ''}`),
  };
}

/**
 * The files whose data key the user's identities open (questions are asked only about files
 * that will really be re-keyed; the others are named at the end as unopened).
 */
export async function filterOpenable(ctx: Ctx, files: readonly LoadedFile[]): Promise<Set<LoadedFile>> {
  const { identities } = await identitiesFor(ctx);
  const open = new Set<LoadedFile>();
  for (const file of files) if ((await unwrapDataKey(metadataOf(file), identities)).ok) open.add(file);
  return open;
}

export function applyRotate(ctx: Ctx, plan: RotatePlan): Promise<BatchOutcome> {
  return applyToFiles(ctx, plan.files.map((file) => ({ file })), async (_item, current) => (await rotate(ctx, current, undefined, { dropOtherKeys: plan.dropOtherKeys })).text);
}
