/**
 * envseal as a library (README "Library").
 *
 * ```ts
 * import { config } from 'envseal';
 * config({ path: ['.env', '.env.local'] });          // synchronous, like dotenv's config()
 * const values = await load({ path: 'secrets.yaml', flatten: true });
 * const { values, remove } = await load({ asFile: ['TLS_KEY=key.pem'] });  // values.TLS_KEY is a path
 * ```
 * Identities are found where the CLI finds them. Errors are {@link EnvsealError}s with a
 * `code` and an `exitCode`; their messages never contain a secret value.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatFor } from '../formats/index.js';
import { nodeIo, type Io } from '../io/io.js';
import { makeCtx, type Ctx } from '../ops/context.js';
import { encryptFileInPlace } from '../ops/encrypt.js';
import { loadValues } from '../ops/env-values.js';
import { removeAbandonedSecretFiles, writeSecretFiles } from '../ops/secret-files.js';
import { resolveFromCwd } from '../paths.js';
import { parseAsFiles, type AsFile } from '../run/as-file.js';
import type { EnvValue } from '../run/env.js';
import { namedError, paths, plain, type LoadOptions } from './config-loader.js';
import { loadFile } from '../ops/load.js';
import { openFile } from '../ops/open.js';
import { findStoreOptions } from '../config/load.js';

export { EnvsealError, ConfigError, IntegrityError, IoError, NoIdentityError, ParseError, UsageError, ExitCode } from '../errors.js';
export type { ErrorCode } from '../errors.js';
export { config, type ConfigOptions, type ConfigResult, type LoadOptions } from './config-loader.js';

function ctxOf(options: { cwd?: string | undefined; env?: Readonly<Record<string, string | undefined>> | undefined; quiet?: boolean | undefined; config?: string | undefined }): Ctx {
  const io: Io = nodeIo({ cwd: options.cwd, env: options.env });
  const ctx = makeCtx(io, options.config);
  return options.quiet === true ? { ...ctx, warn: () => undefined } : ctx;
}

export interface LoadAsFileOptions extends LoadOptions {
  /**
   * Keys whose values go into files, as `run --as-file` does: `KEY`, or `KEY=file.name` for
   * tools that look at the extension. Each file is 0600, in a new private folder of this user
   * (in memory when the system has a place for it), never inside the project.
   */
  readonly asFile: readonly string[];
}

export interface LoadedWithFiles {
  /** Every value; for the keys given in `asFile`, the path of the file holding it. */
  readonly values: Record<string, string>;
  /** Key → path of the file holding its value. */
  readonly files: Record<string, string>;
  /**
   * Removes the files and their folder. Call it when the files are no longer needed (in a
   * SIGTERM handler, say). A normal exit of the process removes them too; after a process
   * killed by a signal, the next `envseal run` or `load({ asFile })` removes them.
   */
  remove(): Promise<void>;
}

/** The decrypted values of the files, without touching process.env. */
export function load(options?: LoadOptions): Promise<Record<string, string>>;
/** The same, with the values named in `asFile` written to private files (see {@link LoadedWithFiles}). */
export function load(options: LoadAsFileOptions): Promise<LoadedWithFiles>;
export async function load(options: LoadOptions | LoadAsFileOptions = {}): Promise<Record<string, string> | LoadedWithFiles> {
  const ctx = ctxOf(options);
  return named(ctx, async () => {
    const asFiles = 'asFile' in options ? parseAsFiles(options.asFile) : null;
    const files = paths(options);
    const loaded = await loadValues(ctx, files, options.format, options.flatten === true, options.ignoreMissing === true);
    const values = plain(loaded);
    return asFiles === null ? values : withFiles(ctx, asFiles, loaded, values, files);
  });
}

/** load({ asFile }): the values named written to private files, their paths in `values`. */
async function withFiles(ctx: Ctx, asFiles: readonly AsFile[], loaded: ReadonlyMap<string, EnvValue>, values: Record<string, string>, files: readonly string[]): Promise<LoadedWithFiles> {
  await removeAbandonedSecretFiles(ctx.io);
  // A long-running app keeps its own signal handling: no handler is installed for the files
  // (remove(), the process's exit and the next envseal's sweep remove them instead).
  const projectFolders = [ctx.cwd, ...files.map((f) => dirname(resolveFromCwd(ctx, f)))];
  const folder = await writeSecretFiles(ctx, asFiles, loaded, values, { projectFolders, removeOnSignal: false });
  const onExit = (): void => {
    if (folder !== null) rmSync(folder.path, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  return {
    values,
    files: Object.fromEntries(asFiles.map((f) => [f.key, values[f.key] as string])),
    async remove() {
      process.off('exit', onExit);
      await folder?.remove();
    },
  };
}

/** Runs a library call; its EnvsealError names the file in its message (see namedError). */
async function named<T>(ctx: Ctx, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw namedError(err, ctx.cwd);
  }
}

export interface DecryptOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly format?: 'dotenv' | 'yaml' | 'json';
  readonly quiet?: boolean;
}

export interface Decrypted {
  /** The plaintext, in the file's own format. */
  readonly text: string;
}

/** Decrypts a file (MAC verified) and returns its plaintext; nothing is written. */
export async function decryptFile(path: string, options: DecryptOptions = {}): Promise<Decrypted> {
  const ctx = ctxOf(options);
  return named(ctx, async () => {
    const loaded = await loadFile(ctx, path, options.format);
    const opened = await openFile(ctx, loaded, { readOnly: true });
    const store = await findStoreOptions(ctx.io, loaded.abs, { explicit: ctx.configPath });
    return { text: formatFor(path, options.format).emitPlain(opened.docs, loaded.parsed, loaded.abs, store) };
  });
}

export interface EncryptOptions extends DecryptOptions {
  /** Recipients (age1…) for a new file; default: the matching .sops.yaml rule. */
  readonly age?: readonly string[];
  /** A .sops.yaml to use instead of looking for one. */
  readonly config?: string;
}

/** Encrypts a file in place, as `envseal encrypt` does. Returns whether it was changed. */
export async function encryptFile(path: string, options: EncryptOptions = {}): Promise<{ changed: boolean }> {
  const ctx = ctxOf(options);
  return named(ctx, async () => {
    const result = await encryptFileInPlace(ctx, path, options.format, { age: options.age }, { write: true });
    return { changed: result.encrypted !== null };
  });
}

export { isEnvsealError } from '../errors.js';
