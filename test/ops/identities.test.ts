/** Identity discovery for a command: found once per Io, a passphrase asked once (src/ops/identities.ts). */
import { Encrypter, armor, generateIdentity } from 'age-encryption';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeCtx } from '../../src/ops/context.js';
import { identitiesFor, identitiesNow } from '../../src/ops/identities.js';
import { isolatedEnv, tempDir, testIo } from '../helpers/cli.js';

async function protectedKeyFile(): Promise<{ dir: string; identity: string; file: string }> {
  const dir = tempDir();
  const identity = await generateIdentity();
  const e = new Encrypter();
  e.setPassphrase('correct horse');
  e.setScryptWorkFactor(10);
  const file = join(dir, 'key.age');
  writeFileSync(file, armor.encode(await e.encrypt(`${identity}\n`)), { mode: 0o644 });
  return { dir, identity, file };
}

describe('identitiesFor', () => {
  it('asks for a passphrase once per Io, and prints warnings once, however many operations ask', async () => {
    const { dir, identity, file } = await protectedKeyFile();
    const asked: string[] = [];
    const { io, err } = testIo({ cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: file }), prompt: (q) => (asked.push(q), 'correct horse') });
    const first = await identitiesFor(makeCtx(io));
    const second = await identitiesFor(makeCtx(io), 'age1otherhint');
    expect(second).toBe(first);
    expect(first.identities).toEqual([identity]);
    expect(asked).toEqual([`Passphrase for SOPS_AGE_KEY_FILE=${file}: `]);
    expect(err().match(/can be read by other users/g)).toHaveLength(1);
    const other = testIo({ cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: file }), prompt: (q) => (asked.push(q), 'correct horse') });
    await identitiesFor(makeCtx(other.io));
    expect(asked).toHaveLength(2);
  });

  it('identitiesNow (config()) asks nothing: a protected key file stays locked', async () => {
    const { dir, file } = await protectedKeyFile();
    const warnings: string[] = [];
    const { io } = testIo({ cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: file }), prompt: () => { throw new Error('asked'); } });
    const found = identitiesNow(io, (w) => warnings.push(w));
    expect(found.identities).toEqual([]);
    expect(warnings.join('\n')).toMatch(/can be read by other users/);
  });
});
