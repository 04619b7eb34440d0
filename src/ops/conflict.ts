/**
 * Merge conflicts as git writes them (`<<<<<<< ours`, `=======`, `>>>>>>> theirs`), made from
 * two whole texts by a line diff, and taken apart again. The merge driver uses them on two
 * encrypted renderings (no plaintext reaches the disk); `envseal edit` on the plaintext of
 * both sides, so a person resolves the conflict decrypted.
 */

export const OURS_MARK = '<<<<<<< ';
export const SPLIT_MARK = '=======';
export const THEIRS_MARK = '>>>>>>> ';

/** Whether a text holds conflict markers at the start of a line. */
export function hasConflictMarkers(text: string): boolean {
  return /^<<<<<<< /m.test(text) && /^=======\r?$/m.test(text) && /^>>>>>>> /m.test(text);
}

/** `ours` and `theirs` in one text: common lines once, differing runs between markers. */
export function withMarkers(ours: string, theirs: string, labels: { ours: string; theirs: string }): string {
  const a = splitLines(ours);
  const b = splitLines(theirs);
  const out: string[] = [];
  for (const hunk of diffLines(a, b)) {
    if (hunk.kind === 'same') out.push(...hunk.lines);
    else out.push(`${OURS_MARK}${labels.ours}\n`, ...hunk.ours, `${SPLIT_MARK}\n`, ...hunk.theirs, `${THEIRS_MARK}${labels.theirs}\n`);
  }
  return out.join('');
}

/** The two sides of a text with conflict markers (each whole), or null when it has none. */
export function splitConflict(text: string): { ours: string; theirs: string } | null {
  if (!hasConflictMarkers(text)) return null;
  let ours = '';
  let theirs = '';
  let state: 'both' | 'ours' | 'theirs' = 'both';
  for (const line of splitLines(text)) {
    if (line.startsWith(OURS_MARK) && state === 'both') state = 'ours';
    else if (/^=======\r?\n?$/.test(line) && state === 'ours') state = 'theirs';
    else if (line.startsWith(THEIRS_MARK) && state === 'theirs') state = 'both';
    else if (state === 'both') {
      ours += line;
      theirs += line;
    } else if (state === 'ours') ours += line;
    else theirs += line;
  }
  return state === 'both' ? { ours, theirs } : null;
}

/** Lines with their line ends (the last one may have none). */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

type Hunk = { kind: 'same'; lines: string[] } | { kind: 'change'; ours: string[]; theirs: string[] };

/**
 * A line diff: common prefix and suffix, and a longest common subsequence of the middle
 * (small files: envseal's are at most a few thousand lines; past that, one hunk).
 */
function diffLines(a: readonly string[], b: readonly string[]): Hunk[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const hunks: Hunk[] = [];
  const same = (lines: readonly string[]): void => {
    if (lines.length === 0) return;
    const last = hunks.at(-1);
    if (last?.kind === 'same') last.lines.push(...lines);
    else hunks.push({ kind: 'same', lines: [...lines] });
  };
  const change = (ours: readonly string[], theirs: readonly string[]): void => {
    if (ours.length === 0 && theirs.length === 0) return;
    const last = hunks.at(-1);
    if (last?.kind === 'change') {
      last.ours.push(...ours);
      last.theirs.push(...theirs);
    } else hunks.push({ kind: 'change', ours: [...ours], theirs: [...theirs] });
  };
  same(a.slice(0, start));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  if (midA.length * midB.length > 20_000_000) change(midA, midB);
  else {
    for (const step of lcs(midA, midB)) {
      if (step.kind === 'same') same([step.line]);
      else change(step.kind === 'ours' ? [step.line] : [], step.kind === 'theirs' ? [step.line] : []);
    }
  }
  same(a.slice(endA));
  return hunks;
}

type Step = { kind: 'same' | 'ours' | 'theirs'; line: string };

function lcs(a: readonly string[], b: readonly string[]): Step[] {
  const n = a.length;
  const m = b.length;
  const table = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number): number => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[at(i, j)] = a[i] === b[j] ? (table[at(i + 1, j + 1)] as number) + 1 : Math.max(table[at(i + 1, j)] as number, table[at(i, j + 1)] as number);
    }
  }
  const steps: Step[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      steps.push({ kind: 'same', line: a[i] as string });
      i++;
      j++;
    } else if ((table[at(i + 1, j)] as number) >= (table[at(i, j + 1)] as number)) steps.push({ kind: 'ours', line: a[i++] as string });
    else steps.push({ kind: 'theirs', line: b[j++] as string });
  }
  while (i < n) steps.push({ kind: 'ours', line: a[i++] as string });
  while (j < m) steps.push({ kind: 'theirs', line: b[j++] as string });
  return steps;
}
