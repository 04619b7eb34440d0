/**
 * Reading a file and parsing it with its format (asynchronously through the Io, or
 * synchronously through a Host). The bytes must be UTF-8 (an invalid byte is an error with
 * its line, never U+FFFD), and a file to be used ({@link loadFile}, {@link loadFileSync}) must
 * not hold someone's ciphertext without sops metadata (ops/stray-ciphertext.ts): this is the
 * one place every command and the library read files through.
 */
import { IoError, ParseError, toIoError, UsageError } from '../errors.js';
import { hasConflictMarkers, splitConflict } from './conflict.js';
import { formatFor, type Format } from '../formats/index.js';
import type { ParsedFile } from '../formats/format.js';
import { resolveFromCwd } from '../paths.js';
import type { Ctx, SyncCtx } from './context.js';
import { decodeUtf8 } from '../formats/utf8.js';
import { refuseStrayCiphertext } from './stray-ciphertext.js';

export interface LoadedFile {
  /** The path as the user gave it (used in messages). */
  readonly display: string;
  readonly abs: string;
  /** The file's bytes as read (null when it did not exist): writes check nobody changed it since. */
  readonly bytes: Uint8Array | null;
  readonly format: Format;
  readonly parsed: ParsedFile;
}

/** `-` (or /dev/stdin) names standard input, as in sops. */
export function isStdin(display: string): boolean {
  return display === '-' || display === '/dev/stdin';
}

/** A file to use: read, parsed, and refused when it holds stray ciphertext. */
export async function loadFile(ctx: Ctx, display: string, formatOverride?: string): Promise<LoadedFile> {
  return usable(await loadFileAsItIs(ctx, display, formatOverride));
}

/** A file as it is, stray ciphertext included: for `import` (a dotenvx file) and `git textconv` (shows what is there). */
export async function loadFileAsItIs(ctx: Ctx, display: string, formatOverride?: string): Promise<LoadedFile> {
  if (isStdin(display)) {
    if (formatOverride === undefined) throw new UsageError('reading a file from standard input needs its format', { hint: 'add --input-format dotenv, yaml or json' });
    return parsedFile(ctx, 'standard input', display, formatFor(display, formatOverride), await ctx.io.stdin.read());
  }
  const format = formatFor(display, formatOverride);
  const abs = resolveFromCwd(ctx, display);
  const stat = await ctx.io.fs.stat(abs);
  if (stat === null) throw new IoError('no such file', { file: abs, hint: 'check the path' });
  if (!stat.isFile) throw new IoError('not a regular file', { file: abs });
  return parsedFile(ctx, display, abs, format, await ctx.io.fs.readFile(abs));
}

/** {@link loadFile}, synchronously (for `config()`). */
export function loadFileSync(ctx: SyncCtx, display: string, formatOverride?: string): LoadedFile {
  const format = formatFor(display, formatOverride);
  const abs = resolveFromCwd(ctx, display);
  let bytes: Uint8Array;
  try {
    bytes = ctx.host.readFileSync(abs);
  } catch (err) {
    throw toIoError(err, 'read', abs);
  }
  return usable(parsedFile(ctx, display, abs, format, bytes));
}

function usable(loaded: LoadedFile): LoadedFile {
  refuseStrayCiphertext(loaded.parsed, loaded.abs, loaded.display);
  return loaded;
}

/** A file's text from elsewhere than the working tree (the index, a commit), parsed as a file named `display`. */
export function loadedFromBytes(ctx: SyncCtx, display: string, abs: string, bytes: Uint8Array, formatOverride?: string): LoadedFile {
  return parsedFile(ctx, display, abs, formatFor(display, formatOverride), bytes);
}

function parsedFile(ctx: SyncCtx, display: string, abs: string, format: Format, bytes: Uint8Array): LoadedFile {
  const text = decodeUtf8(bytes, abs);
  if (hasConflictMarkers(text)) {
    throw new ParseError('the file has unresolved merge conflicts', {
      file: abs,
      hint: `envseal edit ${display} shows both sides decrypted, with markers, and seals what you keep (or take one side: git checkout --ours ${display})`,
    });
  }
  const parsed = format.parse(text, abs, ctx.warn);
  return { display, abs, bytes, format, parsed };
}

/** A file's text from elsewhere (a git blob, a merge driver's temporary file), parsed as `display` would be. */
export function loadedFromText(ctx: SyncCtx, display: string, abs: string, text: string, formatOverride?: string): LoadedFile {
  return parsedFile(ctx, display, abs, formatFor(display, formatOverride), new Uint8Array(Buffer.from(text, 'utf8')));
}

/** A file left with merge conflict markers (the merge driver's work), as its two sides; null when it has none. */
export async function loadConflicted(ctx: Ctx, display: string, formatOverride?: string): Promise<{ ours: LoadedFile; theirs: LoadedFile } | null> {
  const abs = resolveFromCwd(ctx, display);
  if ((await ctx.io.fs.stat(abs))?.isFile !== true) return null;
  const bytes = await ctx.io.fs.readFile(abs);
  const sides = splitConflict(decodeUtf8(bytes, abs));
  if (sides === null) return null;
  const side = (text: string): LoadedFile => ({ ...loadedFromText(ctx, display, abs, text, formatOverride), bytes });
  return { ours: side(sides.ours), theirs: side(sides.theirs) };
}

/** A file that does not exist yet (`set` creating one). */
export function emptyFile(ctx: Pick<Ctx, 'cwd'>, display: string, formatOverride?: string): LoadedFile {
  const format = formatFor(display, formatOverride);
  const abs = resolveFromCwd(ctx, display);
  return { display, abs, bytes: null, format, parsed: { format: format.name, docs: [{ kind: 'map', items: [] }], metadata: undefined } };
}
