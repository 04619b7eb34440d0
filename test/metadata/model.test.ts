/** The sops metadata model: label checks, thresholds, versions, other key types (src/metadata/model.ts). */
import { describe, expect, it } from 'vitest';
import { parseRecipient } from '../../src/keys/recipient.js';
import {
  ageKeyFor,
  effectiveThreshold,
  labelProblems,
  olderThan,
  otherKeyDescriptions,
  printableLabel,
  recordedThreshold,
  type AgeKey,
  type KeyGroup,
} from '../../src/metadata/model.js';
import { fakeIdentity, fakeRecipient } from '../helpers/recipients.js';

/** An entry as the codec makes it from a stored label. */
function stored(label: string): AgeKey {
  const parsed = parseRecipient(label);
  return { label: label.trim(), recipient: parsed.ok ? parsed.recipient : null, enc: 'ENC' };
}

const group = (...age: AgeKey[]): KeyGroup => ({ age, others: {} });

describe('labelProblems', () => {
  it('accepts distinct canonical labels', () => {
    expect(labelProblems({ keyGroups: [group(ageKeyFor(fakeRecipient(1), 'x'), ageKeyFor(fakeRecipient(2), 'y'))] })).toEqual([]);
  });

  it('names a label that does not parse, one not in canonical form, and one repeated (across groups too)', () => {
    const a = fakeRecipient(1);
    const problems = labelProblems({ keyGroups: [group(stored('not-a-recipient'), stored(a.toUpperCase())), group(stored(fakeRecipient(3)), stored(fakeRecipient(3)))] });
    expect(problems).toEqual([
      'a key entry is labelled "not-a-recipient", which is not a recipient',
      `a key entry is labelled "${a.toUpperCase().slice(0, 32)}…", not in the canonical form of its recipient`,
      `two key entries are labelled "${fakeRecipient(3).slice(0, 32)}…"`,
    ]);
  });
});

describe('printableLabel', () => {
  it('never echoes a secret key', () => {
    expect(printableLabel(fakeIdentity(7))).toBe('(a secret key, not shown)');
    expect(printableLabel(`  ${fakeIdentity(7).toLowerCase()}`)).toBe('(a secret key, not shown)');
    expect(printableLabel('AGE-PLUGIN-YUBIKEY-1ABC')).toBe('(a secret key, not shown)');
  });

  // Was a bug: only a label that *started* with a key was recognised.
  it('never echoes part of a secret key that follows a short prefix', () => {
    const key = fakeIdentity(7);
    const shown = printableLabel(`x,${key}`);
    expect(shown).not.toContain(key.slice('AGE-SECRET-KEY-1'.length, 'AGE-SECRET-KEY-1'.length + 8));
  });

  it('escapes every control character (C0, DEL, C1) and line separators, and shortens long labels', () => {
    const shown = printableLabel('age1\u001b[31m\u0000\u007f\u009b\u2028x');
    expect(shown).toBe('"age1\\u001b[31m\\u0000\\u007f\\u009b\\u2028x"');
    expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(printableLabel('a'.repeat(41))).toBe(`"${'a'.repeat(32)}…"`);
    expect(printableLabel('a'.repeat(40))).toBe(`"${'a'.repeat(40)}"`);
  });
});

describe('thresholds', () => {
  it('one group needs itself; several need shamir_threshold of them, all when it is 0', () => {
    expect(effectiveThreshold(1, 0)).toBe(1);
    expect(effectiveThreshold(1, 5)).toBe(1);
    expect(effectiveThreshold(3, 0)).toBe(3);
    expect(effectiveThreshold(3, 2)).toBe(2);
  });

  it('records none for one group, as sops writes none', () => {
    expect(recordedThreshold(1, 2)).toBe(0);
    expect(recordedThreshold(3, 0)).toBe(3);
    expect(recordedThreshold(3, 2)).toBe(2);
  });
});

describe('olderThan', () => {
  it('compares x.y.z numerically, with or without a v and a suffix', () => {
    expect(olderThan('3.9.4', '3.10.0')).toBe(true);
    expect(olderThan('3.10.0', '3.9.4')).toBe(false);
    expect(olderThan('v3.7.3', '3.8.0')).toBe(true);
    expect(olderThan('3.13.0-rc1', '3.13.0')).toBe(false);
    expect(olderThan('3.13', '3.13.0')).toBe(false);
    expect(olderThan('3.12', '3.12.1')).toBe(true);
  });
});

describe('otherKeyDescriptions', () => {
  it('describes each entry of the key types envseal keeps but cannot use, by its identifying field', () => {
    const keyGroups: KeyGroup[] = [
      { age: [], others: { pgp: [{ fp: 'FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4' }], kms: [{ arn: 'arn:aws:kms:x' }, { role: 'r' }] } },
      { age: [], others: { hc_vault: [{ vault_address: 'https://vault' }], gcp_kms: ['odd'] } },
    ];
    expect(otherKeyDescriptions({ keyGroups })).toEqual([
      'pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4',
      'kms: arn:aws:kms:x',
      'kms: (entry)',
      'gcp_kms: odd',
      'hc_vault: https://vault',
    ]);
  });
});
