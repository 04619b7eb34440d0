/** Reading and parsing a file (src/ops/load.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeCtx } from '../../src/ops/context.js';
import { emptyFile, loadFile, loadFileSync } from '../../src/ops/load.js';
import { tempDir, testIo } from '../helpers/cli.js';

function setup() {
  const dir = tempDir();
  const { io, err } = testIo({ cwd: dir });
  return { dir, ctx: makeCtx(io), err };
}

describe('loadFile and loadFileSync', () => {
  it('read the same file the same way: bytes, format from the name or --format, parse warnings to stderr', async () => {
    const { dir, ctx, err } = setup();
    writeFileSync(join(dir, 'app.env'), 'A=x#y\n');
    const loaded = await loadFile(ctx, 'app.env');
    expect(loaded).toMatchObject({ display: 'app.env', abs: join(dir, 'app.env'), format: { name: 'dotenv' } });
    expect(Buffer.from(loaded.bytes as Uint8Array).toString()).toBe('A=x#y\n');
    expect(err()).toMatch(/^envseal: warning: .*app\.env:1: the value of A stops at "#"/);
    const sync = loadFileSync(ctx, 'app.env');
    expect(sync.parsed).toEqual(loaded.parsed);
    writeFileSync(join(dir, 'data.txt'), '{"a": 1}');
    expect((await loadFile(ctx, 'data.txt', 'json')).format.name).toBe('json');
    expect(loadFileSync(ctx, 'data.txt', 'json').format.name).toBe('json');
  });

  it('a missing file, a folder, an unknown format: typed errors naming the path', async () => {
    const { dir, ctx } = setup();
    mkdirSync(join(dir, 'folder.env'));
    await expect(loadFile(ctx, 'missing.env')).rejects.toMatchObject({ exitCode: 7, message: 'no such file', file: join(dir, 'missing.env') });
    expect(() => loadFileSync(ctx, 'missing.env')).toThrow(expect.objectContaining({ exitCode: 7, message: 'cannot read: no such file or folder', file: join(dir, 'missing.env') }));
    await expect(loadFile(ctx, 'folder.env')).rejects.toMatchObject({ exitCode: 7, message: 'not a regular file' });
    await expect(loadFile(ctx, 'notes.txt')).rejects.toMatchObject({ exitCode: 2 });
  });

  it('emptyFile stands for a file to create: no bytes, one empty document, no metadata', () => {
    const { dir, ctx } = setup();
    expect(emptyFile(ctx, 'sub/new.yaml')).toMatchObject({ abs: join(dir, 'sub/new.yaml'), bytes: null, format: { name: 'yaml' }, parsed: { docs: [{ kind: 'map', items: [] }], metadata: undefined } });
  });
});
