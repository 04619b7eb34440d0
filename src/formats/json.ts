/**
 * JSON (sops-format.md §6.4, §7.2). Parsed by hand so key order survives (`JSON.parse`
 * moves integer-like keys such as "10" first) and so errors carry a line number. Numbers
 * follow sops ≥ 3.13.2: an integer literal that fits int64 is an int, anything else a float.
 * Output is what sops writes: tab indentation, `": "`, Go's string escaping, final newline;
 * except that a whole float keeps its `.0` (sops writes `1`, which then reads as an int).
 *
 * A key that appears twice in an object is an error in a plaintext file (as in dotenv: one
 * of the two is a mistake), but a sops file can hold one, and sops reads it: both are kept,
 * in file order (the MAC covers every occurrence and the output writes both; readers take
 * the last, and so do `get` and `run`), with a warning. A byte-order mark is refused (Go's
 * decoder does not skip it).
 */
import { fitsInt64 } from './go-scalars.js';
import { ParseError } from '../errors.js';
import { nodeToRaw, rawToNode } from '../metadata/raw-tree.js';
import type { Entry, ListItem, MapNode, Node } from '../tree.js';
import type { Format, StoreOptions } from './format.js';

export const jsonFormat: Format = {
  name: 'json',
  parse(text, file, warn) {
    const reader = new JsonReader(text, file);
    const value = reader.document();
    if (value.kind !== 'map') throw new ParseError('the top level of a JSON file must be an object', { file, line: 1 });
    const sops = value.items.find((item): item is Entry => item.kind === 'entry' && item.key === 'sops');
    for (const { key, line, first } of reader.duplicates) {
      const what = `key ${JSON.stringify(key)} appears twice (lines ${first} and ${line})`;
      if (sops === undefined) throw new ParseError(`invalid JSON at line ${line}: ${what}`, { file, line, hint: 'keep one of them' });
      warn?.(`${file}:${line}: ${what}; sops keeps both, and readers take the last`);
    }
    const docItems = value.items.filter((item) => item !== sops);
    return {
      format: 'json',
      docs: [{ kind: 'map', items: docItems }],
      metadata: sops === undefined ? undefined : nodeToRaw(sops.value),
    };
  },
  emitEncrypted(docs, metadata, _original, file, store) {
    const doc = singleDoc(docs, file);
    return `${writeNode({ kind: 'map', items: [...doc.items, { kind: 'entry', key: 'sops', value: rawToNode(metadata) }] }, '', file, indentUnit(store))}\n`;
  },
  emitPlain(docs, _original, file, store) {
    return `${writeNode(singleDoc(docs, file), '', file, indentUnit(store))}\n`;
  },
};

/** sops's JSON store: a tab per level unless `stores.json.indent` sets a number of spaces (json.Indent). */
/**
 * One JSON value of any kind (`7777`, `1.0`, `"text"`, `{"a": 1}`): `set --json`. Ints and
 * floats stay apart as in a file; a key twice in an object is an error. `source` names the
 * text in errors, which give its line, never the text.
 */
export function parseJsonValue(text: string, source: string): Node {
  const reader = new JsonReader(text, source);
  const value = reader.document();
  const twice = reader.duplicates[0];
  if (twice !== undefined) throw new ParseError(`invalid JSON at line ${twice.line}: key ${JSON.stringify(twice.key)} appears twice`, { file: source, line: twice.line });
  return value;
}

function indentUnit(store: StoreOptions | undefined): string {
  const n = store?.jsonIndent;
  return n === undefined || n < 0 ? '\t' : ' '.repeat(n);
}

function singleDoc(docs: readonly MapNode[], file: string): MapNode {
  if (docs.length !== 1) throw new ParseError(`a JSON file holds one document, not ${docs.length}`, { file });
  return docs[0] as MapNode;
}

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class JsonReader {
  #pos = 0;
  readonly #text: string;
  readonly #file: string;
  /** Keys met twice in one object, in file order. */
  readonly duplicates: Array<{ key: string; line: number; first: number }> = [];

  constructor(text: string, file: string) {
    this.#text = text;
    this.#file = file;
  }

  document(): Node {
    if (this.#text.charCodeAt(0) === 0xfeff) this.#fail('the file starts with a byte-order mark, which sops cannot read; save it without one');
    this.#skipSpace();
    const value = this.#value(0);
    this.#skipSpace();
    if (this.#pos < this.#text.length) this.#fail('unexpected text after the JSON value');
    return value;
  }

  #value(depth: number): Node {
    if (depth > 500) this.#fail('nesting is too deep');
    const c = this.#text[this.#pos];
    switch (c) {
      case '{':
        return this.#object(depth);
      case '[':
        return this.#array(depth);
      case '"':
        return { kind: 'str', value: this.#string() };
      case 't':
        return this.#word('true', { kind: 'bool', value: true });
      case 'f':
        return this.#word('false', { kind: 'bool', value: false });
      case 'n':
        return this.#word('null', { kind: 'null' });
      default:
        if (c !== undefined && /[-0-9]/.test(c)) return this.#number();
        return this.#fail(c === undefined ? 'unexpected end of file' : 'unexpected character');
    }
  }

  #object(depth: number): Node {
    this.#pos++;
    const items: Entry[] = [];
    const seen = new Map<string, number>();
    this.#skipSpace();
    if (this.#text[this.#pos] === '}') {
      this.#pos++;
      return { kind: 'map', items };
    }
    for (;;) {
      this.#skipSpace();
      if (this.#text[this.#pos] !== '"') this.#fail('expected a "key"');
      const line = this.#line();
      const key = this.#string();
      const first = seen.get(key);
      if (first !== undefined) this.duplicates.push({ key, line, first });
      else seen.set(key, line);
      this.#skipSpace();
      this.#expect(':');
      this.#skipSpace();
      items.push({ kind: 'entry', key, value: this.#value(depth + 1), line });
      this.#skipSpace();
      if (this.#text[this.#pos] === ',') {
        this.#pos++;
        continue;
      }
      this.#expect('}');
      return { kind: 'map', items };
    }
  }

  #array(depth: number): Node {
    this.#pos++;
    const items: ListItem[] = [];
    this.#skipSpace();
    if (this.#text[this.#pos] === ']') {
      this.#pos++;
      return { kind: 'list', items };
    }
    for (;;) {
      this.#skipSpace();
      items.push(this.#value(depth + 1));
      this.#skipSpace();
      if (this.#text[this.#pos] === ',') {
        this.#pos++;
        continue;
      }
      this.#expect(']');
      return { kind: 'list', items };
    }
  }

  #string(): string {
    const start = this.#pos + 1;
    // Fast path: no escapes before the closing quote.
    let i = start;
    for (;;) {
      const c = this.#text.charCodeAt(i);
      if (c === 0x22) {
        this.#pos = i + 1;
        return this.#text.slice(start, i);
      }
      if (c === 0x5c || Number.isNaN(c) || c < 0x20) break;
      i++;
    }
    let out = this.#text.slice(start, i);
    for (;;) {
      const c = this.#text[i];
      if (c === undefined) {
        this.#pos = i;
        return this.#fail('unterminated string');
      }
      if (c === '"') {
        this.#pos = i + 1;
        return out;
      }
      if (c.charCodeAt(0) < 0x20) {
        this.#pos = i;
        return this.#fail('control character in a string');
      }
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = this.#text[i + 1] ?? '';
      const simple = ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.#text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(this.#text.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        this.#pos = i;
        return this.#fail('invalid escape in a string');
      }
    }
  }

  #number(): Node {
    const m = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    m.lastIndex = this.#pos;
    const found = m.exec(this.#text);
    if (found === null) return this.#fail('invalid number');
    this.#pos += found[0].length;
    if (found[1] === undefined && found[2] === undefined) {
      const value = BigInt(found[0]);
      if (fitsInt64(value)) return { kind: 'int', value };
    }
    const value = Number(found[0]);
    if (!Number.isFinite(value)) return this.#fail('number out of range');
    return { kind: 'float', value };
  }

  #word(word: string, node: Node): Node {
    if (this.#text.startsWith(word, this.#pos)) {
      this.#pos += word.length;
      return node;
    }
    return this.#fail('unexpected word');
  }

  #expect(c: string): void {
    if (this.#text[this.#pos] !== c) this.#fail(`expected "${c}"`);
    this.#pos++;
  }

  #skipSpace(): void {
    while (/[ \t\r\n]/.test(this.#text[this.#pos] ?? '')) this.#pos++;
  }

  #lineNo = 1;
  #lineScanned = 0;

  /** The line of the current position; positions only move forward, so this stays linear. */
  #line(): number {
    for (; this.#lineScanned < this.#pos; this.#lineScanned++) {
      if (this.#text.charCodeAt(this.#lineScanned) === 10) this.#lineNo++;
    }
    return this.#lineNo;
  }

  #fail(what: string): never {
    const line = this.#line();
    throw new ParseError(`invalid JSON at line ${line}: ${what}`, { file: this.#file, line });
  }
}

/** One value as JSON (what `get` prints for a map or a list). */
export function jsonValueText(node: Node, file: string): string {
  return writeNode(node, '', file);
}

function writeNode(node: Node, indent: string, file: string, unit = '\t'): string {
  switch (node.kind) {
    case 'map': {
      const entries = node.items.filter((item): item is Entry => item.kind === 'entry');
      if (entries.length === 0) return '{}';
      const inner = `${indent}${unit}`;
      const body = entries.map((e) => `${inner}${goJsonString(e.key)}: ${writeNode(e.value, inner, file, unit)}`);
      return `{\n${body.join(',\n')}\n${indent}}`;
    }
    case 'list': {
      const items = node.items.filter((item): item is Node => item.kind !== 'comment');
      if (items.length === 0) return '[]';
      const inner = `${indent}${unit}`;
      return `[\n${items.map((item) => inner + writeNode(item, inner, file, unit)).join(',\n')}\n${indent}]`;
    }
    case 'null':
      return 'null';
    case 'str':
    case 'time':
      return goJsonString(node.value);
    case 'bytes':
      return goJsonString(Buffer.from(node.value).toString('utf8'));
    case 'bool':
      return node.value ? 'true' : 'false';
    case 'int':
      return node.value.toString();
    case 'float':
      if (!Number.isFinite(node.value)) {
        throw new ParseError(`JSON cannot hold the number ${String(node.value)}`, { file, hint: 'choose --format yaml' });
      }
      return jsonFloat(node.value);
  }
}

/**
 * A float as JSON that reads back as a float: JavaScript's shortest digits, with `.0` added
 * when they would read back as an int (1.0 stays `1.0`, -0 `-0.0`). Go's json.Marshal, and so
 * sops, writes `1`, which sops ≥ 3.13.2 then reads as an int: envseal keeps the type instead.
 */
function jsonFloat(value: number): string {
  const text = Object.is(value, -0) ? '-0' : String(value);
  return /^-?\d+$/.test(text) && fitsInt64(BigInt(text)) ? `${text}.0` : text;
}

/** Go's json.Marshal string encoding (HTML-safe, \b and \f as of Go 1.22). */
export function goJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += text[i] + (text[i + 1] as string);
        i++;
      } else {
        out += '\\ufffd';
      }
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      default:
        if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
          out += `\\u${c.toString(16).padStart(4, '0')}`;
        } else {
          out += text[i];
        }
    }
  }
  return `${out}"`;
}
