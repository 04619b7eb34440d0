/**
 * Where identities come from, exactly where sops looks (sops-format.md §8.2): the
 * `SOPS_AGE_KEY` variable, the file named by `SOPS_AGE_KEY_FILE`, the output of
 * `SOPS_AGE_KEY_CMD`, then `<user config dir>/sops/age/keys.txt`. All sources are read and
 * combined. Every place looked at is reported, so "no identity" errors can list them.
 *
 * The outside world arrives through {@link KeySourceHost}; this module touches neither
 * `process` nor the filesystem itself.
 */
import { errnoCode } from '../errors.js';
import { count } from '../text.js';
import { isEncryptedIdentityFile, parseIdentities, type Identity } from './identity.js';
import { splitCommandLine } from './shell-words.js';

export interface KeySourceHost {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: string;
  readonly homedir: string;
  /** Rejects with an error carrying `code` (`ENOENT`, `EACCES`, …). */
  readFile(path: string): Promise<Uint8Array>;
  /** The permission bits of a file, or null when it cannot be stat'ed. */
  fileMode(path: string): Promise<number | null>;
  runCommand(argv: readonly string[], extraEnv: Readonly<Record<string, string>>): Promise<{ code: number; stdout: string }>;
  /** Asks for a passphrase on the terminal without echo; null when there is no terminal. */
  askPassphrase(question: string): Promise<string | null>;
}

export interface Discovery {
  readonly identities: Identity[];
  /** One line per place looked at, saying what was found there. */
  readonly tried: string[];
  readonly warnings: string[];
}

export interface DiscoveryOptions {
  /** Passed to SOPS_AGE_KEY_CMD as SOPS_AGE_RECIPIENT (the file's first age recipient). */
  readonly recipientHint?: string | undefined;
}

export const KEY_ENV = 'SOPS_AGE_KEY';
export const KEY_FILE_ENV = 'SOPS_AGE_KEY_FILE';
export const KEY_CMD_ENV = 'SOPS_AGE_KEY_CMD';

/** `<user config dir>/sops/age/keys.txt`, as Go's os.UserConfigDir (plus sops's macOS XDG rule) finds it. */
export function defaultKeysFile(host: Pick<KeySourceHost, 'env' | 'platform' | 'homedir'>): string | null {
  const dir = userConfigDir(host);
  return dir === null ? null : joinPath(host.platform, dir, 'sops', 'age', 'keys.txt');
}

function userConfigDir({ env, platform, homedir }: Pick<KeySourceHost, 'env' | 'platform' | 'homedir'>): string | null {
  const home = env['HOME'] !== undefined && env['HOME'] !== '' ? env['HOME'] : homedir;
  const xdg = env['XDG_CONFIG_HOME'];
  if (platform === 'win32') return env['APPDATA'] ?? null;
  if (xdg !== undefined && xdg !== '') return xdg;
  if (home === '') return null;
  return platform === 'darwin' ? `${home}/Library/Application Support` : `${home}/.config`;
}

function joinPath(platform: string, ...parts: string[]): string {
  return parts.join(platform === 'win32' ? '\\' : '/');
}

/** What the discovery walk needs from its host, one request at a time. */
type Need =
  | { readonly kind: 'read'; readonly path: string }
  | { readonly kind: 'mode'; readonly path: string }
  | { readonly kind: 'run'; readonly argv: string[]; readonly env: Record<string, string> }
  | { readonly kind: 'unlock'; readonly label: string; readonly bytes: Uint8Array };

/** A request that failed comes back as its error. */
class Failure {
  constructor(readonly error: unknown) {}
}

type Answer = Uint8Array | number | null | CommandOutput | string | Failure;

interface CommandOutput {
  readonly code: number;
  readonly stdout: string;
}

/**
 * The one walk over the sources, in sops's order, written once: it yields what it needs
 * (a file, a file's mode, a command's output, a passphrase-protected file opened) and the
 * async and synchronous drivers below answer.
 */
function* discover(host: Pick<KeySourceHost, 'env' | 'platform' | 'homedir'>, options: DiscoveryOptions): Generator<Need, Discovery, Answer> {
  const identities: Identity[] = [];
  const tried: string[] = [];
  const warnings: string[] = [];

  function* take(label: string, given: Uint8Array): Generator<Need, void, Answer> {
    let bytes = given;
    if (isEncryptedIdentityFile(bytes)) {
      const opened = yield { kind: 'unlock', label, bytes };
      if (!(opened instanceof Uint8Array)) {
        tried.push(`${label}: ${String(opened)}`);
        return;
      }
      bytes = opened;
    }
    const parsed = parseIdentities(Buffer.from(bytes).toString('utf8'));
    identities.push(...parsed.identities);
    const found = count(parsed.identities.length, 'identity', 'identities');
    tried.push(`${label}: ${found}${parsed.problems.length > 0 ? ` (${parsed.problems.join('; ')})` : ''}`);
  }

  function* keyFile(label: string, path: string): Generator<Need, void, Answer> {
    const bytes = yield { kind: 'read', path };
    if (!(bytes instanceof Uint8Array)) {
      tried.push(`${label}: ${describeReadError(bytes instanceof Failure ? bytes.error : bytes)}`);
      return;
    }
    const mode = yield { kind: 'mode', path };
    if (host.platform !== 'win32' && typeof mode === 'number' && (mode & 0o077) !== 0) {
      warnings.push(`key file ${path} can be read by other users; fix it with: chmod 600 ${path}`);
    }
    yield* take(label, bytes);
  }

  const inline = host.env[KEY_ENV];
  if (inline === undefined) tried.push(`${KEY_ENV}: not set`);
  else yield* take(KEY_ENV, Buffer.from(inline));

  const file = host.env[KEY_FILE_ENV];
  if (file === undefined) tried.push(`${KEY_FILE_ENV}: not set`);
  else yield* keyFile(`${KEY_FILE_ENV}=${file}`, file);

  const command = host.env[KEY_CMD_ENV];
  const argv = command === undefined ? null : splitCommandLine(command);
  if (command === undefined) tried.push(`${KEY_CMD_ENV}: not set`);
  else if (argv === null || argv.length === 0) tried.push(`${KEY_CMD_ENV}: cannot be split into a command (unbalanced quotes?)`);
  else {
    const label = `${KEY_CMD_ENV} (${argv[0]})`;
    const env: Record<string, string> = options.recipientHint === undefined ? {} : { SOPS_AGE_RECIPIENT: options.recipientHint };
    const result = yield { kind: 'run', argv, env };
    if (result instanceof Failure) tried.push(`${label}: could not run (${describeReadError(result.error)})`);
    else if ((result as CommandOutput).code !== 0) tried.push(`${label}: exited with code ${(result as CommandOutput).code}`);
    else yield* take(label, Buffer.from((result as CommandOutput).stdout));
  }

  const defaultFile = defaultKeysFile(host);
  if (defaultFile === null) tried.push('user config directory: cannot be determined (HOME is not set)');
  else yield* keyFile(defaultFile, defaultFile);

  return { identities: [...new Set(identities)], tried, warnings };
}

export async function findIdentities(host: KeySourceHost, options: DiscoveryOptions = {}): Promise<Discovery> {
  const walk = discover(host, options);
  for (let step = walk.next(); ; ) {
    if (step.done === true) return step.value;
    const need = step.value;
    let answer: Answer;
    try {
      if (need.kind === 'read') answer = await host.readFile(need.path);
      else if (need.kind === 'mode') answer = await host.fileMode(need.path);
      else if (need.kind === 'run') answer = await host.runCommand(need.argv, need.env);
      else answer = await openPassphraseFile(host, need.label, need.bytes);
    } catch (err) {
      answer = new Failure(err);
    }
    step = walk.next(answer);
  }
}

/** The synchronous host `config()` uses: no prompts. */
export interface SyncKeySourceHost {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: string;
  readonly homedir: string;
  readFileSync(path: string): Uint8Array;
  fileModeSync(path: string): number | null;
  runCommandSync(argv: readonly string[], extraEnv: Readonly<Record<string, string>>): CommandOutput;
}

/** The same discovery, synchronously; a passphrase-protected key file is reported, not opened. */
export function findIdentitiesSync(host: SyncKeySourceHost, options: DiscoveryOptions = {}): Discovery {
  const walk = discover(host, options);
  for (let step = walk.next(); ; ) {
    if (step.done === true) return step.value;
    const need = step.value;
    let answer: Answer;
    try {
      if (need.kind === 'read') answer = host.readFileSync(need.path);
      else if (need.kind === 'mode') answer = host.fileModeSync(need.path);
      else if (need.kind === 'run') answer = host.runCommandSync(need.argv, need.env);
      else answer = 'encrypted with a passphrase; synchronous loading cannot ask for it (use the CLI or await load())';
    } catch (err) {
      answer = new Failure(err);
    }
    step = walk.next(answer);
  }
}

async function openPassphraseFile(host: KeySourceHost, label: string, bytes: Uint8Array): Promise<Uint8Array | string> {
  const passphrase = await host.askPassphrase(`Passphrase for ${label}: `);
  if (passphrase === null) return 'encrypted with a passphrase, and there is no terminal to ask for it';
  const age = await import('age-encryption');
  const decrypter = new age.Decrypter();
  decrypter.addPassphrase(passphrase);
  const text = Buffer.from(bytes).toString('latin1');
  try {
    const input = text.trimStart().startsWith('-----BEGIN') ? age.armor.decode(text) : bytes;
    return await decrypter.decrypt(input);
  } catch {
    return 'encrypted with a passphrase, and the passphrase did not open it';
  }
}

function describeReadError(err: unknown): string {
  const code = errnoCode(err);
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return code === '' ? 'cannot be read' : `cannot be read (${code})`;
}
