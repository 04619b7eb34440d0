/** Reading a file and parsing it with its format. */
import { IoError } from '../errors.js';
import { formatFor, type Format } from '../formats/index.js';
import type { ParsedFile } from '../formats/format.js';
import { resolvePath } from '../io/io.js';
import type { Ctx } from './context.js';

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
  const abs = resolvePath(ctx.io, display);
  const stat = await ctx.io.fs.stat(abs);
  if (stat === null) throw new IoError('no such file', { file: abs, hint: 'check the path' });
  if (!stat.isFile) throw new IoError('not a regular file', { file: abs });
  const bytes = await ctx.io.fs.readFile(abs);
  const text = Buffer.from(bytes).toString('utf8');
  const parsed = format.parse(text, abs, ctx.warn);
  return { display, abs, bytes, format, parsed };
}

/** A file that does not exist yet (`set` creating one). */
export function emptyFile(ctx: Ctx, display: string, formatOverride?: string): LoadedFile {
  const format = formatFor(display, formatOverride);
  const abs = resolvePath(ctx.io, display);
  return { display, abs, bytes: null, format, parsed: { format: format.name, docs: [{ kind: 'map', items: [] }], metadata: undefined } };
}
