/** Documents → environment variables, the child's environment, --require (src/run/env.ts). */
import { describe, expect, it } from 'vitest';
import { addDocuments, buildEnv, checkRequired, documentToEnv, commaSeparatedKeys, type EnvValue } from '../../src/run/env.js';
import type { MapNode, Node } from '../../src/tree.js';

const str = (value: string): Node => ({ kind: 'str', value });
const entry = (key: string, value: Node) => ({ kind: 'entry' as const, key, value });
const map = (...items: MapNode['items']): MapNode => ({ kind: 'map', items });

describe('documentToEnv', () => {
  const stored = map(entry('TOKEN', str('ENC[AES256_GCM,data:x]')), { kind: 'comment', text: ' c' }, entry('PORT', str('8080')), entry('GONE', { kind: 'null' }));
  const opened = map(entry('TOKEN', str('s3cret')), { kind: 'comment', text: ' c' }, entry('PORT', { kind: 'int', value: 8080n }), entry('GONE', { kind: 'null' }));

  it('takes top-level scalars verbatim as text, skips comments and nulls, and tells which were encrypted', () => {
    expect(Object.fromEntries(documentToEnv(stored, opened, { flatten: false, file: 'f' }))).toEqual({
      TOKEN: { value: 's3cret', secret: true },
      PORT: { value: '8080', secret: false },
    });
  });

  it('a nested value is an error naming the key, unless flattened: path joined with _, upper case, list items by index', () => {
    const nested = map(entry('db', map(entry('password', str('pw')), entry('hosts', { kind: 'list', items: [{ kind: 'comment', text: ' x' }, str('h0'), { kind: 'bool', value: true }] }))));
    const storedNested = map(entry('db', map(entry('password', str('ENC[…]')), entry('hosts', { kind: 'list', items: [{ kind: 'comment', text: ' x' }, str('h0'), str('ENC[…]')] }))));
    expect(() => documentToEnv(nested, nested, { flatten: false, file: 'app.yaml' })).toThrow(expect.objectContaining({ message: expect.stringMatching(/^key db holds a nested value/), file: 'app.yaml' }));
    expect(Object.fromEntries(documentToEnv(storedNested, nested, { flatten: true, file: 'f' }))).toEqual({
      DB_PASSWORD: { value: 'pw', secret: true },
      DB_HOSTS_0: { value: 'h0', secret: false },
      DB_HOSTS_1: { value: 'true', secret: true },
    });
  });

  it('refuses names and values an environment cannot hold, without showing the value', () => {
    for (const key of ['', 'A=B', 'A\0B']) expect(() => documentToEnv(map(entry(key, str('v'))), map(entry(key, str('v'))), { flatten: false, file: 'f' })).toThrow(/cannot be an environment variable name/);
    try {
      documentToEnv(map(entry('K', str('se\0cret'))), map(entry('K', str('se\0cret'))), { flatten: false, file: 'f' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toBe('the value of K contains a NUL byte, which an environment variable cannot hold');
    }
  });
});

describe('addDocuments', () => {
  it('later documents win, and nothing from a file that was not encrypted counts as secret', () => {
    const into = new Map<string, EnvValue>();
    const doc = map(entry('A', str('ENC[…]')), entry('B', str('1')));
    addDocuments(into, [doc], [map(entry('A', str('a1')), entry('B', str('1')))], false, 'f', true);
    addDocuments(into, [doc, map(entry('A', str('ENC[…]')))], [map(entry('B', str('2'))), map(entry('A', str('a2')))], false, 'plain', false);
    expect(Object.fromEntries(into)).toEqual({ A: { value: 'a2', secret: false }, B: { value: '2', secret: false } });
  });
});

describe('buildEnv', () => {
  const values = new Map<string, EnvValue>([['SHARED', { value: 'file', secret: true }], ['NEW', { value: 'n', secret: false }]]);
  const parent = { SHARED: 'shell', PATH: '/bin', UNSET: undefined, OTHER: 'o', SYSTEMROOT: 'C:\\Windows' };

  it('keeps the parent environment; a variable already set wins unless override', () => {
    expect(buildEnv(parent, 'linux', values, { override: false, pristine: false })).toEqual({ SHARED: 'shell', PATH: '/bin', OTHER: 'o', SYSTEMROOT: 'C:\\Windows', NEW: 'n' });
    expect(buildEnv(parent, 'linux', values, { override: true, pristine: false }).SHARED).toBe('file');
  });

  it("never passes on envseal's own identity variables", () => {
    const withKeys = { ...parent, SOPS_AGE_KEY: 'AGE-SECRET-KEY-1X', SOPS_AGE_KEY_FILE: '/k', SOPS_AGE_KEY_CMD: 'pass', SOPS_AGE_SSH_PRIVATE_KEY_FILE: '/s' };
    for (const pristine of [false, true]) expect(Object.keys(buildEnv(withKeys, 'linux', values, { override: false, pristine })).filter((k) => k.startsWith('SOPS_'))).toEqual([]);
  });

  it('pristine keeps only the few names the platform needs', () => {
    expect(buildEnv(parent, 'linux', values, { override: false, pristine: true })).toEqual({ PATH: '/bin', SHARED: 'file', NEW: 'n' });
    expect(buildEnv(parent, 'win32', values, { override: false, pristine: true })).toEqual({ PATH: '/bin', SYSTEMROOT: 'C:\\Windows', SHARED: 'file', NEW: 'n' });
  });
});

describe('--require', () => {
  it('splits and trims the flags', () => {
    expect(commaSeparatedKeys(['A, B', 'C', ' ,D,'])).toEqual(['A', 'B', 'C', 'D']);
    expect(commaSeparatedKeys(undefined)).toEqual([]);
  });

  it('missing or empty keys are one exit-3 error listing each once, in order', () => {
    expect(() => checkRequired({ A: 'x' }, ['A'])).not.toThrow();
    expect(() => checkRequired({ A: 'x', E: '' }, ['B', 'A', 'E', 'B'])).toThrow(expect.objectContaining({ exitCode: 3, code: 'MISSING_KEYS', message: 'required keys are missing or empty: B, E' }));
    expect(() => checkRequired({}, ['B'])).toThrow('required key is missing or empty: B');
  });
});
