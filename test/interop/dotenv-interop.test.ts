/**
 * A .env envseal encrypted, read by outside implementations: the `age` binary opens its
 * data key, the npm `sops-age` decoder reads the same values, and a MAC check written in
 * the test from the spec agrees.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decryptSops } from 'sops-age';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers/cli.js';
import { ageDecryptDataKey, checkSopsDotenv } from '../helpers/independent-sops.js';

const PLAIN = `# database
DATABASE_URL=postgres://u:p@h:5432/db
API_KEY="sk live with spaces"
MULTI="line one\\nline two"
EMPTY=
DOLLAR='$HOME stays'
PUBLIC_unencrypted=visible
`;

function ageKeygen(dir: string): { file: string; recipient: string; identity: string } {
  const file = join(dir, 'age-keygen.key');
  execFileSync('age-keygen', ['-o', file], { stdio: 'ignore' });
  const text = readFileSync(file, 'utf8');
  const identity = /AGE-SECRET-KEY-1\S+/.exec(text)?.[0] as string;
  const recipient = /public key: (age1\S+)/.exec(text)?.[1] as string;
  return { file, recipient, identity };
}

describe('interop of an envseal-encrypted .env', () => {
  it('opens with age, reads the same in sops-age, and its MAC verifies independently', async () => {
    const dir = tempDir();
    const key = ageKeygen(dir);
    writeFileSync(join(dir, '.env'), PLAIN);
    const result = await cli(['encrypt', '.env', '--age', key.recipient], { cwd: dir });
    expect(result.code).toBe(0);
    const sealed = readFileSync(join(dir, '.env'), 'utf8');

    const enc = /^sops_age__list_0__map_enc=(.*)$/m.exec(sealed)?.[1]?.replace(/\\n/g, '\n') as string;
    expect(ageDecryptDataKey(enc, key.file)).toHaveLength(32);

    const independent = checkSopsDotenv(sealed, key.file);
    expect(independent.macMatches).toBe(true);
    const expected = {
      DATABASE_URL: 'postgres://u:p@h:5432/db',
      API_KEY: 'sk live with spaces',
      MULTI: 'line one\nline two',
      EMPTY: '',
      DOLLAR: '$HOME stays',
      PUBLIC_unencrypted: 'visible',
    };
    expect(independent.values).toEqual(expected);
    expect(independent.meta['version']).toMatch(/^3\.13\.\d+$/);
    expect(independent.meta['lastmodified']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const viaSopsAge = (await decryptSops(sealed, { secretKey: key.identity, fileType: 'env' })) as Record<string, string>;
    expect(viaSopsAge).toEqual(expected);
  });

  it('a MAC check that cannot fail is no check: a changed clear value breaks the independent MAC', async () => {
    const dir = tempDir();
    const key = ageKeygen(dir);
    writeFileSync(join(dir, '.env'), PLAIN);
    await cli(['encrypt', '.env', '--age', key.recipient], { cwd: dir });
    const sealed = readFileSync(join(dir, '.env'), 'utf8').replace('PUBLIC_unencrypted=visible', 'PUBLIC_unencrypted=changed');
    expect(checkSopsDotenv(sealed, key.file).macMatches).toBe(false);
  });
});
