/**
 * Security review attacks on offboarding (issue 11, items 1, 2 and 6), run end to end: the
 * CLI on real files, with bob as a member who has write access to the repository and his own
 * identity. Each attack must fail to keep bob's access after `team rm bob`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { unwrapDataKey } from '../../src/crypto/data-key.js';
import { parseIdentities } from '../../src/keys/identity.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity, type TestIdentity } from '../helpers/keys.js';
import { readMetadata } from '../helpers/open-with-key.js';

interface Repo {
  readonly dir: string;
  readonly alice: TestIdentity;
  readonly bob: TestIdentity;
  readonly carol: TestIdentity;
  as(who: TestIdentity, argv: string[]): ReturnType<typeof cli>;
  /** Whether `who`'s identity opens the data key of `file` (the real test of access). */
  opens(who: TestIdentity, file: string): Promise<boolean>;
  read(file: string): string;
  write(file: string, text: string): void;
}

async function repo(config?: (r: { alice: string; bob: string; carol: string }) => string): Promise<Repo> {
  const dir = tempDir();
  const [alice, bob, carol] = [await makeIdentity(dir, 'alice'), await makeIdentity(dir, 'bob'), await makeIdentity(dir, 'carol')];
  const recipients = { alice: alice.recipient, bob: bob.recipient, carol: carol.recipient };
  writeFileSync(
    join(dir, '.sops.yaml'),
    config?.(recipients) ??
      `envseal:\n  members:\n    alice: ${alice.recipient}\n    bob: ${bob.recipient}\ncreation_rules:\n  - path_regex: \\.(env|yaml)$\n    age:\n      - ${alice.recipient}  # alice\n      - ${bob.recipient}  # bob\n`,
  );
  let tick = 0;
  const as = (who: TestIdentity, argv: string[]) => cli(argv, { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: who.file }), now: new Date(Date.UTC(2026, 10, 1) + 1000 * ++tick) });
  const opens = async (who: TestIdentity, file: string) =>
    (await unwrapDataKey(readMetadata(join(dir, file)), parseIdentities(readFileSync(who.file, 'utf8')).identities)).ok;
  return {
    dir,
    alice,
    bob,
    carol,
    as,
    opens,
    read: (file) => readFileSync(join(dir, file), 'utf8'),
    write: (file, text) => writeFileSync(join(dir, file), text),
  };
}

async function seal(r: Repo, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    r.write(file, text);
    expect((await r.as(r.alice, ['encrypt', file])).code).toBe(0);
  }
}

describe('attack 1: bob relabels his own key entry, then alice runs `team rm bob`', () => {
  it('an upper-case label, another member\'s label (a duplicate), a stranger\'s label: bob opens nothing afterwards', async () => {
    const r = await repo();
    await seal(r, { 'a.env': 'A=alpha\n', 'b.env': 'B=beta\n', 'c.yaml': 'c: gamma\n' });
    for (const f of ['a.env', 'b.env', 'c.yaml']) expect(await r.opens(r.bob, f)).toBe(true);
    // Bob, still a member, rewrites the label of his entry in each file and commits.
    r.write('a.env', r.read('a.env').replace(r.bob.recipient, r.bob.recipient.toUpperCase()));
    r.write('b.env', r.read('b.env').replace(r.bob.recipient, r.alice.recipient));
    r.write('c.yaml', r.read('c.yaml').replace(r.bob.recipient, r.carol.recipient));
    for (const f of ['a.env', 'b.env', 'c.yaml']) expect(await r.opens(r.bob, f), f).toBe(true);

    // c.yaml now names carol, who is not in the roster: her key gets the new data key only
    // when alice says yes.
    const asked = await r.as(r.alice, ['team', 'rm', 'bob']);
    expect(asked.code).toBe(3);
    expect(asked.stderr).toContain(`${r.carol.recipient} (not in the roster`);
    const rm = await r.as(r.alice, ['team', 'rm', 'bob', '--yes']);
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stderr).toContain('new data key for 3 files');
    expect(rm.stdout).toContain('a.env: A\n');
    expect(rm.stdout).toContain('b.env: B\n');
    expect(rm.stdout).toContain('c.yaml: c\n');
    for (const f of ['a.env', 'b.env', 'c.yaml']) {
      expect(await r.opens(r.bob, f), `bob still opens ${f}`).toBe(false);
      expect(await r.opens(r.alice, f), `alice lost ${f}`).toBe(true);
    }
    // Values set afterwards stay out of bob's reach.
    expect((await r.as(r.alice, ['set', 'LATER', 'after-rm', '-f', 'a.env'])).code).toBe(0);
    expect(await r.opens(r.bob, 'a.env')).toBe(false);
    expect((await r.as(r.bob, ['get', 'LATER', '-f', 'a.env'])).code).toBe(4);
    expect((await r.as(r.alice, ['get', 'LATER', '-f', 'a.env'])).stdout).toBe('after-rm\n');
    // The doubtful labels are reported wherever recipients are shown.
    const status = await r.as(r.alice, ['status']);
    expect(status.stdout).not.toMatch(/warning/);
  });

  it('a label bob rewrote is reported by status and team ls until the file is re-keyed', async () => {
    const r = await repo();
    await seal(r, { 'a.env': 'A=alpha\n' });
    r.write('a.env', r.read('a.env').replace(r.bob.recipient, r.alice.recipient));
    const status = await r.as(r.alice, ['status', 'a.env']);
    expect(status.stdout).toMatch(/warning: two key entries are labelled "age1/);
    const json = JSON.parse((await r.as(r.alice, ['status', 'a.env', '--json'])).stdout) as { files: Array<{ labelProblems: string[] }> };
    expect(json.files[0]?.labelProblems).toHaveLength(1);
    const ls = await r.as(r.alice, ['team', 'ls']);
    expect(ls.stderr).toMatch(/warning: a\.env: two key entries are labelled "age1/);
    const lsJson = JSON.parse((await r.as(r.alice, ['team', 'ls', '--json'])).stdout) as { labelWarnings: string[] };
    expect(lsJson.labelWarnings).toHaveLength(1);
  });

  it('duplicate labels no longer make `team add` skip a file: the new member can read it', async () => {
    const r = await repo();
    await seal(r, { 'a.env': 'A=alpha\n' });
    // Bob labels his own entry as carol's before carol joins.
    r.write('a.env', r.read('a.env').replace(r.bob.recipient, r.carol.recipient));
    const add = await r.as(r.alice, ['team', 'add', 'carol', r.carol.recipient]);
    expect(add.code, add.stderr).toBe(0);
    expect(await r.opens(r.carol, 'a.env')).toBe(true);
    expect((await r.as(r.carol, ['get', 'A', '-f', 'a.env'])).stdout).toBe('alpha\n');
  });
});

describe('attack 2: bob\'s recipient spelt in upper case in .sops.yaml', () => {
  it('`team rm bob` takes him out of every rule; new files and updatekeys leave him out', async () => {
    const r = await repo(({ alice, bob }) =>
      `envseal:\n  members:\n    alice: ${alice}\n    bob: ${bob.toUpperCase()}\ncreation_rules:\n  - path_regex: \\.env$\n    age:\n      - ${alice}  # alice\n      - ${bob.toUpperCase()}  # bob\n`,
    );
    await seal(r, { 'a.env': 'A=alpha\n' });
    expect(await r.opens(r.bob, 'a.env')).toBe(true);
    expect((await r.as(r.alice, ['team', 'rm', 'bob'])).code).toBe(0);
    const config = parse(r.read('.sops.yaml')) as { creation_rules: Array<{ age: string[] }>; envseal: { members: Record<string, string> } };
    expect(JSON.stringify(config).toLowerCase()).not.toContain(r.bob.recipient);
    expect(config.envseal.members).toEqual({ alice: r.alice.recipient });
    expect((await r.as(r.alice, ['set', 'NEW', 'v', '-f', 'new.env'])).code).toBe(0);
    expect(await r.opens(r.bob, 'new.env')).toBe(false);
    const update = await r.as(r.alice, ['updatekeys']);
    expect(update.code, update.stderr).toBe(0);
    for (const f of ['a.env', 'new.env']) expect(await r.opens(r.bob, f), f).toBe(false);
  });
});

describe('attack 6: `team rm` of the only member of a key group', () => {
  it('is refused before anything is written (exit 3), so the file can still be opened', async () => {
    const r = await repo(({ alice, bob }) =>
      `envseal:\n  members:\n    alice: ${alice}\n    bob: ${bob}\ncreation_rules:\n  - key_groups:\n      - age: [${alice}]\n      - age: [${bob}]\n`,
    );
    await seal(r, { 'g.yaml': 'g: shared\n' });
    const before = { file: r.read('g.yaml'), config: r.read('.sops.yaml') };
    const rm = await r.as(r.alice, ['team', 'rm', 'bob']);
    expect(rm.code).toBe(3);
    expect(rm.stderr).toMatch(/bob is the only member of key group 2 of g\.yaml.*nothing was written/);
    expect(r.read('g.yaml')).toBe(before.file);
    expect(r.read('.sops.yaml')).toBe(before.config);
    expect(() => readFileSync(join(r.dir, '.envseal-exposures.yaml'))).toThrow();
  });
});
