/** Wording helpers (src/text.ts). */
import { describe, expect, it } from 'vitest';
import { count, printable } from '../src/text.js';

describe('count', () => {
  it('uses the singular only for exactly one, and the given plural for irregular nouns', () => {
    expect(count(0, 'file')).toBe('0 files');
    expect(count(1, 'file')).toBe('1 file');
    expect(count(2, 'file')).toBe('2 files');
    expect(count(1, 'age identity', 'age identities')).toBe('1 age identity');
    expect(count(3, 'age identity', 'age identities')).toBe('3 age identities');
  });
});

describe('printable', () => {
  it('escapes what could move the cursor, recolour or reorder a terminal line, and nothing else', () => {
    expect(printable('KEY\u001b[31m\r\n\t\u0000\u007f\u009b\u2028\u202e\u2066x')).toBe('KEY\\u001b[31m\\u000d\\n\\t\\u0000\\u007f\\u009b\\u2028\\u202e\\u2066x');
    expect(printable('plain, ünïcödé and emoji 🔑')).toBe('plain, ünïcödé and emoji 🔑');
  });
});
