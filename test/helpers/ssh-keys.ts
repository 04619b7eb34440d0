/**
 * SSH keys made by the real ssh-keygen (Debian package openssh-client), for the SSH
 * recipient tests. Tests that need it skip, saying so, when ssh-keygen is not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Why SSH tests cannot run here, or null when ssh-keygen is installed. */
export const NO_SSH_KEYGEN: string | null =
  spawnSync('ssh-keygen', ['-?'], { stdio: 'ignore' }).error === undefined ? null : 'ssh-keygen is not installed (apt-get install openssh-client)';

export interface TestSshKey {
  /** The private key file. */
  readonly file: string;
  /** The `.pub` line, comment included. */
  readonly pub: string;
  /** The recipient as envseal records it: type and key, no comment. */
  readonly recipient: string;
}

export interface SshKeyOptions {
  readonly type?: 'ed25519' | 'rsa';
  readonly bits?: number;
  readonly passphrase?: string;
  /** ssh-keygen -m: the private key format (default: OpenSSH's own). */
  readonly format?: 'PEM' | 'PKCS8';
  /** ssh-keygen -Z: the cipher protecting the key. */
  readonly cipher?: string;
  readonly comment?: string;
  /** ssh-keygen -a: bcrypt_pbkdf rounds (default 16). */
  readonly rounds?: number;
}

/** `<dir>/<name>` and `<dir>/<name>.pub`, made by ssh-keygen. */
export function makeSshKey(dir: string, name: string, options: SshKeyOptions = {}): TestSshKey {
  const file = join(dir, name);
  const args = ['-q', '-t', options.type ?? 'ed25519', '-N', options.passphrase ?? '', '-C', options.comment ?? `${name}@test`, '-f', file];
  if (options.bits !== undefined) args.push('-b', String(options.bits));
  if (options.format !== undefined) args.push('-m', options.format);
  if (options.cipher !== undefined) args.push('-Z', options.cipher);
  if (options.rounds !== undefined) args.push('-a', String(options.rounds));
  execFileSync('ssh-keygen', args, { stdio: 'ignore' });
  const pub = readFileSync(`${file}.pub`, 'utf8').trim();
  return { file, pub, recipient: pub.split(' ').slice(0, 2).join(' ') };
}
