/**
 * Identities: age secret keys, parsed from the text of a key file, an environment variable
 * or a command's output (sops-format.md §8.2 "Identity syntax").
 */
import { bech32Decode } from './bech32.js';

declare const identityBrand: unique symbol;
/** A checked age identity (`AGE-SECRET-KEY-1…` or `AGE-SECRET-KEY-PQ-1…`). */
export type Identity = string & { readonly [identityBrand]: true };

export interface ParsedIdentities {
  readonly identities: Identity[];
  /** Why some of the text was not used: never the text itself (it may be a secret). */
  readonly problems: string[];
}

const KINDS: Record<string, number> = { 'age-secret-key-': 32, 'age-secret-key-pq-': 32 };

export function parseIdentity(token: string): Identity | null {
  const decoded = bech32Decode(token);
  if (decoded === null) return null;
  const size = KINDS[decoded.hrp];
  return size !== undefined && decoded.data.length === size ? (token.toUpperCase() as Identity) : null;
}

/**
 * One or more identities per line, separated by whitespace (sops ≥ 3.13); blank lines and
 * lines starting with `#` are skipped.
 */
export function parseIdentities(text: string): ParsedIdentities {
  const identities: Identity[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    for (const token of trimmed.split(/\s+/)) {
      const identity = parseIdentity(token);
      if (identity !== null) identities.push(identity);
      else if (token.startsWith('AGE-PLUGIN-')) problems.push(`line ${index + 1}: age plugin identities are not supported`);
      else problems.push(`line ${index + 1}: not an age identity`);
    }
  });
  return { identities, problems };
}

/** Whether a key file is itself an age-encrypted file (a passphrase-protected identity file). */
export function isEncryptedIdentityFile(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1').trimStart();
  return head.startsWith('age-encryption.org/v1') || head.startsWith('-----BEGIN AGE ENCRYPTED FILE-----');
}
