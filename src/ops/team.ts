/**
 * The repository as team commands see it: its `.sops.yaml` (roster and rules), its folder
 * (the root that file lists are relative to) and its sops files.
 */
import { dirname, join, sep } from 'node:path';
import { findConfigPath } from '../config/load.js';
import { ruleFor } from '../config/rules.js';
import { namer, readRoster, type Roster } from '../config/roster.js';
import { parseConfig, type SopsConfig } from '../config/schema.js';
import { ConfigError, EnvsealError, ExitCode, NoIdentityError } from '../errors.js';
import { otherKeyDescriptions } from '../metadata/model.js';
import { metadataOf } from './open.js';
import type { Recipient } from '../keys/recipient.js';
import { displayPath } from '../text.js';
import type { Ctx } from './context.js';
import { loadFile, type LoadedFile } from './load.js';
import type { KeyTarget } from './rekey.js';
import { pooled, repositoryFiles, repoPath } from './repo.js';
import { count } from '../text.js';

export interface Team {
  /** The folder of `.sops.yaml` (or the current folder when there is none yet). */
  readonly root: string;
  readonly configPath: string;
  /** The config's text and bytes as read (null when it does not exist yet). */
  readonly text: string | null;
  readonly bytes: Uint8Array | null;
  readonly config: SopsConfig | null;
  readonly roster: Roster;
  nameOf(recipient: string): string | undefined;
}

export async function loadTeam(ctx: Ctx): Promise<Team> {
  const found = await findConfigPath(ctx.io, null, { explicit: ctx.configPath });
  const configPath = found ?? join(ctx.io.cwd, '.sops.yaml');
  const bytes = found === null ? null : await ctx.io.fs.readFile(found);
  const text = bytes === null ? null : Buffer.from(bytes).toString('utf8');
  const config = text === null ? null : parseConfig(text, configPath, ctx.warn);
  const roster = config === null ? { members: new Map<string, Recipient>() } : readRoster(config.raw, configPath);
  return { root: dirname(configPath), configPath, text, bytes, config, roster, nameOf: namer(roster) };
}

/** A recipient with its roster name when there is one: `bob (age1…)`. */
export function labelled(team: Pick<Team, 'nameOf'>, recipient: string): string {
  const name = team.nameOf(recipient);
  return name === undefined ? recipient : `${name} (${recipient.slice(0, 16)}…)`;
}

/** The sops files of the repository (or the given files), loaded. Files that do not parse are reported. */
export async function sopsFiles(ctx: Ctx, team: Team, given: readonly string[]): Promise<{ files: LoadedFile[]; problems: EnvsealError[] }> {
  const candidates = given.length > 0 ? given.map((g) => g) : await repositoryFiles(ctx, team.root);
  const problems: EnvsealError[] = [];
  const loaded = await pooled(candidates, 8, async (file) => {
    try {
      return await loadFile(ctx, given.length > 0 ? file : displayPath(file, ctx.io.cwd));
    } catch (err) {
      if (err instanceof EnvsealError && given.length > 0) problems.push(err);
      return null;
    }
  });
  return { files: loaded.filter((l): l is LoadedFile => l !== null && l.parsed.metadata !== undefined), problems };
}

/** The recipients the rules give a file (null when no rule covers it). */
export function ruleTarget(config: SopsConfig | null, abs: string): KeyTarget | null {
  if (config === null) return null;
  const rule = ruleFor(config, abs, sep);
  if (rule === null) return null;
  return { groups: rule.groups.map((g) => g.age), threshold: rule.shamirThreshold };
}

export function relativeTo(team: Team, abs: string): string {
  return repoPath(team.root, abs);
}

export interface BatchOutcome {
  readonly done: string[];
  readonly unopened: string[];
  readonly failed: Array<{ file: string; error: EnvsealError }>;
}

/**
 * Applies `work` to each item of a plan (a few at a time), writing the new text of its file
 * atomically (null: nothing to write). Files the user cannot open are collected, not fatal;
 * so are other per-file errors. Progress goes to a terminal.
 */
export async function applyToFiles<T extends { readonly file: LoadedFile }>(
  ctx: Ctx,
  plan: readonly T[],
  work: (item: T) => Promise<string | null>,
): Promise<BatchOutcome> {
  const done: string[] = [];
  const unopened: string[] = [];
  const failed: Array<{ file: string; error: EnvsealError }> = [];
  const tty = ctx.io.stderr.isTTY;
  let finished = 0;
  await pooled(plan, 8, async (item) => {
    const { file } = item;
    try {
      const text = await work(item);
      if (text !== null) {
        await ctx.io.fs.writeFileAtomic(file.abs, text, { expected: file.bytes });
        done.push(file.display);
      }
    } catch (err) {
      if (err instanceof NoIdentityError) unopened.push(file.display);
      else if (err instanceof EnvsealError) failed.push({ file: file.display, error: err });
      else throw err;
    }
    finished += 1;
    if (tty) ctx.io.stderr.write(`\r  ${finished}/${plan.length} ${file.display.slice(-50).padEnd(50)}`);
  });
  if (tty && plan.length > 0) ctx.io.stderr.write('\r\x1b[K');
  return { done: done.sort(), unopened: unopened.sort(), failed };
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

/** Prints what could not be done and returns the exit code of a batch. */
export function reportBatch(ctx: Ctx, outcome: BatchOutcome): number {
  for (const { file, error } of outcome.failed) {
    ctx.io.stderr.write(`envseal: ${file}: ${error.message}\n${error.hint === undefined ? '' : `hint: ${error.hint}\n`}`);
  }
  if (outcome.failed.length > 0) {
    ctx.io.stderr.write('hint: each file is either as it was or completely updated; fix the problem and run the same command again to finish\n');
  }
  if (outcome.unopened.length > 0) {
    ctx.io.stderr.write(`envseal: you cannot open ${count(outcome.unopened.length, 'file')}; they were left as they are:\n`);
    for (const file of outcome.unopened) ctx.io.stderr.write(`  ${file}\n`);
    ctx.io.stderr.write('hint: someone who can open them can run `envseal updatekeys` (or `envseal rotate`) on them\n');
    return ExitCode.noIdentity;
  }
  return outcome.failed[0]?.error.exitCode ?? ExitCode.ok;
}
