/**
 * Commented-out assignments. envseal keeps comments readable (they document the secrets),
 * while sops encrypts them: a secret someone commented out (`# OLD_PASSWORD=hunter2`) would
 * then be committed in clear. `encrypt` warns about such comments and `scan` looks for them;
 * both use {@link commentAssignment} and the floor for secrets. Pure.
 *
 * What counts as an assignment, in the comment's text after any `#` and blanks (and a YAML
 * list dash, `# - key: value`):
 * - `KEY=value` or `export KEY=value` (dotenv), blanks allowed around `=`;
 * - `key: value` (YAML), with at least one blank after the colon;
 * where KEY starts with a letter or `_` and holds letters, digits, `_`, `.` and `-`. The
 * value is the text inside matching quotes, or else the text up to an inline ` #`; an
 * unquoted value with blanks inside is prose (`# TODO: fix this`), not an assignment.
 */
import { isSecretLike } from './secret-floor.js';
import { forEachLeaf, type MapNode } from '../tree.js';

export interface CommentAssignment {
  readonly key: string;
  readonly value: string;
}

const ASSIGNMENT = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)(?:\s*=\s*|:\s+)(.*)$/;

/** The key and value a comment assigns, or null when it does not look like an assignment. */
export function commentAssignment(text: string): CommentAssignment | null {
  const m = ASSIGNMENT.exec(text.replace(/^[#\s]+(?:-\s+)?/, ''));
  if (m === null) return null;
  const key = m[1] as string;
  const value = assignedValue((m[2] as string).trim());
  return value === null || value === '' ? null : { key, value };
}

function assignedValue(rest: string): string | null {
  const quote = rest[0];
  if (quote === '"' || quote === "'") {
    const end = rest.indexOf(quote, 1);
    if (end === -1) return null;
    const after = rest.slice(end + 1).trim();
    return after === '' || after.startsWith('#') ? rest.slice(1, end) : null;
  }
  const value = rest.replace(/\s+#.*$/, '');
  return /\s/.test(value) ? null : value;
}

/** Whether a comment assigns a value above the floor for secrets (ciphertext aside). */
export function isCommentedSecret(text: string): CommentAssignment | null {
  const found = commentAssignment(text);
  return found !== null && !found.value.startsWith('ENC[') && isSecretLike(found.value) ? found : null;
}

export interface ClearCommentSecret {
  /** The key the comment assigns (the value is never reported). */
  readonly key: string;
  /** 1-based line of the comment, when the format knows it. */
  readonly line: number | undefined;
}

/**
 * Comments left in clear in `docs` that assign a secret-like value, in document order. A
 * comment's line is its own when the format recorded one, otherwise the next line of `source`
 * (the file's text) that holds that comment.
 */
export function clearCommentSecrets(docs: readonly MapNode[], source?: string): ClearCommentSecret[] {
  const out: ClearCommentSecret[] = [];
  const lines = source?.split('\n') ?? [];
  let cursor = 0;
  const bare = (text: string): string => text.replace(/^[#\s]+/, '').trimEnd();
  const lineOf = (text: string): number | undefined => {
    const wanted = bare(text);
    for (let i = cursor; i < lines.length; i++) {
      const at = (lines[i] as string).indexOf('#');
      if (at !== -1 && bare((lines[i] as string).slice(at)) === wanted) {
        cursor = i + 1;
        return i + 1;
      }
    }
    return undefined;
  };
  for (const doc of docs) {
    forEachLeaf(doc, (leaf) => {
      if (leaf.kind !== 'comment') return;
      const found = isCommentedSecret(leaf.text);
      if (found !== null) out.push({ key: found.key, line: leaf.line ?? lineOf(leaf.text) });
    });
  }
  return out;
}
