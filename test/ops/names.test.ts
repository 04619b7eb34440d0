/** Names for recipients from the nearest roster, for messages (src/ops/names.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rosterNamer } from '../../src/ops/names.js';
import { tempDir } from '../helpers/cli.js';
import { actingAs } from '../helpers/ops.js';
import { fakeRecipient } from '../helpers/recipients.js';

describe('rosterNamer', () => {
  it("names recipients from the roster nearest the file, or --config's", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, '.sops.yaml'), `envseal:\n  members:\n    top: ${fakeRecipient(1)}\n`);
    writeFileSync(join(dir, 'sub', '.sops.yaml'), `envseal:\n  members:\n    near: ${fakeRecipient(1)}\n`);
    const nameOf = await rosterNamer(actingAs(dir, null).ctx, join(dir, 'sub', '.env'));
    expect([nameOf?.(fakeRecipient(1)), nameOf?.(fakeRecipient(2))]).toEqual(['near', undefined]);
    const explicit = actingAs(dir, null, { env: { SOPS_CONFIG: '.sops.yaml' } }).ctx;
    expect((await rosterNamer(explicit, join(dir, 'sub', '.env')))?.(fakeRecipient(1))).toBe('top');
  });

  it('no config, or one that does not parse: no names, and no error (it is only for messages)', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'a'));
    expect(await rosterNamer(actingAs(join(dir, 'a'), null).ctx, join(dir, 'a', '.env'))).toBeUndefined();
    writeFileSync(join(dir, '.sops.yaml'), 'envseal: [\n');
    expect(await rosterNamer(actingAs(dir, null).ctx, join(dir, '.env'))).toBeUndefined();
    writeFileSync(join(dir, '.sops.yaml'), 'envseal:\n  members:\n    bob: age1broken\n');
    expect(await rosterNamer(actingAs(dir, null).ctx, join(dir, '.env'))).toBeUndefined();
  });
});
