/** fast-check generators for documents of the neutral tree. */
import fc from 'fast-check';
import type { Entry, ListItem, MapNode, Node } from '../../src/tree.js';

export interface TreeShape {
  /** Floats with an integer value read back as ints from JSON (as in sops ≥ 3.13.2). */
  readonly integralFloats: boolean;
  readonly nonFinite: boolean;
  readonly keys: fc.Arbitrary<string>;
  readonly strings: fc.Arbitrary<string>;
}

export const anyText = fc.string({ unit: 'grapheme', maxLength: 20 });
export const awkwardText = fc.oneof(
  anyText,
  fc.constantFrom('', ' ', 'yes', 'no', 'null', '~', '123', '0x1F', '1e3', '.inf', 'true', '2024-01-02', '- x', 'a: b', '#c', "it's", '"q"', 'multi\nline\n', 'trailing\n\n', '\ttab', 'ENC[AES256_GCM,x]', '<<', '*alias', '&anchor', '!tag', '%', '@', '`', '[x]', '{y}', '---', '...', 'a #b', 'é✓🔑'),
);

export function scalarArb(shape: TreeShape): fc.Arbitrary<Node> {
  const floats = fc
    .double({ noNaN: !shape.nonFinite, noDefaultInfinity: !shape.nonFinite })
    .filter((f) => (shape.integralFloats || !Number.isInteger(f)) && !Object.is(f, -0));
  return fc.oneof(
    shape.strings.map((value) => ({ kind: 'str', value }) as Node),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ kind: 'int', value }) as Node),
    floats.map((value) => ({ kind: 'float', value }) as Node),
    fc.boolean().map((value) => ({ kind: 'bool', value }) as Node),
    fc.constant({ kind: 'null' } as Node),
  );
}

export function documentArb(shape: TreeShape, depth = 3): fc.Arbitrary<MapNode> {
  const { node } = fc.letrec<{ node: Node; map: MapNode; list: Node }>((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarArb(shape), tie('map'), tie('list')),
    map: fc
      .uniqueArray(fc.tuple(shape.keys, tie('node')), { selector: ([k]) => k, maxLength: 5 })
      .map((pairs) => ({ kind: 'map', items: pairs.map(([key, value]) => ({ kind: 'entry', key, value }) as Entry) }) as MapNode),
    list: fc.array(tie('node'), { maxLength: 4 }).map((items) => ({ kind: 'list', items: items as ListItem[] }) as Node),
  }));
  void depth;
  return fc
    .uniqueArray(fc.tuple(shape.keys.filter((k) => k !== 'sops'), node), { selector: ([k]) => k, maxLength: 6 })
    .map((pairs) => ({ kind: 'map', items: pairs.map(([key, value]) => ({ kind: 'entry', key, value }) as Entry) }));
}

/** The tree without source handles and line numbers, for comparisons. */
export function bare(node: Node | MapNode): unknown {
  switch (node.kind) {
    case 'map':
      return { map: node.items.flatMap((i) => (i.kind === 'entry' ? [[i.key, bare(i.value)]] : i.kind === 'comment' ? [['#', i.text]] : [])) };
    case 'list':
      return { list: node.items.map((i) => (i.kind === 'comment' ? ['#', i.text] : bare(i))) };
    case 'null':
      return null;
    case 'float':
      return { float: Object.is(node.value, -0) ? '-0' : String(node.value) };
    case 'int':
      return { int: node.value.toString() };
    case 'bytes':
      return { bytes: Buffer.from(node.value).toString('hex') };
    default:
      return { [node.kind]: node.value };
  }
}
