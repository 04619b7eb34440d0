/**
 * The filesystem seam (src/io/fs.ts): modes and the "changed meanwhile" check of atomic
 * writes, new files, and private folders. Faults in the write steps are in
 * test/hardening/faults.test.ts, locks in file-lock.test.ts and take-turns.test.ts.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFs } from '../../src/io/fs.js';
import { UndoList } from '../../src/io/interrupts.js';
import { tempDir } from '../helpers/cli.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('writeFileAtomic', () => {
  it('a new file gets the mode given; an existing one keeps its own unless forceMode', async () => {
    const dir = tempDir();
    const fs = nodeFs();
    await fs.writeFileAtomic(join(dir, 'new'), 'a', { mode: 0o640 });
    expect(mode(join(dir, 'new'))).toBe(0o640);
    writeFileSync(join(dir, 'old'), 'x');
    chmodSync(join(dir, 'old'), 0o604);
    await fs.writeFileAtomic(join(dir, 'old'), 'b', { mode: 0o600 });
    expect([mode(join(dir, 'old')), readFileSync(join(dir, 'old'), 'utf8')]).toEqual([0o604, 'b']);
    await fs.writeFileAtomic(join(dir, 'old'), 'c', { mode: 0o600, forceMode: true });
    expect(mode(join(dir, 'old'))).toBe(0o600);
  });

  it('refuses to overwrite a file that changed since it was read, or appeared, leaving it and no temporary file', async () => {
    const dir = tempDir();
    const file = join(dir, 'a.env');
    const fs = nodeFs();
    writeFileSync(file, 'theirs');
    await expect(fs.writeFileAtomic(file, 'mine', { expected: Buffer.from('as read') })).rejects.toMatchObject({ code: 'CONFLICT', exitCode: 7, file });
    await expect(fs.writeFileAtomic(file, 'mine', { expected: null })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(readFileSync(file, 'utf8')).toBe('theirs');
    expect(readdirSync(dir)).toEqual(['a.env']);
    await fs.writeFileAtomic(file, 'mine', { expected: Buffer.from('theirs') });
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });
});

describe('the other calls', () => {
  it('writeNewFile creates with the mode and never replaces', async () => {
    const file = join(tempDir(), 'id.key');
    const fs = nodeFs();
    await fs.writeNewFile(file, 'one', 0o600);
    expect(mode(file)).toBe(0o600);
    await expect(fs.writeNewFile(file, 'two', 0o600)).rejects.toMatchObject({ exitCode: 7, message: 'cannot create: already exists', file });
    expect(readFileSync(file, 'utf8')).toBe('one');
  });

  it('stat is null for a missing path (also under a file); readdir tells files from folders; errors name the path', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f'), '');
    mkdirSync(join(dir, 'd'));
    const fs = nodeFs();
    expect(await fs.stat(join(dir, 'missing'))).toBeNull();
    expect(await fs.stat(join(dir, 'f', 'below'))).toBeNull();
    expect(await fs.stat(join(dir, 'd'))).toMatchObject({ isFile: false, isDirectory: true });
    expect((await fs.readdir(dir)).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'd', isFile: false, isDirectory: true },
      { name: 'f', isFile: true, isDirectory: false },
    ]);
    await expect(fs.readFile(join(dir, 'missing'))).rejects.toMatchObject({ exitCode: 7, message: 'cannot read: no such file or folder', file: join(dir, 'missing') });
  });
});

describe('privateFolder', () => {
  it("lives in this user's 0700 folder under the base, is 0700, and is removed by remove() or by an interrupt", async () => {
    const dir = tempDir();
    const root = join(dir, `envseal-${process.getuid?.()}`);
    const interrupts = new UndoList();
    const fs = nodeFs({ interrupts });
    const a = await fs.privateFolder(join(dir, 'envseal-edit-'));
    expect(a.path.startsWith(join(root, `envseal-edit-${process.pid}-`))).toBe(true);
    expect([mode(root), mode(a.path)]).toEqual([0o700, 0o700]);
    writeFileSync(join(a.path, 'plain.env'), 'SECRET=x');
    await a.remove();
    expect(existsSync(a.path)).toBe(false);
    expect(interrupts.size).toBe(0);
    const b = await fs.privateFolder(join(dir, 'envseal-edit-'));
    interrupts.interrupt();
    expect(existsSync(b.path)).toBe(false);
  });

  it('closes its own per-user folder when it was left open (an old umask) before putting anything in it', async () => {
    const dir = tempDir();
    const root = join(dir, `envseal-${process.getuid?.()}`);
    mkdirSync(root);
    chmodSync(root, 0o755);
    await (await nodeFs().privateFolder(join(dir, 'envseal-edit-'))).remove();
    expect(mode(root)).toBe(0o700);
  });
});
