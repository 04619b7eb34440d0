/** Finding and reading .sops.yaml (src/config/load.ts). */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConfigPath, loadConfig } from '../../src/config/load.js';
import { isolatedEnv, tempDir, testIo } from '../helpers/cli.js';
import { fakeRecipient } from '../helpers/recipients.js';

function layout(): { dir: string; sub: string; deep: string } {
  const dir = tempDir();
  const sub = join(dir, 'sub');
  const deep = join(sub, 'a', 'b');
  mkdirSync(deep, { recursive: true });
  return { dir, sub, deep };
}

describe('findConfigPath', () => {
  it("walks upwards from the file's folder, then from the current folder", async () => {
    const { dir, sub, deep } = layout();
    writeFileSync(join(dir, '.sops.yaml'), '');
    const { io } = testIo({ cwd: deep });
    expect(await findConfigPath(io, join(deep, '.env'))).toBe(join(dir, '.sops.yaml'));
    writeFileSync(join(sub, '.sops.yaml'), '');
    expect(await findConfigPath(io, join(deep, '.env'))).toBe(join(sub, '.sops.yaml'));
    // a file outside the tree: its own folders first, then the current folder's
    const other = tempDir();
    expect(await findConfigPath(io, join(other, '.env'))).toBe(join(sub, '.sops.yaml'));
    expect(await findConfigPath(testIo({ cwd: dir }).io, null)).toBe(join(dir, '.sops.yaml'));
  });

  it('a folder named .sops.yaml is not a config; none found is null', async () => {
    const { deep } = layout();
    mkdirSync(join(deep, '.sops.yaml'));
    expect(await findConfigPath(testIo({ cwd: deep }).io, null)).toBeNull();
  });

  it('--config wins over SOPS_CONFIG, which wins over the walk; relative to the current folder; a missing one is exit 3', async () => {
    const { dir, deep } = layout();
    writeFileSync(join(deep, '.sops.yaml'), '');
    writeFileSync(join(dir, 'by-env.yaml'), '');
    writeFileSync(join(dir, 'by-flag.yaml'), '');
    const { io } = testIo({ cwd: deep, env: isolatedEnv(deep, { SOPS_CONFIG: '../../../by-env.yaml' }) });
    expect(await findConfigPath(io, join(deep, '.env'))).toBe(join(dir, 'by-env.yaml'));
    expect(await findConfigPath(io, join(deep, '.env'), { explicit: join(dir, 'by-flag.yaml') })).toBe(join(dir, 'by-flag.yaml'));
    const emptyVar = testIo({ cwd: deep, env: isolatedEnv(deep, { SOPS_CONFIG: '' }) }).io;
    expect(await findConfigPath(emptyVar, null)).toBe(join(deep, '.sops.yaml'));
    await expect(findConfigPath(io, null, { explicit: 'missing.yaml' })).rejects.toMatchObject({ exitCode: 3, message: 'config file missing.yaml does not exist' });
    await expect(findConfigPath(io, null, { explicit: '..' })).rejects.toMatchObject({ exitCode: 3 });
  });
});

describe('trust in a .sops.yaml found by the walk', () => {
  it('outside the git work tree and HOME, one others can write is ignored with a warning; inside them it counts', async () => {
    const { dir, deep } = layout();
    writeFileSync(join(dir, '.sops.yaml'), '');
    chmodSync(join(dir, '.sops.yaml'), 0o666);
    const warnings: string[] = [];
    const io = testIo({ cwd: deep }).io; // HOME is deep/.home: dir lies outside it
    expect(await findConfigPath(io, null, { warn: (m) => warnings.push(m) })).toBeNull();
    expect(warnings).toEqual([`ignored ${join(dir, '.sops.yaml')}: it is outside this project and others can change it, so it may not choose your recipients`]);
    expect(await findConfigPath(testIo({ cwd: deep, env: isolatedEnv(deep, { HOME: dir }) }).io, null)).toBe(join(dir, '.sops.yaml'));
    mkdirSync(join(dir, '.git'));
    expect(await findConfigPath(io, null)).toBe(join(dir, '.sops.yaml'));
  });
});

describe('loadConfig', () => {
  it('parses the file, passing warnings on', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - path_regexp: typo\n    age: ${fakeRecipient(1)}\n`);
    const warnings: string[] = [];
    const config = await loadConfig(testIo({ cwd: dir }).io, join(dir, '.sops.yaml'), (m) => warnings.push(m));
    expect(config.creationRules[0]?.groups[0]?.age).toEqual([fakeRecipient(1)]);
    expect(warnings).toHaveLength(1);
  });
});
