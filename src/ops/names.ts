/** Names for recipients from the nearest roster, for messages only. */
import { findConfigPath } from '../config/load.js';
import { namer, readRoster } from '../config/roster.js';
import { parseConfig } from '../config/schema.js';
import type { Ctx } from './context.js';
import { blobText, fileLog, readBlobs } from './git.js';
import { repoPath } from './repository.js';

export type NameOf = (recipient: string) => string | undefined;

/** The roster's names for the file's folder (any problem reading it: no names). */
export async function rosterNamer(ctx: Ctx, fileAbs: string): Promise<NameOf | undefined> {
  try {
    const path = await findConfigPath(ctx.io, fileAbs, { explicit: ctx.configPath });
    return path === null ? undefined : await namerAt(ctx, path, undefined);
  } catch {
    return undefined;
  }
}

/**
 * Names for many files of a git work tree (`root`): from each file's roster, then from every
 * committed version of that roster, newest first, so a member removed since is still named in
 * the history of secrets. Each roster is read once; any problem reading it: no names.
 */
export function rosterNamers(ctx: Ctx, root: string): (fileAbs: string) => Promise<NameOf> {
  const byConfig = new Map<string, Promise<NameOf | undefined>>();
  const none: NameOf = () => undefined;
  return async (fileAbs) => {
    try {
      const path = await findConfigPath(ctx.io, fileAbs, { explicit: ctx.configPath });
      if (path === null) return none;
      let found = byConfig.get(path);
      if (found === undefined) {
        found = namerAt(ctx, path, root).catch(() => undefined);
        byConfig.set(path, found);
      }
      return (await found) ?? none;
    } catch {
      return none;
    }
  };
}

/** Names from the roster at `path` and, with `history` (a work tree), its committed versions; undefined when none parses. */
async function namerAt(ctx: Ctx, path: string, history: string | undefined): Promise<NameOf | undefined> {
  const texts = [Buffer.from(await ctx.io.fs.readFile(path)).toString('utf8'), ...(history === undefined ? [] : await committedTexts(ctx, history, path))];
  const names = texts.map((text) => rosterNames(text, path)).filter((n): n is NameOf => n !== undefined);
  if (names.length === 0) return undefined;
  return (recipient) => names.reduce<string | undefined>((found, nameOf) => found ?? nameOf(recipient), undefined);
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
