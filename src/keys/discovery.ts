/**
 * Where identities come from, exactly where sops looks (sops-format.md §8.2): the
 * `SOPS_AGE_KEY` variable, the file named by `SOPS_AGE_KEY_FILE`, the output of
 * `SOPS_AGE_KEY_CMD`, then `<user config dir>/sops/age/keys.txt`; and SSH keys as sops 3.10+
 * finds them (age/keysource.go): the file named by `SOPS_AGE_SSH_PRIVATE_KEY_FILE`, the
 * output of `SOPS_AGE_SSH_PRIVATE_KEY_CMD`, then `~/.ssh/id_ed25519` and `~/.ssh/id_rsa`.
 * All sources are read and combined. Every place looked at is reported, so "no identity"
 * errors can list them. SSH keys are read only as far as their public half here: their
 * private half is opened when a file has a stanza for them (crypto/ssh-identity.ts).
 *
 * The outside world arrives through a {@link Host}; this module touches neither `process`
 * nor the filesystem itself.
 */
import { describeFsError } from '../errors.js';
import type { Host } from '../io/host.js';
import { count } from '../text.js';
import { isEncryptedIdentityFile, parseIdentities, type Identity } from './identity.js';
import { splitCommandLine } from './shell-words.js';
import { isEncrypted, readSshKeyFile, type SshKeyFile } from './ssh-key-file.js';
import { parseSshPublicKey, sshFingerprint, type SshPublicKey } from './ssh-key.js';

export interface Discovery {
  readonly identities: Identity[];
  /** One line per place looked at, saying what was found there. */
  readonly tried: string[];
  readonly warnings: string[];
  /** Passphrase-protected key files found but not opened yet. */
  readonly locked: readonly LockedKeyFile[];
  /** SSH private keys found, not opened yet (each at most once, by its public key). */
  readonly ssh: readonly SshKeySource[];
  /** Where each identity came from, in walk order (`whoami`); an identity found twice is in both. */
  readonly sources: readonly IdentitySource[];
}

/** An SSH private key file found, read as far as it goes without its passphrase. */
export interface SshKeySource {
  /** Where it was found, as the "no identity" error names it. */
  readonly label: string;
  readonly file: SshKeyFile;
  readonly publicKey: SshPublicKey;
  /** Its line in {@link Discovery.tried}. */
  readonly triedIndex: number;
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
  /**
   * Nothing may ask the user anything (the pre-commit guard): SOPS_AGE_KEY_CMD runs without a
   * terminal and is stopped after this many milliseconds. (Passphrase-protected key files are
   * never opened here anyway: they come back in `locked`.)
   */
  readonly noPromptTimeoutMs?: number | undefined;
}

export const KEY_ENV = 'SOPS_AGE_KEY';
export const KEY_FILE_ENV = 'SOPS_AGE_KEY_FILE';
export const KEY_CMD_ENV = 'SOPS_AGE_KEY_CMD';
export const SSH_KEY_FILE_ENV = 'SOPS_AGE_SSH_PRIVATE_KEY_FILE';
export const SSH_KEY_CMD_ENV = 'SOPS_AGE_SSH_PRIVATE_KEY_CMD';

/** `<user config dir>/sops/age/keys.txt`, as Go's os.UserConfigDir (plus sops's macOS XDG rule) finds it. */
export function defaultKeysFile(host: Pick<Host, 'env' | 'platform' | 'homedir'>): string | null {
  const dir = userConfigDir(host);
  return dir === null ? null : joinPath(host.platform, dir, 'sops', 'age', 'keys.txt');
}

/** The user's home folder as Go's os.UserHomeDir finds it ($HOME; %USERPROFILE% on Windows). */
function homeDir({ env, platform, homedir }: Pick<Host, 'env' | 'platform' | 'homedir'>): string {
  const variable = env[platform === 'win32' ? 'USERPROFILE' : 'HOME'];
  return variable !== undefined && variable !== '' ? variable : homedir;
}

/** `~/.ssh/id_ed25519` and `~/.ssh/id_rsa`, in sops's order; none when there is no home folder. */
export function defaultSshKeyFiles(host: Pick<Host, 'env' | 'platform' | 'homedir'>): string[] {
  const home = homeDir(host);
  return home === '' ? [] : ['id_ed25519', 'id_rsa'].map((name) => joinPath(host.platform, home, '.ssh', name));
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

  const commandOutput = keyCommandOutput(host, KEY_CMD_ENV, options, tried);
  if (commandOutput !== null) take(commandOutput.label, commandOutput.stdout);

  const defaultFile = defaultKeysFile(host);
  if (defaultFile === null) tried.push('user config directory: cannot be determined (HOME is not set)');
  else keyFile(defaultFile, defaultFile);

  const ssh = discoverSshKeys(host, options, tried, warnings);
  return { identities: [...new Set(identities)], tried, warnings, locked, ssh, sources };
}

/**
 * The SSH half of the walk, in sops's order. A key is kept once (the first place it was
 * found); a protected PEM file, which does not say which key it holds, needs its `.pub`.
 */
function discoverSshKeys(host: Host, options: DiscoveryOptions, tried: string[], warnings: string[]): SshKeySource[] {
  const found: SshKeySource[] = [];
  const take = (label: string, bytes: Uint8Array, publicKeyFile: string | null, fromCommand: boolean): void => {
    const read = readSshKeyFile(bytes);
    if (!read.ok) {
      tried.push(`${label}: ${read.reason}`);
      return;
    }
    if (fromCommand && isEncrypted(read.file)) {
      tried.push(`${label}: the key is protected by a passphrase, which sops does not support for a command's output either`);
      return;
    }
    const publicKey = read.file.publicKey ?? publicKeyNextTo(host, publicKeyFile);
    if (typeof publicKey === 'string') {
      tried.push(`${label}: ${publicKey}`);
      return;
    }
    const twin = found.find((k) => k.publicKey.text === publicKey.text);
    if (twin !== undefined) {
      tried.push(`${label}: the same key as ${twin.label}`);
      return;
    }
    const lock = isEncrypted(read.file) ? ', protected by a passphrase (asked for only to open a file encrypted to it)' : '';
    found.push({ label, file: read.file, publicKey, triedIndex: tried.length });
    tried.push(`${label}: an ${publicKey.type} key (${sshFingerprint(publicKey)})${lock}`);
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
    take(label, bytes, `${path}.pub`, false);
  };

  const file = host.env[SSH_KEY_FILE_ENV];
  if (file === undefined) tried.push(`${SSH_KEY_FILE_ENV}: not set`);
  else keyFile(`${SSH_KEY_FILE_ENV}=${file}`, file);

  const commandOutput = keyCommandOutput(host, SSH_KEY_CMD_ENV, options, tried);
  if (commandOutput !== null) take(commandOutput.label, commandOutput.stdout, null, true);

  const defaults = defaultSshKeyFiles(host);
  if (defaults.length === 0) tried.push('~/.ssh: cannot be determined (HOME is not set)');
  for (const path of defaults) keyFile(path, path);
  return found;
}

/** The public key in the `.pub` file next to a protected PEM key, or why there is none. */
function publicKeyNextTo(host: Host, path: string | null): SshPublicKey | string {
  const why = 'protected by a passphrase, in a format that does not say which key it holds, and no .pub file next to it says so';
  if (path === null) return why;
  let text: string;
  try {
    text = Buffer.from(host.readFileSync(path)).toString('utf8');
  } catch {
    return why;
  }
  const parsed = parseSshPublicKey(text);
  return parsed.ok ? parsed.key : `protected by a passphrase, and its .pub file does not parse: ${parsed.reason}`;
}

/** Runs a key command (SOPS_AGE_RECIPIENT set as sops sets it): its output, or why there is none. */
/**
 * The output of the command the variable `name` holds (split as a shell would, run without a
 * shell), or null with the reason added to `tried`: not set, not a command, or it failed.
 */
function keyCommandOutput(host: Host, name: string, options: DiscoveryOptions, tried: string[]): { label: string; stdout: Buffer } | null {
  const command = host.env[name];
  if (command === undefined) {
    tried.push(`${name}: not set`);
    return null;
  }
  const argv = splitCommandLine(command);
  if (argv === null || argv.length === 0) {
    tried.push(`${name}: cannot be split into a command (unbalanced quotes?)`);
    return null;
  }
  const label = `${name} (${argv[0]})`;
  const output = runKeyCommand(host, argv, options);
  if (typeof output === 'string') {
    tried.push(`${label}: ${output}`);
    return null;
  }
  return { label, stdout: Buffer.from(output.stdout) };
}

function runKeyCommand(host: Host, argv: readonly string[], options: DiscoveryOptions): { stdout: string } | string {
  const extraEnv: Record<string, string> = options.recipientHint === undefined ? {} : { SOPS_AGE_RECIPIENT: options.recipientHint };
  try {
    const result = options.noPromptTimeoutMs === undefined ? host.runSync(argv, extraEnv) : host.runSync(argv, extraEnv, { noTerminal: { timeoutMs: options.noPromptTimeoutMs } });
    return result.code === 0 ? result : `exited with code ${result.code}`;
  } catch (err) {
    return `could not run (${describeFsError(err)})`;
  }
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
  return { ...discovery, identities: [...new Set(identities)], tried, locked: [], sources };
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
