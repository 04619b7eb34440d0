import { describe, expect, it } from 'vitest';
import { goJsonString, jsonFormat } from '../../src/formats/json.js';
import { ParseError } from '../../src/errors.js';

describe('JSON', () => {
  it('keeps key order, integer-like keys included, and tells ints from floats', () => {
    const parsed = jsonFormat.parse('{"b": 1, "10": 2.0, "a": [1e2, 9223372036854775808, -0], "n": null, "t": true}', 'x.json');
    const doc = parsed.docs[0];
    expect(doc?.items.map((i) => (i.kind === 'entry' ? i.key : ''))).toEqual(['b', '10', 'a', 'n', 't']);
    expect(doc?.items[0]).toMatchObject({ value: { kind: 'int', value: 1n } });
    expect(doc?.items[1]).toMatchObject({ value: { kind: 'float', value: 2 } });
    expect(doc?.items[2]).toMatchObject({ value: { kind: 'list', items: [{ kind: 'float', value: 100 }, { kind: 'float' }, { kind: 'int', value: 0n }] } });
  });

  it('writes as sops does: tabs, ": ", Go string escaping, final newline', () => {
    const parsed = jsonFormat.parse('{"k": "<a&b>\\u2028\\b", "e": {}, "l": [], "f": 1.5}', 'x.json');
    expect(jsonFormat.emitPlain(parsed.docs, parsed, 'x.json')).toBe('{\n\t"k": "\\u003ca\\u0026b\\u003e\\u2028\\b",\n\t"e": {},\n\t"l": [],\n\t"f": 1.5\n}\n');
    expect(goJsonString('\ud800x')).toBe('"\\ufffdx"');
  });

  it('writes a whole float with its .0, so it reads back as a float (sops writes 1, which reads back as an int)', () => {
    const text = '{"one": 1.0, "neg": -0.0, "big": 1e20, "huge": 1e21, "int": 1, "half": 0.5}';
    const parsed = jsonFormat.parse(text, 'x.json');
    const written = jsonFormat.emitPlain(parsed.docs, parsed, 'x.json');
    expect(written).toBe('{\n\t"one": 1.0,\n\t"neg": -0.0,\n\t"big": 100000000000000000000,\n\t"huge": 1e+21,\n\t"int": 1,\n\t"half": 0.5\n}\n');
    const again = jsonFormat.parse(written, 'x.json').docs[0]?.items.map((i) => (i.kind === 'entry' ? i.value.kind : ''));
    expect(again).toEqual(['float', 'float', 'float', 'float', 'int', 'float']);
  });

  it('reports the line of a syntax error and refuses a top-level array', () => {
    expect(() => jsonFormat.parse('{\n"a": 1,\n"b": }', 'x.json')).toThrow(/line 3/);
    expect(() => jsonFormat.parse('[1]', 'x.json')).toThrow(ParseError);
    expect(() => jsonFormat.parse('{"a":1,"a":2}', 'x.json')).toThrow(/twice/);
  });
});
