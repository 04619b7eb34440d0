/**
 * Ciphertext is never plaintext (issue 16): a sops file whose metadata was cut off, and a
 * dotenvx-encrypted file, are refused by run, get, decrypt, encrypt and the library (exit 5
 * and 6), never injected as values and never encrypted a second time. Also: bytes that are
 * not UTF-8 are refused with their line instead of becoming U+FFFD.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { config, load } from '../../src/lib/index.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { dotenvxEncrypt } from '../helpers/dotenvx.js';
import { makeIdentity } from '../helpers/keys.js';

async function project() {
  const dir = tempDir();
  const id = await makeIdentity(dir);
  const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file });
  return { dir, id, env };
}

/** Every reading command and encrypt, on `name`: each exits `code`, and nothing reaches the child or the file. */
async function refusedEverywhere(dir: string, env: Record<string, string | undefined>, name: string, key: string, code: number, message: RegExp): Promise<void> {
  const before = readFileSync(join(dir, name));
  const probe = join(dir, 'child-ran');
  const run = await cli(['run', '-f', name, '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(probe)}, process.env[${JSON.stringify(key)}] ?? '')`], { cwd: dir, env });
  expect(run.code).toBe(code);
  expect(run.stderr).toMatch(message);
  expect(() => readFileSync(probe)).toThrow(/ENOENT/);
  for (const argv of [['get', key, '-f', name], ['decrypt', name], ['encrypt', name], ['encrypt', name, '--age', 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'], ['set', key, 'x', '-f', name]]) {
    const result = await cli(argv, { cwd: dir, env });
    expect({ argv, code: result.code }).toEqual({ argv, code });
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  }
  expect(readFileSync(join(dir, name)).equals(before)).toBe(true);
  await expect(load({ cwd: dir, env, path: name })).rejects.toMatchObject({ exitCode: code });
  const processEnv: Record<string, string> = {};
  expect(() => config({ cwd: dir, env, path: name, processEnv })).toThrow(message);
  expect(processEnv).toEqual({});
}

describe('a sops file whose metadata is gone', () => {
  it('a .env with its sops_* lines removed is refused with exit 5 by run, get, decrypt, encrypt, set and the library', async () => {
    const { dir, id, env } = await project();
    writeFileSync(join(dir, 'whole.env'), '# db\nDB_PASSWORD=hunter2\nAPI_KEY=k-123\n');
    expect((await cli(['encrypt', 'whole.env', '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
    const sealed = readFileSync(join(dir, 'whole.env'), 'utf8');
    writeFileSync(join(dir, 'cut.env'), sealed.split('\n').filter((line) => !line.startsWith('sops_')).join('\n'));
    await refusedEverywhere(dir, env, 'cut.env', 'DB_PASSWORD', 5, /a damaged sops file: it holds encrypted values \(ENC\[AES256_GCM,…\], the first is DB_PASSWORD\) but no sops metadata/);
    const get = await cli(['get', 'DB_PASSWORD', '-f', 'cut.env'], { cwd: dir, env });
    expect(get.stderr).toContain('(cut.env:2)');
    expect(get.stderr).toMatch(/hint: restore the whole file from git/);
  });

  it('a YAML file cut before its sops: block is refused too, naming the nested key', async () => {
    const { dir, id, env } = await project();
    writeFileSync(join(dir, 's.yaml'), 'db:\n  user: app\n  password: hunter2\n');
    expect((await cli(['encrypt', 's.yaml', '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
    const sealed = readFileSync(join(dir, 's.yaml'), 'utf8');
    writeFileSync(join(dir, 's.yaml'), sealed.slice(0, sealed.indexOf('sops:')));
    const result = await cli(['decrypt', 's.yaml'], { cwd: dir, env });
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/the first is user\)/);
    expect((await cli(['encrypt', 's.yaml', '--age', id.recipient], { cwd: dir, env })).code).toBe(5);
  });
});

describe('a dotenvx-encrypted file', () => {
  it('is refused with exit 6 by run, get, decrypt, encrypt, set and the library, pointing at envseal import', async () => {
    const { dir, env } = await project();
    writeFileSync(join(dir, '.env'), 'HELLO=world\nSECRET="two words"\n');
    dotenvxEncrypt(dir, '.env');
    expect(readFileSync(join(dir, '.env'), 'utf8')).toMatch(/^HELLO=encrypted:/m);
    await refusedEverywhere(dir, env, '.env', 'HELLO', 6, /a dotenvx-encrypted file \(DOTENV_PUBLIC_KEY\)/);
    expect((await cli(['get', 'HELLO'], { cwd: dir, env })).stderr).toMatch(/hint: make it a sops file with envseal import \.env/);
  });

  it('is recognised by its encrypted: values alone, and a short encrypted: word is a plain value', async () => {
    const { dir, env } = await project();
    writeFileSync(join(dir, '.env.production'), 'HELLO=world\n');
    dotenvxEncrypt(dir, '.env.production');
    const text = readFileSync(join(dir, '.env.production'), 'utf8');
    writeFileSync(join(dir, '.env.production'), text.replace(/^DOTENV_PUBLIC_KEY.*$/m, ''));
    const run = await cli(['run', '-f', '.env.production', '--', 'true'], { cwd: dir, env });
    expect(run.code).toBe(6);
    expect(run.stderr).toMatch(/a dotenvx-encrypted file \(encrypted:… values, the first is HELLO\)/);
    writeFileSync(join(dir, 'plain.env'), 'STATUS=encrypted:yes\n');
    const plain = await cli(['get', 'STATUS', '-f', 'plain.env'], { cwd: dir, env });
    expect(plain.stderr).not.toMatch(/dotenvx/);
  });
});

describe('bytes that are not UTF-8', () => {
  it('are refused with file and line by encrypt, run and set (stdin), never turned into U+FFFD', async () => {
    const { dir, id, env } = await project();
    writeFileSync(join(dir, 'latin1.env'), Buffer.concat([Buffer.from('A=fine\n# ok\nB=caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const encrypt = await cli(['encrypt', 'latin1.env', '--age', id.recipient], { cwd: dir, env });
    expect(encrypt.code).toBe(6);
    expect(encrypt.stderr).toMatch(/line 3 is not UTF-8 text \(byte 18 of the file\) \(latin1\.env:3\)/);
    expect(readFileSync(join(dir, 'latin1.env'))[17]).toBe(0xe9);
    expect((await cli(['run', '-f', 'latin1.env', '--', 'true'], { cwd: dir, env })).code).toBe(6);
    for (const [name, bytes] of [['s.yaml', Buffer.from([0x6b, 0x3a, 0x20, 0xc3, 0x28, 0x0a])], ['s.json', Buffer.from([0x7b, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d])]] as const) {
      writeFileSync(join(dir, name), bytes);
      const result = await cli(['encrypt', name, '--age', id.recipient], { cwd: dir, env });
      expect({ name, code: result.code, line: /line 1 is not UTF-8/.test(result.stderr) }).toEqual({ name, code: 6, line: true });
    }
    writeFileSync(join(dir, '.env'), 'A=1\n');
    expect((await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
    const set = await cli(['set', 'B'], { cwd: dir, env, stdin: new Uint8Array([0x61, 0xff, 0x62]) });
    expect(set.code).toBe(6);
    expect(set.stderr).toMatch(/stdin is not UTF-8 text/);
  });
});
