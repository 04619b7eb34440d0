/**
 * The attack of issue 11 item 8 end to end: a regex that makes a backtracking engine take
 * exponential time, in a .sops.yaml rule and so in the file's own (unauthenticated)
 * metadata, with 30-character keys. encrypt and decrypt finish with the right values; a
 * regex RE2 would not accept is refused with the file named (exit 6 for a file's metadata,
 * exit 3 for .sops.yaml).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity } from '../helpers/keys.js';

const MATCHES = 'a'.repeat(30);
/** 29 a's then a b: the text on which `^(a+)+$` backtracks through 2^29 ways. */
const HOSTILE = `${'a'.repeat(29)}b`;

const PLAIN = `${MATCHES}: secret-value-1\n${HOSTILE}: left-in-clear\nnested:\n  ${HOSTILE}:\n    ${MATCHES}: secret-value-2\n`;

async function project(rule: string): Promise<{ dir: string; env: Record<string, string | undefined> }> {
  const dir = tempDir();
  const id = await makeIdentity(dir);
  writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - age: ${id.recipient}\n    encrypted_regex: '${rule}'\n`);
  writeFileSync(join(dir, 'config.yaml'), PLAIN);
  return { dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file }) };
}

describe('a hostile encrypted_regex', () => {
  it('^(a+)+$ with 30-character keys: encrypt and decrypt give the right answer', async () => {
    const { dir, env } = await project('^(a+)+$');
    const enc = await cli(['encrypt', 'config.yaml'], { cwd: dir, env });
    expect(enc.code, enc.stderr).toBe(0);
    const stored = readFileSync(join(dir, 'config.yaml'), 'utf8');
    expect(stored).toContain('encrypted_regex: ^(a+)+$');
    expect(stored).toMatch(new RegExp(`^${MATCHES}: ENC\\[`, 'm'));
    expect(stored).toContain(`${HOSTILE}: left-in-clear`);
    expect(stored).not.toContain('secret-value');

    // decrypt reads the rule from the file's metadata, as an attacker would have written it.
    const dec = await cli(['decrypt', 'config.yaml'], { cwd: dir, env });
    expect(dec.code).toBe(0);
    expect(dec.stdout).toBe(PLAIN);
  });

  it('a regex RE2 refuses, planted in a file\'s metadata: exit 6, the file named', async () => {
    const { dir, env } = await project('^a');
    expect((await cli(['encrypt', 'config.yaml'], { cwd: dir, env })).code).toBe(0);
    const path = join(dir, 'config.yaml');
    const stored = readFileSync(path, 'utf8');
    expect(stored).toContain('encrypted_regex: ^a\n');
    for (const planted of ['(?=a)', '[a-z]{1000}[0-9]{1000}', '(a{100}){100}']) {
      writeFileSync(path, stored.replace('encrypted_regex: ^a\n', `encrypted_regex: '${planted}'\n`));
      const dec = await cli(['decrypt', 'config.yaml'], { cwd: dir, env });
      expect(dec.code).toBe(6);
      expect(dec.stderr).toContain('config.yaml');
      expect(dec.stderr).toContain('encrypted_regex');
      expect(dec.stdout).toBe('');
    }
  });

  it('a regex RE2 refuses, in .sops.yaml: exit 3, .sops.yaml named, nothing written', async () => {
    for (const rule of ['(?=a)', '[a-z]{1000}[0-9]{1000}', '(a{100}){100}']) {
      const { dir, env } = await project(rule);
      const enc = await cli(['encrypt', 'config.yaml'], { cwd: dir, env });
      expect(enc.code).toBe(3);
      expect(enc.stderr).toContain('.sops.yaml');
      expect(enc.stderr).toContain('encrypted_regex');
      expect(readFileSync(join(dir, 'config.yaml'), 'utf8')).toBe(PLAIN);
    }
  });
});
