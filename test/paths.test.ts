/** Paths as people give and see them (src/paths.ts). */
import { describe, expect, it } from 'vitest';
import { displayPath, resolveFromCwd } from '../src/paths.js';

describe('paths', () => {
  it('resolves a given path against the working folder, leaving absolute ones alone', () => {
    expect(resolveFromCwd({ cwd: '/work/repo' }, 'app/.env')).toBe('/work/repo/app/.env');
    expect(resolveFromCwd({ cwd: '/work/repo' }, '../other/.env')).toBe('/work/other/.env');
    expect(resolveFromCwd({ cwd: '/work/repo' }, '/etc/x.env')).toBe('/etc/x.env');
  });

  it('shows a path relative to the working folder only when it lies below it', () => {
    expect(displayPath('/work/repo/app/.env', '/work/repo')).toBe('app/.env');
    expect(displayPath('/work/other/.env', '/work/repo')).toBe('/work/other/.env');
    expect(displayPath('/work/repo', '/work/repo')).toBe('/work/repo');
    expect(displayPath('given/as/is.env', '/work/repo')).toBe('given/as/is.env');
  });
});
