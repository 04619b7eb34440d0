/**
 * Recipients: the public half of an age identity. `parseRecipient` is the only way to make
 * a {@link Recipient}, so the core never sees an unchecked string where a recipient belongs.
 */
import { bech32Decode } from './bech32.js';

declare const recipientBrand: unique symbol;
/** A checked age recipient string (`age1…` X25519 or `age1pq1…` hybrid post-quantum). */
export type Recipient = string & { readonly [recipientBrand]: true };

export type RecipientParse = { ok: true; recipient: Recipient } | { ok: false; reason: string };

const KINDS = [
  { hrp: 'age', bytes: 32, name: 'X25519' },
  { hrp: 'age1pq', bytes: 1216, name: 'hybrid post-quantum' },
] as const;

export function parseRecipient(input: string): RecipientParse {
  const text = input.trim();
  if (text.startsWith('ssh-')) {
    return { ok: false, reason: 'SSH recipients are not supported by envseal; use an age recipient (envseal keygen)' };
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

/** A secret key pasted where a recipient belongs: never echo any of it. */
export function looksLikeIdentity(text: string): boolean {
  return /^AGE-(SECRET-KEY|PLUGIN)-/i.test(text.trim());
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
