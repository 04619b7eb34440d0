/** `envseal status` rows (src/ops/status.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exposedIn, recordExposure } from '../../src/ops/exposures.js';
import { openFile } from '../../src/ops/open.js';
import type { Recipient } from '../../src/keys/recipient.js';
import { loadFile } from '../../src/ops/load.js';
import { statusRows } from '../../src/ops/status.js';
import { tempDir } from '../helpers/cli.js';
import type { TestIdentity } from '../helpers/keys.js';
import { actingAs, people, sealedFile } from '../helpers/ops.js';

let alice: TestIdentity;
let bob: TestIdentity;
let carol: TestIdentity;
beforeAll(async () => {
  ({ alice, bob, carol } = await people());
});

describe('statusRows', () => {
  it('per sops file: format, named recipients, whether I can open it, debt, untrustworthy labels', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.sops.yaml'), `envseal:\n  members:\n    alice: ${alice.recipient}\n    bob: ${bob.recipient}\ncreation_rules:\n  - age: ${alice.recipient}\n`);
    writeFileSync(join(dir, 'plain.env'), 'NOT=encrypted\n');
    await sealedFile(dir, 'a.env', 'K=v\n', [alice.recipient, bob.recipient]);
    const other = await sealedFile(dir, 'sub/b.json', '{"k": "v"}', [carol.recipient]);
    writeFileSync(other, readFileSync(other, 'utf8').replace(`"recipient": "${carol.recipient}"`, '"recipient": "someone"'));
    const { ctx } = actingAs(dir, alice, { now: new Date('2030-01-01T00:00:00Z') });
    const loaded = await loadFile(ctx, 'a.env');
    const { values, check } = await exposedIn(loaded, await openFile(ctx, loaded, { readOnly: true }), dir, [alice.recipient as Recipient]);
    const exposure = { member: 'bob', recipient: bob.recipient, removed: '2030-01-01T00:00:00Z', values, checks: check === null ? [] : [check] };
    await recordExposure(ctx, dir, exposure);

    const { rows, problems } = await statusRows(ctx, []);
    expect(problems).toEqual([]);
    expect(rows.map((r) => r.file)).toEqual(['a.env', 'sub/b.json']);
    const [a, b] = rows;
    expect(a).toMatchObject({
      format: 'dotenv',
      recipients: [{ recipient: alice.recipient, name: 'alice' }, { recipient: bob.recipient, name: 'bob' }],
      otherKeys: [],
      canDecrypt: true,
      debt: [{ key: 'K', member: 'bob', removed: '2030-01-01T00:00:00Z', unsure: null }],
      labelProblems: [],
    });
    expect(a?.lastModified).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(b).toMatchObject({ format: 'json', recipients: [{ recipient: 'someone', name: null }], canDecrypt: false, debt: [], labelProblems: ['a key entry is labelled "someone", which is not a recipient'] });
  });

  it('only the given files, and a given file that does not load is a problem, not a row', async () => {
    const dir = tempDir();
    await sealedFile(dir, 'a.env', 'K=v\n', [alice.recipient]);
    await sealedFile(dir, 'b.env', 'K=v\n', [alice.recipient]);
    const { rows, problems } = await statusRows(actingAs(dir, bob).ctx, ['b.env', 'gone.env']);
    expect(rows.map((r) => [r.file, r.canDecrypt])).toEqual([['b.env', false]]);
    expect(problems.map((p) => [p.message, p.exitCode])).toEqual([['no such file', 7]]);
  });
});
