/** The team story of issue 5, and the invariants of team add / updatekeys / rotate. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { unwrapDataKey } from '../../src/crypto/data-key.js';
import { parseIdentities } from '../../src/keys/identity.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity, type TestIdentity } from '../helpers/keys.js';
import { readMetadata } from '../helpers/open-with-key.js';

const FILES = {
  'shared/app.env': 'API_KEY=shared-api-key\nDB_URL=postgres://x\nPORT_unencrypted=8080\n',
  'shared/db.yaml': 'db:\n  password: db-pass\n  user: admin\n',
  'private/root.json': '{"root_token": "root-secret"}',
};

async function repo(): Promise<{ dir: string; alice: TestIdentity; bob: TestIdentity; as: (who: TestIdentity, argv: string[]) => ReturnType<typeof cli> }> {
  const dir = tempDir();
  const keys = join(dir, 'keys');
  mkdirSync(keys);
  const alice = await makeIdentity(keys, 'alice');
  const bob = await makeIdentity(keys, 'bob');
  mkdirSync(join(dir, 'shared'));
  mkdirSync(join(dir, 'private'));
  writeFileSync(join(dir, '.sops.yaml'), `# our rules\ncreation_rules:\n  - path_regex: ^shared/\n    age: ${alice.recipient}\n  - path_regex: ^private/\n    age:\n      - ${alice.recipient}\n`);
  for (const [file, text] of Object.entries(FILES)) writeFileSync(join(dir, file), text);
  let tick = 0;
  const as = (who: TestIdentity, argv: string[]) => cli(argv, { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: who.file }), now: new Date(Date.now() + 2000 * ++tick) });
  for (const file of Object.keys(FILES)) expect((await as(alice, ['encrypt', file])).code).toBe(0);
  expect((await as(alice, ['team', 'add', 'alice', alice.recipient])).code).toBe(0);
  return { dir, alice, bob, as };
}

const dataKey = async (path: string, who: TestIdentity): Promise<string | null> => {
  const result = await unwrapDataKey(readMetadata(path), parseIdentities(readFileSync(who.file, 'utf8')).identities);
  return result.ok ? Buffer.from(result.dataKey).toString('hex') : null;
};

describe('the team story', () => {
  it('alice adds bob to one rule, bob sets a value, alice removes bob, debt is tracked', async () => {
    const { dir, alice, bob, as } = await repo();
    const p = (f: string) => join(dir, f);

    const add = await as(alice, ['team', 'add', 'bob', bob.recipient, '--rule', '^shared/']);
    expect(add.code).toBe(0);
    expect(add.stderr).toMatch(/re-wrap 2 files for bob/);
    expect(await dataKey(p('shared/app.env'), bob)).not.toBeNull();
    expect(await dataKey(p('shared/db.yaml'), bob)).not.toBeNull();
    expect(await dataKey(p('private/root.json'), bob)).toBeNull();
    const ls = JSON.parse((await as(alice, ['team', 'ls', '--json'])).stdout) as { members: Array<{ name: string; files: string[] }> };
    expect(ls.members.find((m) => m.name === 'bob')?.files).toEqual(['shared/app.env', 'shared/db.yaml']);
    expect(ls.members.find((m) => m.name === 'alice')?.files).toHaveLength(3);

    expect((await as(bob, ['set', 'BOB_ADDED', 'from-bob', '-f', 'shared/app.env'])).code).toBe(0);
    expect((await as(bob, ['get', 'root_token', '-f', 'private/root.json'])).code).toBe(4);

    const keysBefore = { app: await dataKey(p('shared/app.env'), alice), db: await dataKey(p('shared/db.yaml'), alice), root: await dataKey(p('private/root.json'), alice) };
    const rm = await as(alice, ['team', 'rm', 'bob']);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toContain('bob could read these values');
    expect(rm.stdout).toContain('shared/app.env: API_KEY, DB_URL, BOB_ADDED\n');
    expect(rm.stdout).toContain('shared/db.yaml: db.password, db.user\n');
    expect(rm.stdout).not.toContain('root.json');
    expect(rm.stdout + rm.stderr).not.toMatch(/shared-api-key|db-pass|from-bob/);

    for (const f of Object.keys(FILES)) expect(await dataKey(p(f), bob)).toBeNull();
    const denied = await as(bob, ['decrypt', 'shared/app.env']);
    expect(denied.code).toBe(4);
    expect(denied.stderr).toContain(`the file is encrypted to alice (${alice.recipient})`);
    expect(await dataKey(p('shared/app.env'), alice)).not.toBe(keysBefore.app);
    expect(await dataKey(p('shared/db.yaml'), alice)).not.toBe(keysBefore.db);
    expect(await dataKey(p('private/root.json'), alice)).toBe(keysBefore.root);
    expect(parse(readFileSync(p('.sops.yaml'), 'utf8')).envseal.members).toEqual({ alice: alice.recipient });
    expect((await as(alice, ['get', 'BOB_ADDED', '-f', 'shared/app.env'])).stdout).toBe('from-bob\n');

    const debt = async (): Promise<string[]> => {
      const status = JSON.parse((await as(alice, ['status', '--json'])).stdout) as { files: Array<{ file: string; debt: Array<{ key: string }> }> };
      return status.files.flatMap((f) => f.debt.map((d) => `${f.file}:${d.key}`)).sort();
    };
    expect(await debt()).toEqual(['shared/app.env:API_KEY', 'shared/app.env:BOB_ADDED', 'shared/app.env:DB_URL', 'shared/db.yaml:db.password', 'shared/db.yaml:db.user']);
    expect((await as(alice, ['set', 'API_KEY', 'rotated-at-source', '-f', 'shared/app.env'])).code).toBe(0);
    expect(await debt()).toEqual(['shared/app.env:BOB_ADDED', 'shared/app.env:DB_URL', 'shared/db.yaml:db.password', 'shared/db.yaml:db.user']);
    expect((await as(alice, ['rotate'])).code).toBe(0);
    expect(await dataKey(p('private/root.json'), alice)).not.toBe(keysBefore.root);
    expect(await debt()).toEqual(['shared/app.env:BOB_ADDED', 'shared/app.env:DB_URL', 'shared/db.yaml:db.password', 'shared/db.yaml:db.user']);
    const text = (await as(alice, ['status'])).stdout;
    expect(text).toContain('rotation debt: DB_URL (bob could read it), BOB_ADDED (bob could read it)');
    const exposures = readFileSync(p('.envseal-exposures.yaml'), 'utf8');
    expect(exposures).not.toMatch(/shared-api-key|db-pass|from-bob|postgres/);
  });

  it('after team add, every value and every mac are byte-identical; only key metadata changed', async () => {
    const { dir, alice, bob, as } = await repo();
    const before = Object.fromEntries(Object.keys(FILES).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    expect((await as(alice, ['team', 'add', 'bob', bob.recipient])).code).toBe(0);
    for (const file of Object.keys(FILES)) {
      const after = readFileSync(join(dir, file), 'utf8');
      const values = (t: string) => [...t.matchAll(/ENC\[AES256_GCM[^\]]*\]/g)].map((m) => m[0]);
      expect(values(after)).toEqual(values(before[file] as string));
      expect(after).toContain(bob.recipient);
      const meta = readMetadata(join(dir, file));
      expect(meta.keyGroups[0]?.age.map((k) => k.recipient)).toEqual([alice.recipient, bob.recipient]);
      // alice's wrapped key is kept byte for byte
      const aliceEnc = (t: string, name: string) => (name.endsWith('.env') ? t.split('\n').find((l) => l.startsWith('sops_age__list_0__map_enc')) : t.split('recipient')[0]?.slice(-50));
      expect(aliceEnc(after, file)).toBe(aliceEnc(before[file] as string, file));
    }
  });

  it('the .sops.yaml it writes gives sops the recipients envseal uses, rule by rule', async () => {
    const { dir, alice, bob, as } = await repo();
    await as(alice, ['team', 'add', 'bob', bob.recipient, '--rule', '1']);
    const config = parse(readFileSync(join(dir, '.sops.yaml'), 'utf8')) as { creation_rules: Array<{ path_regex: string; age: string | string[] }> };
    // read the way sops reads it: first rule whose path_regex matches anywhere; age as a list or a comma string
    const sopsRecipients = (file: string): string[] => {
      const rule = config.creation_rules.find((r) => new RegExp(r.path_regex).test(file));
      const age = rule?.age ?? [];
      return (Array.isArray(age) ? age : [age]).flatMap((a) => a.split(',')).map((a) => a.trim()).filter(Boolean).sort();
    };
    for (const file of Object.keys(FILES)) {
      const inFile = readMetadata(join(dir, file)).keyGroups[0]?.age.map((k) => k.recipient).sort();
      expect(inFile).toEqual(sopsRecipients(file));
    }
    expect(readFileSync(join(dir, '.sops.yaml'), 'utf8')).toMatch(/# our rules/);
  });

  it('team add without a .sops.yaml creates one with a catch-all rule', async () => {
    const dir = tempDir();
    const alice = await makeIdentity(dir, 'alice');
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: alice.file });
    expect((await cli(['team', 'add', 'alice', alice.recipient], { cwd: dir, env })).code).toBe(0);
    for (const name of ['.env', '.env.production', 'prod.env', 'app.yaml', 'x/config.yml', 'data.json']) {
      mkdirSync(join(dir, 'x'), { recursive: true });
      writeFileSync(join(dir, name), name.endsWith('.json') ? '{"k": "v"}' : name.includes('.y') ? 'k: v\n' : 'K=v\n');
      expect((await cli(['encrypt', name], { cwd: dir, env })).code).toBe(0);
    }
    writeFileSync(join(dir, 'notes.txt'), 'x');
    expect((await cli(['encrypt', 'notes.txt', '--format', 'dotenv'], { cwd: dir, env })).code).toBe(6);
  });

  it('updatekeys follows the rules; rotate refuses files with keys envseal cannot wrap for', async () => {
    const { dir, alice, bob, as } = await repo();
    writeFileSync(join(dir, '.sops.yaml'), readFileSync(join(dir, '.sops.yaml'), 'utf8').replace(`path_regex: ^private/\n    age:\n      - ${alice.recipient}`, `path_regex: ^private/\n    age:\n      - ${alice.recipient}\n      - ${bob.recipient}`));
    const dry = await as(alice, ['updatekeys', '--dry-run']);
    expect(dry.stderr).toMatch(/private\/root\.json: \+age1/);
    const before = readFileSync(join(dir, 'private/root.json'), 'utf8');
    expect(readFileSync(join(dir, 'private/root.json'), 'utf8')).toBe(before);
    // bob is in the rule but not in the roster: wrapping for him needs a yes (security issue).
    const unasked = await as(alice, ['updatekeys']);
    expect(unasked.code).toBe(3);
    expect(unasked.stderr).toContain(`${bob.recipient} (not in the roster`);
    expect(readFileSync(join(dir, 'private/root.json'), 'utf8')).toBe(before);
    expect((await as(alice, ['updatekeys', '--yes'])).code).toBe(0);
    expect(await dataKey(join(dir, 'private/root.json'), bob)).not.toBeNull();
    expect((await as(alice, ['updatekeys'])).stderr).toMatch(/already matches/);
    const env = join(dir, 'shared/app.env');
    writeFileSync(env, readFileSync(env, 'utf8').replace(/(sops_lastmodified=)/, 'sops_pgp__list_0__map_fp=FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\nsops_pgp__list_0__map_enc=x\nsops_pgp__list_0__map_created_at=2020-01-01T00:00:00Z\n$1'));
    const refused = await as(alice, ['rotate', 'shared/app.env']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/shared\/app\.env \(pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\); nothing was written.*--drop-other-keys/s);
    // Dropping an entry nobody named on the command line needs a yes (team lifecycle issue).
    const undropped = await as(alice, ['rotate', 'shared/app.env', '--drop-other-keys']);
    expect(undropped.code).toBe(3);
    expect(undropped.stderr).toMatch(/shared\/app\.env: pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4/);
    const dropped = await as(alice, ['rotate', 'shared/app.env', '--drop-other-keys', '--yes']);
    expect(dropped.code).toBe(0);
    expect(readFileSync(env, 'utf8')).not.toContain('sops_pgp');
  });

  it('team rm --drop-other-keys shows the pgp entries it would remove and asks, like rotate', async () => {
    const { dir, alice, bob, as } = await repo();
    expect((await as(alice, ['team', 'add', 'bob', bob.recipient, '--rule', '^shared/'])).code).toBe(0);
    const env = join(dir, 'shared/app.env');
    writeFileSync(env, readFileSync(env, 'utf8').replace(/(sops_lastmodified=)/, 'sops_pgp__list_0__map_fp=FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\nsops_pgp__list_0__map_enc=x\nsops_pgp__list_0__map_created_at=2020-01-01T00:00:00Z\n$1'));
    const before = readFileSync(env, 'utf8');
    const unasked = await as(alice, ['team', 'rm', 'bob', '--drop-other-keys']);
    expect(unasked.code).toBe(3);
    expect(unasked.stderr).toMatch(/1 key entry of other kinds would be removed.*shared\/app\.env: pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4/s);
    expect(readFileSync(env, 'utf8')).toBe(before);
    expect(await dataKey(env, bob)).not.toBeNull();
    expect((await as(alice, ['team', 'rm', 'bob', '--drop-other-keys', '--yes'])).code).toBe(0);
    expect(readFileSync(env, 'utf8')).not.toContain('sops_pgp');
    expect(await dataKey(env, bob)).toBeNull();
  });

  it('team add of someone who already reads the files says so, and counts them as files they can read', async () => {
    const { alice, as } = await repo();
    const again = await as(alice, ['team', 'add', 'alice', alice.recipient]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/alice already reads (\d+) files? the rules give them/);
    const n = /alice already reads (\d+) file/.exec(again.stderr)?.[1];
    expect(again.stderr).toContain(`alice can now read ${n} file${n === '1' ? '' : 's'} (${n} of them already)`);
  });

  it('files the user cannot open are named at the end with exit 4; the rest are done', async () => {
    const { dir, alice, bob, as } = await repo();
    writeFileSync(join(dir, 'shared/bobs.env'), 'ONLY=bob\n');
    expect((await as(bob, ['encrypt', 'shared/bobs.env', '--age', bob.recipient])).code).toBe(0);
    const result = await as(alice, ['rotate']);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/you cannot open 1 file.*\n  shared\/bobs\.env/);
    expect(result.stderr).toMatch(/rotated 3 files/);
  });
});
