/**
 * Applying a plan to many files (team, updatekeys, rotate): a few at a time, each file
 * all-or-nothing. Each file is re-read under its lock and the change computed from what it
 * holds then, so a concurrent `envseal set` is never lost: it waits, or this waits for it.
 * Files the user cannot open are collected, not fatal; so are other per-file errors, which
 * the CLI lists at the end. Progress goes to a terminal.
 */
import { EnvsealError, NoIdentityError } from '../errors.js';
import { printable } from '../text.js';
import type { Ctx } from './context.js';
import { loadFile, type LoadedFile } from './load.js';

export interface BatchOutcome {
  readonly done: string[];
  readonly unopened: string[];
  readonly failed: Array<{ readonly file: string; readonly error: EnvsealError }>;
}

/**
 * For each plan item, `work` gets the file as it is now (under the lock) and returns its new
 * text, or null when it needs no change.
 */
export async function applyToFiles<T extends { readonly file: LoadedFile }>(
  ctx: Ctx,
  plan: readonly T[],
  work: (item: T, current: LoadedFile) => Promise<string | null>,
): Promise<BatchOutcome> {
  const done: string[] = [];
  const unopened: string[] = [];
  const failed: Array<{ file: string; error: EnvsealError }> = [];
  const tty = ctx.io.stderr.isTTY;
  let finished = 0;
  await pooled(plan, 8, async (item) => {
    const { file } = item;
    try {
      const wrote = await ctx.io.fs.withLock(file.abs, async () => {
        const current = await reloaded(ctx, file);
        const text = await work(item, current);
        if (text === null) return false;
        await ctx.io.fs.writeFileAtomic(file.abs, text, { expected: current.bytes });
        return true;
      });
      if (wrote) done.push(file.display);
    } catch (err) {
      if (err instanceof NoIdentityError) unopened.push(file.display);
      else if (err instanceof EnvsealError) failed.push({ file: file.display, error: err });
      else throw err;
    }
    finished += 1;
    if (tty) ctx.io.stderr.write(`\r  ${finished}/${plan.length} ${printable(file.display).slice(-50).padEnd(50)}`);
  });
  if (tty && plan.length > 0) ctx.io.stderr.write('\r\x1b[K');
  return { done: done.sort(), unopened: unopened.sort(), failed };
}

/** The file as it is now: the planned copy when its bytes are unchanged (no second parse). */
async function reloaded(ctx: Ctx, planned: LoadedFile): Promise<LoadedFile> {
  const bytes = await ctx.io.fs.readFile(planned.abs);
  if (planned.bytes !== null && Buffer.from(bytes).equals(planned.bytes)) return planned;
  return loadFile(ctx, planned.display, planned.format.name);
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
