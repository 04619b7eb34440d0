/**
 * envseal import: a dotenvx-encrypted .env (made by the dotenvx devDependency itself) becomes
 * a sops file, its values decrypted with .env.keys; everything that can go wrong writes nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { dotenvxEncrypt } from '../helpers/dotenvx.js';
import { makeIdentity } from '../helpers/keys.js';

const PLAIN = '# the database\nDB_PASSWORD="p@ss word"\nEMPTY=\nMULTI="line1\nline2"\nDOLLAR=\'$HOME stays\'\nUNICODE=héllo\n';
const VALUES = { DB_PASSWORD: 'p@ss word', EMPTY: '', MULTI: 'line1\nline2', DOLLAR: '$HOME stays', UNICODE: 'héllo' };

async function dotenvxProject(name = '.env') {
  const dir = tempDir();
  const id = await makeIdentity(dir);
  const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file });
  writeFileSync(join(dir, name), PLAIN);
  const { privateKeys } = dotenvxEncrypt(dir, name);
  const privateKey = /^DOTENV_PRIVATE_KEY\w*=(\w+)$/m.exec(privateKeys)?.[1] ?? '';
  return { dir, id, env, privateKey, read: () => readFileSync(join(dir, name), 'utf8') };
}

describe('envseal import (dotenvx)', () => {
  it('decrypts every value with .env.keys and writes a sops file for --age: same values, comments kept, banner gone', async () => {
    const { dir, id, env, privateKey, read } = await dotenvxProject();
    const result = await cli(['import', '.env', '--age', id.recipient], { cwd: dir, env });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^envseal: imported \.env from dotenvx \(5 values decrypted with DOTENV_PRIVATE_KEY from \.env\.keys\); encrypted \.env for 1 recipient/m);
    expect(result.stderr).toMatch(/note: the private key in \.env\.keys still opens the dotenvx versions/);
    expect(result.stdout + result.stderr).not.toContain(privateKey);
    const text = read();
    expect(text).toMatch(/^# the database$/m);
    expect(text).toMatch(/^DB_PASSWORD=ENC\[AES256_GCM,/m);
    expect(text).not.toMatch(/DOTENV_PUBLIC_KEY|encrypted:|#\//);
    for (const [key, value] of Object.entries(VALUES)) {
      expect({ key, value: (await cli(['get', key], { cwd: dir, env })).stdout }).toEqual({ key, value: `${value}\n` });
    }
    expect((await cli(['import', '.env'], { cwd: dir, env })).stderr).toMatch(/already a sops file; there is nothing to import/);
  });

  it('.env.production: its own key name, from the variable when set; --stdout writes nothing', async () => {
    const { dir, id, privateKey, read } = await dotenvxProject('.env.production');
    writeFileSync(join(dir, '.env.keys'), '# moved away\n');
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file, DOTENV_PRIVATE_KEY_PRODUCTION: privateKey });
    const before = read();
    const shown = await cli(['import', '.env.production', '--age', id.recipient, '--stdout'], { cwd: dir, env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^DB_PASSWORD=ENC\[/m);
    expect(shown.stderr).toMatch(/decrypted with DOTENV_PRIVATE_KEY_PRODUCTION from the DOTENV_PRIVATE_KEY_PRODUCTION variable/);
    expect(read()).toBe(before);
    expect((await cli(['import', '.env.production', '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
    expect((await cli(['get', 'MULTI', '-f', '.env.production'], { cwd: dir, env })).stdout).toBe('line1\nline2\n');
  });

  it('a missing or wrong private key, a damaged value, a plaintext file: refused, nothing written', async () => {
    const { dir, id, env, read } = await dotenvxProject();
    const before = read();
    const other = await dotenvxProject();
    writeFileSync(join(dir, 'other.keys'), readFileSync(join(other.dir, '.env.keys')));
    const wrong = await cli(['import', '.env', '--age', id.recipient, '--keys', 'other.keys'], { cwd: dir, env });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/DOTENV_PRIVATE_KEY in other\.keys is not the private key of this file's DOTENV_PUBLIC_KEY/);
    const missing = await cli(['import', '.env', '--age', id.recipient, '--keys', 'nope.keys'], { cwd: dir, env });
    expect(missing.code).toBe(7);
    writeFileSync(join(dir, '.env'), before.replace(/^(UNICODE=encrypted:)(.)/m, (_m, head: string, c: string) => head + (c === 'A' ? 'B' : 'A')));
    const damaged = await cli(['import', '.env', '--age', id.recipient], { cwd: dir, env });
    expect(damaged.code).toBe(5);
    expect(damaged.stderr).toMatch(/the value of UNICODE does not open with DOTENV_PRIVATE_KEY from \.env\.keys/);
    expect(read()).not.toMatch(/ENC\[/);
    writeFileSync(join(dir, 'plain.env'), 'A=1\n');
    const plain = await cli(['import', 'plain.env', '--age', id.recipient], { cwd: dir, env });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/not a dotenvx-encrypted file.*\n.*hint: a plaintext file is encrypted with envseal encrypt plain\.env/);
  });
});
