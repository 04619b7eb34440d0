/** Lines added by hand to an encrypted .env, read as their author meant them (src/ops/adopt.ts). */
import { describe, expect, it } from 'vitest';
import { adoptHandAddedDotenvLines } from '../../src/ops/adopt.js';
import type { MapNode } from '../../src/tree.js';

/** A document as the sops dotenv dialect reads it: key up to the first =, the rest verbatim. */
const sopsRead = (entries: Array<[string, string]>): MapNode => ({
  kind: 'map',
  items: entries.map(([key, value], i) => ({ kind: 'entry', key, value: { kind: 'str', value }, line: i + 1 })),
});

describe('adoptHandAddedDotenvLines', () => {
  it('reads only the hand-added lines in the plaintext dialect: export, quotes, escapes', () => {
    const doc = sopsRead([['OLD', '"kept as is"'], ['export K', '"v w"'], ['Q', "'single'"], ['N', '"a\nb"'], ['BARE', 'plain']]);
    const out = adoptHandAddedDotenvLines(doc, [['export K'], ['Q'], ['N'], ['BARE']], '.env');
    expect(out.items.map((i) => (i.kind === 'entry' && i.value.kind === 'str' ? [i.key, i.value.value] : null))).toEqual([
      ['OLD', '"kept as is"'],
      ['K', 'v w'],
      ['Q', 'single'],
      ['N', 'a\nb'],
      ['BARE', 'plain'],
    ]);
  });

  it('leaves alone what is not one dotenv line, and nested paths', () => {
    const doc = sopsRead([['bad key', 'x'], ['K', '"unterminated']]);
    expect(adoptHandAddedDotenvLines(doc, [['bad key'], ['K']], '.env')).toEqual(doc);
    expect(adoptHandAddedDotenvLines(doc, [['a', 'b']], '.env')).toBe(doc);
  });

  it('a renamed key that already exists is a parse error at its line', () => {
    const doc = sopsRead([['K', 'old'], ['export K', 'new']]);
    expect(() => adoptHandAddedDotenvLines(doc, [['export K']], '/r/.env')).toThrow(expect.objectContaining({ exitCode: 6, file: '/r/.env', line: 2, message: 'key K is defined twice' }));
  });
});
