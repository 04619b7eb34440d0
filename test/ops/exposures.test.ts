/** Rotation debt: what a removed member could read, and what still holds it (src/ops/exposures.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exposedIn, exposuresText, outstandingDebt, readExposures, recordExposure, withExposure, type Exposure } from '../../src/ops/exposures.js';
import { openFile } from '../../src/ops/open.js';
import type { Recipient } from '../../src/keys/recipient.js';
import { loadFile } from '../../src/ops/load.js';
import { setValue } from '../../src/ops/values.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import type { TestIdentity } from '../helpers/keys.js';
import { actingAs, people, sealedFile } from '../helpers/ops.js';

let alice: TestIdentity;
beforeAll(async () => {
  ({ alice } = await people());
});

const YAML = 'db:\n  password: pw\n  port_unencrypted: 5432\nhosts:\n  - # first\n  - h1\ntoken: t\n';

async function exposed(): Promise<{ dir: string; exposure: Exposure }> {
  const dir = tempDir();
  await sealedFile(dir, 'conf/app.yaml', YAML, [alice.recipient]);
  const { ctx } = actingAs(dir, alice);
  const loaded = await loadFile(ctx, 'conf/app.yaml');
  const { values, check } = await exposedIn(loaded, await openFile(ctx, loaded, { readOnly: true }), dir, [alice.recipient as Recipient]);
  return { dir, exposure: { member: 'bob', recipient: 'age1bob', removed: '2030-01-01T00:00:00Z', values, checks: check === null ? [] : [check] } };
}

describe('exposedIn', () => {
  it('lists every encrypted value with its path and a keyed fingerprint (clear values and nulls are not secrets)', async () => {
    const { exposure } = await exposed();
    expect(exposure.values.map(({ file, doc, path, key }) => ({ file, doc, path, key }))).toEqual([
      { file: 'conf/app.yaml', doc: 0, path: ['db', 'password'], key: 'db.password' },
      { file: 'conf/app.yaml', doc: 0, path: ['hosts', 1], key: 'hosts.[1]' },
      { file: 'conf/app.yaml', doc: 0, path: ['token'], key: 'token' },
    ]);
    expect(exposure.values.every((v) => /^[A-Za-z0-9+/]{43}=$/.test(v.fingerprint ?? ''))).toBe(true);
    expect(exposure.checks).toHaveLength(1);
    expect(exposure.checks[0]?.age.map((k) => k.recipient)).toEqual([alice.recipient]);
  });
});

describe('the exposure list', () => {
  it('round-trips through its text, which explains itself and holds no value', async () => {
    const { exposure } = await exposed();
    const text = exposuresText([exposure]);
    expect(text.startsWith('# Written by `envseal team rm`')).toBe(true);
    expect(text).not.toMatch(/\bpw\b|\bh1\b|: t$/m);
    expect(text).toContain('version: 2');
    const dir = tempDir();
    writeFileSync(join(dir, '.envseal-exposures.yaml'), text);
    expect(await readExposures(actingAs(dir, null).ctx, dir)).toEqual([exposure]);
  });

  it('adds only values not listed yet for the same recipient', async () => {
    const { exposure } = await exposed();
    expect(withExposure([exposure], exposure)).toBeNull();
    expect(withExposure([{ ...exposure, recipient: 'age1other' }], exposure)).toHaveLength(2);
    const [first, ...rest] = exposure.values;
    const grown = withExposure([{ ...exposure, values: rest }], exposure);
    expect(grown?.[1]?.values).toEqual([first]);
  });

  it('is empty when missing; a list that does not parse is exit 3 naming it', async () => {
    const dir = tempDir();
    const { ctx } = actingAs(dir, null);
    expect(await readExposures(ctx, dir)).toEqual([]);
    writeFileSync(join(dir, '.envseal-exposures.yaml'), 'exposures: [\n');
    await expect(readExposures(ctx, dir)).rejects.toMatchObject({ exitCode: 3, file: join(dir, '.envseal-exposures.yaml') });
  });
});

describe('outstandingDebt', () => {
  it('a value is owed until it changes; a file that is gone owes nothing', async () => {
    const { dir, exposure } = await exposed();
    const { ctx } = actingAs(dir, alice);
    await recordExposure(ctx, dir, exposure);
    await recordExposure(ctx, dir, exposure); // recorded twice, listed once
    const list = await readExposures(ctx, dir);
    expect(list).toHaveLength(1);
    const owed = async () => (await outstandingDebt(ctx, dir, list)).map((d) => d.key);
    expect(await owed()).toEqual(['db.password', 'hosts.[1]', 'token']);
    await setValue(ctx, 'conf/app.yaml', 'token', { kind: 'str', value: 'new' }, { plan: {} });
    expect(await owed()).toEqual(['db.password', 'hosts.[1]']);
    await setValue(ctx, 'conf/app.yaml', 'db.password', { kind: 'str', value: 'pw' }, { plan: {} }); // the same value: still owed
    expect(await owed()).toEqual(['db.password', 'hosts.[1]']);
    const gone = { ...exposure, values: exposure.values.map((v) => ({ ...v, file: 'conf/deleted.yaml' })) };
    expect(await outstandingDebt(ctx, dir, [gone])).toEqual([]);
  });

  it('re-encrypting the same values (decrypt, then encrypt again: a new data key, new IVs) keeps the debt', async () => {
    const { dir, exposure } = await exposed();
    const { ctx } = actingAs(dir, alice);
    const run = (argv: string[]) => cli(argv, { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY: alice.identity }) });
    const file = join(dir, 'conf/app.yaml');
    const before = readFileSync(file, 'utf8');
    expect((await run(['decrypt', 'conf/app.yaml', '--in-place'])).code).toBe(0);
    expect((await run(['encrypt', 'conf/app.yaml', '--age', alice.recipient])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toBe(before);
    const debt = await outstandingDebt(ctx, dir, [exposure]);
    expect(debt.map((d) => [d.key, d.unsure])).toEqual([['db.password', null], ['hosts.[1]', null], ['token', null]]);
  });

  it('someone who cannot unwrap the record\'s key is told why the value stays listed', async () => {
    const { dir, exposure } = await exposed();
    const { bob } = await people();
    const debt = await outstandingDebt(actingAs(dir, bob).ctx, dir, [exposure]);
    expect(debt).toHaveLength(3);
    expect(debt[0]?.unsure).toMatch(/cannot unwrap the key its record was made with/);
  });

  it('reads envseal 0.1 records (by IV): the same IV is still owed; another IV cannot be told, so it stays, saying why', async () => {
    const { dir } = await exposed();
    const { ctx } = actingAs(dir, alice);
    const ivOf = async (key: string) => {
      const text = readFileSync(join(dir, 'conf/app.yaml'), 'utf8');
      return /iv:([^,]+)/.exec(text.split('\n').find((l) => l.includes(`${key}:`)) ?? '')?.[1] ?? '';
    };
    writeFileSync(
      join(dir, '.envseal-exposures.yaml'),
      `exposures:\n  - member: bob\n    recipient: age1bob\n    removed: "2030-01-01T00:00:00Z"\n    values:\n      - file: conf/app.yaml\n        key: token\n        path: [token]\n        iv: ${await ivOf('token')}\n      - file: conf/app.yaml\n        key: db.password\n        path: [db, password]\n        iv: AAAA\n`,
    );
    const list = await readExposures(ctx, dir);
    const debt = await outstandingDebt(ctx, dir, list);
    expect(debt.map((d) => [d.key, d.unsure === null])).toEqual([['token', true], ['db.password', false]]);
    expect(debt[1]?.unsure).toMatch(/without a fingerprint/);
  });
});
