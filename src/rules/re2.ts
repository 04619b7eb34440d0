/**
 * sops regexes are Go RE2, matched as a search (unanchored). JavaScript's RegExp agrees on
 * the common syntax; this module translates the RE2-only parts that have a JavaScript
 * equivalent (leading inline flags, `\A`, `\z`, `(?P<name>`) and refuses the rest with a
 * reason, instead of silently matching something different.
 */

export type Re2Result = { ok: true; regex: RegExp } | { ok: false; reason: string };

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

export function compileRe2(source: string): Re2Result {
  let pattern = source;
  let flags = '';
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  if (lead !== null) {
    const wanted = lead[1] ?? '';
    if (wanted.includes('U')) return { ok: false, reason: 'the (?U) flag has no JavaScript equivalent' };
    flags = [...new Set(wanted)].join('');
    pattern = pattern.slice(lead[0].length);
  }
  if (/\(\?[imsU-]+[:)]/.test(pattern)) return { ok: false, reason: 'inline flags are only supported at the start' };
  if (/\(\?<?[=!]/.test(pattern)) return { ok: false, reason: 'RE2 has no look-around' };
  if (/\\[1-9]/.test(pattern)) return { ok: false, reason: 'RE2 has no backreferences' };
  if (/\\[QE]/.test(pattern)) return { ok: false, reason: '\\Q...\\E quoting is not supported' };
  pattern = pattern
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\[:(\^?)([a-z]+):\]/g, (whole, negate: string, name: string) => {
      const range = POSIX_CLASSES[name];
      if (range === undefined) return whole;
      return negate === '' ? range : `^${range}`;
    });
  try {
    return { ok: true, regex: new RegExp(pattern, flags) };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : 'invalid regex' };
  }
}
