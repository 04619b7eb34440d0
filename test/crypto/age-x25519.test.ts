/** The built-in X25519 age opener, against the age binary and the age-encryption package. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Encrypter, armor, generateIdentity, identityToRecipient } from 'age-encryption';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openAgeX25519, x25519Identity } from '../../src/crypto/age-x25519.js';
import { tempDir } from '../helpers/cli.js';

describe('opening age files with X25519 identities, without age-encryption', () => {
  it('derives the same recipient as age-encryption (and age-keygen -y)', async () => {
    for (let i = 0; i < 5; i++) {
      const id = await generateIdentity();
      expect(x25519Identity(id)?.recipient).toBe(await identityToRecipient(id));
    }
    const dir = tempDir();
    const file = join(dir, 'k');
    execFileSync('age-keygen', ['-o', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    const identity = /AGE-SECRET-KEY-1\S+/.exec(text)?.[0] as string;
    expect(x25519Identity(identity)?.recipient).toBe(execFileSync('age-keygen', ['-y', file], { encoding: 'utf8' }).trim());
  });

  it('opens files written by the age binary, for one of several recipients, any size', () => {
    const dir = tempDir();
    const keys = ['a', 'b'].map((n) => {
      const file = join(dir, n);
      execFileSync('age-keygen', ['-o', file], { stdio: 'ignore' });
      return { file, identity: /AGE-SECRET-KEY-1\S+/.exec(readFileSync(file, 'utf8'))?.[0] as string, recipient: execFileSync('age-keygen', ['-y', file], { encoding: 'utf8' }).trim() };
    });
    for (const size of [0, 1, 32, 33, 65536, 65537, 200_000]) {
      const plain = randomBytes(size);
      writeFileSync(join(dir, 'plain'), plain);
      const armored = execFileSync('age', ['-a', '-r', keys[0]?.recipient as string, '-r', keys[1]?.recipient as string, join(dir, 'plain')], { encoding: 'utf8' });
      const opened = openAgeX25519(armored, [x25519Identity(keys[1]?.identity as string)!]);
      expect(opened?.equals(plain)).toBe(true);
    }
  });

  it('opens what age-encryption writes, and nothing else', async () => {
    const mine = await generateIdentity();
    const other = await generateIdentity();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 100 }), async (plain) => {
        const e = new Encrypter();
        e.addRecipient(await identityToRecipient(mine));
        const armored = armor.encode(await e.encrypt(plain));
        expect(openAgeX25519(armored, [x25519Identity(mine)!])).toEqual(Buffer.from(plain));
        expect(openAgeX25519(armored, [x25519Identity(other)!])).toBeNull();
      }),
      { numRuns: 30 },
    );
  });

  it('refuses a damaged file (every single-character change)', async () => {
    const id = await generateIdentity();
    const e = new Encrypter();
    e.addRecipient(await identityToRecipient(id));
    const armored = armor.encode(await e.encrypt(randomBytes(32)));
    const key = x25519Identity(id)!;
    const body = armored.split('\n').slice(1, -2).join('\n');
    for (let i = 0; i < body.length; i++) {
      if (body[i] === '\n') continue;
      const changed = body.slice(0, i) + (body[i] === 'A' ? 'B' : 'A') + body.slice(i + 1);
      const text = armored.replace(body, changed);
      expect(openAgeX25519(text, [key])).toBeNull();
    }
    expect(x25519Identity('AGE-SECRET-KEY-PQ-1XYZ')).toBeNull();
  });
});
