/**
 * The plaintext dotenv dialect (docs/dotenv.md, part 1): what people write and what
 * dotenv/dotenvx load. Values parse exactly as dotenvx's `parse` does (it reuses dotenv's
 * line regex), with three deliberate differences:
 *  - no variable expansion and no command substitution: a `$` stays a `$`;
 *  - a line that is not `KEY=VALUE`, a comment or blank is an error naming its line;
 *  - a key defined twice is an error naming both lines.
 * An inline comment (`KEY=v # note`) becomes a comment line above its key.
 */
import { ParseError } from '../errors.js';
import type { Blank, Comment, Entry, MapItem, MapNode, Scalar } from '../tree.js';
import type { WarningSink } from './format.js';

/**
 * dotenv's LINE regex, applied sticky at each line start. Only the leading and trailing
 * whitespace are limited to the line (dotenv lets them swallow neighbouring blank lines
 * and comments, which it discards anyway); the key, separator and value parts are
 * dotenv's own, quirks included.
 */
const LINE =
  /[^\S\n]*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?[^\S\n]*(?:#(.*))?$/my;

export interface PlainLine {
  readonly key: string;
  readonly value: string;
  readonly inlineComment: string | undefined;
  /** Whether an unquoted value was cut at a `#` with no space before it. */
  readonly cutAtHash: boolean;
}

export function parsePlainDotenv(text: string, file: string, warn?: WarningSink): MapNode {
  const src = text.replace(/\r\n?/g, '\n');
  const items: MapItem[] = [];
  const seen = new Map<string, number>();
  let pos = 0;
  let lineNo = 1;
  while (pos < src.length) {
    const end = lineEnd(src, pos);
    const line = src.slice(pos, end);
    const trimmed = line.trimStart();
    if (trimmed.trim() === '') {
      items.push({ kind: 'blank' } satisfies Blank);
    } else if (trimmed.startsWith('#')) {
      items.push({ kind: 'comment', text: trimmed.slice(1) } satisfies Comment);
    } else {
      LINE.lastIndex = pos;
      const m = LINE.exec(src);
      if (m === null) {
        throw new ParseError(`line ${lineNo} is not KEY=VALUE, a comment or a blank line`, {
          file,
          line: lineNo,
          hint: 'fix or remove that line (envseal does not skip lines it cannot read: that would lose data)',
        });
      }
      const parsed = lineFromMatch(m);
      const first = seen.get(parsed.key);
      if (first !== undefined) {
        throw new ParseError(`key ${parsed.key} is defined twice (lines ${first} and ${lineNo})`, {
          file,
          line: lineNo,
          hint: 'keep one of the two lines',
        });
      }
      seen.set(parsed.key, lineNo);
      if (parsed.cutAtHash) {
        warn?.(`${file}:${lineNo}: the value of ${parsed.key} stops at "#" (dotenv reads the rest as a comment); quote the value if the # belongs to it`);
      }
      if (parsed.inlineComment !== undefined) items.push({ kind: 'comment', text: ` ${parsed.inlineComment.trim()}` });
      items.push({ kind: 'entry', key: parsed.key, value: { kind: 'str', value: parsed.value }, line: lineNo } satisfies Entry);
      const consumedTo = m.index + m[0].length;
      lineNo += countNewlines(src, pos, consumedTo);
      pos = consumedTo;
      if (pos < src.length && src[pos] !== '\n') {
        throw new ParseError(`line ${lineNo} has text after its value`, { file, line: lineNo });
      }
      pos = lineEnd(src, pos) + 1;
      lineNo += 1;
      continue;
    }
    pos = end + 1;
    lineNo += 1;
  }
  return { kind: 'map', items };
}

/** Parses one hand-written line (`export K="v"`), or returns null when it is not one. */
export function parsePlainLine(line: string): PlainLine | null {
  if (line.includes('\n')) return null;
  LINE.lastIndex = 0;
  const m = LINE.exec(line);
  if (m === null || m[0].length !== line.length) return null;
  return lineFromMatch(m);
}

function lineFromMatch(m: RegExpExecArray): PlainLine {
  const key = m[1] as string;
  const raw = m[2] ?? '';
  const inlineComment = m[3];
  const cutAtHash = inlineComment !== undefined && !/[\s'"`]$/.test(raw) && raw.trim() !== '' && !/^\s*['"`]/.test(raw);
  return { key, value: unquote(raw), inlineComment, cutAtHash };
}

/** dotenvx's value post-processing: trim, strip matching outer quotes, decode escapes. */
function unquote(raw: string): string {
  let value = raw.trim();
  const quote = value[0];
  value = value.replace(/^(['"`])([\s\S]*)\1$/gm, '$2');
  if (quote === "'") value = value.replace(/\\'/g, "'");
  if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r').replace(/\\t/g, '\t');
  return value;
}

function lineEnd(src: string, from: number): number {
  const i = src.indexOf('\n', from);
  return i === -1 ? src.length : i;
}

function countNewlines(src: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (src.charCodeAt(i) === 10) n++;
  return n;
}

const PLAIN_KEY = /^[\w.-]+$/;

/**
 * A value written bare: no `$` anywhere (dotenvx expands `$VAR`/`${VAR}` and runs `$(cmd)`
 * in bare values), no quote or `#` or space at the start, no `#`, no line break (a CR, and
 * U+2028/U+2029, end a line for both loaders' line regexes), no space at the end.
 */
const BARE = /^[^\s'"`#$][^#$\n\r\u2028\u2029]*$/;

/**
 * Writes a value so that `dotenv.parse` and dotenvx both read back exactly that value,
 * never expanding or running anything: bare when nothing needs quoting, else in single
 * quotes (literal in both), else double quotes (escapes for line breaks; only without `$`,
 * which dotenvx expands there, `\`, whose escapes the two decode differently, and `"`),
 * else backticks (literal in dotenv; dotenvx runs `$(cmd)` in them, so only without `$`).
 * Null when none fits: a `'` or a CR together with a `$`, or all three quotes with a line
 * break. Tests check every choice against both libraries.
 */
export function quoteDotenvValue(value: string): string | null {
  if (value === '') return '';
  if (BARE.test(value) && !/\s$/.test(value)) return value;
  // dotenv turns a CR into a line feed even inside quotes: only a double-quoted \r keeps it.
  if (!value.includes("'") && !value.includes('\r')) return `'${value}'`;
  if (value.includes('$')) return null;
  if (!/["\\]/.test(value)) return `"${value.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
  if (!/[`\r]/.test(value)) return `\`${value}\``;
  return null;
}

/** A comment on one line: a CR or U+2028/U+2029 in it would start a line the loaders read. */
function commentLine(text: string): string {
  return `#${text.replace(/[\n\r\u2028\u2029]/g, ' ')}\n`;
}

export function emitPlainDotenv(doc: MapNode, file: string, toText: (key: string, value: Scalar) => string): string {
  let out = '';
  for (const item of doc.items) {
    if (item.kind === 'blank') {
      out += '\n';
    } else if (item.kind === 'comment') {
      out += commentLine(item.text);
    } else {
      if (!PLAIN_KEY.test(item.key)) {
        throw new ParseError(`key ${JSON.stringify(item.key)} cannot be written as dotenv (keys are letters, digits, _ . -)`, { file });
      }
      if (item.value.kind === 'map' || item.value.kind === 'list') {
        throw new ParseError(`key ${item.key} holds a nested value, which dotenv cannot represent`, {
          file,
          hint: 'choose --format yaml or json for nested data',
        });
      }
      const text = item.value.kind === 'null' ? '' : toText(item.key, item.value);
      const quoted = quoteDotenvValue(text);
      if (quoted === null) {
        throw new ParseError(
          `the value of ${item.key} cannot be written as dotenv that both dotenv and dotenvx read as it is (no quoting keeps its mix of quotes, $, backslashes and line breaks verbatim in both)`,
          { file, hint: 'choose --format json or --format shell (or read the one value with `envseal get`)' },
        );
      }
      out += `${item.key}=${quoted}\n`;
    }
  }
  return out;
}
