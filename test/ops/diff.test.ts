/**
 * compareVersions, the comparison behind `diff` and `log`, on hand-made snapshots: keys by
 * plaintext or by ciphertext, a merge's own changes only, recipients as sets, the data key
 * known, inferred from a shared wrapping, or unknown (a re-encryption).
 */
import { describe, expect, it } from 'vitest';
import type { Metadata } from '../../src/metadata/model.js';
import type { Recipient } from '../../src/keys/recipient.js';
import { compareVersions } from '../../src/ops/diff.js';
import type { Held, Snapshot } from '../../src/ops/history.js';

const R1 = 'age1aaaa' as Recipient;
const R2 = 'age1bbbb' as Recipient;
const R3 = 'age1cccc' as Recipient;

function meta(entries: ReadonlyArray<readonly [Recipient, string]>): Metadata {
  return {
    keyGroups: [{ age: entries.map(([recipient, enc]) => ({ label: recipient, recipient, enc })), others: {} }],
    shamirThreshold: 0,
    lastModified: '2026-01-01T00:00:00Z',
    mac: 'ENC[mac]',
    rule: { field: 'unencrypted_suffix', value: '_unencrypted' },
    macOnlyEncrypted: false,
    version: '3.13.3',
  };
}

/** A sops version: values `key → [plain, ciphertext]` (plain null: not opened). */
function sops(values: Record<string, readonly [string | null, string]>, options: { key?: string; wrapped?: ReadonlyArray<readonly [Recipient, string]> } = {}): Snapshot {
  const held = new Map<string, Held>(Object.entries(values).map(([k, [plain, cipher]]) => [k, { plain: plain === null ? null : `str:${plain}`, stored: `str:ENC[${cipher}]` }]));
  const opened = [...held.values()].every((h) => h.plain !== null);
  return {
    values: held,
    opened,
    sops: true,
    metadata: meta(options.wrapped ?? [[R1, `wrap-${options.key ?? 'k'}`]]),
    dataKey: opened && options.key !== undefined ? new Uint8Array(Buffer.from(options.key.padEnd(32, '.'))) : null,
  };
}

const keys = (change: ReturnType<typeof compareVersions>) => change?.keys.map((k) => `${{ added: '+', removed: '-', changed: '~' }[k.change]}${k.key}${k.approximate ? '?' : ''}`);

describe('compareVersions', () => {
  it('keys added, removed and changed, by plaintext when both versions are opened', () => {
    const before = sops({ A: ['1', 'a1'], B: ['2', 'b1'], C: ['3', 'c1'] }, { key: 'k1' });
    const after = sops({ A: ['1', 'a2'], B: ['two', 'b2'], D: ['4', 'd1'] }, { key: 'k1' });
    const change = compareVersions('a.env', [before], after);
    expect(keys(change)).toEqual(['~B', '+D', '-C']); // A: a new ciphertext, the same value
    expect(change).toMatchObject({ dataKey: null, exact: true, before: 'sops', after: 'sops' });
  });

  it('by ciphertext when a version is not opened, and says so', () => {
    const before = sops({ A: [null, 'a1'], B: [null, 'b1'] }, { wrapped: [[R1, 'w']] });
    const after = sops({ A: [null, 'a1'], B: [null, 'b2'] }, { wrapped: [[R1, 'w']] });
    const change = compareVersions('a.env', [before], after);
    expect(keys(change)).toEqual(['~B?']);
    expect(change?.exact).toBe(false);
  });

  it('a new data key with the same values: rotated, no key change', () => {
    const change = compareVersions('a.env', [sops({ A: ['1', 'a1'] }, { key: 'k1' })], sops({ A: ['1', 'a2'] }, { key: 'k2' }));
    expect(change).toMatchObject({ keys: [], dataKey: 'rotated', exact: true });
  });

  it('not opened, every ciphertext new and no wrapping shared: a re-encryption, its ~ keys left out (+ and - stay)', () => {
    const before = sops({ A: [null, 'a1'], B: [null, 'b1'] }, { wrapped: [[R1, 'w1']] });
    const after = sops({ A: [null, 'a2'], B: [null, 'b2'], N: [null, 'n1'] }, { wrapped: [[R1, 'w2']] });
    const change = compareVersions('a.env', [before], after);
    expect(change).toMatchObject({ dataKey: 'reencrypted', exact: false });
    expect(keys(change)).toEqual(['+N']);
  });

  it('not opened, but an entry wrapping the key is unchanged: the same data key, so no re-encryption', () => {
    const before = sops({ A: [null, 'a1'] }, { wrapped: [[R1, 'w1']] });
    const after = sops({ A: [null, 'a2'] }, { wrapped: [[R1, 'w1'], [R2, 'w9']] });
    const change = compareVersions('a.env', [before], after);
    expect(change).toMatchObject({ dataKey: null });
    expect(keys(change)).toEqual(['~A?']);
    expect(change?.recipients.added.map((r) => r.recipient)).toEqual([R2]);
  });

  it('recipients added and removed as sets, named by the roster', () => {
    const before = sops({ A: ['1', 'a1'] }, { key: 'k', wrapped: [[R1, 'w1'], [R2, 'w2']] });
    const after = sops({ A: ['1', 'a1'] }, { key: 'k', wrapped: [[R1, 'w1'], [R3, 'w3']] });
    const change = compareVersions('a.env', [before], after, (r) => (r === R2 ? 'bob' : undefined));
    expect(change?.recipients).toEqual({ added: [{ recipient: R3, name: null }], removed: [{ recipient: R2, name: 'bob' }] });
  });

  it('a merge: only what the result holds that no parent held', () => {
    const base = { A: ['1', 'a1'], B: ['2', 'b1'] } as const;
    const ours = sops({ ...base, B: ['2b', 'b2'] }, { key: 'k', wrapped: [[R1, 'w1'], [R2, 'w2']] });
    const theirs = sops({ ...base, A: ['1a', 'a2'] }, { key: 'k', wrapped: [[R1, 'w1']] });
    const merged = sops({ A: ['1a', 'a3'], B: ['2b', 'b2'], E: ['5', 'e1'] }, { key: 'k', wrapped: [[R1, 'w1']] });
    const change = compareVersions('a.env', [ours, theirs], merged);
    expect(keys(change)).toEqual(['+E']);
    expect(change?.recipients).toEqual({ added: [], removed: [] }); // R2's removal came from theirs
    expect(change?.dataKey).toBeNull(); // the key both parents had
    const fresh = compareVersions('a.env', [ours, theirs], sops({ A: ['1a', 'a4'], B: ['2b', 'b4'] }, { key: 'k3' }));
    expect(fresh?.dataKey).toBe('rotated'); // a key neither parent had
  });

  it('files that appear, disappear, are encrypted or decrypted; plaintext on both sides is not a sops file', () => {
    const plain: Snapshot = { values: new Map([['A', { plain: 'str:1', stored: 'str:1' }]]), opened: true, sops: false, metadata: null, dataKey: null };
    const sealed = sops({ A: ['1', 'a1'] }, { key: 'k' });
    expect(compareVersions('a.env', [null], sealed)).toMatchObject({ before: 'absent', after: 'sops', keys: [{ key: 'A', change: 'added' }] });
    expect(compareVersions('a.env', [sealed], null)).toMatchObject({ before: 'sops', after: 'absent', keys: [{ key: 'A', change: 'removed' }] });
    expect(compareVersions('a.env', [plain], sealed)).toMatchObject({ before: 'plaintext', after: 'sops', keys: [] });
    expect(compareVersions('a.env', [sealed], plain)).toMatchObject({ before: 'sops', after: 'plaintext', keys: [] });
    expect(compareVersions('a.env', [plain], { ...plain, values: new Map() })).toBeNull();
    expect(compareVersions('a.env', [sealed], sealed)).toBeNull();
  });

  it('a version that does not parse: its state, and no key guessed', () => {
    const broken: Snapshot = { values: null, opened: false, sops: false, metadata: null, dataKey: null };
    expect(compareVersions('a.env', [sops({ A: ['1', 'a1'] }, { key: 'k' })], broken)).toMatchObject({ after: 'unreadable', keys: [] });
  });
});
