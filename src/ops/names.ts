/** Names for recipients from the nearest roster, for messages only. */
import { findConfigPath, loadConfig } from '../config/load.js';
import { namer, readRoster } from '../config/roster.js';
import type { Ctx } from './context.js';

export type NameOf = (recipient: string) => string | undefined;

/** The roster's names for the file's folder (any problem reading it: no names). */
export async function rosterNamer(ctx: Ctx, fileAbs: string): Promise<NameOf | undefined> {
  try {
    const path = await findConfigPath(ctx.io, fileAbs, { explicit: ctx.configPath });
    if (path === null) return undefined;
    const config = await loadConfig(ctx.io, path, () => undefined);
    return namer(readRoster(config.raw, path));
  } catch {
    return undefined;
  }
}
