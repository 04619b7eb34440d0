/** Opening a sops file: the async and sync ways agree (src/ops/open.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NoIdentityError } from '../../src/errors.js';
import { loadFile, loadFileSync } from '../../src/ops/load.js';
import { metadataOf, openFile, openFileSync } from '../../src/ops/open.js';
import { tempDir } from '../helpers/cli.js';
import type { TestIdentity } from '../helpers/keys.js';
import { actingAs, people, sealedFile } from '../helpers/ops.js';

let alice: TestIdentity;
let bob: TestIdentity;
beforeAll(async () => {
  ({ alice, bob } = await people());
});

async function sealed(edit: (text: string) => string = (t) => t) {
  const dir = tempDir();
  const abs = await sealedFile(dir, '.env', 'TOKEN=s3cret\nPORT_unencrypted=80\n', [alice.recipient]);
  writeFileSync(abs, edit(readFileSync(abs, 'utf8')));
  return { dir, abs };
}

describe('openFile and openFileSync', () => {
  it('give the same data key, values and MAC; read-only skips the IV stash', async () => {
    const { dir } = await sealed();
    const { ctx } = actingAs(dir, alice);
    const [a, s] = [await openFile(ctx, await loadFile(ctx, '.env')), openFileSync(ctx, loadFileSync(ctx, '.env'), { readOnly: true })];
    expect(Buffer.from(s.dataKey)).toEqual(Buffer.from(a.dataKey));
    expect(s.docs).toEqual(a.docs);
    expect([s.macHex, s.macValid, s.metadata]).toEqual([a.macHex, true, a.metadata]);
    expect(a.docs[0]?.items[0]).toMatchObject({ key: 'TOKEN', value: { value: 's3cret' } });
    expect(a.stash).not.toBeNull();
    expect(s.stash).toBeNull();
  });

  it('without an identity that opens it: the same exit-4 error, recipients named from the roster', async () => {
    const { dir } = await sealed();
    writeFileSync(join(dir, '.sops.yaml'), `envseal:\n  members:\n    alice: ${alice.recipient}\n`);
    const { ctx } = actingAs(dir, bob);
    const asyncErr = await openFile(ctx, await loadFile(ctx, '.env')).catch((e: unknown) => e);
    let syncErr: unknown;
    try {
      openFileSync(ctx, loadFileSync(ctx, '.env'), { nameOf: (r) => (r === alice.recipient ? 'alice' : undefined) });
    } catch (err) {
      syncErr = err;
    }
    for (const err of [asyncErr, syncErr]) {
      expect(err).toBeInstanceOf(NoIdentityError);
      expect(err).toMatchObject({ exitCode: 4, message: 'none of the 1 age identity found can open the file', recipients: [`alice (${alice.recipient})`] });
    }
    expect((syncErr as NoIdentityError).details).toEqual((asyncErr as NoIdentityError).details);
    const nobody = actingAs(dir, null).ctx;
    await expect(openFile(nobody, await loadFile(nobody, '.env'))).rejects.toMatchObject({ message: 'no age identity found to open the file', hint: expect.stringContaining('envseal keygen') });
  });

  it('a MAC that does not match is exit 5, unless ignored (then a warning); ignoring a good MAC also warns', async () => {
    const { dir } = await sealed((t) => t.replace('PORT_unencrypted=80', 'PORT_unencrypted=81'));
    const { ctx, err } = actingAs(dir, alice);
    const loaded = await loadFile(ctx, '.env');
    await expect(openFile(ctx, loaded)).rejects.toMatchObject({ exitCode: 5, code: 'MAC_MISMATCH' });
    expect(() => openFileSync(ctx, loaded)).toThrow(expect.objectContaining({ code: 'MAC_MISMATCH' }));
    expect((await openFile(ctx, loaded, { ignoreMac: true })).macValid).toBe(false);
    expect(err()).toMatch(/warning: \.env: integrity check skipped \(--ignore-mac\)/);
    const good = await sealed();
    const other = actingAs(good.dir, alice);
    expect((await openFile(other.ctx, await loadFile(other.ctx, '.env'), { ignoreMac: true })).macValid).toBe(true);
    expect(other.err()).toContain('--ignore-mac given; the MAC happens to match');
  });

  it('a value added in clear is refused, or collected for encrypt', async () => {
    const { dir } = await sealed((t) => t.replace('PORT_unencrypted', 'ADDED=by hand\nPORT_unencrypted'));
    const { ctx } = actingAs(dir, alice);
    const loaded = await loadFile(ctx, '.env');
    await expect(openFile(ctx, loaded)).rejects.toMatchObject({ exitCode: 5 });
    expect((await openFile(ctx, loaded, { plaintextLeaves: 'collect' })).plaintextPaths).toEqual([['ADDED']]);
  });

  it('metadataOf a file that is not encrypted says how to encrypt it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plain.env'), 'A=1\n');
    const { ctx } = actingAs(dir, null);
    expect(() => metadataOf(loadFileSync(ctx, 'plain.env'))).toThrow(expect.objectContaining({ exitCode: 6, hint: 'encrypt it first: envseal encrypt plain.env' }));
  });
});
