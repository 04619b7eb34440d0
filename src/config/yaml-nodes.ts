/**
 * Reading `.sops.yaml` nodes the way sops's loader (go-yaml v3 decoding into structs) sees
 * them: an alias stands for the node its anchor names, and a `<<` merge key supplies the keys
 * of the merged map(s) that the map does not set itself (the first merged map wins among
 * several). Documents must be parsed with `merge: true`. Pure.
 */
import type { Document, Node as YamlNode, Pair, YAMLMap } from 'yaml';
import { yamlLib } from '../yaml-lib.js';

/** The node an alias stands for (through chains of aliases); other nodes as they are. */
export function deref(doc: Document, node: unknown): unknown {
  let current = node;
  for (let depth = 0; depth < 100 && yamlLib().isAlias(current); depth++) current = current.resolve(doc);
  return current;
}

/** Where a map's field is set: in the map itself, or in a map merged into it with `<<`. */
export interface FieldRef {
  /** The map holding the pair (the map itself, or a merged one). */
  readonly owner: YAMLMap;
  readonly pair: Pair;
  /** The value as written (possibly an alias). */
  readonly written: unknown;
  /** The value it stands for. */
  readonly value: YamlNode | null;
}

export function isMergeKey(pair: Pair): boolean {
  return yamlLib().isScalar(pair.key) && typeof pair.key.value === 'symbol';
}

function keyOf(pair: Pair): string | undefined {
  return yamlLib().isScalar(pair.key) && typeof pair.key.value !== 'symbol' ? String(pair.key.value) : undefined;
}

/** The field `name` of `map`, merge keys included; undefined when it is not set. */
export function fieldRef(doc: Document, map: YAMLMap, name: string, depth = 0): FieldRef | undefined {
  const own = map.items.find((pair) => keyOf(pair) === name);
  if (own !== undefined) return { owner: map, pair: own, written: own.value, value: (deref(doc, own.value) as YamlNode | null) ?? null };
  if (depth > 20) return undefined;
  for (const merge of map.items.filter(isMergeKey)) {
    const target = deref(doc, merge.value);
    const sources = yamlLib().isSeq(target) ? target.items.map((item) => deref(doc, item)) : [target];
    for (const source of sources) {
      if (!yamlLib().isMap(source)) continue;
      const found = fieldRef(doc, source, name, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The field names a map has, merged ones included. */
export function fieldNames(doc: Document, map: YAMLMap): string[] {
  const names = new Set<string>();
  const visit = (m: YAMLMap, depth: number): void => {
    for (const pair of m.items) {
      const key = keyOf(pair);
      if (key !== undefined) names.add(key);
      else if (isMergeKey(pair) && depth < 20) {
        const target = deref(doc, pair.value);
        for (const source of yamlLib().isSeq(target) ? target.items.map((item) => deref(doc, item)) : [target]) {
          if (yamlLib().isMap(source)) visit(source, depth + 1);
        }
      }
    }
  };
  visit(map, 0);
  return [...names];
}
