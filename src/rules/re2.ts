/**
 * sops regexes are Go RE2, matched as a search (unanchored). They are parsed here with
 * RE2's own rules (re2-syntax.ts) and run by a linear-time engine (re2-vm.ts), never as a
 * JavaScript RegExp: a regex from a file's metadata or a .sops.yaml is untrusted, and a
 * backtracking engine takes exponential time on patterns such as `^(a+)+$`. What RE2
 * refuses (look-around, backreferences, bad syntax) is refused with a reason, as is a
 * regex too large once its repetitions are expanded.
 */
import { compileProgram, runProgram } from './re2-vm.js';
import { Re2SyntaxError, parseRe2 } from './re2-syntax.js';

/** A compiled regex; `test` answers "does it match anywhere in the text", like RegExp#test. */
export interface Re2Regex {
  readonly source: string;
  test(text: string): boolean;
}

export type Re2Result = { ok: true; regex: Re2Regex } | { ok: false; reason: string };

/** Answers kept per regex: the same key is tested once per leaf below it. */
const MEMO_ENTRIES = 4096;
const MEMO_TEXT_LENGTH = 256;

export function compileRe2(source: string): Re2Result {
  try {
    const program = compileProgram(parseRe2(source));
    const memo = new Map<string, boolean>();
    const test = (text: string): boolean => {
      const known = memo.get(text);
      if (known !== undefined) return known;
      const answer = runProgram(program, text);
      if (text.length <= MEMO_TEXT_LENGTH && memo.size < MEMO_ENTRIES) memo.set(text, answer);
      return answer;
    };
    return { ok: true, regex: { source, test } };
  } catch (err) {
    if (err instanceof Re2SyntaxError) return { ok: false, reason: err.message };
    throw err;
  }
}
