/**
 * The library in-process (src/lib/index.ts): load, decryptFile, encryptFile with the cwd and
 * env they are given. The installed package is tested in test/e2e/library.test.ts.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { decryptFile, encryptFile, load } from '../../src/lib/index.js';
import { isolatedEnv, tempDir } from '../helpers/cli.js';
import type { TestIdentity } from '../helpers/keys.js';
import { people } from '../helpers/ops.js';

let alice: TestIdentity;
beforeAll(async () => {
  ({ alice } = await people());
});
afterEach(() => vi.restoreAllMocks());

describe('the library', () => {
  it('encryptFile, then load and decryptFile, in the folder and environment given (not the process ones)', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.env'), 'TOKEN=s3cret\n');
    writeFileSync(join(cwd, '.sops.yaml'), `creation_rules:\n  - age: ${alice.recipient}\n`);
    const env = isolatedEnv(cwd, { SOPS_AGE_KEY_FILE: alice.file });
    expect(await encryptFile('.env', { cwd, env })).toEqual({ changed: true });
    expect(readFileSync(join(cwd, '.env'), 'utf8')).toMatch(/^TOKEN=ENC\[/);
    expect(await encryptFile('.env', { cwd, env })).toEqual({ changed: false });
    expect(await load({ cwd, env })).toEqual({ TOKEN: 's3cret' });
    expect(await decryptFile('.env', { cwd, env })).toEqual({ text: 'TOKEN=s3cret\n' });
    await expect(load({ cwd, env: isolatedEnv(cwd) })).rejects.toMatchObject({ code: 'NO_IDENTITY', exitCode: 4 });
  });

  it('encryptFile takes recipients and a config; quiet silences warnings', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'a.env'), 'A=1\n');
    writeFileSync(join(cwd, 'rules.yaml'), 'creation_rules:\n  - path_regex: nothing-matches\n');
    const env = isolatedEnv(cwd, { SOPS_AGE_KEY_FILE: alice.file });
    await expect(encryptFile('a.env', { cwd, env, config: 'rules.yaml' })).rejects.toMatchObject({ code: 'NO_RECIPIENTS' });
    expect(await encryptFile('a.env', { cwd, env, config: 'rules.yaml', age: [alice.recipient] })).toEqual({ changed: true });
    writeFileSync(join(cwd, 'plain.env'), 'B=2\n');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await load({ cwd, env, path: ['a.env', 'plain.env'], quiet: true })).toEqual({ A: '1', B: '2' });
    expect(stderr).not.toHaveBeenCalled();
    await load({ cwd, env, path: ['plain.env'] });
    expect(stderr).toHaveBeenCalledWith('envseal: warning: plain.env is not encrypted; loading it as plain text\n');
  });

  it('load({ asFile }) writes those values to private files and gives their paths, and remove() removes them', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'app.yaml'), 'tls:\n  key: |\n    line one\n    line two\nname: app\n');
    const env = isolatedEnv(cwd, { SOPS_AGE_KEY_FILE: alice.file, XDG_RUNTIME_DIR: tempDir('envseal-runtime-') });
    expect(await encryptFile('app.yaml', { cwd, env, age: [alice.recipient] })).toEqual({ changed: true });
    const loaded = await load({ cwd, env, path: 'app.yaml', flatten: true, asFile: ['TLS_KEY=key.pem'] });
    const path = loaded.files['TLS_KEY'] as string;
    expect(loaded.values).toEqual({ TLS_KEY: path, NAME: 'app' });
    expect(path.endsWith('/key.pem') && !path.startsWith(cwd)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('line one\nline two\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await loaded.remove();
    expect(existsSync(path)).toBe(false);
    await expect(load({ cwd, env, path: 'app.yaml', flatten: true, asFile: ['NOPE'] })).rejects.toMatchObject({ code: 'MISSING_KEYS', exitCode: 3 });
  });
});
