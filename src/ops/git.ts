/**
 * What envseal asks git, through the Io (never a shell): the files a repository would commit,
 * the ones it ignores, a file's history with the blob of each version, and blobs by id (one
 * `git cat-file --batch` for many). Every function answers null (or nothing) outside a git
 * work tree, so callers fall back to the filesystem.
 */
import { join } from 'node:path';
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
export async function committableFiles(ctx: Ctx, root: string): Promise<string[] | null> {
  const result = await git(ctx, root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
  if (result === null || result.code !== 0) return null;
  return [...new Set(result.stdout.split('\0').filter((n) => n !== ''))].map((n) => join(root, n));
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

/** The top of the work tree containing `dir`, or null. */
export async function workTreeRoot(ctx: Ctx, dir: string): Promise<string | null> {
  const result = await git(ctx, dir, ['rev-parse', '--show-toplevel']);
  return result === null || result.code !== 0 ? null : result.stdout.trim();
}

/** One commit that touched a file, with the blob the file had after it (null: deleted). */
export interface FileCommit {
  readonly commit: string;
  readonly author: string;
  readonly email: string;
  /** ISO 8601, UTC. */
  readonly date: string;
  readonly subject: string;
  readonly blob: string | null;
}

const ZERO = /^0+$/;

/** The commits that changed `relPath` (relative to `root`), newest first (`rev`: where to start, default HEAD). */
export async function fileLog(ctx: Ctx, root: string, relPath: string, options: { rev?: string; since?: string } = {}): Promise<FileCommit[]> {
  const range = options.since === undefined ? (options.rev ?? 'HEAD') : `${options.since}..${options.rev ?? 'HEAD'}`;
  const result = await git(ctx, root, ['log', '--format=%x1e%H%x1f%an%x1f%ae%x1f%at%x1f%s', '--raw', '--no-abbrev', '--no-renames', range, '--', relPath]);
  if (result === null || result.code !== 0) return [];
  return result.stdout
    .split('\x1e')
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => {
      const [header = '', ...rest] = chunk.split('\n');
      const [commit = '', author = '', email = '', at = '0', subject = ''] = header.split('\x1f');
      const raw = rest.find((line) => line.startsWith(':'));
      const blob = raw?.split(' ')[3] ?? null;
      return { commit, author, email, date: isoUtc(Number(at)), subject, blob: blob === null || ZERO.test(blob) ? null : blob };
    });
}

export function isoUtc(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
}

/** The contents of blobs by id, in one `git cat-file --batch`. Missing ones are left out. */
export async function readBlobs(ctx: Ctx, root: string, ids: readonly string[]): Promise<Map<string, Uint8Array>> {
  const unique = [...new Set(ids)];
  const out = new Map<string, Uint8Array>();
  if (unique.length === 0) return out;
  const result = await git(ctx, root, ['cat-file', '--batch'], `${unique.join('\n')}\n`);
  if (result === null || result.code !== 0) return out;
  const bytes = Buffer.from(result.raw);
  let at = 0;
  while (at < bytes.length) {
    const eol = bytes.indexOf(0x0a, at);
    if (eol < 0) break;
    const [id = '', type = '', size = ''] = bytes.subarray(at, eol).toString('utf8').split(' ');
    at = eol + 1;
    if (type === 'missing' || size === '') continue;
    const length = Number(size);
    out.set(id, new Uint8Array(bytes.subarray(at, at + length)));
    at += length + 1; // the blob, then a newline
  }
  return out;
}

/** The blob a file has at a revision (`HEAD`, a commit), or null when it is not there. */
export async function blobAt(ctx: Ctx, root: string, rev: string, relPath: string): Promise<Uint8Array | null> {
  const blobs = await readBlobs(ctx, root, [`${rev}:${relPath}`]);
  return blobs.get(`${rev}:${relPath}`) ?? null;
}
