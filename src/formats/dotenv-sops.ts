/**
 * The encrypted dotenv dialect: sops's own dotenv store (sops-format.md §6.5, §7.3).
 * One `KEY=VALUE` per line split at the first `=`, nothing trimmed or unquoted, `\n` for a
 * newline, `#` at column 0 for comments, metadata as flattened `sops_*` lines at the end.
 * envseal keeps blank lines (sops skips them when reading).
 */
import { ParseError } from '../errors.js';
import type { RawMap, RawValue } from '../metadata/model.js';
import type { MapItem, MapNode } from '../tree.js';
import { isRawMap } from '../metadata/codec.js';

export const METADATA_PREFIX = 'sops_';

export interface SopsDotenv {
  readonly doc: MapNode;
  readonly metadata: RawMap | undefined;
}

/** Whether dotenv text carries sops metadata (then it is in the encrypted dialect). */
export function hasSopsMetadata(text: string): boolean {
  return /^sops_(?:mac|version|lastmodified)=/m.test(text);
}

export function parseSopsDotenv(text: string, file: string): SopsDotenv {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const items: MapItem[] = [];
  const meta: Array<[string, string, number]> = [];
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (line === '') {
      items.push({ kind: 'blank' });
      return;
    }
    if (line.startsWith('#')) {
      items.push({ kind: 'comment', text: line.slice(1) });
      return;
    }
    const eq = line.indexOf('=');
    if (eq === -1) {
      throw new ParseError(`line ${lineNo} has no "="`, { file, line: lineNo, hint: 'every line of an encrypted .env is KEY=VALUE or a # comment' });
    }
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).replace(/\\n/g, '\n');
    if (key.startsWith(METADATA_PREFIX)) meta.push([key.slice(METADATA_PREFIX.length), value, lineNo]);
    else items.push({ kind: 'entry', key, value: { kind: 'str', value }, line: lineNo });
  });
  return { doc: { kind: 'map', items }, metadata: meta.length === 0 ? undefined : unflatten(meta, file) };
}

/** Rebuilds the metadata tree from `age__list_0__map_enc`-style keys. */
function unflatten(entries: Array<[string, string, number]>, file: string): RawMap {
  const root: RawMap = Object.create(null) as RawMap;
  for (const [flatKey, value, line] of entries) {
    const fail = (what: string): never => {
      throw new ParseError(`metadata line ${JSON.stringify(`sops_${flatKey}`)} ${what}`, { file, line });
    };
    const parts = flatKey.split(/__(map|list)_/);
    // parts: [name, 'map'|'list', name, 'map'|'list', name, ...]
    let node: RawMap | RawValue[] = root;
    let slot: string | number = parts[0] as string;
    for (let i = 1; i < parts.length; i += 2) {
      const kind = parts[i];
      const name = parts[i + 1] as string;
      const existing: RawValue | undefined = Array.isArray(node) ? node[slot as number] : (node as RawMap)[slot as string];
      let child: RawMap | RawValue[];
      if (existing === undefined) {
        child = kind === 'list' ? [] : (Object.create(null) as RawMap);
        setSlot(node, slot, child);
      } else if (kind === 'list' ? Array.isArray(existing) : isRawMap(existing)) {
        child = existing as RawMap | RawValue[];
      } else {
        return fail('mixes a value with a nested one (type mismatch)');
      }
      if (kind === 'list') {
        if (!/^\d+$/.test(name)) return fail('has a list index that is not a number');
        slot = Number(name);
      } else {
        slot = name;
      }
      node = child;
    }
    const current = Array.isArray(node) ? node[slot as number] : (node as RawMap)[slot as string];
    if (current !== undefined) return fail(current !== null && typeof current === 'object' ? 'mixes a value with a nested one (type mismatch)' : 'is repeated');
    setSlot(node, slot, value);
  }
  checkLists(root, file);
  return root;
}

function setSlot(node: RawMap | RawValue[], slot: string | number, value: RawValue): void {
  if (Array.isArray(node)) node[slot as number] = value;
  else node[slot as string] = value;
}

function checkLists(value: RawValue, file: string): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw new ParseError('the sops metadata has an incomplete list (an index is missing)', { file });
      checkLists(value[i] as RawValue, file);
    }
  } else if (isRawMap(value)) {
    for (const key of Object.keys(value)) checkLists(value[key] as RawValue, file);
  }
}

/** Flattens the metadata into `sops_…` lines in tree order; empty lists give no line. */
export function flattenMetadata(meta: RawMap): string {
  const lines: string[] = [];
  const visit = (prefix: string, value: RawValue): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(`${prefix}__list_${i}`, item));
    } else if (isRawMap(value)) {
      for (const key of Object.keys(value)) visit(`${prefix}__map_${key}`, value[key] as RawValue);
    } else if (value !== null) {
      lines.push(`${prefix}=${String(value).replace(/\n/g, '\\n')}\n`);
    }
  };
  for (const key of Object.keys(meta)) visit(`${METADATA_PREFIX}${key}`, meta[key] as RawValue);
  return lines.join('');
}

/**
 * Writes data lines as sops reads them back. A value is written verbatim with newlines as
 * `\n`; text sops would read differently is refused, naming the key (this only happens for
 * values kept in clear by a rule: ENC values are always safe).
 */
export function emitSopsDotenvData(doc: MapNode, file: string): string {
  let out = '';
  for (const item of doc.items) {
    if (item.kind === 'blank') {
      out += '\n';
      continue;
    }
    if (item.kind === 'comment') {
      out += `#${item.text.replace(/\n/g, ' ')}\n`;
      continue;
    }
    const { key, value } = item;
    if (key === '' || key.includes('=') || key.includes('\n') || key.startsWith('#')) {
      throw new ParseError(`key ${JSON.stringify(key)} cannot be written to a .env file`, { file });
    }
    if (key.startsWith(METADATA_PREFIX)) {
      throw new ParseError(`key ${key} starts with "sops_", which sops reserves for its metadata in .env files`, {
        file,
        hint: 'rename the key',
      });
    }
    if (value.kind !== 'str') {
      throw new ParseError(`key ${key} holds a ${value.kind === 'map' || value.kind === 'list' ? 'nested' : value.kind} value, which a .env file cannot hold`, { file });
    }
    if (value.value.includes('\\n')) {
      throw new ParseError(`the clear-text value of ${key} contains a literal "\\n", which sops would read as a line break`, {
        file,
        hint: 'encrypt this key (remove it from the unencrypted rule)',
      });
    }
    if (/^\s|\s$/.test(value.value) && !value.value.startsWith('ENC[')) {
      throw new ParseError(`the clear-text value of ${key} starts or ends with whitespace, which is easily lost in a .env file`, {
        file,
        hint: 'encrypt this key (remove it from the unencrypted rule)',
      });
    }
    out += `${key}=${value.value.replace(/\n/g, '\\n')}\n`;
  }
  return out;
}
