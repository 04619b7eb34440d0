/** Plain data ⇄ the neutral tree, for the metadata block of YAML and JSON files (src/metadata/raw-tree.ts). */
import { describe, expect, it } from 'vitest';
import { nodeToRaw, rawToNode } from '../../src/metadata/raw-tree.js';
import type { Node } from '../../src/tree.js';

describe('raw-tree', () => {
  it('types plain data: integers become ints, other numbers floats, in key order', () => {
    const node = rawToNode({ b: 1, a: [2.5, true, null, 'x'] });
    expect(node).toEqual({
      kind: 'map',
      items: [
        { kind: 'entry', key: 'b', value: { kind: 'int', value: 1n } },
        { kind: 'entry', key: 'a', value: { kind: 'list', items: [{ kind: 'float', value: 2.5 }, { kind: 'bool', value: true }, { kind: 'null' }, { kind: 'str', value: 'x' }] } },
      ],
    });
    expect(nodeToRaw(node)).toEqual({ b: 1, a: [2.5, true, null, 'x'] });
  });

  it('leaves comments out, reads bytes as UTF-8, and makes maps without a prototype', () => {
    const node: Node = {
      kind: 'map',
      items: [
        { kind: 'comment', text: ' note' },
        { kind: 'entry', key: '__proto__', value: { kind: 'list', items: [{ kind: 'comment', text: ' c' }, { kind: 'bytes', value: new TextEncoder().encode('é') }] } },
      ],
    };
    const raw = nodeToRaw(node) as Record<string, unknown>;
    expect(Object.getPrototypeOf(raw)).toBeNull();
    expect(Object.keys(raw)).toEqual(['__proto__']);
    expect(raw['__proto__']).toEqual(['é']);
  });
});
