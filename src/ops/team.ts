/**
 * The team protocol (README "Team") as plans and applies, for the CLI and the library alike.
 *
 * - `team add`: the member goes into the roster and into the rules; every existing file the
 *   new rules give them is re-wrapped for them (data key, values and MAC unchanged).
 * - `team rm`: every file the member could read gets a new data key for the others, and
 *   the values they could read are recorded as rotation debt. Write order: the exposure
 *   list first (if anything fails later, what they could read is on record), then the files,
 *   and the roster last and only when no file failed, so `team rm NAME` can simply be run
 *   again to finish.
 */
import { sep } from 'node:path';
import { addMemberText, newTeamConfigText, removeMemberText, selectRules } from '../config/edit.js';
import { hasExpired, isDay, MEMBER_NAME } from '../config/roster.js';
import { ruleFor } from '../config/rules.js';
import { parseConfig } from '../config/schema.js';
import { ConfigError, UsageError } from '../errors.js';
import { parseRecipient, recipientId, shortRecipient, type Recipient } from '../keys/recipient.js';
import { formatLastModified } from '../crypto/mac.js';
import { allAgeKeys, labelProblems, type Metadata } from '../metadata/model.js';
import { applyToFiles, type BatchOutcome } from './batch.js';
import type { Ctx } from './context.js';
import { ownRecipients } from './identities.js';
import { exposedIn, recordExposure, type Exposure } from './exposures.js';
import type { LoadedFile } from './load.js';
import { metadataOf, openFile } from './open.js';
import { currentTarget, droppedKeysQuestion, filterOpenable, refuseOtherKeys, removalsQuestion, rotate, updateKeys } from './rekey.js';
import { loadTeam, relativeTo, ruleTarget, sopsFiles, strangersIn, type KeyTarget, type Team } from './repository.js';
import type { Question } from './confirm.js';
import { count } from '../text.js';
import { strangersQuestion } from './plan.js';

export interface MemberRow {
  /** Null for a recipient that reads files but is not in the roster. */
  readonly name: string | null;
  readonly recipient: string;
  readonly files: string[];
  /** The last day of access (YYYY-MM-DD, UTC), when the member carries one. */
  readonly expires: string | null;
  /** `expired`, `soon` (within 14 days), or null. */
  readonly expiry: 'expired' | 'soon' | null;
}

/** How far ahead an expiry is warned about. */
export const EXPIRY_WARNING_DAYS = 14;

export function expiryState(day: string | undefined, now: Date): MemberRow['expiry'] {
  if (day === undefined) return null;
  if (hasExpired(day, now)) return 'expired';
  return hasExpired(day, new Date(now.getTime() + EXPIRY_WARNING_DAYS * 86_400_000)) ? 'soon' : null;
}

/** Members and the files each can read, then recipients outside the roster that read files. */
export async function listMembers(ctx: Ctx): Promise<{ team: Team; members: MemberRow[]; labelWarnings: string[] }> {
  const team = await loadTeam(ctx);
  const { files } = await sopsFiles(ctx, team, []);
  const readers = new Map<string, string[]>();
  for (const file of files) {
    for (const key of allAgeKeys(metadataOf(file))) {
      const who = key.recipient ?? key.label;
      readers.set(who, [...(readers.get(who) ?? []), relativeTo(team, file.abs)]);
    }
  }
  const now = ctx.io.now();
  const members = [...team.roster.members].map(([name, recipient]): MemberRow => {
    const expires = team.roster.expires?.get(name);
    return { name, recipient, files: readers.get(recipient) ?? [], expires: expires ?? null, expiry: expiryState(expires, now) };
  });
  const strangers = [...readers].filter(([r]) => team.nameOf(r) === undefined).map(([recipient, f]): MemberRow => ({ name: null, recipient, files: f, expires: null, expiry: null }));
  // Labels are not covered by the MAC: where they are in doubt, the list above may be wrong.
  const labelWarnings = files.flatMap((file) => labelProblems(metadataOf(file)).map((problem) => `${relativeTo(team, file.abs)}: ${problem}`));
  return { team, members: [...members, ...strangers], labelWarnings };
}

interface FileChange {
  readonly file: LoadedFile;
  readonly target: KeyTarget;
}

/** A reader of existing files kept by the first `team add`, under the name the plan shows. */
export interface KeptReader {
  readonly name: string;
  readonly recipient: Recipient;
  /** Whether it is one of the identities of the person running the command. */
  readonly you: boolean;
  readonly files: number;
}

export interface AddPlan {
  readonly team: Team;
  readonly name: string;
  readonly recipient: Recipient;
  /** The first team add of a repository keeps the readers its files already have. */
  readonly kept: KeptReader[];
  /** Sops files git ignores, included because a rule covers them. */
  readonly ignored: string[];
  /** Files the new rules give the member that they read already (nothing to re-wrap there). */
  readonly alreadyReads: number;
  /** The new `.sops.yaml`. */
  readonly configText: string;
  readonly createsConfig: boolean;
  readonly files: FileChange[];
  /** What needs a yes: readers kept from the files' labels who are not you. */
  readonly questions: Question[];
}

export async function planAdd(ctx: Ctx, input: { name: string; recipient: string; rules: readonly string[]; expires?: string | undefined }): Promise<AddPlan> {
  if (!MEMBER_NAME.test(input.name)) throw new UsageError(`member name ${JSON.stringify(input.name)} is not valid (letters, digits, . _ @ -)`);
  const parsed = parseRecipient(input.recipient);
  if (!parsed.ok) throw new UsageError(`the recipient does not parse: ${parsed.reason}`);
  if (input.expires !== undefined && !isDay(input.expires)) {
    throw new UsageError(`--expires takes a date, YYYY-MM-DD (got ${JSON.stringify(input.expires)})`, { hint: 'the member keeps access through that day (UTC)' });
  }
  const recipient = parsed.recipient;
  const team = await loadTeam(ctx);
  const current = team.roster.members.get(input.name);
  if (current !== undefined && current !== recipient) {
    throw new ConfigError(`${input.name} is already a member, with another recipient`, { file: team.configPath, hint: `run envseal team rm ${input.name} first` });
  }
  const other = team.nameOf(recipient);
  if (other !== undefined && other !== input.name) throw new ConfigError(`that recipient belongs to ${other}`, { file: team.configPath });
  // Every sops file, git-ignored ones too: the new rules decide which the member gets.
  const { files: all, ignored } = await sopsFiles(ctx, team, [], { ignoredCoveredBy: 'any' });
  const kept = team.roster.members.size === 0 ? await existingReaders(ctx, all, recipient) : [];
  const configText = addText(team, input, recipient, kept, all);
  const newConfig = parseConfig(configText, team.configPath, ctx.warn);
  let alreadyReads = 0;
  const files = all.flatMap((file): FileChange[] => {
    const rule = ruleFor(newConfig, file.abs, sep);
    if (rule === null || !rule.groups.some((g) => g.age.includes(recipient))) return [];
    const target = currentTarget(file);
    if (readsAlready(metadataOf(file), recipient) && wasExpected(team, file, recipient)) {
      alreadyReads += 1;
      return [];
    }
    return [{ file, target: withMember(target, recipient) }];
  });
  const planned = new Set(files.map((f) => f.file));
  return { team, name: input.name, recipient, kept, configText, createsConfig: team.text === null, files, alreadyReads, ignored: ignored.filter((f) => planned.has(f)).map((f) => relativeTo(team, f.abs)), questions: [keptStrangersQuestion(kept)] };
}

/**
 * Key labels are not covered by the MAC: anyone who can write to the repository can add an
 * entry labelled with their own recipient. Keeping such a reader makes them a member whom
 * later re-keying wraps real data keys for, so a kept reader who is not you needs a yes.
 */
function keptStrangersQuestion(kept: readonly KeptReader[]): Question {
  const others = kept.filter((k) => !k.you);
  return {
    summary: `${count(others.length, 'reader')} the files name would become ${others.length === 1 ? 'a member' : 'members'} (key labels are not signed: make sure you know ${others.length === 1 ? 'them' : 'each'})`,
    lines: others.map((k) => `${shortRecipient(k.recipient)} as ${k.name} (reads ${count(k.files, 'file')})`),
  };
}

/**
 * The readers the repository's files already have, when it has no roster yet: nobody is
 * dropped by the first `team add` (the rules it writes list them, so `updatekeys` keeps them).
 * The person running it is named after their login; others get a placeholder to rename.
 */
async function existingReaders(ctx: Ctx, files: readonly LoadedFile[], adding: Recipient): Promise<KeptReader[]> {
  const counts = new Map<Recipient, number>();
  for (const file of files) {
    for (const key of allAgeKeys(metadataOf(file))) if (key.recipient !== null && key.recipient !== adding) counts.set(key.recipient, (counts.get(key.recipient) ?? 0) + 1);
  }
  const mine = await ownRecipients(ctx);
  const login = (ctx.io.env['USER'] ?? ctx.io.env['USERNAME'] ?? '').toLowerCase();
  let mineNamed = false;
  return [...counts].map(([recipient, n]) => {
    const you = mine.has(recipient);
    const name = you && !mineNamed && MEMBER_NAME.test(login) ? login : `reader-${recipientId(recipient)}`;
    if (you && name === login) mineNamed = true;
    return { name, recipient, you, files: n };
  });
}

/** The new `.sops.yaml`: the member added (and, the first time, the readers kept). */
function addText(team: Team, input: { name: string; rules: readonly string[]; expires?: string | undefined }, recipient: Recipient, kept: readonly KeptReader[], files: readonly LoadedFile[]): string {
  if (team.text === null) {
    const created = newTeamConfigText([...kept.map((k) => [k.name, k.recipient] as const), [input.name, recipient]]);
    return input.expires === undefined ? created : addMemberText(created, team.configPath, input.name, recipient, [0], input.expires);
  }
  let text = team.text;
  for (const reader of kept) {
    // Into the rules that cover the files they read, so that updatekeys keeps them there.
    const covering = new Set<number>();
    for (const file of files) {
      if (!allAgeKeys(metadataOf(file)).some((k) => k.recipient === reader.recipient)) continue;
      const rule = team.config === null ? null : ruleFor(team.config, file.abs, sep);
      if (rule !== null) covering.add(rule.index);
    }
    text = addMemberText(text, team.configPath, reader.name, reader.recipient, [...covering]);
  }
  return addMemberText(text, team.configPath, input.name, recipient, selectRules(text, team.configPath, input.rules), input.expires);
}

export async function applyAdd(ctx: Ctx, plan: AddPlan): Promise<BatchOutcome> {
  await ctx.io.fs.writeFileAtomic(plan.team.configPath, plan.configText, { expected: plan.team.bytes, mode: 0o644 });
  return applyToFiles(ctx, plan.files, async (_change, current) => {
    // Re-read under the lock: add the member to whatever recipients the file has now.
    if (readsAlready(metadataOf(current), plan.recipient) && wasExpected(plan.team, current, plan.recipient)) return null;
    return (await updateKeys(ctx, current, withMember(currentTarget(current), plan.recipient), { rewrap: [plan.recipient] }))?.text ?? null;
  });
}

/** `target` with `recipient` added to its first key group (where `team add` puts members). */
function withMember(target: KeyTarget, recipient: Recipient): KeyTarget {
  const groups = target.groups.map((g, i) => (i === 0 ? [...g.filter((r) => r !== recipient), recipient] : g));
  return { groups, threshold: target.threshold };
}

/**
 * Whether a file already has an entry for `recipient` that can be taken at its word: its
 * label is canonical and the file's labels are all in order. Labels are not authenticated, so
 * an entry under a repeated or doubtful label may be someone else's: then it is wrapped anew.
 */
function readsAlready(meta: Metadata, recipient: Recipient): boolean {
  return labelProblems(meta).length === 0 && allAgeKeys(meta).some((k) => k.label === recipient);
}

/**
 * Whether an entry labelled for `recipient` was to be expected before this change: they are in
 * the roster, or the file's rule lists them. Otherwise the label was written by someone else
 * (perhaps on their own entry), and the new member gets an entry of their own.
 */
function wasExpected(team: Team, file: LoadedFile, recipient: Recipient): boolean {
  const rule = ruleTarget(team.config, file.abs);
  return team.nameOf(recipient) !== undefined || (rule !== null && rule.groups.some((g) => g.includes(recipient)));
}

export interface RemoveChange extends FileChange {
  /** Why the file gets a new data key (the member's rules, their label, or doubt about the labels). */
  readonly reason: string;
}

export interface RemovePlan {
  readonly team: Team;
  /** The roster name, when the member was named or is in the roster. */
  readonly name: string | undefined;
  readonly recipient: Recipient;
  readonly files: RemoveChange[];
  readonly exposure: Exposure;
  readonly dropOtherKeys: boolean;
  /** Sops files git ignores, included because a rule covers them. */
  readonly ignored: string[];
  /** What needs a yes before it is applied (new data keys for recipients outside the roster). */
  readonly questions: Question[];
}

/**
 * Which files the member could read, decided without trusting labels (they are not covered by
 * the MAC, so a member can rewrite their own): every file their rules cover, every file with
 * an entry labelled for them, and every file about whose labels there is any doubt — labels
 * that do not parse, are not canonical or repeat, or name a recipient the file's rule (or,
 * without a rule, the roster) does not list. Each gets a new data key; their values go on the
 * exposure list.
 */
export async function planRemove(ctx: Ctx, input: { member: string; dropOtherKeys: boolean }): Promise<RemovePlan> {
  const team = await loadTeam(ctx);
  const { name, recipient } = resolveMember(team, input.member);
  const who = name ?? recipient;
  const { files, ignored } = await sopsFiles(ctx, team, []);
  const changes = files.flatMap((file): RemoveChange[] => {
    const reason = removalReason(team, file, recipient);
    if (reason === null) return [];
    const target = removalTarget(team, file, recipient);
    const groups = target.groups;
    const emptied = groups.findIndex((g) => g.length === 0);
    if (emptied >= 0) {
      const where = groups.length === 1 ? `the only recipient of ${relativeTo(team, file.abs)}` : `the only member of key group ${emptied + 1} of ${relativeTo(team, file.abs)}`;
      throw new ConfigError(`${who} is ${where}; removing them would leave a share of the data key wrapped for nobody; nothing was written`, {
        file: file.abs,
        hint: groups.length === 1 ? 'add someone else first (envseal team add), or delete the file' : 'add someone else to that key group first (in .sops.yaml, then envseal updatekeys)',
      });
    }
    return [{ file, target: { groups, threshold: target.threshold }, reason }];
  });
  refuseOtherKeys(changes.map((c) => c.file), input.dropOtherKeys);
  const openable = await filterOpenable(ctx, changes.map((c) => c.file));
  const exposed = await Promise.all(
    changes.map(async (c) => exposedIn(c.file, openable.has(c.file) ? await openFile(ctx, c.file, { readOnly: true }) : null, team.root, [...new Set(c.target.groups.flat())])),
  );
  const exposure: Exposure = {
    member: who,
    recipient,
    removed: formatLastModified(ctx.io.now()),
    values: exposed.flatMap((e) => e.values),
    checks: exposed.flatMap((e) => (e.check === null ? [] : [e.check])),
  };
  const strangers = strangersIn(team, changes.flatMap((c) => (openable.has(c.file) ? c.target.groups.flat() : [])));
  const mine = await ownRecipients(ctx);
  const yourself = mine.has(recipient) ? removalsQuestion(team, mine, changes.map((c) => ({ file: relativeTo(team, c.file.abs), recipient }))) : null;
  const questions = [strangersQuestion(strangers, 'the new data keys'), droppedKeysQuestion(changes.map((c) => c.file), input.dropOtherKeys), ...(yourself === null ? [] : [yourself])];
  return { team, name, recipient, files: changes, exposure, dropOtherKeys: input.dropOtherKeys, questions, ignored: ignored.map((f) => relativeTo(team, f.abs)) };
}

/**
 * Whom a file's new data key is for when `recipient` leaves: its labelled recipients without
 * them. A label that does not parse names nobody, so it cannot stop the offboarding (a member
 * about to leave could write one to keep the old data key): its entry is dropped, and the
 * file's rule, when one covers it, fills each group in, so a member whose label was garbled
 * keeps access. The plan names the file and why (removalReason).
 */
function removalTarget(team: Team, file: LoadedFile, recipient: Recipient): KeyTarget {
  const meta = metadataOf(file);
  const labelled = meta.keyGroups.map((g) => g.age.flatMap((k) => (k.recipient === null ? [] : [k.recipient])));
  const garbled = allAgeKeys(meta).some((k) => k.recipient === null);
  const rule = garbled ? ruleTarget(team.config, file.abs) : null;
  const fill = (i: number): readonly Recipient[] => (rule !== null && rule.groups.length === labelled.length ? (rule.groups[i] ?? []) : []);
  const groups = labelled.map((g, i) => [...new Set([...g, ...fill(i)])].filter((r) => r !== recipient));
  return { groups, threshold: meta.shamirThreshold };
}

function removalReason(team: Team, file: LoadedFile, recipient: Recipient): string | null {
  const meta = metadataOf(file);
  const keys = allAgeKeys(meta);
  if (keys.some((k) => k.recipient === recipient)) return 'they are a recipient';
  const rule = ruleTarget(team.config, file.abs);
  if (rule !== null && rule.groups.some((g) => g.includes(recipient))) return 'their rules cover it';
  const problems = labelProblems(meta);
  if (problems.length > 0) return `its key labels cannot be trusted (${problems[0]})`;
  const expected = rule !== null ? new Set(rule.groups.flat()) : team.roster.members.size > 0 ? new Set(team.roster.members.values()) : null;
  const stranger = expected === null ? undefined : keys.find((k) => k.recipient !== null && !expected.has(k.recipient));
  if (stranger !== undefined) return `it has an entry labelled for ${shortRecipient(stranger.recipient ?? '')}, ${rule !== null ? 'whom its rule does not list' : 'who is not in the roster'}`;
  return null;
}

export async function applyRemove(ctx: Ctx, plan: RemovePlan): Promise<BatchOutcome> {
  await recordExposure(ctx, plan.team.root, plan.exposure);
  const outcome = await applyToFiles(ctx, plan.files, async (change, current) => {
    const target = { groups: removalTarget(plan.team, current, plan.recipient).groups, threshold: change.target.threshold };
    return (await rotate(ctx, current, target, { dropOtherKeys: plan.dropOtherKeys })).text;
  });
  if (plan.team.text !== null && outcome.failed.length === 0) {
    const text = removeMemberText(plan.team.text, plan.team.configPath, plan.name, plan.recipient);
    await ctx.io.fs.writeFileAtomic(plan.team.configPath, text, { expected: plan.team.bytes });
  }
  return outcome;
}

function resolveMember(team: Team, nameOrRecipient: string): { name: string | undefined; recipient: Recipient } {
  const byName = team.roster.members.get(nameOrRecipient);
  if (byName !== undefined) return { name: nameOrRecipient, recipient: byName };
  const parsed = parseRecipient(nameOrRecipient);
  if (parsed.ok) return { name: team.nameOf(parsed.recipient), recipient: parsed.recipient };
  throw new ConfigError(`${nameOrRecipient} is not a member`, { file: team.configPath, hint: 'envseal team ls lists the members; a recipient (age1… or ssh-…) works too' });
}
