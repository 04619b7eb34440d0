/** How errors and a batch's failures look on stderr (src/cli/render.ts). */
import { describe, expect, it } from 'vitest';
import { renderBatch, renderError } from '../../src/cli/render.js';
import { ConfigError, IntegrityError, IoError, ParseError } from '../../src/errors.js';

describe('renderError', () => {
  it('message, then the place relative to the current folder (once), details, hint', () => {
    const err = new ParseError('bad line', { file: '/repo/app/.env', line: 3, details: ['looked here', 'and there'], hint: 'fix it' });
    expect(renderError(err, '/repo', false)).toBe('envseal: bad line (app/.env:3)\n  looked here\n  and there\nhint: fix it\n');
    expect(renderError(new ConfigError('app/.env: no rule', { file: '/repo/app/.env' }), '/repo', false)).toBe('envseal: app/.env: no rule\n');
    expect(renderError(new ConfigError('outside', { file: '/elsewhere/x' }), '/repo', false)).toBe('envseal: outside (/elsewhere/x)\n');
  });

  it('an unexpected error shows its kind and place only, never its message (it could hold a secret)', () => {
    const err = new TypeError('value s3cret-value is not a function');
    err.stack = `TypeError: value s3cret-value is not a function\n    at open (/home/u/envseal/dist/ops/open.js:12:34)\n    at x (node:internal/y:1:2)`;
    const text = renderError(err, '/repo', false);
    expect(text).toBe(
      'envseal: internal error (TypeError at dist/ops/open.js:12)\n' +
        'hint: this is a bug in envseal; please report it with the command you ran (ENVSEAL_DEBUG=1 shows more, and may show secret values)\n',
    );
    expect(renderError(err, '/repo', true)).toContain('s3cret-value'); // only when asked for, with ENVSEAL_DEBUG
    expect(renderError('thrown string s3cret', '/repo', false)).toMatch(/^envseal: internal error \(string\)\n/);
  });
});

describe('renderBatch', () => {
  it('nothing failed: no text, exit 0', () => {
    expect(renderBatch({ done: ['a'], unopened: [], failed: [] }, '/repo')).toEqual({ text: '', exitCode: 0 });
  });

  it("each failure names its file, then how to finish; the first failure's code", () => {
    const { text, exitCode } = renderBatch(
      { done: [], unopened: [], failed: [{ file: 'a.env', error: new IntegrityError('damaged') }, { file: 'b.env', error: new IoError('cannot write', { file: '/repo/c/b.env' }) }] },
      '/repo',
    );
    expect(exitCode).toBe(5);
    expect(text).toBe('envseal: damaged (a.env)\nenvseal: cannot write (c/b.env)\nhint: each file is either as it was or completely updated; fix the problem and run the same command again to finish\n');
  });

  it('files that could not be opened are listed, and make it exit 4 even with other failures', () => {
    const { text, exitCode } = renderBatch({ done: [], unopened: ['x.env', 'y.env'], failed: [{ file: 'a.env', error: new IoError('no') }] }, '/repo');
    expect(exitCode).toBe(4);
    expect(text).toContain('envseal: you cannot open 2 files; they were left as they are:\n  x.env\n  y.env\n');
  });
});
