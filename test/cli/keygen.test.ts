import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity } from '../helpers/keys.js';

describe('keygen', () => {
  it('makes one identity in the default keys file (folder 0700, file 0600); run again, it shows that one and makes nothing', async () => {
    const dir = tempDir();
    const env = isolatedEnv(dir);
    const first = await cli(['keygen'], { cwd: dir, env });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^age1[0-9a-z]{58}\n$/);
    const folder = join(dir, '.home', '.config', 'sops', 'age');
    const file = join(folder, 'keys.txt');
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const before = readFileSync(file, 'utf8');
    const second = await cli(['keygen'], { cwd: dir, env });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toBe('envseal: .home/.config/sops/age/keys.txt already holds an identity; its recipient is above (nothing new was made; for another: envseal keygen --new)\n');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(before.match(/^AGE-SECRET-KEY-1/gm)).toHaveLength(1);
    const json = await cli(['keygen', '--json'], { cwd: dir, env });
    expect(JSON.parse(json.stdout)).toEqual({ recipient: first.stdout.trim(), recipients: [first.stdout.trim()], file, created: false });
  });

  it('--new appends a second identity; then keygen shows both recipients', async () => {
    const dir = tempDir();
    const env = isolatedEnv(dir);
    const first = await cli(['keygen'], { cwd: dir, env });
    const second = await cli(['keygen', '--new'], { cwd: dir, env });
    expect(second.code).toBe(0);
    expect(second.stdout).not.toBe(first.stdout);
    const file = join(dir, '.home', '.config', 'sops', 'age', 'keys.txt');
    const text = readFileSync(file, 'utf8');
    expect(text.match(/^AGE-SECRET-KEY-1/gm)).toHaveLength(2);
    expect(text).toContain(`# public key: ${first.stdout.trim()}`);
    expect(text).toContain(`# public key: ${second.stdout.trim()}`);
    const shown = await cli(['keygen'], { cwd: dir, env });
    expect(shown.stdout).toBe(first.stdout + second.stdout);
    expect(shown.stderr).toMatch(/already holds 2 identities; their recipients are above/);
  });

  it('a keys file with no identity in it gets one; a passphrase-protected keys file is refused, even with --new', async () => {
    const dir = tempDir();
    const env = isolatedEnv(dir);
    const folder = join(dir, '.home', '.config', 'sops', 'age');
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeFileSync(join(folder, 'keys.txt'), '# nothing yet\n', { mode: 0o600 });
    const made = await cli(['keygen'], { cwd: dir, env });
    expect(made.stderr).toMatch(/new identity saved/);
    writeFileSync(join(folder, 'keys.txt'), '-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n', { mode: 0o600 });
    for (const argv of [['keygen'], ['keygen', '--new']]) {
      const refused = await cli(argv, { cwd: dir, env });
      expect(refused.code).toBe(7);
      expect(refused.stderr).toMatch(/the keys file is encrypted with a passphrase; keygen cannot add to it/);
    }
    expect(readFileSync(join(folder, 'keys.txt'), 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n$/);
  });

  it('--out never overwrites; --pq makes a hybrid identity; --json', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'taken.key'), 'keep me');
    const refused = await cli(['keygen', '--out', 'taken.key'], { cwd: dir, env: isolatedEnv(dir) });
    expect(refused.code).toBe(7);
    expect(readFileSync(join(dir, 'taken.key'), 'utf8')).toBe('keep me');
    const pq = await cli(['keygen', '--pq', '--out', 'pq.key', '--json'], { cwd: dir, env: isolatedEnv(dir) });
    expect(pq.code).toBe(0);
    const out = JSON.parse(pq.stdout) as { recipient: string; file: string };
    expect(out.recipient).toMatch(/^age1pq1/);
    expect(readFileSync(join(dir, 'pq.key'), 'utf8')).toMatch(/^AGE-SECRET-KEY-PQ-1/m);
    expect(statSync(join(dir, 'pq.key')).mode & 0o777).toBe(0o600);
  });

  it('closes a keys file others can read before adding a secret to it, and says so', async () => {
    const dir = tempDir();
    const env = isolatedEnv(dir);
    await cli(['keygen'], { cwd: dir, env });
    const file = join(dir, '.home', '.config', 'sops', 'age', 'keys.txt');
    const { chmodSync } = await import('node:fs');
    chmodSync(file, 0o644);
    const again = await cli(['keygen', '--new'], { cwd: dir, env });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`key file ${file} could be read by other users; it is now 0600`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('whoami', () => {
  it('prints the recipient of every identity found, with where it came from, never the secret', async () => {
    const dir = tempDir();
    const mine = await cli(['keygen'], { cwd: dir, env: isolatedEnv(dir) });
    const ci = await makeIdentity(dir, 'ci');
    const inline = await makeIdentity(dir, 'inline');
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: ci.file, SOPS_AGE_KEY: `${inline.identity} ${ci.identity}` });
    const result = await cli(['whoami'], { cwd: dir, env });
    expect(result.code).toBe(0);
    const keys = join(dir, '.home', '.config', 'sops', 'age', 'keys.txt');
    expect(result.stdout).toBe(`${inline.recipient}  (from SOPS_AGE_KEY)\n${ci.recipient}  (from SOPS_AGE_KEY, SOPS_AGE_KEY_FILE=${ci.file})\n${mine.stdout.trim()}  (from ${keys})\n`);
    expect(result.stdout + result.stderr).not.toMatch(/AGE-SECRET-KEY/);
    const json = JSON.parse((await cli(['whoami', '--json'], { cwd: dir, env })).stdout) as unknown;
    expect(json).toEqual([
      { recipient: inline.recipient, sources: ['SOPS_AGE_KEY'] },
      { recipient: ci.recipient, sources: ['SOPS_AGE_KEY', `SOPS_AGE_KEY_FILE=${ci.file}`] },
      { recipient: mine.stdout.trim(), sources: [keys] },
    ]);
  });

  it('nothing found is exit 4, listing the places looked at; a passphrase-protected file is named, not opened', async () => {
    const dir = tempDir();
    const none = await cli(['whoami'], { cwd: dir, env: isolatedEnv(dir) });
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/no age identity found/);
    expect(none.stderr).toMatch(/looked in SOPS_AGE_KEY: not set/);
    writeFileSync(join(dir, 'locked.age'), '-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n', { mode: 0o600 });
    const locked = await cli(['whoami'], { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: join(dir, 'locked.age') }), prompt: () => { throw new Error('whoami must not prompt'); } });
    expect(locked.code).toBe(0);
    expect(locked.stdout).toBe('');
    expect(locked.stderr).toMatch(/SOPS_AGE_KEY_FILE=.*locked\.age is encrypted with a passphrase; whoami does not open it/);
  });
});
