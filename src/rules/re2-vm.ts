/**
 * Running a parsed RE2 regex in time linear in the text: the tree is compiled into a
 * Thompson NFA program and simulated breadth-first (a Pike VM without captures), so each
 * program step is visited at most once per character, whatever the pattern. JavaScript's
 * backtracking RegExp is exponential on patterns such as `^(a+)+$`, and these patterns come
 * from unauthenticated file metadata.
 *
 * The program size is bounded (repetitions are expanded), which bounds the work per
 * character: at most MAX_PROGRAM_SIZE steps, whatever the text. RE2's largest repeat,
 * x{1000}, fits; sops configs use a few dozen steps.
 */
import { Re2SyntaxError, type AssertKind, type CharSet, type Re2Node } from './re2-syntax.js';

/** Steps a program may have once repetitions are expanded (sops configs use a few dozen). */
export const MAX_PROGRAM_SIZE = 2000;

const CHAR = 0;
const SPLIT = 1;
const ASSERT = 2;
const MATCH = 3;

type CharTest = (cp: number) => boolean;

export interface Program {
  readonly op: Uint8Array;
  /** CHAR and ASSERT: the next step; SPLIT: the first branch. */
  readonly x: Int32Array;
  /** SPLIT: the second branch. */
  readonly y: Int32Array;
  readonly tests: readonly (CharTest | undefined)[];
  readonly asserts: readonly (AssertKind | undefined)[];
  readonly start: number;
  /** Starts with \A (or ^ without (?m)): no new attempt after the first character. */
  readonly anchored: boolean;
}

export function compileProgram(tree: Re2Node): Program {
  const b = new Builder();
  const match = b.emit(MATCH);
  const start = b.compile(tree, match);
  return {
    op: Uint8Array.from(b.op),
    x: Int32Array.from(b.x),
    y: Int32Array.from(b.y),
    tests: b.tests,
    asserts: b.asserts,
    start,
    anchored: b.op[start] === ASSERT && b.asserts[start] === 'text-start',
  };
}

/** Compiles backwards: each node is compiled knowing the step that follows it. */
class Builder {
  readonly op: number[] = [];
  readonly x: number[] = [];
  readonly y: number[] = [];
  readonly tests: (CharTest | undefined)[] = [];
  readonly asserts: (AssertKind | undefined)[] = [];

  emit(op: number, x = -1, y = -1, test?: CharTest, assert?: AssertKind): number {
    if (this.op.length >= MAX_PROGRAM_SIZE) {
      throw new Re2SyntaxError(`the regex is too large (over ${MAX_PROGRAM_SIZE} steps once repetitions are expanded)`);
    }
    this.op.push(op);
    this.x.push(x);
    this.y.push(y);
    this.tests.push(test);
    this.asserts.push(assert);
    return this.op.length - 1;
  }

  /** One predicate per class, however many copies a repetition makes of it. */
  private readonly charTests = new Map<CharSet, CharTest>();

  private testFor(set: CharSet): CharTest {
    let test = this.charTests.get(set);
    if (test === undefined) {
      test = charTest(set);
      this.charTests.set(set, test);
    }
    return test;
  }

  compile(node: Re2Node, next: number): number {
    switch (node.kind) {
      case 'empty':
        return next;
      case 'char':
        return this.emit(CHAR, next, -1, this.testFor(node.set));
      case 'assert':
        return this.emit(ASSERT, next, -1, undefined, node.assert);
      case 'concat':
        return node.items.reduceRight((pc, item) => this.compile(item, pc), next);
      case 'alt': {
        const entries = node.items.map((item) => this.compile(item, next));
        return entries.reduceRight((pc, entry) => this.emit(SPLIT, entry, pc));
      }
      case 'repeat':
        return this.repeat(node, next);
    }
  }

  /** x{min,max}: min copies, then max-min nested optional copies (or a loop when unbounded). */
  private repeat(node: Extract<Re2Node, { kind: 'repeat' }>, next: number): number {
    let pc: number;
    if (node.max === -1) {
      pc = this.emit(SPLIT, -1, next);
      this.x[pc] = this.compile(node.node, pc);
    } else {
      pc = next;
      for (let i = node.min; i < node.max; i++) pc = this.emit(SPLIT, this.compile(node.node, pc), next);
    }
    for (let i = 0; i < node.min; i++) pc = this.compile(node.node, pc);
    return pc;
  }
}

/** Lists and marks reused across runs of one program (runs never overlap: no callbacks). */
interface Scratch {
  cur: Int32Array;
  next: Int32Array;
  readonly mark: Int32Array;
  readonly stack: Int32Array;
  /** Stamps keep growing across runs, so marks never need clearing. */
  stamp: number;
  /** Length of the list being filled by {@link addThread}. */
  listLen: number;
}

const scratches = new WeakMap<Program, Scratch>();

function scratchFor(p: Program): Scratch {
  let s = scratches.get(p);
  if (s === undefined || s.stamp > 0x7fff0000) {
    const size = p.op.length;
    // A step is pushed at most once per SPLIT or assertion that leads to it, plus the start.
    const stack = new Int32Array(2 * size + 1);
    s = { cur: new Int32Array(size), next: new Int32Array(size), mark: new Int32Array(size).fill(-1), stack, stamp: 0, listLen: 0 };
    scratches.set(p, s);
  }
  return s;
}

/** Adds `from` and the steps reachable without reading a character to `list`; true at a match. */
function addThread(p: Program, s: Scratch, list: Int32Array, from: number, before: number, after: number): boolean {
  const { mark, stack, stamp } = s;
  let top = 0;
  stack[top++] = from;
  while (top > 0) {
    const pc = stack[--top] as number;
    if (mark[pc] === stamp) continue;
    mark[pc] = stamp;
    const op = p.op[pc];
    if (op === MATCH) return true;
    if (op === CHAR) list[s.listLen++] = pc;
    else if (op === SPLIT) {
      stack[top++] = p.y[pc] as number;
      stack[top++] = p.x[pc] as number;
    } else if (holds(p.asserts[pc] as AssertKind, before, after)) stack[top++] = p.x[pc] as number;
  }
  return false;
}

/** Is there a match anywhere in `text`? Linear in its length, whatever the pattern. */
export function runProgram(p: Program, text: string): boolean {
  const s = scratchFor(p);
  let pos = 0;
  let here = text.length > 0 ? (text.codePointAt(0) as number) : -1;
  s.stamp++;
  s.listLen = 0;
  if (addThread(p, s, s.cur, p.start, -1, here)) return true;
  let curLen = s.listLen;
  while (here !== -1) {
    if (curLen === 0 && p.anchored) return false;
    const width = here > 0xffff ? 2 : 1;
    const after = pos + width < text.length ? (text.codePointAt(pos + width) as number) : -1;
    const { cur, next } = s;
    s.stamp++;
    s.listLen = 0;
    for (let i = 0; i < curLen; i++) {
      const pc = cur[i] as number;
      if ((p.tests[pc] as CharTest)(here) && addThread(p, s, next, p.x[pc] as number, here, after)) return true;
    }
    // A search, not a full match: a new attempt starts at every position.
    if (!p.anchored && addThread(p, s, next, p.start, here, after)) return true;
    s.cur = next;
    s.next = cur;
    curLen = s.listLen;
    pos += width;
    here = after;
  }
  return false;
}

const isWord = (cp: number): boolean =>
  (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;

/** An assertion between the characters `before` and `after` (-1: the text's start or end). */
function holds(kind: AssertKind, before: number, after: number): boolean {
  switch (kind) {
    case 'text-start':
      return before === -1;
    case 'text-end':
      return after === -1;
    case 'line-start':
      return before === -1 || before === 0x0a;
    case 'line-end':
      return after === -1 || after === 0x0a;
    case 'word-boundary':
      return isWord(before) !== isWord(after);
    case 'not-word-boundary':
      return isWord(before) === isWord(after);
  }
}

/** The simple lower- and upper-case forms of a code point that are single code points. */
function caseVariants(cp: number): number[] {
  const s = String.fromCodePoint(cp);
  const out: number[] = [];
  for (const v of [s.toLowerCase(), s.toUpperCase()]) {
    const c = v.codePointAt(0) as number;
    if (v.length === (c > 0xffff ? 2 : 1) && c !== cp) out.push(c);
  }
  return out;
}

/** Sorted, merged [lo, hi] pairs, so a test is a binary search whatever the class's size. */
function normalizeRanges(pairs: readonly number[]): Int32Array {
  const list: Array<[number, number]> = [];
  for (let i = 0; i < pairs.length; i += 2) list.push([pairs[i] as number, pairs[i + 1] as number]);
  list.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [lo, hi] of list) {
    const last = merged.length - 1;
    if (last > 0 && lo <= (merged[last] as number) + 1) merged[last] = Math.max(merged[last] as number, hi);
    else merged.push(lo, hi);
  }
  return Int32Array.from(merged);
}

function inRanges(ranges: Int32Array, cp: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < (ranges[2 * mid] as number)) hi = mid - 1;
    else if (cp > (ranges[2 * mid + 1] as number)) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Code points of a case-insensitive class whose case forms are added to it up front. */
const FOLD_EXPANSION = 1024;

const isPlainSet = (s: CharSet): boolean => !s.negated && !s.fold && s.props.length === 0 && s.parts.length === 0;

/**
 * A class as one predicate. Its size is bounded only by the regex's length, so the work
 * per character is kept small: ranges merged (binary search), nested plain sets folded into
 * them, and properties and the other nested sets (\D, [:^alpha:]…) de-duplicated.
 */
function charTest(s: CharSet): CharTest {
  if (isPlainSet(s) && s.ranges.length === 2 && s.ranges[0] === s.ranges[1]) {
    const only = s.ranges[0] as number;
    return (cp) => cp === only;
  }
  const pairs = [...s.ranges];
  for (const part of s.parts) if (isPlainSet(part)) pairs.push(...part.ranges);
  let ranges = normalizeRanges(pairs);
  // Case folding on the pattern's side too, for a few code points (K matches the Kelvin
  // sign); the test below folds the text's side in any case.
  if (s.fold) {
    let budget = FOLD_EXPANSION;
    const folded = [...ranges];
    for (let i = 0; i < ranges.length && budget > 0; i += 2) {
      for (let cp = ranges[i] as number; cp <= (ranges[i + 1] as number) && budget-- > 0; cp++) {
        for (const v of caseVariants(cp)) folded.push(v, v);
      }
    }
    ranges = normalizeRanges(folded);
  }
  const props = [...new Map(s.props.map((re) => [re.source, re])).values()];
  const others = new Map(s.parts.filter((part) => !isPlainSet(part)).map((part) => [JSON.stringify(part, (_k, v: unknown) => (v instanceof RegExp ? v.source : v)), part]));
  const parts = [...others.values()].map(charTest);
  const direct = (cp: number): boolean =>
    inRanges(ranges, cp) || props.some((re) => re.test(String.fromCodePoint(cp))) || parts.some((t) => t(cp));
  const folded = s.fold ? (cp: number) => direct(cp) || caseVariants(cp).some(direct) : direct;
  return s.negated ? (cp) => !folded(cp) : folded;
}
