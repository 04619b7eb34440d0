/**
 * The repository as repository-wide commands see it (team, updatekeys, rotate, status): its
 * `.sops.yaml` (roster and rules), its folder (the root that file lists are relative to) and
 * its sops files.
 *
 * The files looked at: what git would commit (tracked, plus untracked files that are not
 * ignored) when the folder is a git repository, otherwise every file below it (skipping .git
 * and node_modules). Only names whose format envseal knows are kept; whether each is a sops
 * file is decided by reading it.
 */
import { basename, dirname, join, relative, sep } from 'node:path';
import { CONFIG_NAME, findConfigPath } from '../config/load.js';
import { detectFormat } from '../formats/index.js';
import { ruleFor } from '../config/rules.js';
import { namer, readRoster, type Roster } from '../config/roster.js';
import { parseConfig, type SopsConfig } from '../config/schema.js';
import { EnvsealError } from '../errors.js';
import { shortRecipient, type Recipient } from '../keys/recipient.js';
import { displayPath } from '../paths.js';
import type { Ctx } from './context.js';
import { loadFile, type LoadedFile } from './load.js';
import { pooled } from './batch.js';
import { committableFiles, ignoredFiles } from './git.js';

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

/** Age recipients per key group, and the Shamir threshold: who a file is (or should be) encrypted to. */
export interface KeyTarget {
  readonly groups: ReadonlyArray<readonly Recipient[]>;
  readonly threshold: number;
}

export async function loadTeam(ctx: Ctx): Promise<Team> {
  const found = await findConfigPath(ctx.io, null, { explicit: ctx.configPath, warn: ctx.warn });
  const configPath = found ?? join(ctx.io.cwd, CONFIG_NAME);
  const bytes = found === null ? null : await ctx.io.fs.readFile(found);
  const text = bytes === null ? null : Buffer.from(bytes).toString('utf8');
  const config = text === null ? null : parseConfig(text, configPath, ctx.warn);
  const roster = config === null ? { members: new Map<string, Recipient>() } : readRoster(config.raw, configPath);
  return { root: dirname(configPath), configPath, text, bytes, config, roster, nameOf: namer(roster) };
}

/** A recipient with its roster name when there is one: `bob (age1…)`. */
export function labelled(team: Pick<Team, 'nameOf'>, recipient: string): string {
  const name = team.nameOf(recipient);
  return name === undefined ? recipient : `${name} (${shortRecipient(recipient)})`;
}

export interface SopsFiles {
  readonly files: LoadedFile[];
  /** Given files that could not be loaded. */
  readonly problems: EnvsealError[];
  /** Sops files among `files` that git ignores (included because a rule covers them). */
  readonly ignored: LoadedFile[];
}

/**
 * The sops files of the repository (or the given files), loaded. Files git ignores count
 * when they are sops files a rule covers: an encrypted `.env` listed in `.gitignore` is still
 * the team's. Given files that do not load are reported.
 */
export async function sopsFiles(ctx: Ctx, team: Team, given: readonly string[], rules: { readonly ignoredCoveredBy: SopsConfig | null | 'any' } = { ignoredCoveredBy: team.config }): Promise<SopsFiles> {
  const listed = given.length > 0 ? null : await repositoryFiles(ctx, team.root);
  const candidates = listed?.files ?? given;
  const problems: EnvsealError[] = [];
  const loaded = await pooled(candidates, 8, async (file) => {
    try {
      return await loadFile(ctx, given.length > 0 ? file : displayPath(file, ctx.io.cwd));
    } catch (err) {
      if (err instanceof EnvsealError && given.length > 0) problems.push(err);
      return null;
    }
  });
  const isIgnored = (file: LoadedFile): boolean => listed?.ignored.has(file.abs) === true;
  const covered = (l: LoadedFile): boolean => rules.ignoredCoveredBy === 'any' || ruleTarget(rules.ignoredCoveredBy, l.abs) !== null;
  const files = loaded.filter((l): l is LoadedFile => l !== null && l.parsed.metadata !== undefined && (!isIgnored(l) || covered(l)));
  return { files, problems, ignored: files.filter(isIgnored) };
}

/** The recipients the rules give a file (null when no rule covers it). */
export function ruleTarget(config: SopsConfig | null, abs: string): KeyTarget | null {
  if (config === null) return null;
  const rule = ruleFor(config, abs, sep);
  if (rule === null) return null;
  return { groups: rule.groups.map((g) => g.age), threshold: rule.shamirThreshold };
}

/** Recipients the roster does not know (none when there is no roster: a plain sops setup). */
export function strangersIn(team: Team, recipients: Iterable<Recipient>): Recipient[] {
  if (team.roster.members.size === 0) return [];
  return [...new Set(recipients)].filter((r) => team.nameOf(r) === undefined);
}

export function relativeTo(team: Team, abs: string): string {
  return repoPath(team.root, abs);
}

/** The rotation-debt record, next to `.sops.yaml` (ops/exposures.ts). */
export const EXPOSURES_FILE = '.envseal-exposures.yaml';

export interface RepositoryFiles {
  /** Files envseal could hold (known formats), absolute, sorted. */
  readonly files: string[];
  /** Those among them git ignores (a developer's `.env`, say). */
  readonly ignored: ReadonlySet<string>;
}

export async function repositoryFiles(ctx: Ctx, root: string): Promise<RepositoryFiles> {
  const keep = (path: string): boolean => {
    const name = basename(path);
    return detectFormat(name) !== null && name !== CONFIG_NAME && name !== EXPOSURES_FILE;
  };
  // Both at once: outside git the second is empty too.
  const [listed, ignored] = await Promise.all([committableFiles(ctx, root, keep), ignoredFiles(ctx, root)]);
  const files = [...(listed ?? (await walkFiles(ctx, root))), ...ignored].filter(keep).sort();
  return { files, ignored: new Set(ignored.filter(keep)) };
}

/** Every file below `root` (absolute), .git and node_modules skipped: the list outside git. */
export async function walkFiles(ctx: Ctx, root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    if (depth > 32) return;
    for (const entry of await ctx.io.fs.readdir(dir)) {
      if (entry.isDirectory) {
        if (entry.name === '.git' || entry.name === 'node_modules') continue;
        await visit(join(dir, entry.name), depth + 1);
      } else if (entry.isFile) {
        out.push(join(dir, entry.name));
      }
    }
  };
  await visit(root, 0);
  return out;
}

/** A path as shown and stored in repository-wide lists: relative to `root`, with `/`. */
export function repoPath(root: string, abs: string): string {
  return relative(root, abs).split(sep).join('/');
}

