/**
 * One line of scanned text against the two line rules of `scan`: well-known token formats
 * (rules/tokens.ts) and known secret values in any of their forms (rules/secret-forms.ts).
 * Encrypted values (`ENC[…]`) are left out of the line first: their base64 is random and
 * could match anything by chance. A line holding `envseal:allow` (in a comment, by
 * convention) keeps its hits, marked allowed, so the report can count them. Pure.
 */
import { isCommentedSecret } from '../rules/comment-secrets.js';
import type { NeedleIndex, SecretForm } from '../rules/secret-forms.js';
import { findTokens } from '../rules/tokens.js';
import type { Hit, SecretOwner } from './scan-findings.js';

export const ALLOW_MARK = 'envseal:allow';

const SEALED = /ENC\[AES256_GCM,[^\]]*\]/g;

/** A line with each encrypted value emptied to `ENC[]` (columns after one shift; they are for people only). */
export function withoutSealed(line: string): string {
  return line.includes('ENC[') ? line.replace(SEALED, 'ENC[]') : line;
}

/**
 * The hits of one line (`number`: its 1-based line number; `next`: the line after it, for
 * rules that look ahead). Several forms of one secret on a line make one hit: the longest.
 */
export function lineHits(text: string, number: number, next: string | undefined, secrets: NeedleIndex<SecretOwner>): Hit[] {
  const line = withoutSealed(text.endsWith('\r') ? text.slice(0, -1) : text);
  const allowed = line.includes(ALLOW_MARK);
  const hits: Hit[] = findTokens(line, next === undefined ? undefined : withoutSealed(next)).map((t) => ({ kind: 'token', rule: t.rule.id, line: number, column: t.column, allowed }));
  const best = new Map<SecretOwner, { column: number; length: number; form: SecretForm }>();
  for (const { needle, column } of secrets.find(line)) {
    const seen = best.get(needle.owner);
    if (seen === undefined || needle.text.length > seen.length) best.set(needle.owner, { column, length: needle.text.length, form: needle.form });
  }
  for (const [owner, { column, form }] of best) {
    hits.push({ kind: 'leak', rule: owner.past ? 'past-secret' : 'known-secret', line: number, column, allowed, owner, form });
  }
  return hits;
}

/** A comment line (`#` first) of a sops file that assigns a secret-like value: its key, or null. */
export function commentedSecret(text: string): string | null {
  const trimmed = text.trimStart();
  return trimmed.startsWith('#') ? (isCommentedSecret(trimmed)?.key ?? null) : null;
}

/** Whether bytes look binary (a NUL in the first 8000, as git decides). */
export function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8000).includes(0);
}
