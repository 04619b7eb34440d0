/** Addressing one value in a document, and set/remove on a tree (src/tree-path.ts). */
import { describe, expect, it } from 'vitest';
import { describeKeyPath, getAt, parseKeyPath, removeAt, resolveKeyPath, setAt } from '../src/tree-path.js';
import type { MapNode, Node } from '../src/tree.js';

const str = (value: string): Node => ({ kind: 'str', value });
const doc: MapNode = {
  kind: 'map',
  items: [
    { kind: 'entry', key: 'DOTTED.KEY', value: str('dotted') },
    { kind: 'entry', key: 'db', value: { kind: 'map', items: [{ kind: 'entry', key: 'password', value: str('pw') }] } },
    { kind: 'entry', key: 'hosts', value: { kind: 'list', items: [{ kind: 'comment', text: ' first' }, str('a'), str('b')] } },
  ],
};

describe('parseKeyPath', () => {
  it('reads the sops syntax into segments and leaves a dotted path to the tree', () => {
    expect(parseKeyPath(`["db"]['pass.word'][0]`).segments).toEqual(['db', 'pass.word', 0]);
    expect(parseKeyPath('db.password').segments).toBeNull();
    expect(() => parseKeyPath('')).toThrow(/empty/);
    expect(() => parseKeyPath('["db"]x')).toThrow(/cannot read the path/);
    expect(() => parseKeyPath('["db"')).toThrow(/cannot read the path/);
  });

  it('describes segments back as people write them', () => {
    expect(describeKeyPath(['hosts', 1, 'name'])).toBe('hosts.[1].name');
  });
});

describe('resolveKeyPath', () => {
  it('matches dotted paths against existing keys, longest first, and list indices past comments', () => {
    expect(resolveKeyPath(doc, parseKeyPath('DOTTED.KEY'), false)).toEqual({ segments: ['DOTTED.KEY'], found: true });
    expect(resolveKeyPath(doc, parseKeyPath('db.password'), false)).toEqual({ segments: ['db', 'password'], found: true });
    expect(resolveKeyPath(doc, parseKeyPath('hosts.1'), false)).toEqual({ segments: ['hosts', 1], found: true });
    expect(getAt(doc, ['hosts', 1])).toEqual(str('b'));
  });

  it('returns the missing rest as new keys (for set), and a flat file takes the key whole', () => {
    expect(resolveKeyPath(doc, parseKeyPath('db.user.name'), false)).toEqual({ segments: ['db', 'user', 'name'], found: false });
    expect(resolveKeyPath(doc, parseKeyPath('hosts.7'), false)).toEqual({ segments: ['hosts', '7'], found: false });
    expect(resolveKeyPath(doc, parseKeyPath('db.password'), true)).toEqual({ segments: ['db.password'], found: false });
    expect(resolveKeyPath(doc, parseKeyPath('DOTTED.KEY'), true)).toEqual({ segments: ['DOTTED.KEY'], found: true });
  });
});

describe('setAt and removeAt', () => {
  it('replaces in place, appends missing keys creating maps, appends one past a list end', () => {
    const changed = setAt(doc, ['db', 'password'], str('new'));
    expect(changed.items.map((i) => (i.kind === 'entry' ? i.key : i.kind))).toEqual(['DOTTED.KEY', 'db', 'hosts']);
    expect(getAt(changed, ['db', 'password'])).toEqual(str('new'));
    expect(getAt(doc, ['db', 'password'])).toEqual(str('pw')); // the input is not mutated
    expect(getAt(setAt(doc, ['new', 'deep'], str('x')), ['new', 'deep'])).toEqual(str('x'));
    expect(getAt(setAt(doc, ['hosts', 2], str('c')), ['hosts', 2])).toEqual(str('c'));
  });

  it('refuses an index past the end, or a path through a scalar', () => {
    expect(() => setAt(doc, ['hosts', 3], str('x'))).toThrow(/past the end of the list \(2 items\)/);
    expect(() => setAt(doc, ['db', 0], str('x'))).toThrow(/not a list/);
    expect(() => setAt(doc, ['DOTTED.KEY', 'x'], str('x'))).toThrow(/not a map/);
  });

  it('a scalar replacing a scalar keeps its source handle (YAML edits in place)', () => {
    const withSrc: MapNode = { kind: 'map', items: [{ kind: 'entry', key: 'k', value: { kind: 'str', value: 'old', src: 'handle' } }] };
    expect(getAt(setAt(withSrc, ['k'], str('new')), ['k'])).toEqual({ kind: 'str', value: 'new', src: 'handle' });
    expect(getAt(setAt(withSrc, ['k'], { kind: 'map', items: [] }), ['k'])).toEqual({ kind: 'map', items: [] });
  });

  it('removes a value with the comment that trails it, and list items by index', () => {
    const trailed: MapNode = {
      kind: 'map',
      items: [
        { kind: 'comment', text: ' above' },
        { kind: 'entry', key: 'a', value: str('1') },
        { kind: 'comment', text: ' about b', trailing: true },
        { kind: 'entry', key: 'b', value: str('2') },
      ],
    };
    expect(removeAt(trailed, ['b']).items).toEqual(trailed.items.slice(0, 2));
    expect(removeAt(trailed, ['a']).items).toEqual([trailed.items[0], trailed.items[2], trailed.items[3]]);
    const hosts = getAt(removeAt(doc, ['hosts', 0]), ['hosts']);
    expect(hosts).toEqual({ kind: 'list', items: [{ kind: 'comment', text: ' first' }, str('b')] });
    expect(removeAt(doc, ['missing'])).toEqual(doc);
  });
});
