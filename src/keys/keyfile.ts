/**
 * Writing identities: appended to the default keys file (folder 0700, file 0600, never
 * overwritten), or written to a new file of their own. The filesystem arrives as a
 * parameter; this module touches neither `process` nor the disk itself.
 */
import { dirname } from 'node:path';
import { IoError } from '../errors.js';
import type { Fs } from '../io/fs.js';

/** What keygen writes for one identity (age-keygen's layout). */
export function identityBlock(identity: string, recipient: string, created: string): string {
  return `# created: ${created}\n# public key: ${recipient}\n${identity}\n`;
}

/** Writes `block` to `path`, which must not exist yet (an identity is never overwritten). */
export async function writeNewIdentityFile(fs: Fs, path: string, block: string): Promise<void> {
  if ((await fs.stat(path)) !== null) {
    throw new IoError('the file already exists; keygen never overwrites an identity', { file: path, hint: 'choose another --out path' });
  }
  await fs.mkdir(dirname(path), 0o700);
  await fs.writeNewFile(path, block, 0o600);
}

/**
 * Appends `block` to the keys file at `path` (created 0600 in a 0700 folder when missing). A
 * keys file others can read is closed (0600) before a new secret goes into it; the returned
 * line says so.
 */
export async function appendIdentity(fs: Fs, path: string, block: string, platform: string): Promise<string | null> {
  await fs.mkdir(dirname(path), 0o700);
  const existing = await fs.stat(path);
  let prefix = '';
  let warning: string | null = null;
  if (existing !== null && existing.size > 0) {
    const current = await fs.readFile(path);
    if (current[current.length - 1] !== 0x0a) prefix = '\n';
    if (platform !== 'win32' && (existing.mode & 0o077) !== 0) {
      await fs.chmod(path, 0o600);
      warning = `key file ${path} could be read by other users; it is now 0600 (only you). Identities already in it may have been read: consider them exposed`;
    }
  }
  await fs.appendFile(path, prefix + block, 0o600);
  return warning;
}
