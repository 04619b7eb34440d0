/** Names for recipients from the nearest roster, for messages only. */
import { findConfigPath } from '../config/load.js';
import { namer, readRoster } from '../config/roster.js';
import { parseConfig } from '../config/schema.js';
import type { Ctx } from './context.js';
import { blobText, fileLog, readBlobs } from './git.js';
import { repoPath } from './repository.js';

export type NameOf = (recipient: string) => string | undefined;

/**
 * The roster's names for the file's folder (any problem reading it: no names). With
 * `history` (the top of the git work tree), also the names of every committed version of that
 * roster, newest first: a member removed since is still named in the history of secrets.
 */
export async function rosterNamer(ctx: Ctx, fileAbs: string, options: { readonly history?: string } = {}): Promise<NameOf | undefined> {
  try {
    const path = await findConfigPath(ctx.io, fileAbs, { explicit: ctx.configPath });
    if (path === null) return undefined;
    const texts = [Buffer.from(await ctx.io.fs.readFile(path)).toString('utf8'), ...(options.history === undefined ? [] : await committedTexts(ctx, options.history, path))];
    const names = texts.map((text) => rosterNames(text, path)).filter((n): n is NameOf => n !== undefined);
    return (recipient) => names.reduce<string | undefined>((found, nameOf) => found ?? nameOf(recipient), undefined);
  } catch {
    return undefined;
  }
}

function rosterNames(text: string, path: string): NameOf | undefined {
  try {
    return namer(readRoster(parseConfig(text, path, () => undefined).raw, path));
  } catch {
    return undefined; // a version that does not parse names nobody
  }
}

async function committedTexts(ctx: Ctx, root: string, path: string): Promise<string[]> {
  const commits = await fileLog(ctx, root, repoPath(root, path));
  const blobs = await readBlobs(ctx, root, commits.flatMap((c) => (c.blob === null ? [] : [c.blob])));
  return commits.flatMap((c) => blobText(c.blob === null ? undefined : blobs.get(c.blob)) ?? []);
}
