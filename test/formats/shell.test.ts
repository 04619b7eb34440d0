/** `decrypt --format shell` (src/formats/shell.ts): what it writes, a real shell reads back exactly. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { emitShell, shellQuote } from '../../src/formats/shell.js';
import type { MapNode, Node } from '../../src/tree.js';

const doc = (entries: Array<[string, Node]>): MapNode => ({ kind: 'map', items: entries.map(([key, value]) => ({ kind: 'entry', key, value })) });

describe('shell output', () => {
  it('a POSIX shell reads every value back literally: quotes, $, backticks, backslashes, newlines', () => {
    const values = [`it's`, '$HOME `id` $(id)', 'back\\slash\\n', 'two\nlines', '', "''"];
    const script = emitShell([doc(values.map((v, i) => [`V${i}`, { kind: 'str', value: v }]))], 'x') + values.map((_, i) => `printf '%s\\0' "$V${i}"`).join('\n');
    const out = execFileSync('sh', ['-c', script], { encoding: 'utf8', env: {} });
    expect(out.split('\0').slice(0, -1)).toEqual(values);
    expect(shellQuote(`a'b`)).toBe(`'a'\\''b'`);
  });

  it('keeps comments and blank lines, writes scalars as text and null as empty', () => {
    const d: MapNode = {
      kind: 'map',
      items: [
        { kind: 'comment', text: ' first\nsecond' },
        { kind: 'blank' },
        { kind: 'entry', key: 'N', value: { kind: 'int', value: 5n } },
        { kind: 'entry', key: 'B', value: { kind: 'bool', value: false } },
        { kind: 'entry', key: 'E', value: { kind: 'null' } },
      ],
    };
    expect(emitShell([d], 'x')).toBe("# first second\n\nexport N='5'\nexport B='false'\nexport E=''\n");
  });

  it('refuses a key that is not a shell name, and a nested value, naming the key', () => {
    expect(() => emitShell([doc([['my-key', { kind: 'str', value: 'v' }]])], '/r/c.yaml')).toThrow(expect.objectContaining({ exitCode: 6, file: '/r/c.yaml', message: 'key "my-key" is not a valid shell variable name' }));
    expect(() => emitShell([doc([['1A', { kind: 'str', value: 'v' }]])], 'x')).toThrow(/not a valid shell variable name/);
    expect(() => emitShell([doc([['db', { kind: 'map', items: [] }]])], 'x')).toThrow('key db holds a nested value, which a shell variable cannot');
  });
});
