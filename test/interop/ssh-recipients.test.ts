/**
 * Issue 17, SSH recipients end to end (in-process CLI, real ssh-keygen and age binaries): a
 * file encrypted to an ssh-ed25519 and an ssh-rsa key opens with each private key, found
 * through SOPS_AGE_SSH_PRIVATE_KEY_FILE or as ~/.ssh/id_* of an otherwise empty HOME; the
 * age CLI opens each wrapped data key with the SSH private key; `team add` and `team rm`
 * work with an SSH recipient as with an age key; a passphrase is asked only when needed.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity } from '../helpers/keys.js';
import { openWithKey, readMetadata } from '../helpers/open-with-key.js';
import { makeSshKey, NO_SSH_KEYGEN, type TestSshKey } from '../helpers/ssh-keys.js';

/** A HOME holding only `.ssh/<name>` (and its .pub): nothing else to find identities in. */
function homeWith(dir: string, key: TestSshKey, name: 'id_ed25519' | 'id_rsa'): string {
  const home = join(dir, `home-${name}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(home, '.ssh'), { recursive: true });
  copyFileSync(key.file, join(home, '.ssh', name));
  copyFileSync(`${key.file}.pub`, join(home, '.ssh', `${name}.pub`));
  return home;
}

const PLAIN = 'API_KEY=ssh-secret-1\nDB_URL=postgres://u:p@h/db\n';

describe.skipIf(NO_SSH_KEYGEN !== null)(`SSH recipients end to end${NO_SSH_KEYGEN === null ? '' : ` (skipped: ${NO_SSH_KEYGEN})`}`, () => {
  async function encryptedForBoth(): Promise<{ dir: string; ed: TestSshKey; rsa: TestSshKey }> {
    const dir = tempDir();
    const ed = makeSshKey(dir, 'ed', { comment: 'alice@laptop' });
    const rsa = makeSshKey(dir, 'rsa', { type: 'rsa', bits: 3072 });
    writeFileSync(join(dir, '.env'), PLAIN);
    const r = await cli(['encrypt', '.env', '--age', ed.pub, '--age', rsa.pub], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    return { dir, ed, rsa };
  }

  it('records each key as sops does, type and key, and each private key decrypts the file', async () => {
    const { dir, ed, rsa } = await encryptedForBoth();
    const labels = readMetadata(join(dir, '.env')).keyGroups[0]?.age.map((k) => k.label);
    expect(labels).toEqual([ed.recipient, rsa.recipient]);
    expect(readFileSync(join(dir, '.env'), 'utf8')).not.toContain('alice@laptop');
    for (const key of [ed, rsa]) {
      const viaEnv = await cli(['decrypt', '.env'], { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_SSH_PRIVATE_KEY_FILE: key.file }) });
      expect(viaEnv, key.recipient.slice(0, 12)).toMatchObject({ code: 0, stdout: PLAIN });
    }
    for (const [key, name] of [[ed, 'id_ed25519'], [rsa, 'id_rsa']] as const) {
      const viaHome = await cli(['decrypt', '.env'], { cwd: dir, env: { PATH: process.env['PATH'], HOME: homeWith(dir, key, name) } });
      expect(viaHome, name).toMatchObject({ code: 0, stdout: PLAIN });
    }
  });

  it('the age CLI opens each wrapped data key with the SSH private key (age -d -i)', async () => {
    const { dir, ed, rsa } = await encryptedForBoth();
    const entries = readMetadata(join(dir, '.env')).keyGroups[0]?.age ?? [];
    const keys = [ed, rsa].map((key, i) => execFileSync('age', ['-d', '-i', key.file], { input: entries[i]?.enc }));
    expect(keys[0]).toHaveLength(32);
    expect(keys[1]).toEqual(keys[0]);
    const opened = openWithKey(join(dir, '.env'), keys[0] as Buffer);
    expect(opened.macOk).toBe(true);
  });

  it('a data key the age CLI wrapped for an SSH key opens with envseal', async () => {
    const { dir, ed, rsa } = await encryptedForBoth();
    const dataKey = execFileSync('age', ['-d', '-i', ed.file], { input: readMetadata(join(dir, '.env')).keyGroups[0]?.age[0]?.enc });
    // Replace both entries with ones the age binary wrote, for the same data key.
    let text = readFileSync(join(dir, '.env'), 'utf8');
    for (const key of [ed, rsa]) {
      const pubFile = join(dir, 'recipient.pub');
      writeFileSync(pubFile, key.pub);
      const enc = execFileSync('age', ['-a', '-R', pubFile], { input: dataKey }).toString('latin1');
      const index = key === ed ? 0 : 1;
      text = text.replace(new RegExp(`^sops_age__list_${index}__map_enc=.*$`, 'm'), `sops_age__list_${index}__map_enc=${enc.replace(/\n/g, '\\n')}`);
    }
    writeFileSync(join(dir, '.env'), text);
    for (const key of [ed, rsa]) {
      const r = await cli(['decrypt', '.env'], { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_SSH_PRIVATE_KEY_FILE: key.file }) });
      expect(r).toMatchObject({ code: 0, stdout: PLAIN });
    }
  });

  it('team add with an SSH recipient, then team rm, work as with an age key', async () => {
    const dir = tempDir();
    const alice = await makeIdentity(dir, 'alice');
    const bob = makeSshKey(dir, 'bob', { comment: 'bob@desk' });
    writeFileSync(join(dir, '.env'), PLAIN);
    const as = (env: Record<string, string>, argv: string[]) => cli(argv, { cwd: dir, env: isolatedEnv(dir, env) });
    const asAlice = (argv: string[]) => as({ SOPS_AGE_KEY_FILE: alice.file }, argv);
    const asBob = (argv: string[]) => as({ SOPS_AGE_SSH_PRIVATE_KEY_FILE: bob.file }, argv);
    expect((await asAlice(['team', 'add', 'alice', alice.recipient])).code).toBe(0);
    expect((await asAlice(['encrypt', '.env'])).code).toBe(0);
    expect((await asBob(['get', 'API_KEY'])).code).toBe(4);

    const add = await asAlice(['team', 'add', 'bob', bob.pub]);
    expect(add.code, add.stderr).toBe(0);
    const config = readFileSync(join(dir, '.sops.yaml'), 'utf8');
    expect(config).toContain(`bob: ${bob.recipient}`);
    expect(config).toContain(`- ${bob.recipient} # bob`);
    expect(readMetadata(join(dir, '.env')).keyGroups[0]?.age.map((k) => k.label)).toEqual([alice.recipient, bob.recipient]);
    expect(await asBob(['get', 'API_KEY'])).toMatchObject({ code: 0, stdout: 'ssh-secret-1\n' });
    expect(JSON.parse((await asAlice(['team', 'ls', '--json'])).stdout).members).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'bob', recipient: bob.recipient, files: ['.env'] })]),
    );

    const rm = await asAlice(['team', 'rm', 'bob']);
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stdout + rm.stderr).toMatch(/API_KEY/);
    expect(readFileSync(join(dir, '.sops.yaml'), 'utf8')).not.toContain(bob.recipient);
    expect(readMetadata(join(dir, '.env')).keyGroups[0]?.age.map((k) => k.label)).toEqual([alice.recipient]);
    expect((await asBob(['get', 'API_KEY'])).code).toBe(4);
    expect(await asAlice(['get', 'API_KEY'])).toMatchObject({ code: 0, stdout: 'ssh-secret-1\n' });
  });

  it('the first team add keeps an SSH reader under a name made from its key', async () => {
    const dir = tempDir();
    const alice = await makeIdentity(dir, 'alice');
    const carol = makeSshKey(dir, 'carol');
    writeFileSync(join(dir, '.env'), PLAIN);
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: alice.file });
    expect((await cli(['encrypt', '.env', '--age', alice.recipient, '--age', carol.pub], { cwd: dir, env })).code).toBe(0);
    // carol is not the person running it, and key labels are not signed: keeping her needs a yes.
    expect((await cli(['team', 'add', 'alice', alice.recipient], { cwd: dir, env })).code).toBe(3);
    const add = await cli(['team', 'add', 'alice', alice.recipient, '--yes'], { cwd: dir, env });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toMatch(/keep the reader ssh-ed25519 …\S{12} as reader-[0-9a-f]{8} /);
    expect(readFileSync(join(dir, '.sops.yaml'), 'utf8')).toMatch(new RegExp(`reader-[0-9a-f]{8}: ${carol.recipient.replace(/[+/]/g, '\\$&')}`));
  });

  it('a passphrase-protected key: asked for once, on the terminal, and never when an age key opens the file', async () => {
    const dir = tempDir();
    const alice = await makeIdentity(dir, 'alice');
    const locked = makeSshKey(dir, 'locked', { passphrase: 'correct horse battery' });
    writeFileSync(join(dir, '.env'), PLAIN);
    writeFileSync(join(dir, 'other.env'), 'ONLY_AGE=1\n');
    expect((await cli(['encrypt', '.env', '--age', alice.recipient, '--age', locked.pub], { cwd: dir })).code).toBe(0);
    expect((await cli(['encrypt', 'other.env', '--age', alice.recipient], { cwd: dir })).code).toBe(0);
    const home = homeWith(dir, locked, 'id_ed25519');
    const asked: string[] = [];
    const prompt = (q: string): string => (asked.push(q), 'correct horse battery');

    // --mask: the child's output passes through envseal, so the test sees it.
    const check = ['--', process.execPath, '-e', 'console.log(process.env.API_KEY === "ssh-secret-1")'];
    const both = await cli(['run', '--mask', '-f', '.env', '-f', 'other.env', ...check], {
      cwd: dir,
      env: { PATH: process.env['PATH'], HOME: home, SOPS_AGE_KEY_FILE: alice.file },
      prompt,
    });
    expect(both).toMatchObject({ code: 0, stdout: 'true\n' });
    expect(asked).toEqual([]);

    const sshOnly = await cli(['run', '--mask', '-f', '.env', '-f', '.env', ...check], { cwd: dir, env: { PATH: process.env['PATH'], HOME: home }, prompt });
    expect(sshOnly).toMatchObject({ code: 0, stdout: 'true\n' });
    expect(asked).toEqual([`Passphrase for ${join(home, '.ssh', 'id_ed25519')}: `]);

    const noTerminal = await cli(['decrypt', '.env'], { cwd: dir, env: { PATH: process.env['PATH'], HOME: home } });
    expect(noTerminal.code).toBe(4);
    expect(noTerminal.stderr).toMatch(/id_ed25519: an ssh-ed25519 key, protected by a passphrase, and there is no terminal to ask for it/);
  });

  it('the "no identity" error lists the SSH places too', async () => {
    const { dir } = await encryptedForBoth();
    const r = await cli(['decrypt', '.env'], { cwd: dir });
    expect(r.code).toBe(4);
    for (const place of ['SOPS_AGE_SSH_PRIVATE_KEY_FILE: not set', 'SOPS_AGE_SSH_PRIVATE_KEY_CMD: not set', '.ssh/id_ed25519: no such file or folder', '.ssh/id_rsa: no such file or folder']) {
      expect(r.stderr).toContain(place);
    }
  });

  it('whoami shows an SSH key as its recipient, protected or not, and asks nothing', async () => {
    const dir = tempDir();
    const key = makeSshKey(dir, 'locked', { passphrase: 'pw-for-whoami' });
    const r = await cli(['whoami', '--json'], { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_SSH_PRIVATE_KEY_FILE: key.file }), prompt: () => { throw new Error('whoami must not prompt'); } });
    expect(r.code, r.stderr).toBe(0);
    const [type, body] = key.pub.trim().split(/\s+/);
    expect(JSON.parse(r.stdout)).toEqual([{ recipient: `${type} ${body}`, sources: [`SOPS_AGE_SSH_PRIVATE_KEY_FILE=${key.file}`] }]);
  });
});
