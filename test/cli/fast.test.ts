/** Which command lines each fast bundle takes (bin/envseal.cjs asks before loading the full CLI). */
import { describe, expect, it } from 'vitest';
import { fastKind } from '../../src/cli/fast.js';

describe('fastKind', () => {
  it('takes an ordinary run, scan --staged and the merge driver; leaves help, bad flags and other commands to the full CLI', () => {
    expect(fastKind(['run', '--', 'node', 'app.js'])).toBe('run');
    expect(fastKind(['run', '-f.env.production', '--mask', '--', 'node'])).toBe('run');
    expect(fastKind(['scan', '--staged'])).toBe('scan');
    expect(fastKind(['git', 'merge-driver', '.merge_file_a', '.merge_file_b', '.merge_file_c', '.env'])).toBe('merge');
    expect(fastKind(['git', 'merge-driver', 'a', 'b', 'c'])).toBeNull();
    expect(fastKind(['git', 'merge-driver', '--help', 'b', 'c', 'd'])).toBeNull();
    expect(fastKind(['git', 'setup'])).toBeNull();
    expect(fastKind(['run', '--help'])).toBeNull();
    expect(fastKind(['run', '--bogus', '--', 'node'])).toBeNull();
    expect(fastKind(['get', 'KEY'])).toBeNull();
    expect(fastKind([])).toBeNull();
  });
});
