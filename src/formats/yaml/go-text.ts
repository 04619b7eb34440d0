/**
 * Where go-yaml v3 (YAML 1.1, libyaml's scanner) reads text differently from the `yaml`
 * package (YAML 1.2), so that envseal sees the value sops sees:
 * - NEL (U+0085), LS (U+2028) and PS (U+2029) are line breaks. Inside quotes a raw NEL is
 *   folded like a newline (to a space), a raw LS/PS is kept, and blanks around any break are
 *   dropped; in plain or block scalars and in comments such a break ends the token, which
 *   sops then fails to parse or reads differently, so envseal refuses them there.
 * - The escape `\/` does not exist in double-quoted scalars ("found unknown escape").
 * - `!!binary` is decoded with Go's standard base64: padding required, only `\r` and `\n`
 *   skipped.
 * Pure.
 */

/** The YAML 1.1 line breaks that YAML 1.2 reads as ordinary characters. */
export const YAML11_BREAKS = /[\u0085\u2028\u2029]/;

const BLANK = (c: string | undefined): boolean => c === ' ' || c === '\t';
const BREAK = (c: string | undefined): boolean => c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';

/** The escape a double-quoted scalar's source uses that go-yaml refuses, or null. */
export function unknownGoEscape(source: string): string | null {
  for (let i = 1; i < source.length - 1; i++) {
    if (source[i] !== '\\') continue;
    if (source[i + 1] === '/') return '\\/';
    i += 1;
  }
  return null;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  "'": "'",
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};

/**
 * The value of a quoted scalar as libyaml scans it (yaml_parser_scan_flow_scalar), given its
 * source with the quotes. Null when go-yaml would refuse it (an unknown or bad escape). The
 * structure (closing quote, indentation) has already been checked by the `yaml` package.
 */
export function goQuotedValue(source: string): string | null {
  const single = source[0] === "'";
  const end = source.length - 1;
  let i = 1;
  let out = '';
  for (;;) {
    let leadingBlanks = false;
    while (i < end && !BLANK(source[i]) && !BREAK(source[i])) {
      const c = source[i] as string;
      if (single && c === "'" && source[i + 1] === "'") {
        out += "'";
        i += 2;
      } else if (!single && c === '\\' && BREAK(source[i + 1])) {
        i = skipBreak(source, i + 1);
        leadingBlanks = true;
        break;
      } else if (!single && c === '\\') {
        const e = source[i + 1] as string;
        const simple = SIMPLE_ESCAPES[e];
        if (simple !== undefined) {
          out += simple;
          i += 2;
          continue;
        }
        const length = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
        const hex = source.slice(i + 2, i + 2 + length);
        if (length === 0 || !/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== length) return null;
        const code = parseInt(hex, 16);
        if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return null;
        out += String.fromCodePoint(code);
        i += 2 + length;
      } else {
        out += c;
        i += 1;
      }
    }
    if (i >= end) return out;
    let whitespace = '';
    let leadingBreak = '';
    let trailingBreaks = '';
    while (i < end && (BLANK(source[i]) || BREAK(source[i]))) {
      if (BLANK(source[i])) {
        if (!leadingBlanks) whitespace += source[i];
        i += 1;
      } else {
        const brk = readBreak(source, i);
        if (!leadingBlanks) {
          whitespace = '';
          leadingBreak = brk.text;
          leadingBlanks = true;
        } else {
          trailingBreaks += brk.text;
        }
        i = brk.next;
      }
    }
    if (leadingBlanks) out += leadingBreak === '\n' ? (trailingBreaks === '' ? ' ' : trailingBreaks) : leadingBreak + trailingBreaks;
    else out += whitespace;
    if (i >= end) return out;
  }
}

/** A break as libyaml's read_line gives it: CR LF, CR, LF and NEL become `\n`; LS and PS stay. */
function readBreak(source: string, i: number): { text: string; next: number } {
  const c = source[i];
  if (c === '\r' && source[i + 1] === '\n') return { text: '\n', next: i + 2 };
  if (c === '\u2028' || c === '\u2029') return { text: c, next: i + 1 };
  return { text: '\n', next: i + 1 };
}

function skipBreak(source: string, i: number): number {
  return readBreak(source, i).next;
}

/**
 * Go's `base64.StdEncoding.DecodeString` on a `!!binary` value: `\r` and `\n` are skipped,
 * anything else outside the alphabet, or missing padding, is an error (null).
 */
export function goBase64(text: string): Uint8Array | null {
  const clean = text.replace(/[\r\n]/g, '');
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean)) return null;
  return new Uint8Array(Buffer.from(clean, 'base64'));
}
