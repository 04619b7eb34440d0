/**
 * envseal as a library (PRODUCT.md §6).
 *
 * ```ts
 * import { config } from 'envseal';
 * config({ path: ['.env', '.env.local'] });          // synchronous, like dotenv's config()
 * const values = await load({ path: 'secrets.yaml', flatten: true });
 * ```
 * Identities are found where the CLI finds them. Errors are {@link EnvsealError}s with a
 * `code` and an `exitCode`; their messages never contain a secret value.
 */
import { readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { EnvsealError } from './errors.js';
import { formatFor } from './formats/index.js';
import { nodeIo, type Io } from './io.js';
import { makeCtx, type Ctx } from './ops/context.js';
import { encryptLoaded } from './ops/encrypt.js';
import { loadValues, loadValuesSync } from './ops/env-values.js';
import { loadFile } from './ops/load.js';
import { openFile } from './ops/open.js';
import type { SyncWorld } from './ops/open-sync.js';
import type { EnvValue } from './run/env.js';

export { EnvsealError, ConfigError, IntegrityError, IoError, NoIdentityError, ParseError, UsageError, ExitCode } from './errors.js';
export type { ErrorCode } from './errors.js';

export interface LoadOptions {
  /** File or files to read; later files override earlier ones. Default `.env`. */
  readonly path?: string | readonly string[];
  /** Folder relative paths start from. Default: the current folder. */
  readonly cwd?: string;
  /** Where SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, … are looked up. Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Nested YAML/JSON values become DB_PASSWORD-style variables (otherwise an error). */
  readonly flatten?: boolean;
  /** Read every file as this format instead of guessing from its name. */
  readonly format?: 'dotenv' | 'yaml' | 'json';
  /** No warnings on stderr. */
  readonly quiet?: boolean;
}

export interface ConfigOptions extends LoadOptions {
  /** File values replace variables that are already set. Default false: the environment wins. */
  readonly override?: boolean;
  /** The object to fill. Default: process.env. */
  readonly processEnv?: Record<string, string | undefined>;
}

export interface ConfigResult {
  /** Every value the files hold (whether or not it was assigned). */
  readonly parsed: Record<string, string>;
}

function paths(options: LoadOptions): string[] {
  const { path = '.env' } = options;
  return typeof path === 'string' ? [path] : [...path];
}

function plain(values: ReadonlyMap<string, EnvValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, { value }] of values) out[key] = value;
  return out;
}

function warner(options: LoadOptions): (message: string) => void {
  return options.quiet === true ? () => undefined : (message) => process.stderr.write(`envseal: warning: ${message}\n`);
}

/**
 * Decrypts the files and assigns their values to `process.env` (or `processEnv`),
 * synchronously. Unlike dotenv's, it throws on a file it cannot open: an app should not
 * start without its configuration. Uses X25519 identities; for post-quantum identities or a
 * passphrase-protected key file, use `await load()`.
 */
export function config(options: ConfigOptions = {}): ConfigResult {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const world: SyncWorld = {
    cwd,
    env,
    platform: process.platform,
    homedir: homedir(),
    resolve: (path) => resolve(cwd, path),
    warn: warner(options),
    readFileSync: (path) => new Uint8Array(readFileSync(path)),
    fileModeSync: (path) => {
      try {
        return statSync(path).mode & 0o7777;
      } catch {
        return null;
      }
    },
    runCommandSync: (argv, extraEnv) => {
      const [command = '', ...args] = argv;
      const r = spawnSync(command, args, { env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
      if (r.error !== undefined) throw r.error;
      return { code: r.status ?? 1, stdout: r.stdout };
    },
  };
  const parsed = plain(loadValuesSync(world, paths(options), options.format, options.flatten === true));
  const target = options.processEnv ?? process.env;
  for (const [key, value] of Object.entries(parsed)) {
    if (options.override === true || target[key] === undefined) target[key] = value;
  }
  return { parsed };
}

function ctxOf(options: { cwd?: string | undefined; env?: Readonly<Record<string, string | undefined>> | undefined; quiet?: boolean | undefined; config?: string | undefined }): Ctx {
  const io: Io = nodeIo({ cwd: options.cwd, env: options.env });
  const ctx = makeCtx(io, options.config);
  return options.quiet === true ? { ...ctx, warn: () => undefined } : ctx;
}

/** The decrypted values of the files, without touching process.env. */
export async function load(options: LoadOptions = {}): Promise<Record<string, string>> {
  return plain(await loadValues(ctxOf(options), paths(options), options.format, options.flatten === true));
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
  const loaded = await loadFile(ctx, path, options.format);
  const opened = await openFile(ctx, loaded);
  return { text: formatFor(path, options.format).emitPlain(opened.docs, loaded.parsed, loaded.abs) };
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
  const loaded = await loadFile(ctx, path, options.format);
  const result = await encryptLoaded(ctx, loaded, { age: options.age });
  if (result === null) return { changed: false };
  await ctx.io.fs.writeFileAtomic(loaded.abs, result.text, { expected: loaded.bytes });
  return { changed: true };
}

export function isEnvsealError(err: unknown): err is EnvsealError {
  return err instanceof EnvsealError;
}
