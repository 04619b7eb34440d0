/**
 * Inputs that once ended in "internal error" (exit 1): each now gets its typed error, exit
 * code and place (issue 10).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Encrypter, armor } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity, type TestIdentity } from '../helpers/keys.js';
import { readMetadata } from '../helpers/open-with-key.js';

/** A child that writes the named variables to out.txt (its stdout is not captured in-process). */
const WRITE_ENV = "require('fs').writeFileSync('out.txt', process.argv.slice(1).map((k) => process.env[k]).join(''))";

async function project(): Promise<{ dir: string; alice: TestIdentity; bob: TestIdentity; as: (who: TestIdentity | TestIdentity[], argv: string[]) => ReturnType<typeof cli> }> {
  const dir = tempDir();
  const alice = await makeIdentity(dir, 'alice');
  const bob = await makeIdentity(dir, 'bob');
  const as = (who: TestIdentity | TestIdentity[], argv: string[]) => {
    const ids = Array.isArray(who) ? who : [who];
    return cli(argv, { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY: ids.map((w) => w.identity).join('\n') }) });
  };
  return { dir, alice, bob, as };
}

describe('a .sops.yaml that cannot work', () => {
  it('shamir_threshold larger than the number of key groups: exit 3 naming .sops.yaml and its line', async () => {
    const { dir, alice, bob, as } = await project();
    writeFileSync(
      join(dir, '.sops.yaml'),
      `creation_rules:\n  - path_regex: \\.env$\n    shamir_threshold: 3\n    key_groups:\n      - age: [${alice.recipient}]\n      - age: [${bob.recipient}]\n`,
    );
    writeFileSync(join(dir, '.env'), 'A=1\n');
    const r = await as(alice, ['encrypt', '.env']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^envseal: creation rule 1 shamir_threshold is 3, more than its 2 key groups.*\(\.sops\.yaml:3\)/);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('A=1\n');
  });

  it('shamir_threshold 1 with two key groups: exit 3, as sops refuses it', async () => {
    const { dir, alice, bob, as } = await project();
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - shamir_threshold: 1\n    key_groups:\n      - age: [${alice.recipient}]\n      - age: [${bob.recipient}]\n`);
    writeFileSync(join(dir, '.env'), 'A=1\n');
    const r = await as(alice, ['encrypt', '.env']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/at least 2.*\.sops\.yaml:2/);
  });
});

describe('a recipient label that does not parse', () => {
  async function relabelled(): Promise<Awaited<ReturnType<typeof project>>> {
    const p = await project();
    writeFileSync(join(p.dir, '.env'), 'TOKEN=secret-token\n');
    expect((await p.as(p.alice, ['encrypt', '.env', '--age', p.alice.recipient, '--age', p.bob.recipient])).code).toBe(0);
    const text = readFileSync(join(p.dir, '.env'), 'utf8');
    writeFileSync(join(p.dir, '.env'), text.replace(`sops_age__list_1__map_recipient=${p.bob.recipient}`, 'sops_age__list_1__map_recipient=age1\u001b[31mnotarecipient'));
    return p;
  }

  it('reading commands warn, name the file, and still decrypt (labels are not used to decrypt)', async () => {
    const { dir, alice, bob, as } = await relabelled();
    for (const who of [alice, bob]) {
      const dec = await as(who, ['decrypt', '.env']);
      expect(dec.code).toBe(0);
      expect(dec.stdout).toBe('TOKEN=secret-token\n');
      expect(dec.stderr).toMatch(/warning: \.env: a key entry is labelled "age1\\u001b\[31mnotarecipient", which is not a recipient/);
      expect(dec.stderr).not.toContain('\u001b');
    }
    expect((await as(alice, ['get', 'TOKEN'])).stdout).toBe('secret-token\n');
    expect((await as(bob, ['run', '--', process.execPath, '-e', WRITE_ENV, 'TOKEN'])).code).toBe(0);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('secret-token');
    const { config } = await import('../../src/lib/config-loader.js');
    const target: Record<string, string | undefined> = {};
    config({ path: join(dir, '.env'), env: { SOPS_AGE_KEY: alice.identity, HOME: join(dir, '.home') }, processEnv: target, quiet: true });
    expect(target['TOKEN']).toBe('secret-token');
  });

  it('re-keying commands refuse with exit 6 naming the file, before any plan, and write nothing', async () => {
    const { dir, alice, bob, as } = await relabelled();
    const before = readFileSync(join(dir, '.env'), 'utf8');
    writeFileSync(join(dir, '.sops.yaml'), `envseal:\n  members:\n    alice: ${alice.recipient}\n    bob: ${bob.recipient}\ncreation_rules:\n  - age: [${alice.recipient}, ${bob.recipient}]\n`);
    const carol = await makeIdentity(dir, 'carol');
    // `team rm` is not in the list: it must not be stoppable by the member it removes (next test).
    for (const argv of [['rotate', '.env'], ['rotate'], ['updatekeys'], ['team', 'add', 'carol', carol.recipient]]) {
      const r = await as(alice, argv);
      expect(r.code, argv.join(' ')).toBe(6);
      expect(r.stderr, argv.join(' ')).toMatch(/^envseal: a key entry is labelled .* which is not a recipient.*\(\.env\)\nhint: /m);
      expect(r.stderr).not.toMatch(/new data key for|re-wrap|remove bob/);
      expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(before);
    }
  });
});

describe('a label that does not parse cannot stop an offboarding (security issue, item 1)', () => {
  it('bob garbles his own label, or alice\'s: `team rm bob` still gives a new data key; bob opens nothing, alice keeps both', async () => {
    const { dir, alice, bob, as } = await project();
    writeFileSync(join(dir, '.sops.yaml'), `envseal:\n  members:\n    alice: ${alice.recipient}\n    bob: ${bob.recipient}\ncreation_rules:\n  - age: [${alice.recipient}, ${bob.recipient}]\n`);
    writeFileSync(join(dir, 'own.env'), 'TOKEN=one\n');
    writeFileSync(join(dir, 'hers.env'), 'TOKEN=two\n');
    for (const f of ['own.env', 'hers.env']) expect((await as(alice, ['encrypt', f])).code).toBe(0);
    const garble = (f: string, who: string) => writeFileSync(join(dir, f), readFileSync(join(dir, f), 'utf8').replace(`recipient=${who}`, 'recipient=not-a-recipient'));
    garble('own.env', bob.recipient);
    garble('hers.env', alice.recipient);
    const rm = await as(alice, ['team', 'rm', 'bob']);
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stderr).toMatch(/new data key for 2 files/);
    for (const f of ['own.env', 'hers.env']) {
      expect((await as(bob, ['get', 'TOKEN', '-f', f])).code, `bob still opens ${f}`).toBe(4);
      expect((await as(alice, ['get', 'TOKEN', '-f', f])).code, `alice lost ${f}`).toBe(0);
      expect(readFileSync(join(dir, f), 'utf8')).not.toContain('not-a-recipient');
    }
  });
});

describe('a Shamir share with a duplicate x-coordinate', () => {
  it('is a damaged file (exit 5), which anyone knowing the public recipients can write', async () => {
    const { dir, alice, bob, as } = await project();
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - key_groups:\n      - age: [${alice.recipient}]\n      - age: [${bob.recipient}]\n`);
    writeFileSync(join(dir, 'two.yaml'), 'secret: value\n');
    expect((await as(alice, ['encrypt', 'two.yaml'])).code).toBe(0);
    expect((await as([alice, bob], ['get', 'secret', '-f', 'two.yaml'])).stdout).toBe('value\n');
    // The attacker wraps 33 bytes with x = 1 (group 1's x) for bob: no secret key needed.
    const fake = new Uint8Array(33).fill(7);
    fake[32] = 1;
    const e = new Encrypter();
    e.addRecipient(bob.recipient);
    const wrapped = armor.encode(await e.encrypt(fake));
    const text = readFileSync(join(dir, 'two.yaml'), 'utf8');
    const group2 = readMetadata(join(dir, 'two.yaml')).keyGroups[1]?.age[0]?.enc as string;
    const indent = (s: string, pad: string) => s.trimEnd().split('\n').join(`\n${pad}`);
    const at = text.indexOf(indent(group2, '                '));
    expect(at).toBeGreaterThan(0);
    writeFileSync(join(dir, 'two.yaml'), text.replace(indent(group2, '                '), indent(wrapped, '                ')));
    const r = await as([alice, bob], ['get', 'secret', '-f', 'two.yaml']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^envseal: the data key wrapped for .*duplicate share.* is damaged \(two\.yaml\)/);
  });
});

describe('attached short options', () => {
  it('-f.env.production works like -f .env.production for run, get, set and unset', async () => {
    const { dir, alice, as } = await project();
    writeFileSync(join(dir, '.env.production'), 'A=1\n');
    expect((await as(alice, ['encrypt', '.env.production', '--age', alice.recipient])).code).toBe(0);
    expect(await as(alice, ['set', 'B', 'two', '-f.env.production'])).toMatchObject({ code: 0 });
    expect(await as(alice, ['get', 'B', '-f.env.production'])).toMatchObject({ code: 0, stdout: 'two\n' });
    expect((await as(alice, ['run', '-f.env.production', '--', process.execPath, '-e', WRITE_ENV, 'A', 'B'])).code).toBe(0);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('1two');
    expect(await as(alice, ['unset', 'A', '-f.env.production'])).toMatchObject({ code: 0 });
    expect((await as(alice, ['decrypt', '.env.production'])).stdout).toBe('B=two\n');
  });
});
