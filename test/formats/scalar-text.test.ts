/** How a typed scalar reads as plain text (src/formats/scalar-text.ts). */
import { describe, expect, it } from 'vitest';
import { scalarToText } from '../../src/formats/scalar-text.js';

describe('scalarToText', () => {
  it('strings verbatim, ints exact, booleans as words, times as stored, bytes as UTF-8', () => {
    expect(scalarToText({ kind: 'str', value: ' keep  spaces\n' })).toBe(' keep  spaces\n');
    expect(scalarToText({ kind: 'int', value: -9223372036854775808n })).toBe('-9223372036854775808');
    expect(scalarToText({ kind: 'bool', value: true })).toBe('true');
    expect(scalarToText({ kind: 'time', value: '2024-01-02T03:04:05.5Z' })).toBe('2024-01-02T03:04:05.5Z');
    expect(scalarToText({ kind: 'bytes', value: new TextEncoder().encode('héllo') })).toBe('héllo');
  });

  it('a float stays recognisably a float: whole values get ".0", no exponent for ordinary sizes', () => {
    expect(scalarToText({ kind: 'float', value: 1.5 })).toBe('1.5');
    expect(scalarToText({ kind: 'float', value: 3 })).toBe('3.0');
    expect(scalarToText({ kind: 'float', value: 1e6 })).toBe('1000000.0');
    expect(scalarToText({ kind: 'float', value: -2 })).toBe('-2.0');
  });
});
