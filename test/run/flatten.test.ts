/** --flatten's one naming rule and YAML merge keys (src/run/flatten.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flattenedName, resolvedEntries } from '../../src/run/flatten.js';
import { documentToEnv } from '../../src/run/env.js';
import type { MapNode, Node } from '../../src/tree.js';

const str = (value: string): Node => ({ kind: 'str', value });
const entry = (key: string, value: Node) => ({ kind: 'entry' as const, key, value });
const map = (...items: MapNode['items']): MapNode => ({ kind: 'map', items });
const VALID = /^[A-Za-z_][A-Za-z0-9_]*$/;

describe('flattenedName', () => {
  it.each([
    [['apiKey'], 'API_KEY'],
    [['db', 'password'], 'DB_PASSWORD'],
    [['db', 'dbPassword'], 'DB_DB_PASSWORD'],
    [['HTTPServer', 'port'], 'HTTP_SERVER_PORT'],
    [['hosts', '0'], 'HOSTS_0'],
    [['9lives'], '_9LIVES'],
    [['weird-key', 'a.b c'], 'WEIRD_KEY_A_B_C'],
    [['ünïcode', 'x'], '_N_CODE_X'],
    [['ALREADY_UPPER'], 'ALREADY_UPPER'],
  ])('%j → %s', (path, name) => {
    expect(flattenedName(path)).toBe(name);
  });

  it('every path of non-empty keys gives a valid variable name', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, unit: 'binary' }), { minLength: 1, maxLength: 4 }), (path) => {
        expect(flattenedName(path)).toMatch(VALID);
      }),
    );
  });
});

describe('merge keys', () => {
  const defaults = map(entry('timeout', str('30')), entry('retries', str('3')));
  const extra = map(entry('retries', str('5')), entry('region', str('eu')));

  it('own keys win, then the merged maps in order', () => {
    const prod = map(entry('<<', { kind: 'list', items: [defaults, extra] }), entry('timeout', str('60')));
    expect(resolvedEntries(undefined, prod).map((e) => [e.key, (e.opened as { value: string }).value])).toEqual([
      ['timeout', '60'],
      ['retries', '3'],
      ['region', 'eu'],
    ]);
  });

  it('a merged secret stays secret, and no name holds <<', () => {
    const enc = str('ENC[AES256_GCM,data:x]');
    const stored = map(entry('prod', map(entry('<<', map(entry('password', enc))), entry('host', str('h')))));
    const opened = map(entry('prod', map(entry('<<', map(entry('password', str('pw')))), entry('host', str('h')))));
    expect(Object.fromEntries(documentToEnv(stored, opened, { flatten: true, file: 'f' }))).toEqual({
      PROD_HOST: { value: 'h', secret: false },
      PROD_PASSWORD: { value: 'pw', secret: true },
    });
  });

  it('a << whose value is not a map stays an ordinary key', () => {
    expect(resolvedEntries(undefined, map(entry('<<', str('x')))).map((e) => e.key)).toEqual(['<<']);
  });
});

describe('names that collide', () => {
  it('two keys that become one variable are an error naming both', () => {
    const doc = map(entry('db', map(entry('password', str('a')))), entry('DB_PASSWORD', str('b')));
    expect(() => documentToEnv(doc, doc, { flatten: true, file: 'f' })).toThrow('keys db.password and DB_PASSWORD both become the variable DB_PASSWORD');
  });
});
