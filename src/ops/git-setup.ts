/**
 * `envseal git setup`: the repository made git-native for envseal, idempotently (running it
 * twice changes nothing):
 *  - `.gitattributes`: a block envseal owns, naming the merge driver for dotenv files and for
 *    the paths that are sops files today (not every path a creation rule could cover: a
 *    catch-all rule covers package.json too), plus the exposure list; commands that create a
 *    sops file add it to the block once setup ran;
 *  - `.git/config` (or `~/.gitconfig` with --global): the merge driver, and, only when asked,
 *    a textconv that shows values in `git diff` (CI logs run `git diff` with the key present).
 * The commands written into git's config start envseal by absolute paths (Node.js and
 * bin/envseal.cjs), so they work however envseal was started: on PATH, through npx, or as
 * `node path/to/bin/envseal.cjs`. Run setup again after moving or upgrading Node.js.
 */
import { dirname, join, relative, sep } from 'node:path';
import { UsageError } from '../errors.js';
import type { Ctx } from './context.js';
import { hooksFolder, workTreeRoot } from './git.js';
import { guardInvocation, installHook, shellQuote, type HookPlan } from './precommit.js';
import { EXPOSURES_FILE, loadTeam, sopsFiles } from './repository.js';

const BEGIN = '# >>> envseal: sops files merge by key (envseal git setup; do not edit this block)';
const END = '# <<< envseal';
const DOTENV_PATTERNS = ['.env', '.env.*', '*.env'];

export interface SetupPlan {
  readonly root: string;
  /** The new `.gitattributes`, or null when it is already right. */
  readonly attributes: string | null;
  readonly attributesPath: string;
  /** `git config` settings to write: [name, value]. */
  readonly config: ReadonlyArray<readonly [string, string]>;
  /** `git config --unset` these (the textconv, with --no-diff-values). */
  readonly unset: readonly string[];
  readonly global: boolean;
  /** What the plan does, in lines for people. */
  readonly says: string[];
}

/** The command line git runs for envseal (shell words: git runs drivers through sh). */
export function invocation(self: readonly string[]): string {
  if (self.length === 0) throw new UsageError('cannot tell how envseal was started, so git could not run it', { hint: 'run envseal git setup from the envseal command line' });
  return self.map(shellQuote).join(' ');
}

export async function planSetup(ctx: Ctx, options: { global: boolean; diffValues: boolean | undefined }): Promise<SetupPlan> {
  const root = await workTreeRoot(ctx, ctx.io.cwd);
  if (root === null && !options.global) throw new UsageError('this folder is not in a git work tree', { hint: 'run it inside your repository, or pass --global to set up the merge driver for every repository' });
  const command = invocation(ctx.io.self);
  const config: Array<[string, string]> = [
    ['merge.envseal.name', 'envseal: merge sops files by key'],
    ['merge.envseal.driver', `${command} git merge-driver %O %A %B %P`],
  ];
  if (options.diffValues === true) config.push(['diff.envseal.textconv', `${command} git textconv`]);
  const unset = options.diffValues === false ? ['diff.envseal.textconv'] : [];
  const says = [
    `git config${options.global ? ' --global' : ''}: merge driver "envseal" → ${command} git merge-driver`,
    ...(options.diffValues === true ? [`git config${options.global ? ' --global' : ''}: git diff shows decrypted values (diff.envseal.textconv)`] : []),
    ...(options.diffValues === false ? ['git config: git diff no longer decrypts values'] : []),
  ];
  if (options.global) return { root: root ?? ctx.io.cwd, attributes: null, attributesPath: '', config, unset, global: true, says };
  const repo = root as string;
  const attributesPath = join(repo, '.gitattributes');
  const current = (await ctx.io.fs.stat(attributesPath)) === null ? '' : Buffer.from(await ctx.io.fs.readFile(attributesPath)).toString('utf8');
  const paths = await sopsPaths(ctx, repo);
  const next = withBlock(current, block(paths, options.diffValues ?? hasDiffAttribute(current)));
  if (next !== current) says.push(`.gitattributes: ${DOTENV_PATTERNS.join(', ')}, ${EXPOSURES_FILE} and ${paths.length === 0 ? 'no other file' : paths.join(', ')} use it`);
  return { root: repo, attributes: next === current ? null : next, attributesPath, config, unset, global: false, says };
}

export async function applySetup(ctx: Ctx, plan: SetupPlan): Promise<void> {
  if (plan.attributes !== null) await ctx.io.fs.writeFileAtomic(plan.attributesPath, plan.attributes, { mode: 0o644 });
  const scope = plan.global ? ['--global'] : [];
  for (const [name, value] of plan.config) await gitConfig(ctx, plan.root, [...scope, name, value]);
  for (const name of plan.unset) await gitConfig(ctx, plan.root, [...scope, '--unset-all', name], true);
}

async function gitConfig(ctx: Ctx, root: string, args: readonly string[], mayBeMissing = false): Promise<void> {
  const result = await ctx.io.runCommand(['git', '-C', root, 'config', ...args], {}, { quiet: true });
  if (result.code !== 0 && !(mayBeMissing && result.code === 5)) throw new UsageError(`git config ${args.join(' ')} failed (exit ${result.code})`);
}

/** The sops files of the repository that the dotenv patterns do not already cover, relative, with `/`. */
async function sopsPaths(ctx: Ctx, root: string): Promise<string[]> {
  const team = await loadTeam(ctx);
  const { files } = await sopsFiles(ctx, { ...team, root }, [], { ignoredCoveredBy: 'any' });
  return files
    .map((f) => relative(root, f.abs).split(sep).join('/'))
    .filter((p) => !p.startsWith('..') && !isDotenvPath(p))
    .sort();
}

function isDotenvPath(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name === '.env' || name.startsWith('.env.') || name.endsWith('.env');
}

function hasDiffAttribute(text: string): boolean {
  const inside = between(text);
  return inside !== null && /\bdiff=envseal\b/.test(inside);
}

function block(paths: readonly string[], diffValues: boolean): string {
  const attrs = `merge=envseal${diffValues ? ' diff=envseal' : ''}`;
  const lines = [...DOTENV_PATTERNS, ...paths.map(escapePattern)].map((p) => `${p} ${attrs}`);
  return [BEGIN, ...lines, `${EXPOSURES_FILE} merge=envseal`, END].join('\n');
}

/** A path as a .gitattributes pattern matching exactly it. */
function escapePattern(path: string): string {
  return `/${path.replace(/([*?[\\\s#!])/g, '\\$1')}`;
}

function between(text: string): string | null {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END, start);
  return start === -1 || end === -1 ? null : text.slice(start, end + END.length);
}

/** `text` with envseal's block replaced (or appended). */
function withBlock(text: string, next: string): string {
  const old = between(text);
  if (old !== null) return text.replace(old, next);
  return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${text === '' ? '' : '\n'}${next}\n`;
}

/**
 * Once setup ran (the block exists), a newly created sops file joins the block, so git merges
 * it by key too. Quietly nothing outside git or before setup.
 */
export async function registerSopsFile(ctx: Ctx, abs: string): Promise<void> {
  const root = await workTreeRoot(ctx, dirname(abs));
  if (root === null) return;
  const path = join(root, '.gitattributes');
  if ((await ctx.io.fs.stat(path)) === null) return;
  const text = Buffer.from(await ctx.io.fs.readFile(path)).toString('utf8');
  const old = between(text);
  const rel = relative(root, abs).split(sep).join('/');
  if (old === null || rel.startsWith('..') || isDotenvPath(rel) || old.includes(`\n${escapePattern(rel)} `)) return;
  const lines = old.split('\n');
  const attrs = /merge=envseal diff=envseal/.test(old) ? 'merge=envseal diff=envseal' : 'merge=envseal';
  lines.splice(lines.length - 2, 0, `${escapePattern(rel)} ${attrs}`);
  await ctx.io.fs.writeFileAtomic(path, text.replace(old, lines.join('\n')), { expected: new Uint8Array(Buffer.from(text)) });
}

/**
 * The pre-commit guard (`envseal scan --staged`) in the repository's hooks folder (honouring
 * core.hooksPath). Returns what was done, as a line for people; a hook another tool writes is
 * left alone and the line says what to add there.
 */
export async function installGuard(ctx: Ctx, root: string): Promise<{ readonly says: string; readonly changed: boolean }> {
  const inv = guardInvocation(ctx.io.self);
  if (inv === null) throw new UsageError('cannot tell how envseal was started, so the pre-commit hook could not run it', { hint: 'run envseal git setup from the envseal command line' });
  const dir = await hooksFolder(ctx, root);
  if (dir === null) throw new UsageError('git did not say where its hooks are', { file: root, hint: 'run it inside your repository' });
  const plan = await installHook(ctx.io, dir, inv);
  const where = relative(root, join(dir, 'pre-commit')) || join(dir, 'pre-commit');
  return { says: `${where}: ${guardSays(plan)}`, changed: plan.action === 'create' || plan.action === 'append' || plan.action === 'update' };
}

function guardSays(plan: HookPlan): string {
  switch (plan.action) {
    case 'create':
      return 'the pre-commit guard (envseal scan --staged) stops commits that would add plaintext secrets';
    case 'append':
      return "the pre-commit guard added after the hook's own lines";
    case 'update':
      return 'the pre-commit guard updated';
    case 'unchanged':
      return 'the pre-commit guard is in place';
    case 'manual':
      return `not changed (${plan.why}); ${plan.command}`;
  }
}
