/** `--as-file KEY[=NAME]` flags (src/run/as-file.ts). */
import { describe, expect, it } from 'vitest';
import { parseAsFiles } from '../../src/run/as-file.js';

describe('parseAsFiles', () => {
  it('takes KEY (the file is named after it) and KEY=NAME', () => {
    expect(parseAsFiles(['TLS_KEY', 'GCP=sa.json', 'K=a=b'])).toEqual([
      { key: 'TLS_KEY', fileName: 'TLS_KEY' },
      { key: 'GCP', fileName: 'sa.json' },
      { key: 'K', fileName: 'a=b' },
    ]);
    expect(parseAsFiles([])).toEqual([]);
  });

  it('refuses names that are not one plain file name, and anything given twice (usage, exit 2)', () => {
    const cases: Array<[string[], RegExp]> = [
      [['=x.pem'], /name the variable/],
      [['K='], /a file name is one name/],
      [['K=../x'], /a file name is one name/],
      [['K=a/b'], /a file name is one name/],
      [['K=a\\b'], /a file name is one name/],
      [['K=..'], /a file name is one name/],
      [[`K=${'x'.repeat(256)}`], /a file name is one name/],
      [['K', 'K=k.pem'], /K is named twice/],
      [['A=x.pem', 'B=x.pem'], /cannot both go into x.pem/],
    ];
    for (const [flags, message] of cases) {
      expect(() => parseAsFiles(flags), flags.join(' ')).toThrow(message);
      try {
        parseAsFiles(flags);
      } catch (err) {
        expect(err).toMatchObject({ exitCode: 2 });
      }
    }
  });
});
