/**
 * How a file's changes read on a terminal, for `diff` and `log`: the file with what became of
 * it, then `+ KEY`, `~ KEY`, `- KEY`, recipients added and removed, the data key. Values only
 * when the change carries them (`diff --values`). Untrusted text (key names, labels) escaped.
 */
import type { FileChange, FileState, KeyChange, RecipientRef } from '../../ops/diff.js';
import { printable } from '../../text.js';

const SIGNS: Readonly<Record<KeyChange['change'], string>> = { added: '+', removed: '-', changed: '~' };

export function fileChangeLines(change: FileChange, indent: string): string[] {
  const inner = `${indent}  `;
  const lines = [`${indent}${change.file}${stateNote(change.before, change.after)}`];
  for (const k of change.keys) lines.push(`${inner}${SIGNS[k.change]} ${k.key}${valuesText(k)}`);
  for (const r of change.recipients.added) lines.push(`${inner}+ recipient ${recipientText(r)}`);
  for (const r of change.recipients.removed) lines.push(`${inner}- recipient ${recipientText(r)}`);
  if (change.dataKey === 'rotated') lines.push(`${inner}data key rotated (every value re-encrypted)`);
  if (change.dataKey === 'reencrypted') lines.push(`${inner}re-encrypted: every value's ciphertext changed (cannot tell without an identity whether the data key or the values changed)`);
  if (change.keys.some((k) => k.approximate)) lines.push(`${inner}(told by ciphertext: no identity here opens both versions, so a value re-encrypted unchanged counts as changed)`);
  return lines.map(printable);
}

function stateNote(before: FileState, after: FileState): string {
  if (before === after) return '';
  if (after === 'unreadable') return ' (does not parse)';
  if (before === 'unreadable') return ' (did not parse before)';
  if (before === 'absent') return after === 'sops' ? ' (new)' : ' (new, plaintext)';
  if (after === 'absent') return ' (deleted)';
  if (before === 'plaintext') return ' (encrypted: was plaintext)';
  return ' (now PLAINTEXT: no longer encrypted)';
}

function recipientText(r: RecipientRef): string {
  return r.name === null ? r.recipient : `${r.name} (${r.recipient.slice(0, 16)}…)`;
}

function valuesText(k: KeyChange): string {
  if (k.values === undefined) return '';
  const { before, after } = k.values;
  if (k.change === 'added') return ` = ${shown(after)}`;
  if (k.change === 'removed') return ` (was ${shown(before)})`;
  return `: ${shown(before)} -> ${shown(after)}`;
}

function shown(value: string | null): string {
  return value === null ? '(cannot decrypt)' : JSON.stringify(value);
}
