/** Small wording helpers shared by messages everywhere (no I/O, no secrets). */

/** `1 file`, `3 files`; `plural` for the irregular ones (`2 identities`). */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}


/**
 * Text from a file or a label made safe for a terminal line: control characters (C0, DEL,
 * C1), line and paragraph separators and bidirectional overrides are shown escaped (`\u001b`),
 * so a key name cannot move the cursor, recolour the screen or reorder what people read.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
