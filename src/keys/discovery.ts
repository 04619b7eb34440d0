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
import { count } from '../report.js';
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

/** One place identities may come from, in the order sops reads them. */
type Source =
  | { readonly kind: 'absent'; readonly line: string }
  | { readonly kind: 'text'; readonly label: string; readonly text: string }
  | { readonly kind: 'file'; readonly label: string; readonly path: string }
  | { readonly kind: 'command'; readonly label: string; readonly argv: string[] | null; readonly env: Record<string, string> };

function sourcesOf(host: Pick<KeySourceHost, 'env' | 'platform' | 'homedir'>, options: DiscoveryOptions): Source[] {
  const sources: Source[] = [];
  const inline = host.env[KEY_ENV];
  sources.push(inline === undefined ? { kind: 'absent', line: `${KEY_ENV}: not set` } : { kind: 'text', label: KEY_ENV, text: inline });
  const keyFile = host.env[KEY_FILE_ENV];
  sources.push(keyFile === undefined ? { kind: 'absent', line: `${KEY_FILE_ENV}: not set` } : { kind: 'file', label: `${KEY_FILE_ENV}=${keyFile}`, path: keyFile });
  const command = host.env[KEY_CMD_ENV];
  if (command === undefined) {
    sources.push({ kind: 'absent', line: `${KEY_CMD_ENV}: not set` });
  } else {
    const argv = splitCommandLine(command);
    const env: Record<string, string> = options.recipientHint === undefined ? {} : { SOPS_AGE_RECIPIENT: options.recipientHint };
    sources.push({ kind: 'command', label: `${KEY_CMD_ENV} (${argv?.[0] ?? '?'})`, argv, env });
  }
  const defaultFile = defaultKeysFile(host);
  sources.push(defaultFile === null ? { kind: 'absent', line: 'user config directory: cannot be determined (HOME is not set)' } : { kind: 'file', label: defaultFile, path: defaultFile });
  return sources;
}

/** What discovery has found so far. */
class Findings {
  readonly identities: Identity[] = [];
  readonly tried: string[] = [];
  readonly warnings: string[] = [];

  /** Takes the identities in `bytes`; returns false when the bytes are a passphrase-protected file. */
  take(label: string, bytes: Uint8Array): boolean {
    if (isEncryptedIdentityFile(bytes)) return false;
    const parsed = parseIdentities(Buffer.from(bytes).toString('utf8'));
    this.identities.push(...parsed.identities);
    const found = count(parsed.identities.length, 'identity', 'identities');
    this.tried.push(`${label}: ${found}${parsed.problems.length > 0 ? ` (${parsed.problems.join('; ')})` : ''}`);
    return true;
  }

  checkMode(host: Pick<KeySourceHost, 'platform'>, path: string, mode: number | null): void {
    if (host.platform !== 'win32' && mode !== null && (mode & 0o077) !== 0) {
      this.warnings.push(`key file ${path} can be read by other users; fix it with: chmod 600 ${path}`);
    }
  }

  result(): Discovery {
    return { identities: [...new Set(this.identities)], tried: this.tried, warnings: this.warnings };
  }
}

export async function findIdentities(host: KeySourceHost, options: DiscoveryOptions = {}): Promise<Discovery> {
  const found = new Findings();
  const take = async (label: string, bytes: Uint8Array): Promise<void> => {
    if (found.take(label, bytes)) return;
    const opened = await openPassphraseFile(host, label, bytes);
    if (typeof opened === 'string') found.tried.push(`${label}: ${opened}`);
    else found.take(label, opened);
  };
  for (const source of sourcesOf(host, options)) {
    if (source.kind === 'absent') found.tried.push(source.line);
    else if (source.kind === 'text') await take(source.label, Buffer.from(source.text));
    else if (source.kind === 'file') {
      let bytes: Uint8Array;
      try {
        bytes = await host.readFile(source.path);
      } catch (err) {
        found.tried.push(`${source.label}: ${describeReadError(err)}`);
        continue;
      }
      found.checkMode(host, source.path, await host.fileMode(source.path));
      await take(source.label, bytes);
    } else if (source.argv === null || source.argv.length === 0) {
      found.tried.push(`${KEY_CMD_ENV}: cannot be split into a command (unbalanced quotes?)`);
    } else {
      try {
        const result = await host.runCommand(source.argv, source.env);
        if (result.code !== 0) found.tried.push(`${source.label}: exited with code ${result.code}`);
        else await take(source.label, Buffer.from(result.stdout));
      } catch (err) {
        found.tried.push(`${source.label}: could not run (${describeReadError(err)})`);
      }
    }
  }
  return found.result();
}

/** The synchronous host `config()` uses: no prompts. */
export interface SyncKeySourceHost {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: string;
  readonly homedir: string;
  readFileSync(path: string): Uint8Array;
  fileModeSync(path: string): number | null;
  runCommandSync(argv: readonly string[], extraEnv: Readonly<Record<string, string>>): { code: number; stdout: string };
}

/** The same discovery, synchronously; a passphrase-protected key file is reported, not opened. */
export function findIdentitiesSync(host: SyncKeySourceHost, options: DiscoveryOptions = {}): Discovery {
  const found = new Findings();
  const take = (label: string, bytes: Uint8Array): void => {
    if (!found.take(label, bytes)) found.tried.push(`${label}: encrypted with a passphrase; synchronous loading cannot ask for it (use the CLI or await load())`);
  };
  for (const source of sourcesOf(host, options)) {
    if (source.kind === 'absent') found.tried.push(source.line);
    else if (source.kind === 'text') take(source.label, Buffer.from(source.text));
    else if (source.kind === 'file') {
      let bytes: Uint8Array;
      try {
        bytes = host.readFileSync(source.path);
      } catch (err) {
        found.tried.push(`${source.label}: ${describeReadError(err)}`);
        continue;
      }
      found.checkMode(host, source.path, host.fileModeSync(source.path));
      take(source.label, bytes);
    } else if (source.argv === null || source.argv.length === 0) {
      found.tried.push(`${KEY_CMD_ENV}: cannot be split into a command (unbalanced quotes?)`);
    } else {
      try {
        const result = host.runCommandSync(source.argv, source.env);
        if (result.code !== 0) found.tried.push(`${source.label}: exited with code ${result.code}`);
        else take(source.label, Buffer.from(result.stdout));
      } catch (err) {
        found.tried.push(`${source.label}: could not run (${describeReadError(err)})`);
      }
    }
  }
  return found.result();
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
