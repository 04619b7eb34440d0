/**
 * Where identities come from, exactly where sops looks (sops-format.md §8.2): the
 * `SOPS_AGE_KEY` variable, the file named by `SOPS_AGE_KEY_FILE`, the output of
 * `SOPS_AGE_KEY_CMD`, then `<user config dir>/sops/age/keys.txt`. All sources are read and
 * combined. Every place looked at is reported, so "no identity" errors can list them.
 *
 * The outside world arrives through {@link KeySourceHost}; this module touches neither
 * `process` nor the filesystem itself.
 */
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

export async function findIdentities(host: KeySourceHost, options: DiscoveryOptions = {}): Promise<Discovery> {
  const identities: Identity[] = [];
  const tried: string[] = [];
  const warnings: string[] = [];
  const take = async (label: string, text: Uint8Array): Promise<void> => {
    let bytes = text;
    if (isEncryptedIdentityFile(bytes)) {
      const opened = await openPassphraseFile(host, label, bytes);
      if (typeof opened === 'string') {
        tried.push(`${label}: ${opened}`);
        return;
      }
      bytes = opened;
    }
    const parsed = parseIdentities(Buffer.from(bytes).toString('utf8'));
    identities.push(...parsed.identities);
    const count = `${parsed.identities.length} ${parsed.identities.length === 1 ? 'identity' : 'identities'}`;
    tried.push(`${label}: ${count}${parsed.problems.length > 0 ? ` (${parsed.problems.join('; ')})` : ''}`);
  };

  const inline = host.env[KEY_ENV];
  if (inline === undefined) tried.push(`${KEY_ENV}: not set`);
  else await take(KEY_ENV, Buffer.from(inline));

  const keyFile = host.env[KEY_FILE_ENV];
  if (keyFile === undefined) tried.push(`${KEY_FILE_ENV}: not set`);
  else await readKeyFile(host, `${KEY_FILE_ENV}=${keyFile}`, keyFile, take, tried, warnings);

  const command = host.env[KEY_CMD_ENV];
  if (command === undefined) {
    tried.push(`${KEY_CMD_ENV}: not set`);
  } else {
    await runKeyCommand(host, command, options, take, tried);
  }

  const defaultFile = defaultKeysFile(host);
  if (defaultFile === null) tried.push('user config directory: cannot be determined (HOME is not set)');
  else await readKeyFile(host, defaultFile, defaultFile, take, tried, warnings);

  return { identities: dedupe(identities), tried, warnings };
}

async function readKeyFile(
  host: KeySourceHost,
  label: string,
  path: string,
  take: (label: string, text: Uint8Array) => Promise<void>,
  tried: string[],
  warnings: string[],
): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await host.readFile(path);
  } catch (err) {
    tried.push(`${label}: ${describeReadError(err)}`);
    return;
  }
  const mode = await host.fileMode(path);
  if (host.platform !== 'win32' && mode !== null && (mode & 0o077) !== 0) {
    warnings.push(`key file ${path} can be read by other users; fix it with: chmod 600 ${path}`);
  }
  await take(label, bytes);
}

async function runKeyCommand(
  host: KeySourceHost,
  command: string,
  options: DiscoveryOptions,
  take: (label: string, text: Uint8Array) => Promise<void>,
  tried: string[],
): Promise<void> {
  const argv = splitCommandLine(command);
  if (argv === null || argv.length === 0) {
    tried.push(`${KEY_CMD_ENV}: cannot be split into a command (unbalanced quotes?)`);
    return;
  }
  const extraEnv: Record<string, string> = {};
  if (options.recipientHint !== undefined) extraEnv['SOPS_AGE_RECIPIENT'] = options.recipientHint;
  try {
    const result = await host.runCommand(argv, extraEnv);
    if (result.code !== 0) {
      tried.push(`${KEY_CMD_ENV} (${argv[0]}): exited with code ${result.code}`);
      return;
    }
    await take(`${KEY_CMD_ENV} (${argv[0]})`, Buffer.from(result.stdout));
  } catch (err) {
    tried.push(`${KEY_CMD_ENV} (${argv[0]}): could not run (${describeReadError(err)})`);
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
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return code === '' ? 'cannot be read' : `cannot be read (${code})`;
}

function dedupe(identities: Identity[]): Identity[] {
  return [...new Set(identities)];
}
