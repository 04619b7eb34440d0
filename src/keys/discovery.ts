/**
 * Where identities come from, exactly where sops looks (sops-format.md §8.2): the
 * `SOPS_AGE_KEY` variable, the file named by `SOPS_AGE_KEY_FILE`, the output of
 * `SOPS_AGE_KEY_CMD`, then `<user config dir>/sops/age/keys.txt`. All sources are read and
 * combined. Every place looked at is reported, so "no identity" errors can list them.
 *
 * The outside world arrives through a {@link Host}; this module touches neither `process`
 * nor the filesystem itself.
 */
import { describeFsError } from '../errors.js';
import type { Host } from '../io/host.js';
import { count } from '../text.js';
import { isEncryptedIdentityFile, parseIdentities, type Identity } from './identity.js';
import { splitCommandLine } from './shell-words.js';

export interface Discovery {
  readonly identities: Identity[];
  /** One line per place looked at, saying what was found there. */
  readonly tried: string[];
  readonly warnings: string[];
  /** Passphrase-protected key files found but not opened yet. */
  readonly locked: readonly LockedKeyFile[];
  /** Where each identity came from, in walk order (`whoami`); an identity found twice is in both. */
  readonly sources: readonly IdentitySource[];
}

/** The identities one place gave. */
export interface IdentitySource {
  /** The place, as {@link Discovery.tried} names it (`SOPS_AGE_KEY`, a key file's path…). */
  readonly label: string;
  readonly identities: readonly Identity[];
}

export interface DiscoveryOptions {
  /** Passed to SOPS_AGE_KEY_CMD as SOPS_AGE_RECIPIENT (the file's first age recipient). */
  readonly recipientHint?: string | undefined;
}

export const KEY_ENV = 'SOPS_AGE_KEY';
export const KEY_FILE_ENV = 'SOPS_AGE_KEY_FILE';
export const KEY_CMD_ENV = 'SOPS_AGE_KEY_CMD';

/** `<user config dir>/sops/age/keys.txt`, as Go's os.UserConfigDir (plus sops's macOS XDG rule) finds it. */
export function defaultKeysFile(host: Pick<Host, 'env' | 'platform' | 'homedir'>): string | null {
  const dir = userConfigDir(host);
  return dir === null ? null : joinPath(host.platform, dir, 'sops', 'age', 'keys.txt');
}

function userConfigDir({ env, platform, homedir }: Pick<Host, 'env' | 'platform' | 'homedir'>): string | null {
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

/** A key file that is itself age-encrypted with a passphrase: opened by {@link unlockKeyFiles}. */
export interface LockedKeyFile {
  readonly label: string;
  readonly bytes: Uint8Array;
  /** Its line in {@link Discovery.tried}, filled in when it is unlocked (or not). */
  readonly triedIndex: number;
}

/**
 * The one walk over the sources, in sops's order. Synchronous: reading key files and running
 * `SOPS_AGE_KEY_CMD` block for a moment, which costs nothing in a CLI and lets `config()`
 * use the same code. Passphrase-protected key files are not opened here (that needs a
 * prompt): they come back in `locked`, and {@link unlockKeyFiles} opens them.
 */
export function discoverIdentities(host: Host, options: DiscoveryOptions = {}): Discovery {
  const identities: Identity[] = [];
  const tried: string[] = [];
  const warnings: string[] = [];
  const locked: LockedKeyFile[] = [];
  const sources: IdentitySource[] = [];

  const take = (label: string, bytes: Uint8Array): void => {
    if (isEncryptedIdentityFile(bytes)) {
      locked.push({ label, bytes, triedIndex: tried.length });
      tried.push(`${label}: ${LOCKED_NOT_ASKED}`);
      return;
    }
    const parsed = parseIdentities(Buffer.from(bytes).toString('utf8'));
    identities.push(...parsed.identities);
    if (parsed.identities.length > 0) sources.push({ label, identities: parsed.identities });
    const found = count(parsed.identities.length, 'identity', 'identities');
    tried.push(`${label}: ${found}${parsed.problems.length > 0 ? ` (${parsed.problems.join('; ')})` : ''}`);
  };

  const keyFile = (label: string, path: string): void => {
    let bytes: Uint8Array;
    try {
      bytes = host.readFileSync(path);
    } catch (err) {
      tried.push(`${label}: ${describeFsError(err)}`);
      return;
    }
    const mode = host.fileModeSync(path);
    if (host.platform !== 'win32' && mode !== null && (mode & 0o077) !== 0) warnings.push(readableByOthersWarning(path));
    take(label, bytes);
  };

  const inline = host.env[KEY_ENV];
  if (inline === undefined) tried.push(`${KEY_ENV}: not set`);
  else take(KEY_ENV, Buffer.from(inline));

  const file = host.env[KEY_FILE_ENV];
  if (file === undefined) tried.push(`${KEY_FILE_ENV}: not set`);
  else keyFile(`${KEY_FILE_ENV}=${file}`, file);

  const command = host.env[KEY_CMD_ENV];
  const argv = command === undefined ? null : splitCommandLine(command);
  if (command === undefined) tried.push(`${KEY_CMD_ENV}: not set`);
  else if (argv === null || argv.length === 0) tried.push(`${KEY_CMD_ENV}: cannot be split into a command (unbalanced quotes?)`);
  else {
    const label = `${KEY_CMD_ENV} (${argv[0]})`;
    const extraEnv: Record<string, string> = options.recipientHint === undefined ? {} : { SOPS_AGE_RECIPIENT: options.recipientHint };
    let result: { code: number; stdout: string } | null = null;
    try {
      result = host.runSync(argv, extraEnv);
    } catch (err) {
      tried.push(`${label}: could not run (${describeFsError(err)})`);
    }
    if (result !== null && result.code !== 0) tried.push(`${label}: exited with code ${result.code}`);
    else if (result !== null) take(label, Buffer.from(result.stdout));
  }

  const defaultFile = defaultKeysFile(host);
  if (defaultFile === null) tried.push('user config directory: cannot be determined (HOME is not set)');
  else keyFile(defaultFile, defaultFile);

  return { identities: [...new Set(identities)], tried, warnings, locked, sources };
}

const LOCKED_NOT_ASKED = 'encrypted with a passphrase; synchronous loading cannot ask for it (use the CLI or await load())';

/**
 * Opens the passphrase-protected key files a discovery found, asking for each passphrase
 * (`ask` returns null without a terminal). Returns the discovery with their identities added.
 */
export async function unlockKeyFiles(discovery: Discovery, ask: (question: string) => Promise<string | null>): Promise<Discovery> {
  if (discovery.locked.length === 0) return discovery;
  const identities = [...discovery.identities];
  const tried = [...discovery.tried];
  const sources = [...discovery.sources];
  for (const file of discovery.locked) {
    const opened = await openPassphraseFile(ask, file.label, file.bytes);
    if (typeof opened === 'string') {
      tried[file.triedIndex] = `${file.label}: ${opened}`;
      continue;
    }
    const parsed = parseIdentities(Buffer.from(opened).toString('utf8'));
    identities.push(...parsed.identities);
    if (parsed.identities.length > 0) sources.push({ label: file.label, identities: parsed.identities });
    tried[file.triedIndex] = `${file.label}: ${count(parsed.identities.length, 'identity', 'identities')} (unlocked with a passphrase)`;
  }
  return { identities: [...new Set(identities)], tried, warnings: discovery.warnings, locked: [], sources };
}

/** The warning for a key file others can read (keygen says the same). */
export function readableByOthersWarning(path: string): string {
  return `key file ${path} can be read by other users; fix it with: chmod 600 ${path}`;
}

async function openPassphraseFile(ask: (question: string) => Promise<string | null>, label: string, bytes: Uint8Array): Promise<Uint8Array | string> {
  const passphrase = await ask(`Passphrase for ${label}: `);
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
