/** The roster under `envseal.members` in .sops.yaml (src/config/roster.ts). */
import { describe, expect, it } from 'vitest';
import { namer, readRoster } from '../../src/config/roster.js';
import { fakeIdentity, fakeRecipient } from '../helpers/recipients.js';

describe('the roster', () => {
  it('reads name → recipient in file order (canonical form), and names recipients', () => {
    const roster = readRoster({ envseal: { members: { bob: fakeRecipient(2).toUpperCase(), alice: fakeRecipient(1) } } }, '.sops.yaml');
    expect([...roster.members]).toEqual([
      ['bob', fakeRecipient(2)],
      ['alice', fakeRecipient(1)],
    ]);
    const nameOf = namer(roster);
    expect(nameOf(fakeRecipient(1))).toBe('alice');
    expect(nameOf(fakeRecipient(3))).toBeUndefined();
  });

  it('is empty when there is no envseal section or no members', () => {
    for (const raw of [null, {}, { envseal: null }, { envseal: {} }, { envseal: { members: null } }]) {
      expect(readRoster(raw, '.sops.yaml').members.size).toBe(0);
    }
  });

  it('refuses a members list that is not a map, a bad name, or a bad recipient, naming the file and never a key', () => {
    expect(() => readRoster({ envseal: { members: ['alice'] } }, '/r/.sops.yaml')).toThrow(/must be a map/);
    expect(() => readRoster({ envseal: { members: { 'has space': fakeRecipient(1) } } }, '/r/.sops.yaml')).toThrow(/member name "has space" is not valid/);
    expect(() => readRoster({ envseal: { members: { bob: 42 } } }, '/r/.sops.yaml')).toThrow(/bob has a recipient that does not parse: not a string/);
    let message = '';
    try {
      readRoster({ envseal: { members: { bob: fakeIdentity(5) } } }, '/r/.sops.yaml');
    } catch (err) {
      expect(err).toMatchObject({ exitCode: 3, file: '/r/.sops.yaml' });
      message = (err as Error).message;
    }
    expect(message).toMatch(/^member bob has a recipient that does not parse: that is an age identity/);
    expect(message).not.toContain(fakeIdentity(5).slice(16, 30));
  });
});
