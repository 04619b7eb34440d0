/** `encrypt` as a use case (src/ops/encrypt.ts); the command is in test/cli/encrypt-decrypt.test.ts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encryptFileInPlace } from '../../src/ops/encrypt.js';
import { getValue } from '../../src/ops/values.js';
import { tempDir } from '../helpers/cli.js';
import type { TestIdentity } from '../helpers/keys.js';
import { actingAs, people, sealedFile } from '../helpers/ops.js';

let alice: TestIdentity;
let bob: TestIdentity;
beforeAll(async () => {
  ({ alice, bob } = await people());
});

describe('encryptFileInPlace', () => {
  it('a plaintext file is sealed for its recipients; without write (--stdout) the file is left as it is', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'A=1\n');
    const { ctx } = actingAs(dir, null);
    const flags = { age: [alice.recipient, bob.recipient] };
    const shown = await encryptFileInPlace(ctx, '.env', undefined, flags, { write: false });
    expect(shown.encrypted?.summary).toBe(`encrypted .env for 2 recipients: ${alice.recipient.slice(0, 16)}…, ${bob.recipient.slice(0, 16)}…`);
    expect(shown.encrypted?.text).toMatch(/^A=ENC\[AES256_GCM,/);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('A=1\n');
    const written = await encryptFileInPlace(ctx, '.env', undefined, flags, { write: true });
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(written.encrypted?.text);
  });

  it('a sealed file with nothing in clear is left alone (null)', async () => {
    const dir = tempDir();
    const abs = await sealedFile(dir, '.env', 'A=1\n', [alice.recipient]);
    const before = readFileSync(abs, 'utf8');
    expect(await encryptFileInPlace(actingAs(dir, alice).ctx, '.env', undefined, {}, { write: true })).toEqual({ display: '.env', encrypted: null });
    expect(readFileSync(abs, 'utf8')).toBe(before);
  });

  it('values added by hand are sealed with the data key, read as dotenv meant them', async () => {
    const dir = tempDir();
    const abs = await sealedFile(dir, '.env', 'A=1\n', [alice.recipient]);
    writeFileSync(abs, readFileSync(abs, 'utf8').replace('A=', 'export NEW="two words"\nA='));
    const { ctx } = actingAs(dir, alice);
    const done = await encryptFileInPlace(ctx, '.env', undefined, {}, { write: true });
    expect(done.encrypted?.summary).toMatch(/^encrypted 1 new value in \.env: /);
    expect(readFileSync(abs, 'utf8')).toMatch(/^NEW=ENC\[/m);
    expect(await getValue(ctx, '.env', 'NEW')).toMatchObject({ value: 'two words' });
  });

  // Was a bug: the summary named the line as sops read it (`export NEW`), not the key it is stored as.
  it('the summary names a hand-added key as it is stored', async () => {
    const dir = tempDir();
    const abs = await sealedFile(dir, '.env', 'A=1\n', [alice.recipient]);
    writeFileSync(abs, readFileSync(abs, 'utf8').replace('A=', 'export NEW=x\nA='));
    const done = await encryptFileInPlace(actingAs(dir, alice).ctx, '.env', undefined, {}, { write: true });
    expect(done.encrypted?.summary).toBe('encrypted 1 new value in .env: NEW');
  });

  it('a file with no document is refused', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.yaml'), '');
    await expect(encryptFileInPlace(actingAs(dir, null).ctx, 'empty.yaml', undefined, { age: [alice.recipient] }, { write: true })).rejects.toMatchObject({ exitCode: 6, message: 'the file holds no document to encrypt' });
  });
});
