/**
 * The team protocol (PRODUCT.md §3) as plans and applies, for the CLI and the library alike.
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
import { addMemberText, newConfigText, removeMemberText, selectRules } from '../config/edit.js';
import { MEMBER_NAME } from '../config/roster.js';
import { ruleFor } from '../config/rules.js';
import { parseConfig } from '../config/schema.js';
import { ConfigError, UsageError } from '../errors.js';
import { parseRecipient, type Recipient } from '../keys/recipient.js';
import { formatLastModified } from '../crypto/mac.js';
import { allAgeKeys } from '../metadata/model.js';
import { applyToFiles, type BatchOutcome } from './batch.js';
import type { Ctx } from './context.js';
import { exposedValues, recordExposure, type Exposure } from './exposures.js';
import type { LoadedFile } from './load.js';
import { metadataOf } from './open.js';
import { currentTarget, refuseOtherKeys, rotate, updateKeys } from './rekey.js';
import { loadTeam, relativeTo, sopsFiles, type KeyTarget, type Team } from './repository.js';

export interface MemberRow {
  /** Null for a recipient that reads files but is not in the roster. */
  readonly name: string | null;
  readonly recipient: string;
  readonly files: string[];
}

/** Members and the files each can read, then recipients outside the roster that read files. */
export async function listMembers(ctx: Ctx): Promise<{ team: Team; members: MemberRow[] }> {
  const team = await loadTeam(ctx);
  const { files } = await sopsFiles(ctx, team, []);
  const readers = new Map<string, string[]>();
  for (const file of files) {
    for (const key of allAgeKeys(metadataOf(file))) {
      const who = key.recipient ?? key.label;
      readers.set(who, [...(readers.get(who) ?? []), relativeTo(team, file.abs)]);
    }
  }
  const members = [...team.roster.members].map(([name, recipient]) => ({ name, recipient, files: readers.get(recipient) ?? [] }));
  const strangers = [...readers].filter(([r]) => team.nameOf(r) === undefined).map(([recipient, f]) => ({ name: null, recipient, files: f }));
  return { team, members: [...members, ...strangers] };
}

interface FileChange {
  readonly file: LoadedFile;
  readonly target: KeyTarget;
}

export interface AddPlan {
  readonly team: Team;
  readonly name: string;
  readonly recipient: Recipient;
  /** The new `.sops.yaml`. */
  readonly configText: string;
  readonly createsConfig: boolean;
  readonly files: FileChange[];
}

export async function planAdd(ctx: Ctx, input: { name: string; recipient: string; rules: readonly string[] }): Promise<AddPlan> {
  if (!MEMBER_NAME.test(input.name)) throw new UsageError(`member name ${JSON.stringify(input.name)} is not valid (letters, digits, . _ @ -)`);
  const parsed = parseRecipient(input.recipient);
  if (!parsed.ok) throw new UsageError(`the recipient does not parse: ${parsed.reason}`);
  const recipient = parsed.recipient;
  const team = await loadTeam(ctx);
  const current = team.roster.members.get(input.name);
  if (current !== undefined && current !== recipient) {
    throw new ConfigError(`${input.name} is already a member, with another recipient`, { file: team.configPath, hint: `run envseal team rm ${input.name} first` });
  }
  const other = team.nameOf(recipient);
  if (other !== undefined && other !== input.name) throw new ConfigError(`that recipient belongs to ${other}`, { file: team.configPath });
  const configText =
    team.text === null
      ? newConfigText(input.name, recipient)
      : addMemberText(team.text, team.configPath, input.name, recipient, selectRules(team.text, team.configPath, input.rules));
  const newConfig = parseConfig(configText, team.configPath, ctx.warn);
  const { files: all } = await sopsFiles(ctx, team, []);
  const files = all.flatMap((file): FileChange[] => {
    const rule = ruleFor(newConfig, file.abs, sep);
    if (rule === null || !rule.groups.some((g) => g.age.includes(recipient))) return [];
    const target = currentTarget(file);
    if (target.groups.some((g) => g.includes(recipient))) return [];
    return [{ file, target: { groups: target.groups.map((g, i) => (i === 0 ? [...g, recipient] : g)), threshold: target.threshold } }];
  });
  return { team, name: input.name, recipient, configText, createsConfig: team.text === null, files };
}

export async function applyAdd(ctx: Ctx, plan: AddPlan): Promise<BatchOutcome> {
  await ctx.io.fs.writeFileAtomic(plan.team.configPath, plan.configText, { expected: plan.team.bytes, mode: 0o644 });
  return applyToFiles(ctx, plan.files, async (change, current) => {
    // Re-read under the lock: add the member to whatever recipients the file has now.
    const now = currentTarget(current);
    if (now.groups.some((g) => g.includes(plan.recipient))) return null;
    const target = { groups: now.groups.map((g, i) => (i === 0 ? [...g, plan.recipient] : g)), threshold: change.target.threshold };
    return (await updateKeys(ctx, current, target))?.text ?? null;
  });
}

export interface RemovePlan {
  readonly team: Team;
  /** The roster name, when the member was named or is in the roster. */
  readonly name: string | undefined;
  readonly recipient: Recipient;
  readonly files: FileChange[];
  readonly exposure: Exposure;
  readonly dropOtherKeys: boolean;
}

export async function planRemove(ctx: Ctx, input: { member: string; dropOtherKeys: boolean }): Promise<RemovePlan> {
  const team = await loadTeam(ctx);
  const { name, recipient } = resolveMember(team, input.member);
  const { files } = await sopsFiles(ctx, team, []);
  const readable = files.filter((f) => currentTarget(f).groups.some((g) => g.includes(recipient)));
  const changes = readable.map((file) => {
    const target = currentTarget(file);
    const groups = target.groups.map((g) => g.filter((r) => r !== recipient));
    if (groups.every((g) => g.length === 0)) {
      throw new ConfigError(`${name ?? recipient} is the only recipient of ${relativeTo(team, file.abs)}`, {
        file: file.abs,
        hint: 'add someone else first (envseal team add), or delete the file',
      });
    }
    return { file, target: { groups, threshold: target.threshold } };
  });
  refuseOtherKeys(readable, input.dropOtherKeys);
  const exposure: Exposure = {
    member: name ?? recipient,
    recipient,
    removed: formatLastModified(ctx.io.now()),
    values: readable.flatMap((f) => exposedValues(f, team.root)),
  };
  return { team, name, recipient, files: changes, exposure, dropOtherKeys: input.dropOtherKeys };
}

export async function applyRemove(ctx: Ctx, plan: RemovePlan): Promise<BatchOutcome> {
  await recordExposure(ctx, plan.team.root, plan.exposure);
  const outcome = await applyToFiles(ctx, plan.files, async (change, current) => {
    const now = currentTarget(current);
    const target = { groups: now.groups.map((g) => g.filter((r) => r !== plan.recipient)), threshold: change.target.threshold };
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
  throw new ConfigError(`${nameOrRecipient} is not a member`, { file: team.configPath, hint: 'envseal team ls lists the members; a recipient (age1…) works too' });
}
