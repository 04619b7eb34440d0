/**
 * Parsing Go RE2 syntax (the dialect sops uses: Perl flags, Unicode groups) into a small
 * tree that re2-vm.ts runs in linear time. Regexes come from files' unauthenticated
 * metadata, so everything RE2 refuses is refused here too, with a reason, and sizes are
 * bounded (repeat counts as in RE2, nesting depth) before anything is expanded.
 *
 * Captures, names and greediness are parsed and dropped: callers only ask "is there a
 * match", for which they make no difference.
 */

/** A set of code points: ranges (pairs, inclusive), Unicode properties, nested sets. */
export interface CharSet {
  readonly ranges: readonly number[];
  readonly props: readonly RegExp[];
  readonly parts: readonly CharSet[];
  readonly negated: boolean;
  /** Case-insensitive: a code point also matches through its simple upper/lower case. */
  readonly fold: boolean;
}

export type AssertKind = 'text-start' | 'text-end' | 'line-start' | 'line-end' | 'word-boundary' | 'not-word-boundary';

export type Re2Node =
  | { readonly kind: 'empty' }
  | { readonly kind: 'char'; readonly set: CharSet }
  | { readonly kind: 'assert'; readonly assert: AssertKind }
  | { readonly kind: 'concat'; readonly items: readonly Re2Node[] }
  | { readonly kind: 'alt'; readonly items: readonly Re2Node[] }
  /** max -1: unbounded. Counted: written x{n,m} (RE2 bounds those, nested ones together). */
  | { readonly kind: 'repeat'; readonly node: Re2Node; readonly min: number; readonly max: number; readonly counted: boolean };

/** Thrown inside the parser; compileRe2 turns it into a refusal with this reason. */
export class Re2SyntaxError extends Error {}

const MAX_REPEAT = 1000;
/** Group nesting (RE2 allows 1000): keeps the recursive parser and compiler shallow; sops configs nest two or three. */
const MAX_DEPTH = 100;

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
}

const set = (ranges: number[], negated = false, fold = false): CharSet => ({ ranges, props: [], parts: [], negated, fold });
const DIGIT = [0x30, 0x39];
const WORD = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
/** RE2's \s is ASCII and has no \v. */
const SPACE = [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20];
const PERL_CLASSES: Readonly<Record<string, readonly number[]>> = { d: DIGIT, s: SPACE, w: WORD };

const POSIX_CLASSES: Readonly<Record<string, readonly number[]>> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: DIGIT,
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: WORD,
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { a: 0x07, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };

/** Sticky patterns for the parser, matched at its position. */
const REPEAT_SPEC = /\{(\d+)(,(\d*))?\}/y;
const NAMED_GROUP = /\?P?<([^>]*)>/y;
const LOOK_AROUND = /\?<?[=!]/y;
const FLAGS_GROUP = /\?([imsU]*)(?:-([imsU]*))?([:)])/y;
const OCTAL = /[0-7]{1,3}/y;
const HEX = /x(?:\{([0-9A-Fa-f]{1,8})\}|([0-9A-Fa-f]{2}))/y;
const UNICODE_CLASS = /[pP](?:\{(\^?)([A-Za-z_]+)\}|([A-Za-z]))/y;
const POSIX_CLASS = /\[:(\^?)([a-z]*):\]/y;
const NOT_IN_CLASS = /\\[AzbBQ]/y;

export function parseRe2(source: string): Re2Node {
  return new Parser(source).parseAll();
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly src: string) {}

  parseAll(): Re2Node {
    const node = this.parseAlternation({ i: false, m: false, s: false });
    if (this.pos < this.src.length) throw new Re2SyntaxError('unexpected ) without a matching (');
    return node;
  }

  private peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  /** Matches a sticky regex at the current position (no copy of the rest: parsing stays linear). */
  private at(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.pos;
    return re.exec(this.src);
  }

  /** The next few characters, for an error message. */
  private snippet(length: number): string {
    return this.src.slice(this.pos, this.pos + length);
  }

  /** Reads one code point (a surrogate pair counts as one character, as a rune in Go). */
  private nextCodePoint(): number {
    const cp = this.src.codePointAt(this.pos) as number;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  /** Alternatives up to a ")" (left for the caller) or the end; flags last to the group's end. */
  private parseAlternation(outer: Flags): Re2Node {
    const flags = { ...outer };
    const branches: Re2Node[] = [];
    let items: Re2Node[] = [];
    // What a repetition operator may follow: an atom, not another repetition or nothing.
    let last: 'none' | 'atom' | 'repeat' = 'none';
    while (this.pos < this.src.length && this.peek() !== ')') {
      const c = this.peek();
      if (c === '|') {
        this.pos++;
        branches.push(concat(items));
        items = [];
        last = 'none';
      } else if (c === '*' || c === '+' || c === '?' || (c === '{' && this.repeatSpec() !== null)) {
        if (last === 'none') throw new Re2SyntaxError(`missing argument to repetition operator ${c}`);
        if (last === 'repeat') throw new Re2SyntaxError('invalid nested repetition operator');
        items.push(this.parseRepeat(items.pop() as Re2Node));
        last = 'repeat';
      } else {
        const atoms = this.parseAtom(flags);
        for (const atom of atoms) items.push(atom); // \Q…\E may give more atoms than a call has arguments
        last = atoms.length === 0 ? 'none' : 'atom';
      }
    }
    branches.push(concat(items));
    return branches.length === 1 ? (branches[0] as Re2Node) : { kind: 'alt', items: branches };
  }

  /** `{n}`, `{n,}` or `{n,m}` at the current position; null when the text is a literal "{". */
  private repeatSpec(): { min: number; max: number; length: number } | null {
    const m = this.at(REPEAT_SPEC);
    if (m === null) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
    return { min, max, length: m[0].length };
  }

  private parseRepeat(node: Re2Node): Re2Node {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '{') {
      const spec = this.repeatSpec() as NonNullable<ReturnType<Parser['repeatSpec']>>;
      if (spec.min > MAX_REPEAT || spec.max > MAX_REPEAT || (spec.max !== -1 && spec.max < spec.min)) {
        throw new Re2SyntaxError(`invalid repeat count ${this.src.slice(this.pos, this.pos + spec.length)}`);
      }
      ({ min, max } = spec);
      const repeat: Re2Node = { kind: 'repeat', node, min, max, counted: true };
      if ((min >= 2 || max >= 2) && !nestedRepeatsWithin(repeat, MAX_REPEAT)) {
        throw new Re2SyntaxError(`invalid repeat count ${this.src.slice(this.pos, this.pos + spec.length)}: nested repetitions over ${MAX_REPEAT}`);
      }
      this.pos += spec.length;
      if (this.peek() === '?') this.pos++; // non-greedy: the same yes/no answer
      return repeat;
    }
    this.pos++;
    [min, max] = c === '*' ? [0, -1] : c === '+' ? [1, -1] : [0, 1];
    if (this.peek() === '?') this.pos++;
    return { kind: 'repeat', node, min, max, counted: false };
  }

  /** One atom; none for a flags group like `(?i)`, several for `\Q...\E`. */
  private parseAtom(flags: Flags): Re2Node[] {
    const c = this.peek();
    if (c === '(') return this.parseGroup(flags);
    if (c === '[') return [{ kind: 'char', set: this.parseClass(flags) }];
    if (c === '\\') return this.parseEscape(flags);
    const cp = this.nextCodePoint();
    if (c === '.') return [{ kind: 'char', set: set(flags.s ? [] : [0x0a, 0x0a], true) }];
    if (c === '^') return [{ kind: 'assert', assert: flags.m ? 'line-start' : 'text-start' }];
    if (c === '$') return [{ kind: 'assert', assert: flags.m ? 'line-end' : 'text-end' }];
    return [literal(cp, flags)];
  }

  private parseGroup(flags: Flags): Re2Node[] {
    this.pos++; // (
    let inner = flags;
    if (this.peek() === '?') {
      const named = this.at(NAMED_GROUP);
      if (named !== null) {
        if (!/^[A-Za-z0-9_]+$/.test(named[1] ?? '')) throw new Re2SyntaxError(`invalid named capture (?${named[0].slice(1)}`);
        this.pos += named[0].length;
      } else if (this.at(LOOK_AROUND) !== null) {
        throw new Re2SyntaxError('look-around (?=, (?!, (?<=, (?<! is not supported (RE2 has none)');
      } else if (this.src.startsWith('?P=', this.pos)) {
        throw new Re2SyntaxError('backreferences are not supported (RE2 has none)');
      } else {
        const m = this.at(FLAGS_GROUP);
        if (m === null || (m[1] === '' && m[2] === undefined && m[3] === ')') || m[2] === '') {
          throw new Re2SyntaxError(`invalid or unsupported group syntax (${this.snippet(4)}`);
        }
        this.pos += m[0].length;
        const changed = { ...flags };
        for (const f of m[1] ?? '') if (f !== 'U') changed[f as keyof Flags] = true;
        for (const f of m[2] ?? '') if (f !== 'U') changed[f as keyof Flags] = false;
        if (m[3] === ')') {
          Object.assign(flags, changed); // (?i): to the end of the enclosing group
          return [];
        }
        inner = changed;
      }
    }
    if (++this.depth > MAX_DEPTH) throw new Re2SyntaxError(`groups nested more than ${MAX_DEPTH} deep`);
    const node = this.parseAlternation(inner);
    this.depth--;
    if (this.peek() !== ')') throw new Re2SyntaxError('missing closing )');
    this.pos++;
    return [node];
  }

  private parseEscape(flags: Flags): Re2Node[] {
    const after = this.peek(1);
    const asserts: Record<string, AssertKind> = { A: 'text-start', z: 'text-end', b: 'word-boundary', B: 'not-word-boundary' };
    const assert = asserts[after];
    if (assert !== undefined) {
      this.pos += 2;
      return [{ kind: 'assert', assert }];
    }
    if (after === 'Q') {
      this.pos += 2;
      const end = this.src.indexOf('\\E', this.pos);
      const text = this.src.slice(this.pos, end === -1 ? undefined : end);
      this.pos = end === -1 ? this.src.length : end + 2;
      return [...text].map((ch) => literal(ch.codePointAt(0) as number, flags));
    }
    const escaped = this.parseClassEscape(flags);
    return [typeof escaped === 'number' ? literal(escaped, flags) : { kind: 'char', set: escaped }];
  }

  /** An escape that stands for one character (a number) or a class (\d, \pL…). */
  private parseClassEscape(flags: Flags): number | CharSet {
    this.pos++; // backslash
    if (this.pos >= this.src.length) throw new Re2SyntaxError('trailing backslash at end of expression');
    const c = this.peek();
    const perl = PERL_CLASSES[c.toLowerCase()];
    if (perl !== undefined) {
      this.pos++;
      return set([...perl], c !== c.toLowerCase(), false);
    }
    if (c === 'p' || c === 'P') return this.parseUnicodeClass(c === 'P', flags);
    if (c === 'x') return this.parseHexEscape();
    if (/[0-7]/.test(c)) {
      const octal = this.at(OCTAL)?.[0] as string;
      if (c !== '0' && octal.length === 1) throw new Re2SyntaxError(`backreferences are not supported (RE2 has none): \\${c}`);
      this.pos += octal.length;
      return parseInt(octal, 8);
    }
    const simple = SIMPLE_ESCAPES[c];
    this.pos++;
    if (simple !== undefined) return simple;
    if (c < '\x80' && !/[A-Za-z0-9]/.test(c)) return c.codePointAt(0) as number;
    throw new Re2SyntaxError(`invalid escape sequence \\${c}`);
  }

  private parseHexEscape(): number {
    const m = this.at(HEX);
    const value = m === null ? NaN : parseInt((m[1] ?? m[2]) as string, 16);
    if (m === null || value > 0x10ffff) throw new Re2SyntaxError(`invalid escape sequence \\${this.snippet(4)}`);
    this.pos += m[0].length;
    return value;
  }

  /** \pL, \p{Greek}, \p{^Greek}, \PL: Unicode general categories and scripts, as in RE2. */
  private parseUnicodeClass(negated: boolean, flags: Flags): CharSet {
    const m = this.at(UNICODE_CLASS);
    if (m === null) throw new Re2SyntaxError(`invalid character class range \\${this.snippet(4)}`);
    this.pos += m[0].length;
    const name = (m[2] ?? m[3]) as string;
    const negate = negated !== (m[1] === '^');
    if (name === 'Any') return set([0, 0x10ffff], negate, false);
    const prop = unicodeProperty(name);
    if (prop === null) throw new Re2SyntaxError(`invalid character class range \\p{${name}}`);
    return { ranges: [], props: [prop], parts: [], negated: negate, fold: flags.i };
  }

  /** `[...]`: ranges, escapes, `[:alpha:]`; a `]` right after `[` or `[^` is a literal. */
  private parseClass(flags: Flags): CharSet {
    this.pos++; // [
    const negated = this.peek() === '^';
    if (negated) this.pos++;
    const ranges: number[] = [];
    const parts: CharSet[] = [];
    let first = true;
    for (;;) {
      if (this.pos >= this.src.length) throw new Re2SyntaxError('missing closing ]');
      if (this.peek() === ']' && !first) break;
      first = false;
      const posix = this.at(POSIX_CLASS);
      if (posix !== null) {
        const range = POSIX_CLASSES[posix[2] as string];
        if (range === undefined) throw new Re2SyntaxError(`invalid character class range ${posix[0]}`);
        parts.push(set([...range], posix[1] === '^', flags.i));
        this.pos += posix[0].length;
        continue;
      }
      const lo = this.classChar(flags);
      if (typeof lo !== 'number') {
        parts.push(lo);
        continue;
      }
      let hi = lo;
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== '') {
        this.pos++;
        const end = this.classChar(flags);
        if (typeof end !== 'number' || end < lo) throw new Re2SyntaxError('invalid character class range');
        hi = end;
      }
      ranges.push(lo, hi);
    }
    this.pos++; // ]
    return { ranges, props: [], parts, negated, fold: flags.i };
  }

  private classChar(flags: Flags): number | CharSet {
    if (this.peek() === '\\') {
      if (this.at(NOT_IN_CLASS) !== null) throw new Re2SyntaxError(`invalid escape sequence ${this.snippet(2)} in a character class`);
      return this.parseClassEscape(flags);
    }
    return this.nextCodePoint();
  }
}

/** RE2's limit on counted repetitions nested in one another: their counts multiply. */
function nestedRepeatsWithin(node: Re2Node, budget: number): boolean {
  let left = budget;
  if (node.kind === 'repeat' && node.counted) {
    const count = node.max === -1 ? node.min : node.max;
    if (count > left) return false;
    if (count > 0) left = Math.floor(left / count);
  }
  if (node.kind === 'repeat') return nestedRepeatsWithin(node.node, left);
  if (node.kind === 'concat' || node.kind === 'alt') return node.items.every((item) => nestedRepeatsWithin(item, left));
  return true;
}

function concat(items: Re2Node[]): Re2Node {
  if (items.length === 0) return { kind: 'empty' };
  return items.length === 1 ? (items[0] as Re2Node) : { kind: 'concat', items };
}

function literal(cp: number, flags: Flags): Re2Node {
  return { kind: 'char', set: set([cp, cp], false, flags.i) };
}

/** A one-character matcher for a general category (L, Lu…) or a script (Greek…). */
function unicodeProperty(name: string): RegExp | null {
  for (const form of [`General_Category=${name}`, `Script=${name}`]) {
    try {
      return new RegExp(`^\\p{${form}}$`, 'u');
    } catch {
      // not this kind of property name
    }
  }
  return null;
}
