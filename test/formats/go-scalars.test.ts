import { describe, expect, it } from 'vitest';
import { canonicalTime, formatGoFloat, parseGoBool, parseGoFloat, parseGoInt, scalarText } from '../../src/formats/go-scalars.js';

describe('Go formatting of plaintext (sops-format.md §2.3)', () => {
  it.each([
    [3.14, '3.14'],
    [1, '1'],
    [-2.5, '-2.5'],
    [1e20, '100000000000000000000'],
    [1e21, '1000000000000000000000'],
    [1.5e22, '15000000000000000000000'],
    [1e-7, '0.0000001'],
    [1.25e-7, '0.000000125'],
    [0.000001, '0.000001'],
    [-0, '-0'],
    [0, '0'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
    [123456789.125, '123456789.125'],
  ])('float %s → %s', (value, text) => {
    expect(formatGoFloat(value)).toBe(text);
  });

  it('writes booleans the Python-sops way and ints in decimal', () => {
    expect(scalarText({ kind: 'bool', value: true }).text).toBe('True');
    expect(scalarText({ kind: 'bool', value: false }).text).toBe('False');
    expect(scalarText({ kind: 'int', value: -9223372036854775808n }).text).toBe('-9223372036854775808');
  });

  it('parses what Go parses', () => {
    expect(parseGoInt('+42')).toBe(42n);
    expect(parseGoInt('9223372036854775808')).toBeNull();
    expect(parseGoInt('1.0')).toBeNull();
    expect(parseGoFloat('1e3')).toBe(1000);
    expect(parseGoFloat('+Inf')).toBe(Infinity);
    expect(parseGoFloat('-inf')).toBe(-Infinity);
    expect(Number.isNaN(parseGoFloat('NaN'))).toBe(true);
    expect(parseGoFloat('1e400')).toBeNull();
    expect(parseGoFloat('abc')).toBeNull();
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(parseGoBool(t)).toBe(true);
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) expect(parseGoBool(f)).toBe(false);
    expect(parseGoBool('yes')).toBeNull();
  });

  it('normalizes times to Go MarshalText form', () => {
    expect(canonicalTime('2024-01-01T00:00:00Z')).toBe('2024-01-01T00:00:00Z');
    expect(canonicalTime('2001-12-14T21:59:43.100Z')).toBe('2001-12-14T21:59:43.1Z');
    expect(canonicalTime('2006-01-02T15:04:05+07:00')).toBe('2006-01-02T15:04:05+07:00');
    expect(canonicalTime('2006-01-02T15:04:05+00:00')).toBe('2006-01-02T15:04:05Z');
    expect(canonicalTime('2024-02-30T00:00:00Z')).toBeNull();
    expect(canonicalTime('yesterday')).toBeNull();
  });
});
