/**
 * `config()`: the synchronous loader behind `import { config } from 'envseal'` and
 * `node --import envseal/config`. Kept apart from the rest of the library so the preload
 * bundle carries only what it needs.
 */
import { nodeHost } from '../io/host.js';
import { printable } from '../text.js';
import { EnvsealError } from '../errors.js';
import { displayPath } from '../paths.js';
import { loadValuesSync } from '../ops/env-values.js';
import type { EnvValue } from '../run/env.js';

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
  /** Skip files that do not exist instead of failing (dotenvx's `--ignore=MISSING_ENV_FILE`). */
  readonly ignoreMissing?: boolean;
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

export function paths(options: LoadOptions): string[] {
  const { path = '.env' } = options;
  return typeof path === 'string' ? [path] : [...path];
}

export function plain(values: ReadonlyMap<string, EnvValue>): Record<string, string> {
  const out: Record<string, string> = {};
  values.forEach(({ value }, key) => {
    out[key] = value;
  });
  return out;
}

function warner(options: LoadOptions): (message: string) => void {
  return options.quiet === true ? () => undefined : (message) => process.stderr.write(`envseal: warning: ${printable(message)}\n`);
}

/**
 * Decrypts the files and assigns their values to `process.env` (or `processEnv`),
 * synchronously. Unlike dotenv's, it throws on a file it cannot open: an app should not
 * start without its configuration. Uses X25519 identities; for post-quantum identities or a
 * passphrase-protected key file, use `await load()`.
 */
export function config(options: ConfigOptions = {}): ConfigResult {
  const ctx = { host: nodeHost({ env: options.env }), cwd: options.cwd ?? process.cwd(), warn: warner(options) };
  const parsed = plain(withFileInMessage(() => loadValuesSync(ctx, paths(options), options.format, options.flatten === true, options.ignoreMissing === true), ctx.cwd));
  const target = options.processEnv ?? process.env;
  // Reading process.env[key] is a getenv(3), a scan of the whole environment: ask once for
  // every name. (Each assignment is a setenv(3), another scan; that part cannot be avoided.)
  // (process.env holds no undefined values; another object may.)
  const names = Object.keys(target);
  const present = new Set(target === process.env ? names : names.filter((key) => target[key] !== undefined));
  for (const [key, value] of Object.entries(parsed)) {
    if (options.override === true || !present.has(key)) target[key] = value;
  }
  return { parsed };
}


/**
 * Library errors name their file in the message too (the CLI prints the file beside it; a
 * program that logs `err.message` would otherwise lose it).
 */
export function withFileInMessage<T>(work: () => T, cwd: string): T {
  try {
    return work();
  } catch (err) {
    throw namedError(err, cwd);
  }
}

export function namedError(err: unknown, cwd: string): unknown {
  if (err instanceof EnvsealError && err.file !== undefined) {
    const where = displayPath(err.file, cwd) + (err.line === undefined ? '' : `:${err.line}`);
    if (!err.message.includes(where)) err.message = `${err.message} (${where})`;
  }
  return err;
}
