/**
 * Recipients: the public half of an age identity, or an SSH public key (as sops 3.10+ takes
 * them). `parseRecipient` is the only way to make a {@link Recipient}, so the core never sees
 * an unchecked string where a recipient belongs. A Recipient is always in its canonical form,
 * so two spellings of one key are one string: bech32 lower-cased, an SSH key as its type and
 * key without the comment.
 */
import { createHash } from 'node:crypto';
import { bech32Decode } from './bech32.js';
import { looksLikeSshKey, parseSshPublicKey, type SshPublicKey } from './ssh-key.js';

declare const recipientBrand: unique symbol;
/**
 * A checked recipient string: `age1…` (X25519), `age1pq1…` (hybrid post-quantum), or an SSH
 * key (`ssh-ed25519 AAAA…`, `ssh-rsa AAAA…`, no comment).
 */
export type Recipient = string & { readonly [recipientBrand]: true };

export type RecipientParse = { ok: true; recipient: Recipient } | { ok: false; reason: string };

const KINDS = [
  { hrp: 'age', bytes: 32, name: 'X25519' },
  { hrp: 'age1pq', bytes: 1216, name: 'hybrid post-quantum' },
] as const;

/** The first line of a private key file (OpenSSH, PEM): a secret, never a recipient. */
const PRIVATE_KEY_FILE = /^-----BEGIN [A-Z ]*PRIVATE KEY-----/;

export function parseRecipient(input: string): RecipientParse {
  const text = input.trim();
  if (looksLikeSshKey(text)) {
    const parsed = parseSshPublicKey(text);
    return parsed.ok ? { ok: true, recipient: parsed.key.text as Recipient } : { ok: false, reason: parsed.reason };
  }
  if (PRIVATE_KEY_FILE.test(text)) {
    return { ok: false, reason: 'that is an SSH private key: keep it out of command lines and give its public key (the .pub file)' };
  }
  if (looksLikeIdentity(text)) {
    return { ok: false, reason: 'that is an age identity, a secret key: keep it out of command lines and give its recipient (age1…, printed by envseal keygen)' };
  }
  if (!/^age1/i.test(text)) return { ok: false, reason: 'an age recipient starts with "age1"' };
  const decoded = bech32Decode(text);
  if (decoded === null) return { ok: false, reason: 'it is not valid bech32 (a typo, or a truncated copy)' };
  const kind = KINDS.find((k) => k.hrp === decoded.hrp);
  if (kind === undefined) {
    return { ok: false, reason: `recipients of type "${decoded.hrp}" (age plugins) are not supported` };
  }
  if (decoded.data.length !== kind.bytes) return { ok: false, reason: `a ${kind.name} recipient holds ${kind.bytes} bytes` };
  return { ok: true, recipient: text.toLowerCase() as Recipient };
}

/** A secret key (age, or an SSH private key file) pasted where a recipient belongs: never echo any of it. */
export function looksLikeIdentity(text: string): boolean {
  return /^AGE-(SECRET-KEY|PLUGIN)-/i.test(text.trim()) || PRIVATE_KEY_FILE.test(text.trim());
}

/** Splits a comma-separated recipient list as sops does: trimmed, empty entries dropped. */
export function splitRecipientList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/**
 * Whether two recipient strings are the same key: compared parsed (bech32 is case-blind, so
 * `AGE1…` and `age1…` are one key), never as strings. Text that does not parse equals nothing.
 */
export function sameRecipient(a: string, b: string): boolean {
  const pa = parseRecipient(a);
  const pb = parseRecipient(b);
  return pa.ok && pb.ok && pa.recipient === pb.recipient;
}

/** The SSH key a recipient is, or null for age recipients. */
export function sshKeyOf(recipient: Recipient): SshPublicKey | null {
  if (!recipient.startsWith('ssh-')) return null;
  const parsed = parseSshPublicKey(recipient);
  return parsed.ok ? parsed.key : null;
}

/**
 * Whether `label` is `recipient` as sops writes it: exactly the canonical form, or, for an
 * SSH key, the canonical form and the key's comment (sops records the key as the rule gives
 * it, comment included).
 */
export function isCanonicalLabel(label: string, recipient: Recipient): boolean {
  if (label === recipient) return true;
  if (!recipient.startsWith('ssh-') || !label.startsWith(`${recipient} `)) return false;
  const comment = label.slice(recipient.length + 1);
  return comment === comment.trim() && comment !== '' && /^[\x20-\x7e]+$/.test(comment);
}

/**
 * A recipient shortened for a line of output: `age1abcdefghijkl…`, or for an SSH key its type
 * and the end of the key (the start is the same for every key of a type).
 */
export function shortRecipient(recipient: string): string {
  const ssh = /^(ssh-\S+) (\S+)/.exec(recipient);
  return ssh === null ? `${recipient.slice(0, 16)}…` : `${ssh[1]} …${(ssh[2] as string).slice(-12)}`;
}

/** Eight characters that tell recipients apart in a generated name (`reader-xxxxxxxx`). */
export function recipientId(recipient: Recipient): string {
  if (!recipient.startsWith('ssh-')) return recipient.slice(4, 12);
  return createHash('sha256').update(recipient).digest('hex').slice(0, 8);
}
