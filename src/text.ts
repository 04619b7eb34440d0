/** Small wording helpers shared by messages everywhere (no I/O, no secrets). */

/** `1 file`, `3 files`; `plural` for the irregular ones (`2 identities`). */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

