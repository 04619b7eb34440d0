/**
 * envseal as a library (README "Library").
 *
 * ```ts
 * import { config } from 'envseal';
 * config({ path: ['.env', '.env.local'] });          // synchronous, like dotenv's config()
 * const values = await load({ path: 'secrets.yaml', flatten: true });
 * ```
 * Identities are found where the CLI finds them. Errors are {@link EnvsealError}s with a
 * `code` and an `exitCode`; their messages never contain a secret value.
 */
import { formatFor } from '../formats/index.js';
import { nodeIo, type Io } from '../io/io.js';
import { makeCtx, type Ctx } from '../ops/context.js';
import { encryptFileInPlace } from '../ops/encrypt.js';
import { loadValues } from '../ops/env-values.js';
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

/** The decrypted values of the files, without touching process.env. */
export async function load(options: LoadOptions = {}): Promise<Record<string, string>> {
  const ctx = ctxOf(options);
  return named(ctx, async () => plain(await loadValues(ctx, paths(options), options.format, options.flatten === true, options.ignoreMissing === true)));
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
