/** Wording helpers (src/text.ts). */
import { describe, expect, it } from 'vitest';
import { count } from '../src/text.js';

describe('count', () => {
  it('uses the singular only for exactly one, and the given plural for irregular nouns', () => {
    expect(count(0, 'file')).toBe('0 files');
    expect(count(1, 'file')).toBe('1 file');
    expect(count(2, 'file')).toBe('2 files');
    expect(count(1, 'age identity', 'age identities')).toBe('1 age identity');
    expect(count(3, 'age identity', 'age identities')).toBe('3 age identities');
  });
});
