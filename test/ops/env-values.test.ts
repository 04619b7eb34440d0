/** The variables a set of files gives, async and sync (src/ops/env-values.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadValues, loadValuesSync } from '../../src/ops/env-values.js';
import { tempDir } from '../helpers/cli.js';
import type { TestIdentity } from '../helpers/keys.js';
import { actingAs, people, sealedFile } from '../helpers/ops.js';

let alice: TestIdentity;
beforeAll(async () => {
  ({ alice } = await people());
});

describe('loadValues and loadValuesSync', () => {
  it('later files win; a plaintext file is read with a warning and nothing from it counts as secret', async () => {
    const dir = tempDir();
    await sealedFile(dir, '.env', 'SHARED=sealed\nONLY_SEALED=s\nPORT_unencrypted=80\n', [alice.recipient]);
    writeFileSync(join(dir, 'local.env'), 'SHARED=plain\nONLY_PLAIN=p\n');
    const expected = {
      SHARED: { value: 'plain', secret: false },
      ONLY_SEALED: { value: 's', secret: true },
      PORT_unencrypted: { value: '80', secret: false },
      ONLY_PLAIN: { value: 'p', secret: false },
    };
    const a = actingAs(dir, alice);
    expect(Object.fromEntries(await loadValues(a.ctx, ['.env', 'local.env'], undefined, false))).toEqual(expected);
    expect(a.err()).toBe('envseal: warning: local.env is not encrypted; loading it as plain text\n');
    const s = actingAs(dir, alice);
    expect(Object.fromEntries(loadValuesSync(s.ctx, ['.env', 'local.env'], undefined, false))).toEqual(expected);
    expect(s.err()).toBe(a.err());
    expect((await loadValues(a.ctx, ['local.env', '.env'], undefined, false)).get('SHARED')).toEqual({ value: 'sealed', secret: true });
  });

  it('flatten and --format reach every file', async () => {
    const dir = tempDir();
    await sealedFile(dir, 'c.yaml', 'db:\n  password: pw\n', [alice.recipient]);
    const { ctx } = actingAs(dir, alice);
    await expect(loadValues(ctx, ['c.yaml'], undefined, false)).rejects.toMatchObject({ exitCode: 2 });
    expect(Object.fromEntries(loadValuesSync(ctx, ['c.yaml'], undefined, true))).toEqual({ DB_PASSWORD: { value: 'pw', secret: true } });
    writeFileSync(join(dir, 'vars.txt'), 'X=1\n');
    expect((await loadValues(ctx, ['vars.txt'], 'dotenv', false)).get('X')).toEqual({ value: '1', secret: false });
  });
});
