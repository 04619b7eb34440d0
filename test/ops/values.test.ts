/** get/set/unset as operations (src/ops/values.ts); the commands are in test/cli/values.test.ts. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getValue, setValue, unsetValue } from '../../src/ops/values.js';
import { tempDir } from '../helpers/cli.js';
import type { TestIdentity } from '../helpers/keys.js';
import { actingAs, people, sealedFile } from '../helpers/ops.js';

let alice: TestIdentity;
let bob: TestIdentity;
beforeAll(async () => {
  ({ alice, bob } = await people());
});

const str = (value: string) => ({ kind: 'str' as const, value });

describe('values', () => {
  it('set to the value already there changes nothing, not even lastmodified', async () => {
    const dir = tempDir();
    const abs = await sealedFile(dir, '.env', 'A=1\n', [alice.recipient]);
    const before = readFileSync(abs, 'utf8');
    const { ctx } = actingAs(dir, alice, { now: new Date('2031-01-01T00:00:00Z') });
    expect(await setValue(ctx, '.env', 'A', str('1'), { plan: {} })).toMatchObject({ changed: false, created: false, path: 'A' });
    expect(readFileSync(abs, 'utf8')).toBe(before);
    expect(await setValue(ctx, '.env', 'A', str('2'), { plan: {} })).toMatchObject({ changed: true });
    expect(readFileSync(abs, 'utf8')).toContain('sops_lastmodified=2031-01-01T00:00:00Z');
    expect(await getValue(ctx, '.env', 'A')).toEqual(str('2'));
  });

  it('refuses a .env key that dotenv cannot hold, before touching anything', async () => {
    const dir = tempDir();
    const { ctx } = actingAs(dir, alice);
    await expect(setValue(ctx, '.env', 'HAS SPACE', str('x'), { plan: { age: [alice.recipient] } })).rejects.toMatchObject({ exitCode: 2 });
    await expect(setValue(ctx, '.env', 'A=B', str('x'), { plan: { age: [alice.recipient] } })).rejects.toMatchObject({ exitCode: 2 });
    expect(existsSync(join(dir, '.env'))).toBe(false);
  });

  it('--age on an existing file: a bad one is still an error, a good one is ignored with a warning', async () => {
    const dir = tempDir();
    const abs = await sealedFile(dir, '.env', 'A=1\n', [alice.recipient]);
    const { ctx, err } = actingAs(dir, alice);
    await expect(setValue(ctx, '.env', 'B', str('2'), { plan: { age: ['age1bad'] } })).rejects.toMatchObject({ exitCode: 2 });
    await setValue(ctx, '.env', 'B', str('2'), { plan: { age: [bob.recipient] } });
    expect(err()).toMatch(/warning: --age is used only when set creates a file; \.env keeps its recipients/);
    expect(readFileSync(abs, 'utf8')).not.toContain(bob.recipient);
  });

  it('nested paths in YAML: set creates maps on the way, get and unset find them; a missing key is exit 3', async () => {
    const dir = tempDir();
    await sealedFile(dir, 'c.yaml', 'db:\n  user: u\n', [alice.recipient]);
    const { ctx } = actingAs(dir, alice);
    expect((await setValue(ctx, 'c.yaml', 'db.auth.password', str('pw'), { plan: {} })).path).toBe('db.auth.password');
    expect(await getValue(ctx, 'c.yaml', '["db"]["auth"]["password"]')).toEqual(expect.objectContaining(str('pw')));
    expect((await unsetValue(ctx, 'c.yaml', 'db.user')).path).toBe('db.user');
    await expect(getValue(ctx, 'c.yaml', 'db.user')).rejects.toMatchObject({ exitCode: 3, code: 'MISSING_KEYS', file: join(dir, 'c.yaml') });
    await expect(unsetValue(ctx, 'c.yaml', 'nope')).rejects.toMatchObject({ exitCode: 3, code: 'MISSING_KEYS' });
  });
});
