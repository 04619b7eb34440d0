/**
 * `decrypt --format dotenv` output read by the loaders people use: dotenv (which reads
 * values literally) and dotenvx (which expands `$VAR`/`${VAR}` and runs `$(cmd)` in bare,
 * double-quoted and backtick values). Whatever the value, both must read back exactly it,
 * and nothing may run: a `$(touch …)` that ran would leave a file behind. A value no quoting
 * carries verbatim in both is refused, naming the key and never the value.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emitPlainDotenv, quoteDotenvValue } from '../../src/formats/dotenv-plain.js';
import type { MapNode } from '../../src/tree.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity } from '../helpers/keys.js';

const require = createRequire(import.meta.url);
const dotenv = require('dotenv') as { parse(text: string): Record<string, string> };
const DOTENVX = require.resolve('@dotenvx/dotenvx');
const dotenvx = require(DOTENVX) as { parse(text: string, options: { processEnv: Record<string, string> }): Record<string, string> };

/** dotenvx's reading, with an empty environment (so an expansion shows as a change). */
const readByDotenvx = (text: string): Record<string, string> => dotenvx.parse(text, { processEnv: {} });

describe('every value is written so that dotenv and dotenvx read it back, running nothing', () => {
  it('random values made of the characters that matter', () => {
    const dir = tempDir();
    const pwned = join(dir, 'PWNED');
    const piece = fc.constantFrom('a', ' ', '\t', "'", '"', '`', '$', '(', ')', '{', '}', '\\', '\n', '\r', '#', '=', ':', 'n', 'HOME', `touch ${pwned}`, '\u2028', '\u2029', 'é');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }).map((p) => p.join('')), (value) => {
        const quoted = quoteDotenvValue(value);
        if (quoted === null) {
          // Refused only for a ' or a CR with a $, or ' or CR, " or \, and ` or CR together.
          expect(/['\r]/.test(value) && /["\\$]/.test(value) && /[`$\r]/.test(value)).toBe(true);
          return;
        }
        const text = `A=${quoted}\nB=after\n`;
        expect(dotenv.parse(text)).toEqual({ A: value, B: 'after' });
        expect(readByDotenvx(text)).toEqual({ A: value, B: 'after' });
        expect(existsSync(pwned)).toBe(false);
      }),
      { numRuns: 1500 },
    );
  });

  it.each([
    ['$(touch PWNED)', "'$(touch PWNED)'"],
    ['${HOME}', "'${HOME}'"],
    ['$HOME/bin', "'$HOME/bin'"],
    ['`touch PWNED`', "'`touch PWNED`'"],
    ['a$b', "'a$b'"],
    ["it's", "it's"],
    ["it's\nmulti-line", '"it\'s\\nmulti-line"'],
    ["it's \"quoted\"\n", "`it's \"quoted\"\n`"],
    ['cr\rhere', '"cr\\rhere"'],
    ['plain-value', 'plain-value'],
  ])('%j is written as %s', (value, written) => {
    expect(quoteDotenvValue(value)).toBe(written);
    expect(dotenv.parse(`A=${written}\n`)).toEqual({ A: value });
    expect(readByDotenvx(`A=${written}\n`)).toEqual({ A: value });
  });

  it.each([["it's $HOME"], ["'$(touch PWNED)'"], ['$\r'], ["'\"`\n"], ['\r"`']])('refuses %j (no quoting carries it verbatim in both)', (value) => {
    expect(quoteDotenvValue(value)).toBeNull();
  });

  it('comments stay on one line: a CR, U+2028 or U+2029 in them cannot start a line the loaders read', () => {
    const dir = tempDir();
    const pwned = join(dir, 'PWNED');
    const doc: MapNode = {
      kind: 'map',
      items: [
        { kind: 'comment', text: ` x\rB=$(touch ${pwned})` },
        { kind: 'comment', text: ` x\u2028C=\${HOME}` },
        { kind: 'comment', text: ` x\u2029D=d\nE=e` },
        { kind: 'entry', key: 'A', value: { kind: 'str', value: 'v' } },
      ],
    };
    const text = emitPlainDotenv(doc, 'x.env', (_k, v) => (v.kind === 'str' ? v.value : ''));
    expect(text.split('\n')).toHaveLength(5);
    expect(dotenv.parse(text)).toEqual({ A: 'v' });
    expect(readByDotenvx(text)).toEqual({ A: 'v' });
    expect(existsSync(pwned)).toBe(false);
  });
});

describe('decrypt --format dotenv, loaded by dotenvx and dotenv (end to end)', () => {
  const SOURCE = [
    `CMD='$(touch PWNED)'`,
    `HOME_REF='\${HOME}'`,
    `BARE_VAR='$HOME'`,
    `DOLLAR_START='$PATH:/extra'`,
    'TICKS=\'`touch PWNED`\'',
    'TICKS_CMD=\'`$(touch PWNED)`\'',
    `QUOTE_NL="it's\\nmulti-line"`,
    `HASH='a # not a comment'`,
    `SPACES='  padded  '`,
    `WINDOWS='C:\\dir\\'`,
    'MIXED=`it\'s "both" \\ here`',
    'NOTHING=',
  ].join('\n');
  const EXPECTED = {
    CMD: '$(touch PWNED)',
    HOME_REF: '${HOME}',
    BARE_VAR: '$HOME',
    DOLLAR_START: '$PATH:/extra',
    TICKS: '`touch PWNED`',
    TICKS_CMD: '`$(touch PWNED)`',
    QUOTE_NL: "it's\nmulti-line",
    HASH: 'a # not a comment',
    SPACES: '  padded  ',
    WINDOWS: 'C:\\dir\\',
    MIXED: 'it\'s "both" \\ here',
    NOTHING: '',
  };

  async function sealed(source: string): Promise<{ dir: string; env: Record<string, string | undefined> }> {
    const dir = tempDir();
    const id = await makeIdentity(dir);
    writeFileSync(join(dir, 'secrets.env'), `${source}\n`);
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file });
    const enc = await cli(['encrypt', 'secrets.env', '--age', id.recipient], { cwd: dir, env });
    expect(enc.code, enc.stderr).toBe(0);
    return { dir, env };
  }

  it('values come back exactly, nothing expands, nothing runs', async () => {
    const { dir, env } = await sealed(SOURCE);
    const dec = await cli(['decrypt', 'secrets.env', '--format', 'dotenv'], { cwd: dir, env });
    expect(dec.code, dec.stderr).toBe(0);
    const out = join(dir, 'out');
    writeFileSync(join(dir, 'out.env'), dec.stdout);
    // dotenvx loads the file in a child whose working folder is `dir`, so a command that
    // ran would leave PWNED there.
    const script = `const r = require(${JSON.stringify(DOTENVX)}).config({ path: 'out.env', processEnv: {}, quiet: true }); require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(r.parsed))`;
    const child = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(EXPECTED);
    expect(dotenv.parse(dec.stdout)).toEqual(EXPECTED);
    expect(readdirSync(dir).filter((name) => name.includes('PWNED'))).toEqual([]);
  });

  it('a value no dotenv quoting carries is refused: exit 6, the key named, never the value', async () => {
    const { dir, env } = await sealed(`GOOD=fine\nBAD="it's $(touch PWNED) canary-8c1d"`);
    const dec = await cli(['decrypt', 'secrets.env', '--format', 'dotenv'], { cwd: dir, env });
    expect(dec.code).toBe(6);
    expect(dec.stdout).toBe('');
    expect(dec.stderr).toContain('BAD');
    expect(dec.stderr).toMatch(/--format json or --format shell/);
    expect(dec.stderr).not.toContain('canary-8c1d');
    // The formats the hint names carry it.
    const shell = await cli(['decrypt', 'secrets.env', '--format', 'shell'], { cwd: dir, env });
    expect(shell.code).toBe(0);
    expect(shell.stdout).toContain('canary-8c1d');
  });
});
