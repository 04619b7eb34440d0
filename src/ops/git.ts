/**
 * What envseal asks git, through the Io (never a shell): the files a repository would commit,
 * the ones it ignores, a file's history with the blob of each version, and blobs by id (one
 * `git cat-file --batch` for many). Every function answers null (or nothing) outside a git
 * work tree, so callers fall back to the filesystem.
 */
import { dirname, join, resolve } from 'node:path';
import type { Ctx } from './context.js';

async function git(ctx: Ctx, root: string, args: readonly string[], input?: string): Promise<{ code: number; stdout: string; raw: Uint8Array } | null> {
  try {
    const result = await ctx.io.runCommand(['git', '-C', root, ...args], {}, { quiet: true, input });
    return { code: result.code, stdout: result.stdout, raw: result.raw ?? new Uint8Array(Buffer.from(result.stdout)) };
  } catch {
    return null; // no git on this machine
  }
}

/** Absolute paths of the files git would commit (tracked, plus untracked not ignored); null outside git. */
export async function committableFiles(ctx: Ctx, root: string, keep: (name: string) => boolean = () => true): Promise<string[] | null> {
  const result = await git(ctx, root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
  if (result === null || result.code !== 0) return null;
  // Filtered by name before the paths are joined: joining thousands of paths is not free.
  return [...new Set(result.stdout.split('\0').filter((n) => n !== '' && keep(n)))].map((n) => join(root, n));
}

/**
 * Files git ignores, as absolute paths. Ignored folders are not entered (node_modules would
 * be thousands of files); files git ignores one by one (`.env`) are listed.
 */
export async function ignoredFiles(ctx: Ctx, root: string): Promise<string[]> {
  const result = await git(ctx, root, ['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory']);
  if (result === null || result.code !== 0) return [];
  return result.stdout
    .split('\0')
    .filter((n) => n !== '' && !n.endsWith('/'))
    .map((n) => join(root, n));
}

/** Whether git ignores this path (false outside a git work tree). */
export async function isIgnored(ctx: Ctx, dir: string, abs: string): Promise<boolean> {
  const result = await git(ctx, dir, ['check-ignore', '-q', '--', abs]);
  return result !== null && result.code === 0;
}

/**
 * The folder git runs hooks from, absolute: `.git/hooks`, or `core.hooksPath` when set (a
 * worktree's hooks are its main repository's); null outside git.
 */
export async function hooksFolder(ctx: Ctx, dir: string): Promise<string | null> {
  const result = await git(ctx, dir, ['rev-parse', '--git-path', 'hooks']);
  return result === null || result.code !== 0 ? null : resolve(dir, result.stdout.trim());
}

/** The top of the work tree containing `dir`, or null. */
export async function workTreeRoot(ctx: Ctx, dir: string): Promise<string | null> {
  const result = await git(ctx, dir, ['rev-parse', '--show-toplevel']);
  return result === null || result.code !== 0 ? null : result.stdout.trim();
}

/**
 * The top of the work tree containing `dir`, spelled from `dir` (`dir/../..`, resolved), or
 * null: unlike {@link workTreeRoot} (git's real path), it agrees with paths made from the
 * working folder when a folder on the way is a symbolic link (macOS's /tmp, say). The nearest
 * folder holding `.git` is the answer without asking git (the pre-commit guard starts one git
 * fewer), unless GIT_DIR or GIT_WORK_TREE say otherwise.
 */
export async function workTreeTop(ctx: Ctx, dir: string): Promise<string | null> {
  if (ctx.io.env['GIT_DIR'] === undefined && ctx.io.env['GIT_WORK_TREE'] === undefined) {
    for (let at = resolve(dir); ; at = dirname(at)) {
      if ((await ctx.io.fs.stat(join(at, '.git'))) !== null) return at;
      if (dirname(at) === at) break;
    }
  }
  const result = await git(ctx, dir, ['rev-parse', '--show-cdup']);
  return result === null || result.code !== 0 ? null : resolve(dir, result.stdout.trim());
}

/** Who made a commit, when, and why. */
export interface CommitInfo {
  readonly commit: string;
  readonly author: string;
  readonly email: string;
  /** ISO 8601, UTC. */
  readonly date: string;
  readonly subject: string;
}

/** One commit that touched a file, with the blob the file had after it (null: deleted). */
export interface FileCommit extends CommitInfo {
  readonly blob: string | null;
}

/**
 * A file a commit changed: its blob in each parent (one for an ordinary commit, one per parent
 * for a merge) and after the commit; null where the file is absent.
 */
export interface ChangedFile {
  readonly path: string;
  readonly before: ReadonlyArray<string | null>;
  readonly after: string | null;
}

export interface LoggedCommit extends CommitInfo {
  readonly files: readonly ChangedFile[];
}

const ZERO = /^0+$/;

export interface LogOptions {
  /** Where to start (default HEAD). */
  readonly rev?: string;
  /** Leave out what `since` already has. */
  readonly since?: string;
  /** Every commit that touched the paths, also on branches a merge did not take (git's --full-history). */
  readonly fullHistory?: boolean;
}

/**
 * The commits that changed any of `paths` (relative to `root`), newest first, each with the
 * files it changed among them. A merge lists only the files that differ from every parent
 * (git's combined diff): what the merge itself made, not what it took from one side.
 */
export async function commitLog(ctx: Ctx, root: string, paths: readonly string[], options: LogOptions = {}): Promise<LoggedCommit[]> {
  if (paths.length === 0) return [];
  const range = options.since === undefined ? (options.rev ?? 'HEAD') : `${options.since}..${options.rev ?? 'HEAD'}`;
  const format = '--format=%x1e%H%x1f%an%x1f%ae%x1f%at%x1f%s';
  const history = options.fullHistory === true ? ['--full-history'] : [];
  // The first -c sets a config value; the second asks for merges' combined diff.
  const result = await git(ctx, root, ['-c', 'log.showSignature=false', 'log', format, ...history, '-c', '--raw', '-z', '--no-abbrev', '--no-renames', '--no-textconv', range, '--', ...paths]);
  if (result === null || result.code !== 0) return [];
  return result.stdout
    .split('\x1e')
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => {
      const end = chunk.indexOf('\0');
      const header = end < 0 ? chunk : chunk.slice(0, end);
      const [commit = '', author = '', email = '', at = '0', subject = ''] = header.split('\x1f');
      return { commit, author, email, date: isoUtc(Number(at)), subject, files: end < 0 ? [] : rawEntries(chunk.slice(end + 1)) };
    });
}

/**
 * `--raw -z` entries: `:mode mode blob blob status` then the path (one colon per parent: a
 * merge's combined entry has a blob per parent, then the result's).
 */
function rawEntries(text: string): ChangedFile[] {
  const tokens = text.replace(/^[\0\n]+/, '').split('\0');
  const out: ChangedFile[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const meta = (tokens[i] as string).replace(/^\n/, '');
    const parents = /^:+/.exec(meta)?.[0].length ?? 0;
    if (parents === 0) continue;
    const blobs = meta.slice(parents).split(' ').slice(parents + 1, 2 * parents + 2).map((id) => (ZERO.test(id) ? null : id));
    out.push({ path: tokens[i + 1] ?? '', before: blobs.slice(0, parents), after: blobs[parents] ?? null });
    i += 1;
  }
  return out;
}

/** The commits that changed `relPath` (relative to `root`), newest first (`rev`: where to start, default HEAD). */
export async function fileLog(ctx: Ctx, root: string, relPath: string, options: { rev?: string; since?: string } = {}): Promise<FileCommit[]> {
  return (await commitLog(ctx, root, [relPath], options)).map(({ files, ...info }) => ({ ...info, blob: files[0]?.after ?? null }));
}

export function isoUtc(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
}

/**
 * The contents of blobs, in one `git cat-file --batch`, keyed by the names asked for: blob
 * ids or `REV:path` (git answers in the order asked, naming the blob by its id). Missing
 * ones, and names of anything but a blob, are left out.
 */
export async function readBlobs(ctx: Ctx, root: string, names: readonly string[]): Promise<Map<string, Uint8Array>> {
  const unique = [...new Set(names)];
  const out = new Map<string, Uint8Array>();
  if (unique.length === 0) return out;
  const result = await git(ctx, root, ['cat-file', '--batch'], `${unique.join('\n')}\n`);
  if (result === null || result.code !== 0) return out;
  const bytes = Buffer.from(result.raw);
  let at = 0;
  for (const name of unique) {
    const eol = bytes.indexOf(0x0a, at);
    if (eol < 0) break;
    const [, type = '', size = ''] = bytes.subarray(at, eol).toString('utf8').split(' ');
    at = eol + 1;
    if (!/^\d+$/.test(size)) continue; // `missing`, `ambiguous`: no content follows
    const length = Number(size);
    if (type === 'blob') out.set(name, new Uint8Array(bytes.subarray(at, at + length)));
    at += length + 1; // the content, then a newline
  }
  return out;
}

/** The commit a revision names (`HEAD`, `main~2`, a hash), or null when it names none. */
export async function resolveCommit(ctx: Ctx, root: string, rev: string): Promise<string | null> {
  if (rev.startsWith('-')) return null; // an option, not a revision
  const result = await git(ctx, root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
  return result === null || result.code !== 0 ? null : result.stdout.trim();
}

/**
 * Paths (relative to `root`) that differ between commit `from` and commit `to`, or the work
 * tree when `to` is null (then files git would add, untracked and not ignored, count too).
 */
export async function changedPaths(ctx: Ctx, root: string, from: string, to: string | null): Promise<string[]> {
  const diff = await git(ctx, root, ['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', from, ...(to === null ? [] : [to]), '--']);
  const untracked = to === null ? await git(ctx, root, ['ls-files', '-z', '--others', '--exclude-standard']) : null;
  const names = [diff, untracked].flatMap((r) => (r === null || r.code !== 0 ? [] : r.stdout.split('\0')));
  return [...new Set(names.filter((n) => n !== ''))];
}

/**
 * Paths that held an encrypted value (`ENC[AES256_GCM,…`: every sops file has one, its MAC) in
 * some commit reachable from HEAD, found by git's pickaxe: the candidates for a history of
 * secrets, without reading every version of every file.
 */
export async function pathsEverSealed(ctx: Ctx, root: string): Promise<string[]> {
  const result = await git(ctx, root, ['log', '--format=', '--name-only', '-z', '--no-renames', '--no-textconv', '-G', 'ENC\\[AES256_GCM,data:', 'HEAD', '--']);
  if (result === null || result.code !== 0) return [];
  return [...new Set(result.stdout.split('\0').map((n) => n.replace(/^\n+/, '')).filter((n) => n !== ''))];
}

/** Where `dir` lies in its work tree (`sub/dir/`, empty at the top), or null outside one. */
export async function workTreePrefix(ctx: Ctx, dir: string): Promise<string | null> {
  const result = await git(ctx, dir, ['rev-parse', '--show-prefix']);
  return result === null || result.code !== 0 ? null : result.stdout.trim();
}

/** A blob's bytes as text (null when there is none). */
export function blobText(bytes: Uint8Array | undefined): string | null {
  return bytes === undefined ? null : Buffer.from(bytes).toString('utf8');
}

/**
 * The paths (relative to the top of the work tree `root`) whose content the index holds for
 * the next commit: added, copied, modified or changed in type. A deleted path has no content
 * to look at. On an unborn branch every staged path counts. `paths` narrows the list.
 */
export async function stagedPaths(ctx: Ctx, root: string, paths: readonly string[] = []): Promise<string[] | null> {
  const result = await git(ctx, root, ['diff', '--cached', '--name-only', '-z', '--no-renames', '--diff-filter=ACMT', '--no-ext-diff', '--no-textconv', '--', ...paths]);
  if (result === null || result.code !== 0) return null;
  return [...new Set(result.stdout.split('\0').filter((n) => n !== ''))];
}

/** A line a commit added, with its 1-based number in the file after the commit. */
export interface AddedLine {
  readonly line: number;
  readonly text: string;
}

/** What one commit did to one file, as far as a scan needs it. */
export interface PatchedFile {
  /** Relative to the top of the work tree, with `/`. */
  readonly path: string;
  /** The blob before and after the commit (null: absent). */
  readonly before: string | null;
  readonly after: string | null;
  readonly binary: boolean;
  readonly added: AddedLine[];
  /** Whether a removed line held an encrypted value (the file may have stopped being a sops file). */
  readonly removedSealed: boolean;
}

export interface PatchedCommit extends CommitInfo {
  readonly files: PatchedFile[];
}

/** The marker that starts a commit's header line: no line of a patch starts with it. */
const COMMIT_MARK = '\x1e';
const SEALED_MARK = 'ENC[AES256_GCM,';

/**
 * Every commit reachable from HEAD (only those after `since`, when given), newest first, with
 * the lines each added (`git log -p -U0`: no context, so only what the commit wrote). A merge
 * shows no patch: what it brings was added by the commits it merges, which are listed too.
 */
export async function commitPatches(ctx: Ctx, root: string, options: { readonly since?: string; readonly paths?: readonly string[] } = {}): Promise<PatchedCommit[]> {
  const range = options.since === undefined ? 'HEAD' : `${options.since}..HEAD`;
  const args = [
    '-c', 'core.quotePath=false', '-c', 'log.showSignature=false', '-c', 'diff.noprefix=false',
    'log', `--format=${COMMIT_MARK}%H%x1f%an%x1f%ae%x1f%at%x1f%s`, '-p', '-U0', '--full-index', '--no-renames',
    '--no-color', '--no-ext-diff', '--no-textconv', '--src-prefix=a/', '--dst-prefix=b/', range, '--', ...(options.paths ?? []),
  ];
  const result = await git(ctx, root, args);
  if (result === null || result.code !== 0) return [];
  return parsePatches(Buffer.from(result.raw).toString('utf8'));
}

/** Parses the output of {@link commitPatches}'s `git log` (exported for tests). */
export function parsePatches(text: string): PatchedCommit[] {
  const commits: PatchedCommit[] = [];
  let files: PatchedFile[] = [];
  let file: { path: string; before: string | null; after: string | null; binary: boolean; added: AddedLine[]; removedSealed: boolean } | null = null;
  let next = 0; // the number of the next line in the file after the commit
  let inHunk = false;
  for (const line of text.split('\n')) {
    if (line.startsWith(COMMIT_MARK)) {
      const [commit = '', author = '', email = '', at = '0', subject = ''] = line.slice(1).split('\x1f');
      files = [];
      file = null;
      inHunk = false;
      commits.push({ commit, author, email, date: isoUtc(Number(at)), subject, files });
    } else if (line.startsWith('diff --git ')) {
      file = { path: diffPath(line.slice('diff --git '.length)), before: null, after: null, binary: false, added: [], removedSealed: false };
      files.push(file);
      inHunk = false;
    } else if (file === null) {
      continue;
    } else if (inHunk && line.startsWith('+')) {
      file.added.push({ line: next, text: line.slice(1) });
      next += 1;
    } else if (inHunk && line.startsWith('-')) {
      if (line.includes(SEALED_MARK)) file.removedSealed = true;
    } else if (inHunk && line.startsWith(' ')) {
      next += 1;
    } else if (line.startsWith('@@ ')) {
      const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
      next = m === null ? 0 : Number(m[1]);
      inHunk = m !== null;
    } else if (!inHunk && line.startsWith('index ')) {
      const m = /^index ([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line);
      if (m !== null) {
        file.before = ZERO.test(m[1] as string) ? null : (m[1] as string);
        file.after = ZERO.test(m[2] as string) ? null : (m[2] as string);
      }
    } else if (!inHunk && line.startsWith('Binary files ')) {
      file.binary = true;
    }
  }
  return commits;
}

/** The path of `a/P b/P` (the same path twice: renames are off), C-quoted by git when it must be. */
function diffPath(rest: string): string {
  if (rest.startsWith('"')) return unquoteC(rest).replace(/^a\//, '');
  const length = (rest.length - 5) / 2; // `a/` P ` b/` P
  return Number.isInteger(length) && length > 0 ? rest.slice(2, 2 + length) : rest.replace(/^a\//, '').split(' b/')[0] ?? rest;
}

/** The first C-quoted string of `text` (git's quoting of unusual paths). */
function unquoteC(text: string): string {
  const bytes: number[] = [];
  const escapes: Readonly<Record<string, number>> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '\\': 92, '"': 34 };
  for (let i = 1; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') break;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c));
      continue;
    }
    const octal = /^[0-7]{3}/.exec(text.slice(i + 1));
    if (octal !== null) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(escapes[text[i + 1] ?? ''] ?? text.charCodeAt(i + 1));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
