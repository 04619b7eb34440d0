/** Converting between the neutral tree and plain data, for the metadata block of YAML and JSON files. */
import type { Node } from '../tree.js';
import { isRawMap } from './codec.js';
import type { RawMap, RawValue } from './model.js';

export function nodeToRaw(node: Node): RawValue {
  switch (node.kind) {
    case 'map': {
      const out = Object.create(null) as RawMap;
      for (const item of node.items) if (item.kind === 'entry') out[item.key] = nodeToRaw(item.value);
      return out;
    }
    case 'list':
      return node.items.filter((item): item is Node => item.kind !== 'comment').map(nodeToRaw);
    case 'null':
      return null;
    case 'int':
      return Number(node.value);
    case 'bytes':
      return Buffer.from(node.value).toString('utf8');
    default:
      return node.value;
  }
}

export function rawToNode(value: RawValue): Node {
  if (value === null) return { kind: 'null' };
  if (Array.isArray(value)) return { kind: 'list', items: value.map(rawToNode) };
  if (isRawMap(value)) {
    return { kind: 'map', items: Object.keys(value).map((key) => ({ kind: 'entry', key, value: rawToNode(value[key] as RawValue) })) };
  }
  if (typeof value === 'string') return { kind: 'str', value };
  if (typeof value === 'boolean') return { kind: 'bool', value };
  return Number.isInteger(value) ? { kind: 'int', value: BigInt(value) } : { kind: 'float', value };
}
