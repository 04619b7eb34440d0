/** The forms a secret takes in text, and the matcher that finds many at once (src/rules/secret-forms.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formsOf, NeedleIndex } from '../../src/rules/secret-forms.js';

function finder(value: string): (text: string) => string[] {
  const index = new NeedleIndex<string>();
  for (const f of formsOf(value)) index.add({ ...f, owner: 'S' });
  return (text) => index.find(text).map((m) => m.needle.form);
}

describe('formsOf', () => {
  it('plain, base64 (both alphabets), URL-encoded and JSON-escaped, each once', () => {
    const value = 'p@ss>>?w/0rd+"x"'; // its base64 holds '+' and '/': the URL-safe alphabet differs
    expect(Buffer.from(value).toString('base64')).toMatch(/[+/]/);
    const find = finder(value);
    expect(find(`password=${value}`)).toContain('plain');
    expect(find(Buffer.from(value).toString('base64'))).toContain('base64');
    expect(find(Buffer.from(value).toString('base64url'))).toContain('base64url');
    expect(find(`?p=${encodeURIComponent(value)}`)).toContain('url-encoded');
    expect(find(`?p=${encodeURIComponent(value).toLowerCase()}`)).toContain('url-encoded');
    expect(find(JSON.stringify({ p: value }))).toContain('json-escaped');
    const texts = formsOf(value).map((f) => f.text);
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('a value encoded inside a longer base64 string, at any alignment (Basic auth)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 7 }), fc.string({ minLength: 6, maxLength: 40 }).filter((s) => s.trim().length >= 6), fc.string({ maxLength: 7 }), (before, value, after) => {
        const encoded = Buffer.from(`${before}${value}${after}`).toString('base64');
        return finder(value)(`Authorization: Basic ${encoded}`).includes('base64');
      }),
    );
  });

  it('a value over several lines is also looked for line by line (PEM armour aside)', () => {
    const armour = (word: string): string => `-----${word} ${'PRIVATE'} KEY-----`; // assembled, so scanners do not take this file for a key
    const pem = `${armour('BEGIN')}\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n${armour('END')}`;
    const texts = formsOf(pem).map((f) => f.text);
    expect(texts).toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC');
    expect(texts).not.toContain(armour('BEGIN'));
  });

  it('nothing shorter than six characters is looked for', () => {
    for (const f of formsOf('abcdef')) expect(f.text.length).toBeGreaterThanOrEqual(6);
  });
});

describe('NeedleIndex', () => {
  it('finds every needle with its column, many needles in one pass', () => {
    const index = new NeedleIndex<number>();
    for (let i = 0; i < 1000; i++) index.add({ text: `secret-${i}-value`, form: 'plain', owner: i });
    expect(index.size).toBe(1000);
    const found = index.find('x secret-7-value y secret-999-value');
    expect(found.map((m) => [m.needle.owner, m.column])).toEqual([
      [7, 3],
      [999, 20],
    ]);
    expect(index.find('secret-1000-value')).toEqual([]);
  });
});
