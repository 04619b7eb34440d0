/** go-yaml v3's typing of plain scalars, as sops sees them (sops-format.md §7.1). */
import { describe, expect, it } from 'vitest';
import { parseYamlTimestamp, resolvePlain, scalarSource, stringStyle } from '../../src/formats/yaml/scalars.js';
import { yamlFormat } from '../../src/formats/yaml.js';

const kind = (text: string) => {
  const r = resolvePlain(text);
  return 'value' in r ? [r.kind, typeof r.value === 'bigint' ? Number(r.value) : r.value] : [r.kind];
};

describe('plain scalars typed like go-yaml v3', () => {
  it.each([
    ['true', ['bool', true]],
    ['False', ['bool', false]],
    ['yes', ['str', 'yes']],
    ['on', ['str', 'on']],
    ['n', ['str', 'n']],
    ['~', ['null']],
    ['null', ['null']],
    ['', ['null']],
    ['0755', ['int', 493]],
    ['007', ['int', 7]],
    ['018', ['float', 18]],
    ['0o17', ['int', 15]],
    ['0x1F', ['int', 31]],
    ['-0x1f', ['int', -31]],
    ['0b101', ['int', 5]],
    ['1_000', ['int', 1000]],
    ['+42', ['int', 42]],
    ['1e3', ['float', 1000]],
    ['1.', ['float', 1]],
    ['.5', ['float', 0.5]],
    ['.inf', ['float', Infinity]],
    ['-.Inf', ['float', -Infinity]],
    ['18446744073709551615', ['uint64']],
    ['123456789012345678901', ['float', 123456789012345678901]],
    ['1e400', ['str', '1e400']],
    ['<<', ['str', '<<']], // not in go-yaml's hint table: the ordinary key sops sees
    ['12:30', ['str', '12:30']],
    ['-', ['str', '-']],
    ['0x', ['str', '0x']],
    ['hello', ['str', 'hello']],
  ])('%j', (text, expected) => {
    expect(kind(text)).toEqual(expected);
  });

  it('reads timestamps in the go-yaml forms and writes them as Go does', () => {
    expect(parseYamlTimestamp('2024-01-02')).toBe('2024-01-02T00:00:00Z');
    expect(parseYamlTimestamp('2024-1-2')).toBe('2024-01-02T00:00:00Z');
    expect(parseYamlTimestamp('2001-12-14t21:59:43.10-05:00')).toBe('2001-12-14T21:59:43.1-05:00');
    expect(parseYamlTimestamp('2001-12-14 21:59:43.10')).toBe('2001-12-14T21:59:43.1Z');
    expect(parseYamlTimestamp('2001-12-14 21:59:43.10 -5')).toBeNull();
    expect(parseYamlTimestamp('2024-02-30')).toBeNull();
    expect(kind('2024-01-02')).toEqual(['time', '2024-01-02T00:00:00Z']);
  });

  it('quotes a value only as much as it needs to read back the same', () => {
    expect(stringStyle('plain text', false)).toBe('PLAIN');
    expect(stringStyle('123', false)).toBe('QUOTE_DOUBLE');
    expect(stringStyle('yes', false)).toBe('QUOTE_DOUBLE');
    expect(stringStyle('a: b', false)).toBe('QUOTE_SINGLE');
    expect(stringStyle('#x', false)).toBe('QUOTE_SINGLE');
    expect(stringStyle('a,b', true)).toBe('QUOTE_SINGLE');
    expect(stringStyle('two\nlines\n', false)).toBe('BLOCK_LITERAL');
    expect(stringStyle('two\nlines\n', true)).toBe('QUOTE_DOUBLE');
    expect(stringStyle(' lead\nx', false)).toBe('QUOTE_DOUBLE');
    expect(stringStyle('tab\there', false)).toBe('QUOTE_DOUBLE');
    expect(scalarSource({ kind: 'float', value: 1 }, false).text).toBe('1.0');
    expect(scalarSource({ kind: 'float', value: 1e21 }, false).text).toBe('1e+21');
  });

  it('refuses what sops refuses, with the line', () => {
    expect(() => yamlFormat.parse('a: 1\n1: x\n', 'f.yaml')).toThrow(/line 2.*not a string/);
    expect(() => yamlFormat.parse('true: x\n', 'f.yaml')).toThrow(/not a string/);
    expect(() => yamlFormat.parse('a: 1\na: 2\n', 'f.yaml')).toThrow(/line 2/);
    expect(() => yamlFormat.parse('- a\n- b\n', 'f.yaml')).toThrow(/must be a map/);
    expect(() => yamlFormat.parse('a: 18446744073709551615\n', 'f.yaml')).toThrow(/int64/);
    expect(() => yamlFormat.parse('a: [1, 2\n', 'f.yaml')).toThrow(/invalid YAML at line/);
    expect(() => yamlFormat.parse('a: !!int abc\n', 'f.yaml')).toThrow(/!!int/);
  });

  it('applies tags as go-yaml does', () => {
    const doc = yamlFormat.parse('a: !!str 123\nb: !!float 1\nc: !Ref name\nd: !!binary aGVsbG8=\n', 'f.yaml').docs[0];
    const values = doc?.items.map((i) => (i.kind === 'entry' ? [i.value.kind, 'value' in i.value ? i.value.value : null] : null));
    expect(values).toEqual([
      ['str', '123'],
      ['float', 1],
      ['str', 'name'],
      ['str', 'hello'],
    ]);
  });
});
