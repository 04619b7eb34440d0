/** Rotation debt: what a removed member could read, and what still holds it (src/ops/exposures.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exposedValues, exposuresText, outstandingDebt, readExposures, recordExposure, withExposure, type Exposure } from '../../src/ops/exposures.js';
import { loadFile } from '../../src/ops/load.js';
import { setValue } from '../../src/ops/values.js';
import { tempDir } from '../helpers/cli.js';
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
  const values = exposedValues(await loadFile(ctx, 'conf/app.yaml'), dir);
  return { dir, exposure: { member: 'bob', recipient: 'age1bob', removed: '2030-01-01T00:00:00Z', values } };
}

describe('exposedValues', () => {
  it('lists every encrypted value with its path and IV (clear values and nulls are not secrets)', async () => {
    const { exposure } = await exposed();
    expect(exposure.values.map(({ file, doc, path, key }) => ({ file, doc, path, key }))).toEqual([
      { file: 'conf/app.yaml', doc: 0, path: ['db', 'password'], key: 'db.password' },
      { file: 'conf/app.yaml', doc: 0, path: ['hosts', 1], key: 'hosts.[1]' },
      { file: 'conf/app.yaml', doc: 0, path: ['token'], key: 'token' },
    ]);
    expect(exposure.values.every((v) => /^[A-Za-z0-9+/]{43}=$/.test(v.iv))).toBe(true);
  });
});

describe('the exposure list', () => {
  it('round-trips through its text, which explains itself and holds no value', async () => {
    const { exposure } = await exposed();
    const text = exposuresText([exposure]);
    expect(text.startsWith('# Written by `envseal team rm`')).toBe(true);
    expect(text).not.toMatch(/\bpw\b|\bh1\b|: t$/m);
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
});
