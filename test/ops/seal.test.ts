/** Sealing a new file and re-sealing an opened one (src/ops/seal.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFile } from '../../src/ops/load.js';
import { openFile } from '../../src/ops/open.js';
import { reseal, sealNew } from '../../src/ops/seal.js';
import type { Recipient } from '../../src/keys/recipient.js';
import { DEFAULT_RULE } from '../../src/rules/rules.js';
import { setAt } from '../../src/tree-path.js';
import { tempDir } from '../helpers/cli.js';
import type { TestIdentity } from '../helpers/keys.js';
import { actingAs, people, sealedFile } from '../helpers/ops.js';

let alice: TestIdentity;
beforeAll(async () => {
  ({ alice } = await people());
});

const LATER = new Date('2040-05-06T07:08:09Z');
const line = (text: string, key: string): string => new RegExp(`^${key}=.*$`, 'm').exec(text)?.[0] ?? '';

async function opened(edit: (t: string) => string = (t) => t, options: { ignoreMac?: boolean; readOnly?: boolean } = {}) {
  const dir = tempDir();
  const abs = await sealedFile(dir, '.env', 'A=alpha\nB=beta\nC_unencrypted=c\n', [alice.recipient]);
  writeFileSync(abs, edit(readFileSync(abs, 'utf8')));
  const { ctx } = actingAs(dir, alice, { now: LATER });
  const file = await openFile(ctx, await loadFile(ctx, '.env'), options);
  return { ctx, file, before: readFileSync(abs, 'utf8') };
}

describe('reseal', () => {
  it('values unchanged: the same text byte for byte (IVs, lastmodified and mac kept)', async () => {
    const { ctx, file, before } = await opened();
    const out = reseal(ctx, file, file.docs);
    expect(out.valuesChanged).toBe(false);
    expect(out.text).toBe(before);
  });

  it('one value changed: only its line, lastmodified and mac change', async () => {
    const { ctx, file, before } = await opened();
    const doc = setAt(file.docs[0]!, ['B'], { kind: 'str', value: 'changed' });
    const out = reseal(ctx, file, [doc]);
    expect(out.valuesChanged).toBe(true);
    expect(line(out.text, 'A')).toBe(line(before, 'A'));
    expect(line(out.text, 'B')).not.toBe(line(before, 'B'));
    expect(line(out.text, 'sops_lastmodified')).toBe('sops_lastmodified=2040-05-06T07:08:09Z');
    expect(line(out.text, 'sops_mac')).not.toBe(line(before, 'sops_mac'));
    const changedLines = (a: string, b: string) => a.split('\n').filter((l, i) => l !== b.split('\n')[i]).map((l) => l.split('=')[0]);
    expect(changedLines(out.text, before)).toEqual(['B', 'sops_lastmodified', 'sops_mac']);
  });

  it('a MAC that did not verify (opened with --ignore-mac) is written anew even when values are unchanged', async () => {
    const { ctx, file, before } = await opened((t) => t.replace('C_unencrypted=c', 'C_unencrypted=d'), { ignoreMac: true });
    const out = reseal(ctx, file, file.docs);
    expect(out.valuesChanged).toBe(false);
    expect(line(out.text, 'sops_mac')).not.toBe(line(before, 'sops_mac'));
    expect(out.metadata.lastModified).toBe('2040-05-06T07:08:09Z');
  });

  it('records a newer version when asked; a file opened read-only cannot be written back', async () => {
    const { ctx, file } = await opened();
    expect(line(reseal(ctx, file, file.docs, { version: '3.14.0' }).text, 'sops_version')).toBe('sops_version=3.14.0');
    const ro = await opened(undefined, { readOnly: true });
    expect(() => reseal(ro.ctx, ro.file, ro.file.docs)).toThrow(expect.objectContaining({ exitCode: 1, code: 'INTERNAL' }));
  });
});

describe('sealNew', () => {
  it('records when it was sealed, the sops version, and a threshold only for several key groups', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'A=1\n');
    const { ctx } = actingAs(dir, null, { now: LATER });
    const loaded = await loadFile(ctx, '.env');
    const plan = { groups: [{ age: [alice.recipient as Recipient], others: {} }], threshold: 0, rule: DEFAULT_RULE, macOnlyEncrypted: false };
    const text = await sealNew(ctx, loaded, loaded.parsed.docs, plan);
    expect(line(text, 'sops_lastmodified')).toBe('sops_lastmodified=2040-05-06T07:08:09Z');
    expect(line(text, 'sops_version')).toBe('sops_version=3.13.3');
    expect(text).not.toContain('shamir_threshold');
    const two = await sealNew(ctx, loaded, loaded.parsed.docs, { ...plan, groups: [plan.groups[0]!, plan.groups[0]!] });
    expect(line(two, 'sops_shamir_threshold')).toBe('sops_shamir_threshold=2');
    expect(line(two, 'A')).not.toBe(line(text, 'A')); // a fresh data key each time
  });
});
