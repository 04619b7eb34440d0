/**
 * Attack 5 (issue 11): a recipient added by any commit is used silently. Someone with write
 * access adds their own key to a creation rule in .sops.yaml; the next `set` that creates a
 * file, `encrypt`, or `updatekeys` would wrap data keys for it. envseal now names the stranger
 * and asks (on a terminal) or needs --yes; without either it stops (exit 3) and writes nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity, type TestIdentity } from '../helpers/keys.js';

async function repo(): Promise<{ dir: string; alice: TestIdentity; mallory: TestIdentity; as: (argv: string[], extra?: Partial<Parameters<typeof cli>[1]>) => ReturnType<typeof cli> }> {
  const dir = tempDir();
  const alice = await makeIdentity(dir, 'alice');
  const mallory = await makeIdentity(dir, 'mallory');
  writeFileSync(join(dir, '.sops.yaml'), `envseal:\n  members:\n    alice: ${alice.recipient}\ncreation_rules:\n  - age:\n      - ${alice.recipient}  # alice\n`);
  writeFileSync(join(dir, 'old.env'), 'OLD=1\n');
  const as = (argv: string[], extra: Partial<Parameters<typeof cli>[1]> = {}) => cli(argv, { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: alice.file }), ...extra });
  expect((await as(['encrypt', 'old.env'])).code).toBe(0);
  // Mallory's commit: her key appended to the rule.
  writeFileSync(join(dir, '.sops.yaml'), readFileSync(join(dir, '.sops.yaml'), 'utf8') + `      - ${mallory.recipient}\n`);
  return { dir, alice, mallory, as };
}

describe('attack 5: a stranger\'s recipient slipped into .sops.yaml', () => {
  it('set creating a file, and encrypt: exit 3 naming the stranger, nothing written; --yes goes ahead', async () => {
    const { dir, mallory, as } = await repo();
    const set = await as(['set', 'TOKEN', 'secret', '-f', 'new.env']);
    expect(set.code).toBe(3);
    expect(set.stderr).toContain('new.env would be readable by 1 recipient outside the roster');
    expect(set.stderr).toContain(`${mallory.recipient} (not in the roster`);
    expect(existsSync(join(dir, 'new.env'))).toBe(false);
    writeFileSync(join(dir, 'plain.env'), 'P=1\n');
    const enc = await as(['encrypt', 'plain.env']);
    expect(enc.code).toBe(3);
    expect(readFileSync(join(dir, 'plain.env'), 'utf8')).toBe('P=1\n');
    const yes = await as(['encrypt', 'plain.env', '--yes']);
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stderr).toMatch(/encrypted plain\.env for 2 recipients: alice, age1.*\(not in the roster\)/);
  });

  it('on a terminal the change is shown and asked about; "n" writes nothing, "y" goes ahead', async () => {
    const { dir, mallory, as } = await repo();
    const questions: string[] = [];
    const no = await as(['set', 'TOKEN', 'secret', '-f', 'new.env'], { prompt: (q) => (questions.push(q), 'n') });
    expect(no.code).toBe(3);
    expect(no.stderr).toContain(mallory.recipient);
    expect(questions.at(-1)).toMatch(/Go ahead\? \[y\/N\]/);
    expect(existsSync(join(dir, 'new.env'))).toBe(false);
    const yes = await as(['set', 'TOKEN', 'secret', '-f', 'new.env'], { prompt: (q) => (/Go ahead/.test(q) ? 'y' : 'secret') });
    expect(yes.code, yes.stderr).toBe(0);
  });

  it('updatekeys asks before wrapping an existing file\'s key for the stranger; `--dry-run` just shows it', async () => {
    const { dir, as } = await repo();
    const before = readFileSync(join(dir, 'old.env'), 'utf8');
    const dry = await as(['updatekeys', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/old\.env: \+age1/);
    const r = await as(['updatekeys']);
    expect(r.code).toBe(3);
    expect(readFileSync(join(dir, 'old.env'), 'utf8')).toBe(before);
    expect((await as(['updatekeys', '--yes'])).code).toBe(0);
  });

  it('recipients named on the command line, and setups without a roster, are not questioned', async () => {
    const dir = tempDir();
    const me = await makeIdentity(dir, 'me');
    const other = await makeIdentity(dir, 'other');
    writeFileSync(join(dir, '.env'), 'A=1\n');
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: me.file });
    expect((await cli(['encrypt', '.env', '--age', me.recipient, '--age', other.recipient], { cwd: dir, env })).code).toBe(0);
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - age: [${me.recipient}, ${other.recipient}]\n`);
    expect((await cli(['set', 'B', '2', '-f', 'b.env'], { cwd: dir, env })).code).toBe(0);
  });
});

describe('a stranger\'s key entry planted before the first `team add` (key labels are not signed)', () => {
  it('is not made a member silently: exit 3 naming it and nothing written; --yes keeps it knowingly', async () => {
    const dir = tempDir();
    const alice = await makeIdentity(dir, 'alice');
    const bob = await makeIdentity(dir, 'bob');
    const mallory = await makeIdentity(dir, 'mallory');
    const as = (argv: string[]) => cli(argv, { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: alice.file, USER: 'alice' }) });
    writeFileSync(join(dir, 'app.env'), 'TOKEN=secret\n');
    expect((await as(['encrypt', 'app.env', '--age', alice.recipient])).code).toBe(0);
    // Mallory, with write access and no key, adds an entry labelled with her recipient (its
    // wrapped key is alice's copied: she cannot make a real one).
    const text = readFileSync(join(dir, 'app.env'), 'utf8');
    const enc = /sops_age__list_0__map_enc=(.*)\n/.exec(text)?.[1] ?? '';
    writeFileSync(join(dir, 'app.env'), text.replace('sops_lastmodified=', `sops_age__list_1__map_recipient=${mallory.recipient}\nsops_age__list_1__map_enc=${enc}\nsops_lastmodified=`));
    const refused = await as(['team', 'add', 'bob', bob.recipient]);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toMatch(/1 reader the files name would become a member/);
    expect(refused.stderr).toContain(mallory.recipient.slice(0, 12));
    expect(existsSync(join(dir, '.sops.yaml'))).toBe(false);
    const kept = await as(['team', 'add', 'bob', bob.recipient, '--yes']);
    expect(kept.code, kept.stderr).toBe(0);
    expect(readFileSync(join(dir, '.sops.yaml'), 'utf8')).toContain(mallory.recipient);
  });
});
