/** The team protocol as plans and applies (src/ops/team.ts); the CLI story is in test/cli/team.test.ts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeFs, realWriteSteps } from '../../src/io/fs.js';
import type { Recipient } from '../../src/keys/recipient.js';
import { readMetadata } from '../helpers/open-with-key.js';
import { allAgeKeys } from '../../src/metadata/model.js';
import { readExposures } from '../../src/ops/exposures.js';
import { applyAdd, applyRemove, listMembers, planAdd, planRemove } from '../../src/ops/team.js';
import { tempDir } from '../helpers/cli.js';
import type { TestIdentity } from '../helpers/keys.js';
import { actingAs, people, sealedFile } from '../helpers/ops.js';

let alice: TestIdentity;
let bob: TestIdentity;
let carol: TestIdentity;
let A: Recipient;
let B: Recipient;
let C: Recipient;
beforeAll(async () => {
  ({ alice, bob, carol } = await people());
  [A, B, C] = [alice.recipient, bob.recipient, carol.recipient] as [Recipient, Recipient, Recipient];
});

/** alice and bob on app/, alice alone on ops/. */
async function repo(): Promise<string> {
  const dir = tempDir();
  writeFileSync(
    join(dir, '.sops.yaml'),
    `envseal:\n  members:\n    alice: ${A}\n    bob: ${B}\ncreation_rules:\n  - path_regex: ^app/\n    age: [${A}, ${B}]\n  - path_regex: ^ops/\n    age: [${A}]\n`,
  );
  await sealedFile(dir, 'app/.env', 'TOKEN=t\nPORT_unencrypted=80\n', [A, B]);
  await sealedFile(dir, 'app/two.env', 'KEY=k\n', [A, B]);
  await sealedFile(dir, 'ops/root.env', 'ROOT=r\n', [A]);
  return dir;
}

const recipientsOf = (dir: string, file: string): string[] => allAgeKeys(readMetadata(join(dir, file))).map((k) => k.label);

describe('listMembers', () => {
  it('lists members with the files each reads, then readers outside the roster', async () => {
    const dir = await repo();
    await sealedFile(dir, 'ops/carol.env', 'X=1\n', [C]);
    const { members } = await listMembers(actingAs(dir, alice).ctx);
    expect(members.map((m) => [m.name, m.recipient, m.files.sort()])).toEqual([
      ['alice', A, ['app/.env', 'app/two.env', 'ops/root.env']],
      ['bob', B, ['app/.env', 'app/two.env']],
      [null, C, ['ops/carol.env']],
    ]);
  });
});

describe('planAdd and applyAdd', () => {
  it('lists only the files the chosen rules give the new member; writes the config, then the files', async () => {
    const dir = await repo();
    const { ctx } = actingAs(dir, alice);
    const plan = await planAdd(ctx, { name: 'carol', recipient: C.toUpperCase(), rules: ['^ops/'] });
    expect(plan.recipient).toBe(C);
    expect(plan.createsConfig).toBe(false);
    expect(plan.files.map((f) => [f.file.display, f.target.groups])).toEqual([['ops/root.env', [[A, C]]]]);
    expect(plan.configText).toContain(`carol: ${C}`);
    expect(readFileSync(join(dir, '.sops.yaml'), 'utf8')).not.toContain(C); // a plan writes nothing
    expect(await applyAdd(ctx, plan)).toEqual({ done: ['ops/root.env'], unopened: [], failed: [] });
    expect(recipientsOf(dir, 'ops/root.env')).toEqual([A, C]);
    expect(recipientsOf(dir, 'app/.env')).toEqual([A, B]);
    expect((await planAdd(ctx, { name: 'carol', recipient: C, rules: ['^ops/'] })).files).toEqual([]);
  });

  it('refuses a bad name, a bad recipient, a name taken by another recipient, a recipient of another member', async () => {
    const dir = await repo();
    const { ctx } = actingAs(dir, alice);
    await expect(planAdd(ctx, { name: 'no spaces', recipient: C, rules: [] })).rejects.toMatchObject({ exitCode: 2 });
    await expect(planAdd(ctx, { name: 'carol', recipient: 'age1nope', rules: [] })).rejects.toMatchObject({ exitCode: 2 });
    await expect(planAdd(ctx, { name: 'bob', recipient: C, rules: [] })).rejects.toMatchObject({ exitCode: 3, message: 'bob is already a member, with another recipient' });
    await expect(planAdd(ctx, { name: 'robert', recipient: B, rules: [] })).rejects.toMatchObject({ exitCode: 3, message: 'that recipient belongs to bob' });
  });

  it('without a .sops.yaml, plans a new one whose catch-all rule gives the member every sops file', async () => {
    const dir = tempDir();
    await sealedFile(dir, 'a.env', 'K=v\n', [A]);
    const plan = await planAdd(actingAs(dir, alice).ctx, { name: 'bob', recipient: B, rules: [] });
    expect(plan.createsConfig).toBe(true);
    expect(plan.files.map((f) => [f.file.display, f.target.groups])).toEqual([['a.env', [[A, B]]]]);
  });
});

describe('planRemove', () => {
  it("lists the files the member reads, without them, and every encrypted value they could read", async () => {
    const dir = await repo();
    const now = new Date('2030-01-02T03:04:05Z');
    const plan = await planRemove(actingAs(dir, alice, { now }).ctx, { member: 'bob', dropOtherKeys: false });
    expect([plan.name, plan.recipient]).toEqual(['bob', B]);
    expect(plan.files.map((f) => [f.file.display, f.target.groups, f.reason])).toEqual([
      ['app/.env', [[A]], 'they are a recipient'],
      ['app/two.env', [[A]], 'they are a recipient'],
    ]);
    expect(plan.exposure).toMatchObject({ member: 'bob', recipient: B, removed: '2030-01-02T03:04:05Z' });
    expect(plan.exposure.values.map((v) => [v.file, v.key])).toEqual([['app/.env', 'TOKEN'], ['app/two.env', 'KEY']]);
  });

  it('takes a recipient too; refuses a stranger, and removing the only recipient of a file', async () => {
    const dir = await repo();
    const { ctx } = actingAs(dir, alice);
    expect((await planRemove(ctx, { member: B, dropOtherKeys: false })).name).toBe('bob');
    await expect(planRemove(ctx, { member: 'mallory', dropOtherKeys: false })).rejects.toMatchObject({ exitCode: 3, message: 'mallory is not a member' });
    await expect(planRemove(ctx, { member: 'alice', dropOtherKeys: false })).rejects.toMatchObject({ exitCode: 3, message: expect.stringMatching(/^alice is the only recipient of ops\/root\.env; .*nothing was written$/) });
  });
});

describe('applyRemove', () => {
  it('writes the exposures first, the files next, and the roster last only when no file failed', async () => {
    const dir = await repo();
    const order: string[] = [];
    const failing = (fail: string | null) =>
      nodeFs({
        steps: {
          ...realWriteSteps,
          async rename(from, to) {
            if (to === fail) throw Object.assign(new Error('EIO: injected'), { code: 'EIO' });
            order.push(relative(dir, to));
            await realWriteSteps.rename(from, to);
          },
        },
      });
    const first = actingAs(dir, alice, { fs: failing(join(dir, 'app/two.env')) }).ctx;
    const outcome = await applyRemove(first, await planRemove(first, { member: 'bob', dropOtherKeys: false }));
    expect(outcome.done).toEqual(['app/.env']);
    expect(outcome.failed.map((f) => [f.file, f.error.exitCode])).toEqual([['app/two.env', 7]]);
    expect(order).toEqual(['.envseal-exposures.yaml', 'app/.env']);
    expect(readFileSync(join(dir, '.sops.yaml'), 'utf8')).toContain(`bob: ${B}`);
    expect(recipientsOf(dir, 'app/two.env')).toEqual([A, B]);

    // Run again to finish (bob's rules still cover both files): the roster goes last, and no value is listed twice.
    order.length = 0;
    const again = actingAs(dir, alice, { fs: failing(null) }).ctx;
    expect(await applyRemove(again, await planRemove(again, { member: 'bob', dropOtherKeys: false }))).toEqual({ done: ['app/.env', 'app/two.env'], unopened: [], failed: [] });
    expect([...order.slice(0, 2).sort(), ...order.slice(2)]).toEqual(['app/.env', 'app/two.env', '.sops.yaml']);
    expect(readFileSync(join(dir, '.sops.yaml'), 'utf8')).not.toContain(B);
    const [exposure] = await readExposures(again, dir);
    expect(exposure?.values.map((v) => v.key)).toEqual(['TOKEN', 'KEY']);
  });
});
