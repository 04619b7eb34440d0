/** Reading a file and parsing it with its format (asynchronously through the Io, or synchronously through a Host). */
import { IoError, toIoError } from '../errors.js';
import { formatFor, type Format } from '../formats/index.js';
import type { ParsedFile } from '../formats/format.js';
import { resolveFromCwd } from '../paths.js';
import type { Ctx, SyncCtx } from './context.js';

export interface LoadedFile {
  /** The path as the user gave it (used in messages). */
  readonly display: string;
  readonly abs: string;
  /** The file's bytes as read (null when it did not exist): writes check nobody changed it since. */
  readonly bytes: Uint8Array | null;
  readonly format: Format;
  readonly parsed: ParsedFile;
}

export async function loadFile(ctx: Ctx, display: string, formatOverride?: string): Promise<LoadedFile> {
  const format = formatFor(display, formatOverride);
  const abs = resolveFromCwd(ctx, display);
  const stat = await ctx.io.fs.stat(abs);
  if (stat === null) throw new IoError('no such file', { file: abs, hint: 'check the path' });
  if (!stat.isFile) throw new IoError('not a regular file', { file: abs });
  return parsedFile(ctx, display, abs, format, await ctx.io.fs.readFile(abs));
}

export function loadFileSync(ctx: SyncCtx, display: string, formatOverride?: string): LoadedFile {
  const format = formatFor(display, formatOverride);
  const abs = resolveFromCwd(ctx, display);
  let bytes: Uint8Array;
  try {
    bytes = ctx.host.readFileSync(abs);
  } catch (err) {
    throw toIoError(err, 'read', abs);
  }
  return parsedFile(ctx, display, abs, format, bytes);
}

function parsedFile(ctx: SyncCtx, display: string, abs: string, format: Format, bytes: Uint8Array): LoadedFile {
  const parsed = format.parse(Buffer.from(bytes).toString('utf8'), abs, ctx.warn);
  return { display, abs, bytes, format, parsed };
}

/** A file that does not exist yet (`set` creating one). */
export function emptyFile(ctx: Pick<Ctx, 'cwd'>, display: string, formatOverride?: string): LoadedFile {
  const format = formatFor(display, formatOverride);
  const abs = resolveFromCwd(ctx, display);
  return { display, abs, bytes: null, format, parsed: { format: format.name, docs: [{ kind: 'map', items: [] }], metadata: undefined } };
}
