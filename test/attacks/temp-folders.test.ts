/**
 * Attack 3 (issue 11): shared temporary folders. Another local user plants things where
 * envseal keeps plaintext (/dev/shm, /tmp). envseal must put plaintext only in a folder of its
 * own user, closed to others, and must never delete anything outside it.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity } from '../helpers/keys.js';

const uid = process.getuid?.() ?? -1;
const OTHER_UID = 65534; // nobody

async function victim(): Promise<{ dir: string; shared: string; edit: () => ReturnType<typeof cli>; run: (asFile: boolean) => ReturnType<typeof cli> }> {
  const dir = tempDir();
  const id = await makeIdentity(dir);
  const shared = join(tempDir('envseal-shared-'), 'shm'); // outside the project, as /dev/shm is
  mkdirSync(shared);
  chmodSync(shared, 0o1777); // like /dev/shm and /tmp: everyone may create entries
  writeFileSync(join(dir, '.env'), 'SECRET=plain-value\n');
  const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file, EDITOR: 'true' });
  expect((await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
  const runInteractive = async () => ({ code: 0, interrupted: false });
  const run = (asFile: boolean) => cli(['run', ...(asFile ? ['--as-file', 'SECRET'] : []), '--', process.execPath, '-e', '0'], { cwd: dir, env, tempRoot: shared });
  return { dir, shared, edit: () => cli(['edit', '.env'], { cwd: dir, env, tempRoot: shared, runInteractive }), run };
}

/** Files the victim owns, which a sweep following an attacker's symlink would delete. */
function victimFiles(dir: string): string {
  const precious = join(dir, 'precious');
  mkdirSync(precious);
  for (let i = 0; i < 20; i++) writeFileSync(join(precious, `file-${i}.txt`), 'mine');
  return precious;
}

describe.skipIf(uid < 0)('attack 3: shared temporary folders', () => {
  it('an attacker\'s "abandoned" folder (dead pid) that is a symlink to the victim\'s files is never swept', async () => {
    const v = await victim();
    const precious = victimFiles(v.dir);
    // Where the old sweep looked: `<shared>/envseal-edit-<dead pid>-…`.
    symlinkSync(precious, join(v.shared, 'envseal-edit-999999-attack'));
    mkdirSync(join(v.shared, 'envseal-edit-999998-attack'));
    writeFileSync(join(v.shared, 'envseal-edit-999998-attack', 'keep.txt'), 'x');
    const r = await v.edit();
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(precious)).toHaveLength(20);
    expect(existsSync(join(v.shared, 'envseal-edit-999998-attack', 'keep.txt'))).toBe(true);
  });

  it('the per-user folder planted as a symlink is refused (exit 7), and nothing it points to is touched', async () => {
    const v = await victim();
    const precious = victimFiles(v.dir);
    symlinkSync(precious, join(v.shared, `envseal-${uid}`));
    const r = await v.edit();
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/the private folder for plaintext is not this user's own closed folder/);
    expect(readdirSync(precious)).toHaveLength(20);
    expect(readdirSync(precious).some((n) => n.startsWith('envseal-edit-'))).toBe(false);
  });

  it.skipIf(uid !== 0)('the per-user folder planted by another user is refused (needs root to chown in the test)', async () => {
    const v = await victim();
    const planted = join(v.shared, `envseal-${uid}`);
    mkdirSync(planted, { mode: 0o777 });
    chownSync(planted, OTHER_UID, OTHER_UID);
    const r = await v.edit();
    expect(r.code).toBe(7);
    expect(readdirSync(planted)).toEqual([]);
  });

  it('only this user\'s own dead folders are swept, from inside its own 0700 folder', async () => {
    const v = await victim();
    expect((await v.edit()).code).toBe(0);
    const own = join(v.shared, `envseal-${uid}`);
    expect(statSync(own).mode & 0o777).toBe(0o700);
    expect(statSync(own).uid).toBe(uid);
    mkdirSync(join(own, 'envseal-edit-999997-left'));
    writeFileSync(join(own, 'envseal-edit-999997-left', '.env'), 'SECRET=plain-value\n');
    expect((await v.edit()).code).toBe(0);
    expect(readdirSync(own)).toEqual([]);
  });

  it('run (issue 17) sweeps only dead runs\' folders inside its own root, and puts --as-file files nowhere else', async () => {
    const v = await victim();
    const precious = victimFiles(v.dir);
    symlinkSync(precious, join(v.shared, 'envseal-run-999999-attack'));
    expect((await v.run(false)).code).toBe(0);
    expect((await v.run(true)).code).toBe(0);
    expect(readdirSync(precious)).toHaveLength(20);
    const own = join(v.shared, `envseal-${uid}`);
    mkdirSync(join(own, 'envseal-run-999997-left'));
    writeFileSync(join(own, 'envseal-run-999997-left', 'SECRET'), 'plain-value');
    mkdirSync(join(own, 'envseal-edit-999996-other'));
    expect((await v.run(false)).code).toBe(0);
    expect(readdirSync(own)).toEqual(['envseal-edit-999996-other']);
  });

  it('run with a planted per-user folder: no sweep at all, and --as-file refuses it (exit 7)', async () => {
    const v = await victim();
    const precious = victimFiles(v.dir);
    mkdirSync(join(precious, 'envseal-run-999995-x'));
    symlinkSync(precious, join(v.shared, `envseal-${uid}`));
    expect((await v.run(false)).code).toBe(0);
    const refused = await v.run(true);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toMatch(/not this user's own closed folder/);
    expect(readdirSync(precious).sort()).toHaveLength(21);
  });
});
