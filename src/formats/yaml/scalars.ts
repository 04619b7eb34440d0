/**
 * YAML scalars the way sops sees them: go-yaml v3's resolution of plain scalars
 * (sops-format.md §7.1) and, going the other way, the least quoting that makes a value
 * read back as the same typed value.
 */
import { fitsInt64 } from '../go-scalars.js';
import type { Scalar } from '../../tree.js';

/** `<<` needs no case here: '<' is not in go-yaml's hint table, so it resolves as the string "<<" (an ordinary key for sops). */
export type Resolved = Scalar | { readonly kind: 'null' } | { readonly kind: 'uint64' } | { readonly kind: 'unstorable-time' };

const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const SPECIAL: Readonly<Record<string, Resolved>> = {
  true: { kind: 'bool', value: true },
  True: { kind: 'bool', value: true },
  TRUE: { kind: 'bool', value: true },
  false: { kind: 'bool', value: false },
  False: { kind: 'bool', value: false },
  FALSE: { kind: 'bool', value: false },
  '': { kind: 'null' },
  '~': { kind: 'null' },
  null: { kind: 'null' },
  Null: { kind: 'null' },
  NULL: { kind: 'null' },
  '.nan': { kind: 'float', value: NaN },
  '.NaN': { kind: 'float', value: NaN },
  '.NAN': { kind: 'float', value: NaN },
  '.inf': { kind: 'float', value: Infinity },
  '.Inf': { kind: 'float', value: Infinity },
  '.INF': { kind: 'float', value: Infinity },
  '+.inf': { kind: 'float', value: Infinity },
  '+.Inf': { kind: 'float', value: Infinity },
  '+.INF': { kind: 'float', value: Infinity },
  '-.inf': { kind: 'float', value: -Infinity },
  '-.Inf': { kind: 'float', value: -Infinity },
  '-.INF': { kind: 'float', value: -Infinity },
};

/** go-yaml v3 `resolve("", text)` for an untagged plain scalar. */
export function resolvePlain(text: string): Resolved {
  const hint = text === '' ? 'N' : hintOf(text.charCodeAt(0));
  if (hint === null) return { kind: 'str', value: text };
  const special = Object.hasOwn(SPECIAL, text) ? SPECIAL[text] : undefined;
  if (special !== undefined) return special;
  if (hint === '.') {
    const f = goParseFloat(text);
    return f === null ? { kind: 'str', value: text } : { kind: 'float', value: f };
  }
  if (hint !== 'D' && hint !== 'S') return { kind: 'str', value: text };
  const time = readYamlTimestamp(text);
  if (time !== null) return time;
  return resolveNumber(text) ?? { kind: 'str', value: text };
}

/** The int/float part of the resolver, also used for `!!int`/`!!float` tags. */
export function resolveNumber(text: string): Resolved | null {
  const plain = text.replace(/_/g, '');
  const int = goParseIntBase0(plain);
  if (int !== null && fitsInt64(int)) return { kind: 'int', value: int };
  if (int !== null && int >= 0n && int < 2n ** 64n) return { kind: 'uint64' };
  // Beyond uint64, Go's ParseInt and ParseUint both fail and the float rule applies.
  if (FLOAT.test(plain)) {
    const f = goParseFloat(plain);
    if (f !== null) return { kind: 'float', value: f };
  }
  const bin = /^(-?)0b([01]+)$/.exec(plain);
  if (bin !== null) return intOrNull(BigInt(`0b${bin[2]}`) * (bin[1] === '-' ? -1n : 1n));
  const oct = /^(-?)0o([0-7]+)$/.exec(plain);
  if (oct !== null) return intOrNull(BigInt(`0o${oct[2]}`) * (oct[1] === '-' ? -1n : 1n));
  return null;
}

function intOrNull(value: bigint): Resolved | null {
  if (fitsInt64(value)) return { kind: 'int', value };
  return value >= 0n && value < 2n ** 64n ? { kind: 'uint64' } : null;
}

function hintOf(c: number): 'S' | 'D' | 'M' | '.' | null {
  if (c === 0x2b || c === 0x2d) return 'S';
  if (c >= 0x30 && c <= 0x39) return 'D';
  if ('yYnNtTfFoO~'.includes(String.fromCharCode(c))) return 'M';
  if (c === 0x2e) return '.';
  return null;
}

/** Go's strconv.ParseInt(s, 0, 64) — and beyond int64, for the uint64 check. */
function goParseIntBase0(s: string): bigint | null {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (m === null) return null;
  const [, sign, body = ''] = m;
  let value: bigint;
  if (/^0[xX]/.test(body)) value = BigInt(`0x${body.slice(2)}`);
  else if (/^0[bB]/.test(body)) value = BigInt(`0b${body.slice(2)}`);
  else if (/^0[oO]/.test(body)) value = BigInt(`0o${body.slice(2)}`);
  else if (body.length > 1 && body.startsWith('0')) value = BigInt(`0o${body.slice(1)}`);
  else value = BigInt(body);
  if (sign === '-') {
    value = -value;
    if (value < -(2n ** 63n)) return null;
  }
  return value;
}

/** Go's strconv.ParseFloat(s, 64) on decimal text: `_` may separate digits (`.1_0` is 0.1). */
function goParseFloat(s: string): number | null {
  if (s.includes('_') && !goUnderscoreOK(s)) return null;
  const plain = s.replace(/_/g, '');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(plain)) return null;
  const f = Number(plain);
  return Number.isFinite(f) ? f : null;
}

/** Go's strconv underscoreOK for decimal text: every `_` sits between two digits. */
function goUnderscoreOK(s: string): boolean {
  let saw: 'start' | 'digit' | 'under' | 'other' = 'start';
  for (const c of s.replace(/^[+-]/, '')) {
    if (c >= '0' && c <= '9') saw = 'digit';
    else if (c === '_') {
      if (saw !== 'digit') return false;
      saw = 'under';
    } else {
      if (saw === 'under') return false;
      saw = 'other';
    }
  }
  return saw !== 'under';
}

/**
 * go-yaml v3 timestamps: text starting with four digits and `-`, read by Go's `time.Parse`
 * with the layouts `2006-1-2T15:4:5.999999999Z07:00` (also with `t`), `2006-1-2 15:4:5.999999999`
 * and `2006-1-2`. Go's rules: month, day, hour, minute and second take one or two digits; a
 * space in the layout matches any run of spaces; the fraction may follow a `.` or a `,` and
 * has any number of digits (beyond nine they are dropped); the zone is `Z` or `±hh:mm` with
 * hh ≤ 24 and mm ≤ 60. Returns Go's MarshalText form, or null when it is not a timestamp.
 */
export function parseYamlTimestamp(text: string): string | null {
  const read = readYamlTimestamp(text);
  return read?.kind === 'time' ? read.value : null;
}

/**
 * As {@link parseYamlTimestamp}, telling apart a timestamp Go reads but cannot write back:
 * MarshalText (Go ≥ 1.20) refuses a zone offset of 24 hours or more (`+24:00`, `+23:60`), so
 * sops can neither encrypt nor hash such a value.
 */
export function readYamlTimestamp(text: string): { kind: 'time'; value: string } | { kind: 'unstorable-time' } | null {
  if (!/^\d{4}-/.test(text)) return null;
  for (const layout of ['T', 't', ' ', 'date'] as const) {
    const parsed = goTimeParse(text, layout);
    if (parsed === null) continue;
    const { y, mo, d, h, mi, sec, frac, offset } = parsed;
    if (Math.abs(offset) >= 24 * 60) return { kind: 'unstorable-time' };
    const pad = (v: number, n = 2): string => String(v).padStart(n, '0');
    const fraction = frac.slice(0, 9).replace(/0+$/, '');
    const zone = offset === 0 ? 'Z' : `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
    return { kind: 'time', value: `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(sec)}${fraction === '' ? '' : `.${fraction}`}${zone}` };
  }
  return null;
}

interface GoTime {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  sec: number;
  frac: string;
  /** Minutes east of UTC. */
  offset: number;
}

/** Go's time.Parse for one of go-yaml's layouts; null on any error. */
function goTimeParse(s: string, layout: 'T' | 't' | ' ' | 'date'): GoTime | null {
  let i = 0;
  const num = (): number | null => {
    // Go's getnum: one digit, or two when the second is a digit too.
    if (!isDigit(s[i])) return null;
    const two = isDigit(s[i + 1]);
    const value = Number(s.slice(i, i + (two ? 2 : 1)));
    i += two ? 2 : 1;
    return value;
  };
  const literal = (c: string): boolean => {
    if (s[i] !== c) return false;
    i += 1;
    return true;
  };
  const y = Number(s.slice(0, 4));
  i = 4;
  if (!literal('-')) return null;
  const mo = num();
  if (mo === null || !literal('-')) return null;
  const d = num();
  if (d === null) return null;
  const done = (t: Omit<GoTime, 'y' | 'mo' | 'd'>): GoTime | null =>
    i === s.length && mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate() ? { y, mo, d, ...t } : null;
  if (layout === 'date') return done({ h: 0, mi: 0, sec: 0, frac: '', offset: 0 });
  if (layout === ' ') {
    if (s[i] !== ' ') return null;
    while (s[i] === ' ') i += 1;
  } else if (!literal(layout)) return null;
  const h = num();
  if (h === null || h > 23 || !literal(':')) return null;
  const mi = num();
  if (mi === null || mi > 59 || !literal(':')) return null;
  const sec = num();
  if (sec === null || sec > 59) return null;
  let frac = '';
  if ((s[i] === '.' || s[i] === ',') && isDigit(s[i + 1])) {
    const m = /^\d+/.exec(s.slice(i + 1)) as RegExpExecArray;
    frac = m[0];
    i += 1 + frac.length;
  }
  let offset = 0;
  if (layout !== ' ') {
    if (s[i] === 'Z') i += 1;
    else {
      const m = /^([+-])(\d\d):(\d\d)/.exec(s.slice(i));
      if (m === null) return null;
      const [hh, mm] = [Number(m[2]), Number(m[3])];
      if (hh > 24 || mm > 60) return null;
      offset = (m[1] === '-' ? -1 : 1) * (hh * 60 + mm);
      i += 6;
    }
  }
  return done({ h, mi, sec, frac, offset });
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** YAML 1.1 booleans go-yaml's encoder still quotes, so older readers do not take them as booleans. */
const OLD_BOOLS = new Set(
  'y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF'.split(' '),
);

export type ScalarStyle = 'PLAIN' | 'QUOTE_SINGLE' | 'QUOTE_DOUBLE' | 'BLOCK_LITERAL';

/** Whether text is printable the way YAML plain and single-quoted scalars need. */
function printable(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufeff\ufffe\uffff]|[\ud800-\udfff]/.test(text.replace(/[\ud800-\udbff][\udc00-\udfff]/g, 'x'));
}

/** Whether a string can be written as a plain scalar (libyaml's analysis, block or flow context). */
export function plainAllowed(text: string, inFlow: boolean): boolean {
  if (text === '' || !printable(text) || /[\n\r\t]/.test(text)) return false;
  if (/^\s|\s$/.test(text)) return false;
  if (/^(---|\.\.\.)/.test(text)) return false;
  if (/^[#,[\]{}&*!|>'"%@`]/.test(text)) return false;
  if (/^[-?:](\s|$)/.test(text)) return false;
  if (/:(\s|$)|\s#/.test(text)) return false;
  if (inFlow && /[,[\]{}]/.test(text)) return false;
  if (inFlow && /^[-?:]/.test(text)) return false;
  return true;
}

/**
 * The style for a string value: plain when go-yaml (and YAML 1.1 readers) would read it back
 * as this same string; a literal block for multi-line text in block context; single quotes
 * when only the syntax needs quoting; double quotes otherwise.
 */
export function stringStyle(text: string, inFlow: boolean): ScalarStyle {
  // LS and PS are line breaks to go-yaml (YAML 1.1): only an escape keeps them as they are.
  if (/[\u2028\u2029]/.test(text)) return 'QUOTE_DOUBLE';
  const resolvesToString = resolvePlain(text).kind === 'str' && !OLD_BOOLS.has(text);
  if (text.includes('\n')) {
    return !inFlow && printable(text) && !text.includes('\r') && literalSafe(text) ? 'BLOCK_LITERAL' : 'QUOTE_DOUBLE';
  }
  if (!resolvesToString) return 'QUOTE_DOUBLE';
  if (plainAllowed(text, inFlow)) return 'PLAIN';
  if (printable(text) && !/[\r\t]/.test(text)) return 'QUOTE_SINGLE';
  return 'QUOTE_DOUBLE';
}

/**
 * Whether a literal block (`|`) carries the text exactly: its first line must not start
 * with a space or be empty (that would need an indentation indicator), and no line may end
 * in a blank (libyaml refuses block styles then, and editors strip them).
 */
function literalSafe(text: string): boolean {
  const first = text.split('\n')[0] ?? '';
  return first !== '' && !/^[ \t]/.test(first) && !/[ \t]\n/.test(text) && !/[ \t]$/.test(text);
}

/** Text (and style) for a typed scalar so that it reads back as the same type and value. */
export function scalarSource(scalar: Scalar, inFlow: boolean): { text: string; style: ScalarStyle } {
  switch (scalar.kind) {
    case 'str':
      return { text: scalar.value, style: stringStyle(scalar.value, inFlow) };
    case 'bytes': {
      const text = Buffer.from(scalar.value).toString('utf8');
      return { text, style: stringStyle(text, inFlow) };
    }
    case 'int':
      return { text: scalar.value.toString(), style: 'PLAIN' };
    case 'bool':
      return { text: scalar.value ? 'true' : 'false', style: 'PLAIN' };
    case 'time':
      return { text: scalar.value, style: 'PLAIN' };
    case 'float':
      return { text: yamlFloat(scalar.value), style: 'PLAIN' };
  }
}

/** A float written so it resolves back to a float: `1.0`, not `1` (which would be an int). */
export function yamlFloat(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (value === Infinity) return '.inf';
  if (value === -Infinity) return '-.inf';
  if (Object.is(value, -0)) return '-0.0';
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}
