/**
 * Attack 4 (issue 11): an equality oracle through `encrypt`. Mallory has write access and no
 * key. She appends her guess of a secret, in plaintext, where it would share the secret's AAD
 * (another YAML document with the same key, another item of the same list) and waits for a
 * teammate to run `envseal encrypt` on "the lines someone added". The guess must never come
 * out byte-identical to the secret, whether right or wrong: anything added gets a fresh IV.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IvStash } from '../../src/crypto/stash.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity } from '../helpers/keys.js';

async function sealed(text: string): Promise<{ dir: string; run: (argv: string[]) => ReturnType<typeof cli>; read: () => string; write: (t: string) => void }> {
  const dir = tempDir();
  const alice = await makeIdentity(dir, 'alice');
  writeFileSync(join(dir, 'app.yaml'), text);
  const run = (argv: string[]) => cli(argv, { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: alice.file }) });
  expect((await run(['encrypt', 'app.yaml', '--age', alice.recipient])).code).toBe(0);
  return { dir, run, read: () => readFileSync(join(dir, 'app.yaml'), 'utf8'), write: (t) => writeFileSync(join(dir, 'app.yaml'), t) };
}

const encOf = (line: string | undefined): string => /ENC\[[^\]]+\]/.exec(line ?? '')?.[0] ?? '';

describe('attack 4: guesses appended in plaintext never reproduce the secret\'s ciphertext', () => {
  it('in another YAML document with the same key', async () => {
    const f = await sealed('token: s3cret-Value-1\n');
    const secret = encOf(f.read().split('\n').find((l) => l.startsWith('token:')));
    // Mallory appends a second document holding her (right) guess, then the metadata as it was.
    const text = f.read();
    const cut = text.indexOf('sops:');
    f.write(`${text.slice(0, cut)}${text.slice(cut)}---\ntoken: s3cret-Value-1\n`);
    const r = await f.run(['encrypt', 'app.yaml']);
    expect(r.code, r.stderr).toBe(0);
    const tokens = f.read().split('\n').filter((l) => l.startsWith('token:')).map(encOf);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toBe(secret); // the real one keeps its bytes
    expect(tokens[1]).not.toBe(secret);
    expect(tokens[1]?.split(',iv:')[1]?.split(',')[0]).not.toBe(secret.split(',iv:')[1]?.split(',')[0]);
  });

  it('as another item of the same list', async () => {
    const f = await sealed('keys:\n  - s3cret-Value-1\n');
    const secret = encOf(f.read().split('\n').find((l) => l.includes('- ENC[')));
    f.write(f.read().replace(`  - ${secret}\n`, `  - ${secret}\n  - s3cret-Value-1\n`));
    const r = await f.run(['encrypt', 'app.yaml']);
    expect(r.code, r.stderr).toBe(0);
    const items = f.read().split('\n').filter((l) => l.includes('- ENC[')).map(encOf);
    expect(items).toHaveLength(2);
    expect(items[0]).toBe(secret);
    expect(items[1]).not.toBe(secret);
    expect(JSON.parse((await f.run(['get', 'keys', '-f', 'app.yaml'])).stdout)).toEqual(['s3cret-Value-1', 's3cret-Value-1']);
  });

  it('prepended before the secret in the list: still no repeat of its IV', async () => {
    const f = await sealed('keys:\n  - s3cret-Value-1\n');
    const secret = encOf(f.read().split('\n').find((l) => l.includes('- ENC[')));
    f.write(f.read().replace(`  - ${secret}\n`, `  - s3cret-Value-1\n  - ${secret}\n`));
    const r = await f.run(['encrypt', 'app.yaml']);
    // The real value moved to another place: its MAC position changed, so the file is refused,
    // or sealed with fresh IVs. Either way no output repeats the secret's ciphertext elsewhere.
    if (r.code === 0) {
      const items = f.read().split('\n').filter((l) => l.includes('- ENC[')).map(encOf);
      expect(items.filter((i) => i === secret).length).toBeLessThanOrEqual(1);
      expect(items[0]).not.toBe(secret);
    } else {
      expect([5, 6]).toContain(r.code);
    }
  });
});

describe('one IV, two messages', () => {
  it('a file in which one IV carries two different ciphertexts is refused (exit 5)', async () => {
    const f = await sealed('a: first-value\nb: second-value\n');
    const lines = f.read().split('\n');
    const ivA = /iv:([^,]+)/.exec(lines.find((l) => l.startsWith('a:')) ?? '')?.[1] as string;
    const ivB = /iv:([^,]+)/.exec(lines.find((l) => l.startsWith('b:')) ?? '')?.[1] as string;
    f.write(f.read().replace(`iv:${ivB}`, `iv:${ivA}`));
    const r = await f.run(['decrypt', 'app.yaml']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/reuses the IV of another value with a different ciphertext/);
  });

  it('the stash key is structured: no text can stand in for another (the old NUL-joined key could)', () => {
    const stash = new IvStash();
    const iv = new Uint8Array(32).fill(1);
    stash.remember(0, ['k'], 'str', 'x\u0000str\u0000y', iv);
    expect(stash.lookup(0, ['k\u0000str\u0000x'], 'str', 'y')).toBeUndefined();
    expect(stash.lookup(0, ['k'], 'str\u0000x', 'str\u0000y')).toBeUndefined();
    expect(stash.lookup(1, ['k'], 'str', 'x\u0000str\u0000y')).toBeUndefined();
    expect(stash.lookup(0, ['k'], 'str', 'x\u0000str\u0000y')).toBe(iv);
  });
});
