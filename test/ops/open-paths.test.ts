/** The async (CLI, load) and synchronous (config) ways of opening a file report the same errors. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { config } from '../../src/lib/config-loader.js';
import { EnvsealError } from '../../src/errors.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity } from '../helpers/keys.js';

describe('opening a file whose rule regex RE2 would read differently', () => {
  it('is a parse error naming the file, from the CLI and from config()', async () => {
    const dir = tempDir();
    const id = await makeIdentity(dir);
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file });
    writeFileSync(join(dir, '.env'), 'API_KEY=secret\nPORT=8080\n');
    expect((await cli(['encrypt', '.env', '--age', id.recipient, '--encrypted-regex', '^API'], { cwd: dir, env })).code).toBe(0);
    const path = join(dir, '.env');
    // A lookahead: RE2 (and so sops) has none, and envseal will not guess.
    writeFileSync(path, readFileSync(path, 'utf8').replace('sops_encrypted_regex=^API', 'sops_encrypted_regex=^(?=API)'));

    const r = await cli(['decrypt', '.env'], { cwd: dir, env });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/the file's encrypted_regex .*\(\.env\)/);

    let thrown: unknown;
    try {
      config({ cwd: dir, env, processEnv: {} });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(EnvsealError);
    expect((thrown as EnvsealError).exitCode).toBe(6);
    expect((thrown as EnvsealError).file).toBe(path);
  });
});
