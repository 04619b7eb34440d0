/** Re-keying: updatekeys and rotate, per file and as plans (src/ops/rekey.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEnc } from '../../src/crypto/enc-value.js';
import { formatFor } from '../../src/formats/index.js';
import type { Recipient } from '../../src/keys/recipient.js';
import { parseMetadata } from '../../src/metadata/codec.js';
import { allAgeKeys, type Metadata } from '../../src/metadata/model.js';
import { loadFile } from '../../src/ops/load.js';
import { openFile } from '../../src/ops/open.js';
import { applyUpdateKeys, currentTarget, planUpdateKeys, refuseOtherKeys, rotate, updateKeys } from '../../src/ops/rekey.js';
import { loadTeam } from '../../src/ops/repository.js';
import { tempDir } from '../helpers/cli.js';
import type { TestIdentity } from '../helpers/keys.js';
import { actingAs, people, sealedFile } from '../helpers/ops.js';

let alice: TestIdentity;
let bob: TestIdentity;
let A: Recipient;
let B: Recipient;
beforeAll(async () => {
  ({ alice, bob } = await people());
  [A, B] = [alice.recipient as Recipient, bob.recipient as Recipient];
});

const metaOf = (text: string): Metadata => parseMetadata(formatFor('.env').parse(text, '.env').metadata, '.env');
const valueLines = (text: string): string[] => text.split('\n').filter((l) => !l.startsWith('sops_'));
const one = (...groups: Recipient[][]) => ({ groups, threshold: 0 });

/** `.env` sealed for `recipients`, its text changed by `edit`, loaded as alice sees it. */
async function fileFor(recipients: Recipient[], edit: (text: string) => string = (t) => t) {
  const dir = tempDir();
  const abs = await sealedFile(dir, '.env', 'TOKEN=s3cret\nPORT_unencrypted=80\n', recipients);
  writeFileSync(abs, edit(readFileSync(abs, 'utf8')));
  const { ctx } = actingAs(dir, alice);
  return { dir, abs, ctx, loaded: await loadFile(ctx, '.env') };
}

describe('currentTarget', () => {
  it('reads the recipients from the labels, once each', async () => {
    const { loaded } = await fileFor([A, B], (t) => t.replace(`map_recipient=${A}`, `map_recipient=${A.toUpperCase()}`));
    expect(currentTarget(loaded)).toEqual({ groups: [[A, B]], threshold: 0 });
    const twice = await fileFor([A, B], (t) => t.replace(`map_recipient=${B}`, `map_recipient=${A}`));
    expect(currentTarget(twice.loaded)).toEqual({ groups: [[A]], threshold: 0 });
  });

  it('refuses a label that does not parse: exit 6 naming the file, the label escaped', async () => {
    const { loaded, abs } = await fileFor([A, B], (t) => t.replace(`map_recipient=${B}`, 'map_recipient=age1\u001b[31mnot'));
    expect(() => currentTarget(loaded)).toThrow(expect.objectContaining({ exitCode: 6, file: abs, message: expect.stringContaining('labelled "age1\\u001b[31mnot", which is not a recipient') }));
  });
});

describe('updateKeys', () => {
  it('adds and removes entries; kept entries, the values, lastmodified and the MAC keep their bytes', async () => {
    const { ctx, loaded } = await fileFor([A]);
    const before = Buffer.from(loaded.bytes as Uint8Array).toString();
    const added = await updateKeys(ctx, loaded, one([A, B]));
    expect(added && { added: added.added, removed: added.removed }).toEqual({ added: [B], removed: [] });
    const [was, now] = [metaOf(before), metaOf(added?.text as string)];
    expect(allAgeKeys(now).map((k) => k.label)).toEqual([A, B]);
    expect(allAgeKeys(now)[0]).toEqual(allAgeKeys(was)[0]);
    expect([now.mac, now.lastModified]).toEqual([was.mac, was.lastModified]);
    expect(valueLines(added?.text as string)).toEqual(valueLines(before));
    writeFileSync(loaded.abs, added?.text as string);
    const back = await updateKeys(ctx, await loadFile(ctx, '.env'), one([A]));
    expect(back && { added: back.added, removed: back.removed }).toEqual({ added: [], removed: [B] });
    expect(allAgeKeys(metaOf(back?.text as string))).toEqual(allAgeKeys(was));
  });

  it('is null when the file already has exactly these recipients, unless some are to be wrapped anew', async () => {
    const { ctx, loaded } = await fileFor([A, B]);
    expect(await updateKeys(ctx, loaded, one([B, A]))).toBeNull();
    const rewrapped = await updateKeys(ctx, loaded, one([A, B]), { rewrap: [B] });
    const [was, now] = [allAgeKeys(metaOf(Buffer.from(loaded.bytes as Uint8Array).toString())), allAgeKeys(metaOf(rewrapped?.text as string))];
    expect(now[0]).toEqual(was[0]);
    expect(now[1]?.label).toBe(B);
    expect(now[1]?.enc).not.toBe(was[1]?.enc);
  });

  it('wraps again an entry whose label is not canonical or repeats (it must not pass for someone else)', async () => {
    const upper = await fileFor([A], (t) => t.replace(`map_recipient=${A}`, `map_recipient=${A.toUpperCase()}`));
    const change = await updateKeys(upper.ctx, upper.loaded, one([A]));
    const entry = allAgeKeys(metaOf(change?.text as string))[0];
    expect(entry?.label).toBe(A);
    expect(entry?.enc).not.toBe(allAgeKeys(metaOf(Buffer.from(upper.loaded.bytes as Uint8Array).toString()))[0]?.enc);
    const twice = await fileFor([A, B], (t) => t.replace(`map_recipient=${B}`, `map_recipient=${A}`));
    const fixed = await updateKeys(twice.ctx, twice.loaded, one([A]));
    expect(allAgeKeys(metaOf(fixed?.text as string)).map((k) => k.label)).toEqual([A]);
  });

  it('keeps entries of other key types; refuses to leave the file with no recipient', async () => {
    const pgp = 'sops_pgp__list_0__map_created_at=2020-01-01T00:00:00Z\nsops_pgp__list_0__map_enc=x\nsops_pgp__list_0__map_fp=FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\n';
    const { ctx, loaded, abs } = await fileFor([A], (t) => t.replace(/(sops_lastmodified=)/, `${pgp}$1`));
    expect((await updateKeys(ctx, loaded, one([A, B])))?.text).toContain(pgp);
    await expect(updateKeys(ctx, loaded, one([]))).rejects.toMatchObject({ exitCode: 3, file: abs, message: 'the rules leave the file with no recipient' });
    expect(() => refuseOtherKeys([loaded], false)).toThrow(/\.env \(pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\); nothing was written/);
    expect(() => refuseOtherKeys([loaded], true)).not.toThrow();
  });
});

describe('rotate', () => {
  it('a new data key; every value keeps its IV and its plaintext; a new MAC', async () => {
    const { ctx, loaded } = await fileFor([A, B]);
    const change = await rotate(ctx, loaded, undefined);
    expect([change.added, change.removed]).toEqual([[], []]);
    const ivOf = (text: string) => parseEnc(/^TOKEN=(.*)$/m.exec(text)?.[1] as string);
    const [was, now] = [ivOf(Buffer.from(loaded.bytes as Uint8Array).toString()), ivOf(change.text)];
    if (!was.ok || !now.ok) throw new Error('an ENC value does not parse');
    expect(Buffer.from(now.value.iv)).toEqual(Buffer.from(was.value.iv));
    expect(Buffer.from(now.value.data)).not.toEqual(Buffer.from(was.value.data));
    writeFileSync(loaded.abs, change.text);
    const opened = await openFile(ctx, await loadFile(ctx, '.env'));
    expect(opened.docs[0]?.items[0]).toMatchObject({ key: 'TOKEN', value: { value: 's3cret' } });
    expect(opened.metadata.mac).not.toBe(metaOf(Buffer.from(loaded.bytes as Uint8Array).toString()).mac);
  });
});

describe('planUpdateKeys and applyUpdateKeys', () => {
  it('lists the covered files whose recipients differ from their rule; given files no rule covers are left', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - path_regex: ^app/\n    age: ${A},${B}\n`);
    await sealedFile(dir, 'app/behind.env', 'K=v\n', [A]);
    await sealedFile(dir, 'app/current.env', 'K=v\n', [A, B]);
    await sealedFile(dir, 'other/free.env', 'K=v\n', [A]);
    const { ctx } = actingAs(dir, alice);
    const team = await loadTeam(ctx);
    const plan = await planUpdateKeys(ctx, team, []);
    expect(plan.items.map((i) => [i.file.display, i.added, i.removed])).toEqual([['app/behind.env', [B], []]]);
    expect(plan.uncovered).toEqual([]);
    const given = await planUpdateKeys(ctx, team, ['other/free.env', 'app/missing.env']);
    expect(given.items).toEqual([]);
    expect(given.uncovered.map((f) => f.display)).toEqual(['other/free.env']);
    expect(given.problems.map((p) => p.message)).toEqual(['no such file']);
    expect(await applyUpdateKeys(ctx, plan)).toEqual({ done: ['app/behind.env'], unopened: [], failed: [] });
    expect((await planUpdateKeys(ctx, team, [])).items).toEqual([]);
  });

  it('a covered file with a label that does not parse stops the plan', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - age: ${A}\n`);
    const abs = await sealedFile(dir, 'x.env', 'K=v\n', [A]);
    writeFileSync(abs, readFileSync(abs, 'utf8').replace(`map_recipient=${A}`, 'map_recipient=nobody'));
    const { ctx } = actingAs(dir, alice);
    await expect(planUpdateKeys(ctx, await loadTeam(ctx), [])).rejects.toMatchObject({ exitCode: 6, file: abs });
  });
});
