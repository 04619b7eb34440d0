/** Which command lines the fast bundle takes (bin/envseal.cjs asks before loading the full CLI). */
import { describe, expect, it } from 'vitest';
import { takes } from '../../src/cli/fast.js';

describe('takes', () => {
  it('takes an ordinary run and scan --staged; leaves help, bad flags and other commands to the full CLI', () => {
    expect(takes(['run', '--', 'node', 'app.js'])).toBe(true);
    expect(takes(['run', '-f.env.production', '--mask', '--', 'node'])).toBe(true);
    expect(takes(['scan', '--staged'])).toBe(true);
    expect(takes(['run', '--help'])).toBe(false);
    expect(takes(['run', '--bogus', '--', 'node'])).toBe(false);
    expect(takes(['get', 'KEY'])).toBe(false);
    expect(takes([])).toBe(false);
  });
});
