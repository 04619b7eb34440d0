/** The scan baseline (src/ops/baseline.ts): fingerprints that reveal nothing, and how an update merges. */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryOf, fingerprintOf, readBaseline, renderBaseline, updatedBaseline, valuePrint, type BaselineEntry } from '../../src/ops/baseline.js';
import { tempDir } from '../helpers/cli.js';
import { actingAs } from '../helpers/ops.js';

const KEY_A = new Uint8Array(32).fill(1);
const KEY_B = new Uint8Array(32).fill(2);

describe('fingerprints', () => {
  it('a value print depends on the data key: without it, a guess cannot be tested', () => {
    const print = valuePrint(KEY_A, '.env', 'API_KEY', 'hunter22');
    expect(print).toBe(valuePrint(KEY_A, '.env', 'API_KEY', 'hunter22'));
    expect(print).not.toBe(valuePrint(KEY_B, '.env', 'API_KEY', 'hunter22'));
    expect(print).not.toBe(valuePrint(KEY_A, '.env', 'API_KEY', 'hunter23'));
    expect(print).not.toBe(valuePrint(KEY_A, '.env', 'OTHER', 'hunter22'));
    expect(print).not.toContain(createHash('sha256').update('hunter22').digest('hex').slice(0, 8));
  });

  it('an identity is encoded without ambiguity', () => {
    expect(fingerprintOf(['a', 'b c'], null)).not.toBe(fingerprintOf(['a b', 'c'], null));
    expect(fingerprintOf(['x'], null)).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('the baseline file', () => {
  const entry = (file: string, commit?: string): BaselineEntry => ({ fingerprint: fingerprintOf([file, commit ?? ''], null), kind: 'token', rule: 'npm-token', file, ...(commit === undefined ? {} : { commit }) });

  it('an update replaces what this scan looked at and keeps the rest', () => {
    const old = [entry('a.js'), entry('b.js'), entry('c.js', 'abc')];
    const finding = { fingerprint: 'new', kind: 'token', rule: 'npm-token', file: 'a.js' };
    const updated = updatedBaseline(old, [finding], (e) => e.commit === undefined && e.file === 'a.js');
    expect(updated.map((e) => `${e.file} ${e.fingerprint === 'new' ? 'new' : 'old'}`)).toEqual(['a.js new', 'b.js old', 'c.js old']);
    expect(entryOf({ ...finding, secret: { file: '.env', key: 'K' }, commit: { commit: 'c1' } })).toEqual({ fingerprint: 'new', kind: 'token', rule: 'npm-token', file: 'a.js', commit: 'c1', secret: { file: '.env', key: 'K' } });
  });

  it('reads back what it writes; refuses what is not a baseline; null when there is none', async () => {
    const dir = tempDir();
    const { ctx } = actingAs(dir, null);
    const path = join(dir, 'b.json');
    expect(await readBaseline(ctx, path)).toBeNull();
    const entries = [entry('a.js'), entry('c.js', 'abc')];
    writeFileSync(path, renderBaseline(entries));
    expect(await readBaseline(ctx, path)).toEqual(entries);
    writeFileSync(path, '{"accepted": []}');
    await expect(readBaseline(ctx, path)).rejects.toMatchObject({ exitCode: 6 });
    writeFileSync(path, 'not json');
    await expect(readBaseline(ctx, path)).rejects.toMatchObject({ exitCode: 6, file: path });
  });
});
