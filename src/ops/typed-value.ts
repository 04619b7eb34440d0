/**
 * The value `set` stores, typed. In YAML and JSON a value keeps the type of the value it
 * replaces (`set database.port 7777` on an int stores the int 7777, `set enabled false` on a
 * bool the bool), and text that is not of that type is refused rather than turned into a
 * string. A new key is a string. Anything else is asked for: `--type str|int|float|bool`, or
 * `--json VALUE` (sops-style: `7777`, `1.0`, `"text"`, `{"a": 1}`, `[1, 2]`, `null`). A .env
 * value is always a string. Errors name the key and the type, never the value.
 */
import { UsageError } from '../errors.js';
import type { FormatName } from '../formats/format.js';
import { canonicalTime, fitsInt64 } from '../formats/go-scalars.js';
import { parseJsonValue } from '../formats/json.js';
import type { Node } from '../tree.js';

export const VALUE_TYPES = ['str', 'int', 'float', 'bool'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/** How to read the text given to `set`: as the value it replaces, as a named type, or as JSON. */
export type ValueRequest = { readonly as: 'keep' } | { readonly as: ValueType } | { readonly as: 'json' };

/** `--type` checked at the edge. */
export function parseValueType(text: string): ValueType {
  const found = VALUE_TYPES.find((t) => t === text);
  if (found === undefined) throw new UsageError(`--type takes str, int, float or bool (got ${JSON.stringify(text)})`, { hint: 'for a map, a list or null, pass --json' });
  return found;
}

const TYPE_NAMES: Readonly<Record<Node['kind'], string>> = { str: 'a string', int: 'an int', float: 'a float', bool: 'a bool', time: 'a timestamp', bytes: 'bytes', null: 'null', map: 'a map', list: 'a list' };

/** The node to store for `text` at `key`; `current` is the value it replaces (undefined for a new key). */
export function typedValue(text: string, request: ValueRequest, current: Node | undefined, where: { readonly key: string; readonly format: FormatName }): Node {
  const node = request.as === 'json' ? parseJsonValue(text, '--json') : request.as === 'keep' ? keepingType(text, current, where.key) : asType(text, request.as, `--type ${request.as}`);
  if (where.format === 'dotenv' && node.kind !== 'str') {
    throw new UsageError(`a .env value is always a string, and ${request.as === 'json' ? 'the JSON given is' : '--type asks for'} ${TYPE_NAMES[node.kind]}`, { hint: 'drop --type/--json, or keep typed values in a YAML or JSON file' });
  }
  return node;
}

function keepingType(text: string, current: Node | undefined, key: string): Node {
  switch (current?.kind) {
    case 'int':
    case 'float':
    case 'bool':
      return asType(text, current.kind, `${key} holds ${TYPE_NAMES[current.kind]}`);
    case 'time': {
      const value = canonicalTime(text);
      if (value === null) throw notOfType(`${key} holds a timestamp`, 'an RFC 3339 timestamp (2024-01-02T15:04:05Z)');
      return { kind: 'time', value };
    }
    case 'map':
    case 'list':
      throw new UsageError(`${key} holds ${TYPE_NAMES[current.kind]}; set replaces it only when asked`, { hint: `give the new value as JSON: envseal set ${key} --json '…'` });
    default:
      return { kind: 'str', value: text };
  }
}

const INT = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

function asType(text: string, type: ValueType, why: string): Node {
  switch (type) {
    case 'str':
      return { kind: 'str', value: text };
    case 'int': {
      const value = INT.test(text) ? BigInt(text) : null;
      if (value === null || !fitsInt64(value)) throw notOfType(why, 'an int (digits, within 64 bits)');
      return { kind: 'int', value };
    }
    case 'float': {
      const value = FLOAT.test(text) ? Number(text) : Number.NaN;
      if (!Number.isFinite(value)) throw notOfType(why, 'a float (such as 0.5, 1e3 or 7)');
      return { kind: 'float', value };
    }
    case 'bool': {
      const lower = text.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw notOfType(why, 'a bool (true or false)');
      return { kind: 'bool', value: lower === 'true' };
    }
  }
}

function notOfType(why: string, wanted: string): UsageError {
  return new UsageError(`${why}, and the value given is not ${wanted}`, { hint: 'to store another type, say which: --type str|int|float|bool, or --json VALUE' });
}
