/**
 * Your own recipients, never your secrets: `envseal whoami` (every identity discovery finds,
 * with where it came from) and `envseal keygen` (the identities already in the default keys
 * file, shown instead of silently making another). Discovery is the synchronous walk: a key
 * file protected by a passphrase is named, not opened (whoami never prompts); an SSH key's
 * recipient is its public key, shown whether or not the key has a passphrase.
 */
import { x25519Identity } from '../crypto/age-x25519.js';
import { discoverIdentities } from '../keys/discovery.js';
import { isEncryptedIdentityFile, parseIdentities, type Identity } from '../keys/identity.js';
import type { Fs } from '../io/fs.js';
import type { Host } from '../io/host.js';

/** The recipient an identity decrypts for (age-keygen -y). */
export async function recipientOf(identity: Identity): Promise<string> {
  const fast = x25519Identity(identity)?.recipient;
  return fast ?? (await (await import('age-encryption')).identityToRecipient(identity));
}

export interface OwnRecipient {
  readonly recipient: string;
  /** Every place that holds its identity, in discovery's order. */
  readonly sources: readonly string[];
}

export interface WhoAmI {
  readonly recipients: readonly OwnRecipient[];
  /** Every place looked at, with what was found there (for "nothing found"). */
  readonly tried: readonly string[];
  /** Key files protected by a passphrase, not opened. */
  readonly locked: readonly string[];
  readonly warnings: readonly string[];
}

export async function whoAmI(host: Host): Promise<WhoAmI> {
  const discovery = discoverIdentities(host);
  const bySource = new Map<string, string[]>();
  for (const source of discovery.sources) {
    for (const identity of source.identities) {
      const recipient = await recipientOf(identity);
      const places = bySource.get(recipient) ?? [];
      if (!places.includes(source.label)) places.push(source.label);
      bySource.set(recipient, places);
    }
  }
  // An SSH key's recipient is its public key, known without opening it (no passphrase asked).
  for (const source of discovery.ssh) {
    const places = bySource.get(source.publicKey.text) ?? [];
    if (!places.includes(source.label)) places.push(source.label);
    bySource.set(source.publicKey.text, places);
  }
  return {
    recipients: [...bySource].map(([recipient, sources]) => ({ recipient, sources })),
    tried: discovery.tried,
    locked: discovery.locked.map((l) => l.label),
    warnings: discovery.warnings,
  };
}

/** What a keys file already holds, for keygen: its recipients, or that it is passphrase-protected. */
export type KeysFileState = { readonly kind: 'missing' } | { readonly kind: 'locked' } | { readonly kind: 'holds'; readonly recipients: readonly string[] };

export async function keysFileState(fs: Fs, path: string): Promise<KeysFileState> {
  const stat = await fs.stat(path);
  if (stat === null || !stat.isFile) return { kind: 'missing' };
  const bytes = await fs.readFile(path);
  if (isEncryptedIdentityFile(bytes)) return { kind: 'locked' };
  const { identities } = parseIdentities(Buffer.from(bytes).toString('utf8'));
  if (identities.length === 0) return { kind: 'missing' };
  const recipients: string[] = [];
  for (const identity of identities) {
    const recipient = await recipientOf(identity);
    if (!recipients.includes(recipient)) recipients.push(recipient);
  }
  return { kind: 'holds', recipients };
}
