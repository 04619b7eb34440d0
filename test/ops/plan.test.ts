/** Who a new file is encrypted to (src/ops/plan.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRecipients, parseRecipientFlags, planForNewFile, strangersQuestion, type PlanFlags } from '../../src/ops/plan.js';
import { tempDir } from '../helpers/cli.js';
import { actingAs } from '../helpers/ops.js';
import { fakeIdentity, fakeRecipient } from '../helpers/recipients.js';

const [A, B, C] = [fakeRecipient(1), fakeRecipient(2), fakeRecipient(3)];

function planIn(dir: string, file: string, flags: PlanFlags, env: Record<string, string> = {}) {
  return planForNewFile(actingAs(dir, null, { env }).ctx, join(dir, file), file, flags);
}

describe('parseRecipientFlags', () => {
  it('splits comma lists, drops repeats, and names the first bad one (never an identity)', () => {
    expect(parseRecipientFlags([`${A}, ${B}`, A.toUpperCase(), C])).toEqual([A, B, C]);
    expect(() => parseRecipientFlags([A, 'age1typo'])).toThrow(/^recipient "age1typo" does not parse: it is not valid bech32/);
    expect(() => parseRecipientFlags(['x'.repeat(40)])).toThrow(`recipient "${'x'.repeat(24)}…" does not parse`);
    let message = '';
    try {
      parseRecipientFlags([fakeIdentity(4)]);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^recipient \(not shown\) does not parse/);
  });
});

describe('planForNewFile', () => {
  it('without a .sops.yaml: --age, else SOPS_AGE_RECIPIENTS, else nobody (exit 3)', async () => {
    const dir = tempDir();
    expect(await planIn(dir, '.env', { age: [A] }, { SOPS_AGE_RECIPIENTS: B })).toMatchObject({
      groups: [{ age: [A], others: {} }],
      threshold: 0,
      rule: { field: 'unencrypted_suffix', value: '_unencrypted' },
      macOnlyEncrypted: false,
      strangers: [],
      hasRoster: false,
    });
    expect((await planIn(dir, '.env', { age: [] }, { SOPS_AGE_RECIPIENTS: `${B},${C}` })).groups).toEqual([{ age: [B, C], others: {} }]);
    await expect(planIn(dir, '.env', {}, { SOPS_AGE_RECIPIENTS: '' })).rejects.toMatchObject({ exitCode: 3, code: 'NO_RECIPIENTS', message: 'no recipients to encrypt .env to' });
  });

  it("the first matching rule gives recipients, key groups and its encryption rule; --age replaces only the recipients", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, '.sops.yaml'),
      `creation_rules:\n  - path_regex: ^prod/\n    shamir_threshold: 2\n    key_groups:\n      - age: [${A}]\n      - age: [${B}]\n      - age: [${C}]\n  - path_regex: \\.yaml$\n    age: ${A}\n    encrypted_regex: ^secret\n    mac_only_encrypted: true\n`,
    );
    expect(await planIn(dir, 'prod/.env', {})).toMatchObject({ groups: [{ age: [A] }, { age: [B] }, { age: [C] }], threshold: 2 });
    const yaml = { rule: { field: 'encrypted_regex', value: '^secret' }, macOnlyEncrypted: true };
    expect(await planIn(dir, 'c.yaml', {})).toMatchObject({ groups: [{ age: [A] }], ...yaml });
    expect(await planIn(dir, 'c.yaml', { age: [B] })).toMatchObject({ groups: [{ age: [B] }], ...yaml });
    expect(await planIn(dir, 'c.yaml', {}, { SOPS_AGE_RECIPIENTS: C })).toMatchObject({ groups: [{ age: [C] }], ...yaml });
    expect(await planIn(dir, 'c.yaml', { rule: { field: 'unencrypted_regex', value: 'x' }, macOnlyEncrypted: false })).toMatchObject({ rule: { field: 'unencrypted_regex' }, macOnlyEncrypted: false });
  });

  it('no rule matches: exit 3 naming the config, unless recipients are given', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - path_regex: \\.yaml$\n    age: ${A}\n`);
    await expect(planIn(dir, '.env', {})).rejects.toMatchObject({ exitCode: 3, code: 'NO_RECIPIENTS', message: `no creation rule in ${join(dir, '.sops.yaml')} matches .env` });
    expect((await planIn(dir, '.env', { age: [B] })).groups).toEqual([{ age: [B], others: {} }]);
    expect((await planIn(dir, '.env', {}, { SOPS_AGE_RECIPIENTS: C })).groups).toEqual([{ age: [C], others: {} }]);
  });

  it('with a roster, recipients a rule brings in that it does not know are strangers; named ones never are', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.sops.yaml'), `envseal:\n  members:\n    alice: ${A}\ncreation_rules:\n  - age: [${A}, ${B}]\n`);
    const plan = await planIn(dir, '.env', {});
    expect(plan.strangers).toEqual([B]);
    expect(describeRecipients([A, B], plan)).toBe(`2 recipients: alice, ${B.slice(0, 16)}… (not in the roster)`);
    expect((await planIn(dir, '.env', { age: [C] })).strangers).toEqual([]);
    const question = strangersQuestion(plan.strangers, '.env');
    expect(question.summary).toBe('.env would be readable by 1 recipient outside the roster');
    expect(question.lines).toEqual([`${B} (not in the roster: who is this? envseal team add NAME ${B.slice(0, 12)}… names them)`]);
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - age: [${A}, ${B}]\n`);
    const plain = await planIn(dir, '.env', {}); // no roster: a plain sops setup, nobody is a stranger
    expect([plain.strangers, describeRecipients([A], plain)]).toEqual([[], `1 recipient: ${A.slice(0, 16)}…`]);
  });

  it('a rule naming other key types, or with an empty key group, is refused with its line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - path_regex: pgp\n    pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\n  - path_regex: groups\n    key_groups:\n      - age: [${A}]\n      - age: []\n`);
    await expect(planIn(dir, 'pgp.env', {})).rejects.toMatchObject({ exitCode: 3, line: 2, message: expect.stringMatching(/^creation rule 1 asks for keys envseal cannot wrap for: pgp/) });
    await expect(planIn(dir, 'pgp.env', { age: [A] })).resolves.toMatchObject({ groups: [{ age: [A] }] });
    await expect(planIn(dir, 'groups.env', {})).rejects.toMatchObject({ exitCode: 3, line: 4, message: 'creation rule 2 has a key group with no recipient' });
  });
});
