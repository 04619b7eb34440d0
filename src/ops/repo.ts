/**
 * The files a repository-wide command (team, updatekeys, rotate, status) looks at: what git
 * would commit (tracked, plus untracked files that are not ignored) when the folder is a git
 * repository, otherwise every file below it (skipping .git and node_modules). Only names
 * whose format envseal knows are kept; whether each is a sops file is decided by reading it.
 */
import { join, relative, sep } from 'node:path';
import { detectFormat } from '../formats/index.js';
import type { Ctx } from './context.js';

export async function repositoryFiles(ctx: Ctx, root: string): Promise<string[]> {
  const listed = await gitFiles(ctx, root);
  const files = listed ?? (await walk(ctx, root));
  return files.filter((abs) => detectFormat(abs) !== null && !abs.endsWith(`${sep}.sops.yaml`) && !abs.endsWith(`${sep}.envseal-exposures.yaml`)).sort();
}

async function gitFiles(ctx: Ctx, root: string): Promise<string[] | null> {
  try {
    const result = await ctx.io.runCommand(['git', '-C', root, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], {}, { quiet: true });
    if (result.code !== 0) return null;
    const names = result.stdout.split('\0').filter((n) => n !== '');
    return [...new Set(names)].map((n) => join(root, n));
  } catch {
    return null;
  }
}

async function walk(ctx: Ctx, root: string): Promise<string[]> {
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

/** Runs `work` over `items` with at most `limit` at once, keeping the order of results. */
export async function pooled<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T, i);
    }
  });
  await Promise.all(runners);
  return results;
}
