/**
 * Lines added by hand to an encrypted .env are read by sops's rules (verbatim), but the
 * person typed them as dotenv (`export K="v w"`). Before sealing such a line, read it the
 * way its author meant it: the plaintext dialect, when the line parses as one entry.
 */
import { parsePlainLine } from '../formats/dotenv-plain.js';
import { ParseError } from '../errors.js';
import type { Entry, MapItem, MapNode } from '../tree.js';

export function adoptHandAddedDotenvLines(doc: MapNode, paths: readonly (readonly string[])[], file: string): MapNode {
  const handAdded = new Set(paths.filter((p) => p.length === 1).map((p) => p[0] as string));
  if (handAdded.size === 0) return doc;
  const keys = new Set(doc.items.filter((i): i is Entry => i.kind === 'entry').map((e) => e.key));
  const items: MapItem[] = doc.items.map((item) => {
    if (item.kind !== 'entry' || !handAdded.has(item.key) || item.value.kind !== 'str') return item;
    const line = `${item.key}=${item.value.value.replace(/\n/g, '\\n')}`;
    const parsed = parsePlainLine(line);
    if (parsed === null) return item;
    if (parsed.key !== item.key && keys.has(parsed.key)) {
      throw new ParseError(`key ${parsed.key} is defined twice`, { file, line: item.line });
    }
    return { ...item, key: parsed.key, value: { kind: 'str', value: parsed.value } };
  });
  return { ...doc, items };
}

/** The key a hand-added line is stored under once read as its author meant it (`export K` → `K`). */
export function adoptedKey(key: string): string {
  return parsePlainLine(`${key}=`)?.key ?? key;
}
