/**
 * Looking for known secret values in text (`scan`'s "leak" finding): the forms a value takes
 * when someone pastes it somewhere, and a matcher that finds any of many values in a line.
 *
 * Forms of a value `v` (each only when it differs from the ones before):
 *  - `plain`: v itself;
 *  - `base64` / `base64url`: v encoded, standard and URL-safe alphabets. A value encoded
 *    inside a longer string (`user:password` for Basic auth) lands at any of three byte
 *    alignments, so each alignment gives the run of base64 characters that depend on v's
 *    bytes alone; whatever surrounds v cannot change them;
 *  - `url-encoded`: encodeURIComponent(v), with upper- and lower-case escapes;
 *  - `json-escaped`: v inside a JSON string (`"`, `\`, control characters escaped; `/` as `\/`
 *    too, as some encoders write it).
 * A value over several lines is also looked for line by line (each line above the floor, PEM
 * armour lines aside), since scanning reads one line at a time.
 *
 * Which values are worth looking for is the floor's business (secret-floor.ts), decided by
 * the caller. Pure.
 */
import { isSecretLike } from './secret-floor.js';

export type SecretForm = 'plain' | 'base64' | 'base64url' | 'url-encoded' | 'json-escaped';

export interface FormText {
  readonly form: SecretForm;
  readonly text: string;
}

/** Shortest text looked for: shorter runs would match by chance. */
const MIN_NEEDLE = 6;

/** The texts to look for to find `value` in its forms (see the module comment). */
export function formsOf(value: string): FormText[] {
  const out: FormText[] = [];
  const seen = new Set<string>();
  const add = (form: SecretForm, text: string): void => {
    if (text.length < MIN_NEEDLE || seen.has(text)) return;
    seen.add(text);
    out.push({ form, text });
  };
  add('plain', value);
  const bytes = Buffer.from(value, 'utf8');
  for (const core of base64Cores(bytes)) {
    add('base64', core);
    add('base64url', core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  const url = encodeURIComponent(value);
  add('url-encoded', url);
  add('url-encoded', url.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()));
  const json = JSON.stringify(value).slice(1, -1);
  add('json-escaped', json);
  add('json-escaped', json.replace(/\//g, '\\/'));
  if (value.includes('\n')) {
    for (const line of value.split(/\r?\n/)) {
      const text = line.trim();
      if (isSecretLike(text) && !/^-----(?:BEGIN|END) /.test(text)) add('plain', text);
    }
  }
  return out;
}

/**
 * For each of the three alignments of `bytes` in a base64 stream, the characters whose six
 * bits all come from `bytes`: present in any encoding that holds `bytes` at that alignment.
 */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const firstBit = 8 * shift;
    const endBit = 8 * (shift + bytes.length);
    const first = Math.ceil(firstBit / 6);
    const end = Math.floor(endBit / 6); // characters [first, end) are v's alone
    if (end - first >= MIN_NEEDLE) cores.push(encoded.slice(first, end));
    // Aligned and at the end of the stream, the padded tail is v's too.
    if (shift === 0 && endBit % 6 !== 0) cores.push(encoded);
  }
  return cores;
}

/** One text to look for, and what it stands for (the caller's: a secret's file and key). */
export interface Needle<T> {
  readonly text: string;
  readonly form: SecretForm;
  readonly owner: T;
}

export interface NeedleMatch<T> {
  readonly needle: Needle<T>;
  /** 1-based. */
  readonly column: number;
}

const PREFIX = 4;

function prefixKey(text: string, at: number): number {
  return (((text.charCodeAt(at) * 31 + text.charCodeAt(at + 1)) * 31 + text.charCodeAt(at + 2)) * 31 + text.charCodeAt(at + 3)) >>> 0;
}

/**
 * Many needles, looked for in one pass over a line: needles are indexed by their first four
 * characters, and each position of the line looks up its own four (then compares in full).
 * Linear in the line's length for any number of needles that do not share prefixes.
 */
export class NeedleIndex<T> {
  private readonly byPrefix = new Map<number, Array<Needle<T>>>();
  private count = 0;

  add(needle: Needle<T>): void {
    if (needle.text.length < PREFIX) return;
    const key = prefixKey(needle.text, 0);
    const list = this.byPrefix.get(key);
    if (list === undefined) this.byPrefix.set(key, [needle]);
    else list.push(needle);
    this.count += 1;
  }

  get size(): number {
    return this.count;
  }

  /** Every needle found in `line`, leftmost first. */
  find(line: string): Array<NeedleMatch<T>> {
    const out: Array<NeedleMatch<T>> = [];
    if (this.count === 0) return out;
    for (let at = 0; at + PREFIX <= line.length; at++) {
      const list = this.byPrefix.get(prefixKey(line, at));
      if (list === undefined) continue;
      for (const needle of list) if (line.startsWith(needle.text, at)) out.push({ needle, column: at + 1 });
    }
    return out;
  }
}
