import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';

describe('keygen', () => {
  it('appends to the default keys file, creating the folder 0700 and the file 0600', async () => {
    const dir = tempDir();
    const env = isolatedEnv(dir);
    const first = await cli(['keygen'], { cwd: dir, env });
    const second = await cli(['keygen'], { cwd: dir, env });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^age1[0-9a-z]{58}\n$/);
    const folder = join(dir, '.home', '.config', 'sops', 'age');
    const file = join(folder, 'keys.txt');
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text.match(/^AGE-SECRET-KEY-1/gm)).toHaveLength(2);
    expect(text).toContain(`# public key: ${first.stdout.trim()}`);
    expect(text).toContain(`# public key: ${second.stdout.trim()}`);
  });

  it('--out never overwrites; --pq makes a hybrid identity; --json', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'taken.key'), 'keep me');
    const refused = await cli(['keygen', '--out', 'taken.key'], { cwd: dir, env: isolatedEnv(dir) });
    expect(refused.code).toBe(7);
    expect(readFileSync(join(dir, 'taken.key'), 'utf8')).toBe('keep me');
    const pq = await cli(['keygen', '--pq', '--out', 'pq.key', '--json'], { cwd: dir, env: isolatedEnv(dir) });
    expect(pq.code).toBe(0);
    const out = JSON.parse(pq.stdout) as { recipient: string; file: string };
    expect(out.recipient).toMatch(/^age1pq1/);
    expect(readFileSync(join(dir, 'pq.key'), 'utf8')).toMatch(/^AGE-SECRET-KEY-PQ-1/m);
    expect(statSync(join(dir, 'pq.key')).mode & 0o777).toBe(0o600);
  });

  it('closes a keys file others can read before adding a secret to it, and says so', async () => {
    const dir = tempDir();
    const env = isolatedEnv(dir);
    await cli(['keygen'], { cwd: dir, env });
    const file = join(dir, '.home', '.config', 'sops', 'age', 'keys.txt');
    const { chmodSync } = await import('node:fs');
    chmodSync(file, 0o644);
    const again = await cli(['keygen'], { cwd: dir, env });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`key file ${file} could be read by other users; it is now 0600`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
