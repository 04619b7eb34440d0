/** A handful of tests that spawn the built CLI (bin/envseal.cjs → dist/) in a clean environment. */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { BIN } from '../helpers/paths.js';

function envseal(args: string[], cwd: string, env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: join(cwd, '.home'), ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the built CLI', () => {
  it('`envseal demo` tells the whole story and cleans up after itself', () => {
    const cwd = tempDir();
    const r = envseal(['demo'], cwd);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\$ envseal keygen/);
    expect(r.stdout).toMatch(/DATABASE_URL=ENC\[AES256_GCM,data:/);
    expect(r.stdout).toMatch(/app\.js sees DATABASE_URL = pos… \(57 characters\)/);
    const folder = /throwaway folder: (\S+)/.exec(r.stdout)?.[1] as string;
    expect(() => readFileSync(join(folder, '.env'))).toThrow();
  });

  it('keygen, encrypt, decrypt and run, as a newcomer would', () => {
    const cwd = tempDir();
    const keys = join(cwd, 'me.key');
    const recipient = envseal(['keygen', '--out', keys], cwd).stdout.trim();
    expect(recipient).toMatch(/^age1[0-9a-z]{58}$/);
    writeFileSync(join(cwd, '.env'), 'GREETING="hello world"\n');
    expect(envseal(['encrypt', '.env', '--age', recipient], cwd).code).toBe(0);
    expect(readFileSync(join(cwd, '.env'), 'utf8')).not.toContain('hello');
    expect(envseal(['decrypt', '.env'], cwd, { SOPS_AGE_KEY_FILE: keys }).stdout).toBe('GREETING=hello world\n');
    const run = envseal(['run', '--', process.execPath, '-e', 'console.log(process.env.GREETING)'], cwd, { SOPS_AGE_KEY_FILE: keys });
    expect(run).toMatchObject({ code: 0, stdout: 'hello world\n' });
  });

  it('exits with the documented codes', () => {
    const cwd = tempDir();
    expect(envseal(['frobnicate'], cwd).code).toBe(2);
    expect(envseal(['decrypt', 'missing.env'], cwd).code).toBe(7);
  });

  it('writes all of a large output to a reader that is slow to take it, then exits with its code', async () => {
    // bin/envseal.cjs exits without tearing the heap down when nothing is left to flush; output
    // still buffered for a pipe must never be cut short by that.
    const cwd = tempDir();
    const keys = join(cwd, 'me.key');
    const recipient = envseal(['keygen', '--out', keys], cwd).stdout.trim();
    const lines = Array.from({ length: 3000 }, (_, i) => `KEY_${i}=value-${i}-${'x'.repeat(200)}`);
    writeFileSync(join(cwd, 'big.env'), `${lines.join('\n')}\n`);
    expect(envseal(['encrypt', 'big.env', '--age', recipient], cwd).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'decrypt', 'big.env'], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: join(cwd, '.home'), SOPS_AGE_KEY_FILE: keys } });
    child.stdout.pause(); // nothing is read for a while: the pipe fills up
    await new Promise((resolve) => setTimeout(resolve, 300));
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(`${lines.join('\n')}\n`);
  });

  it.skipIf(!existsSync('/dev/full'))('never reports success for output that could not be written (a full disk)', () => {
    // The early exit (safeToExitNow) must not beat Node's report of a failed write by a turn.
    const cwd = tempDir();
    const keys = join(cwd, 'me.key');
    const recipient = envseal(['keygen', '--out', keys], cwd).stdout.trim();
    writeFileSync(join(cwd, '.env'), 'TOKEN=s3cret-value-for-the-disk\n');
    expect(envseal(['encrypt', '.env', '--age', recipient], cwd).code).toBe(0);
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [BIN, 'decrypt', '.env'], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: join(cwd, '.home'), SOPS_AGE_KEY_FILE: keys }, stdio: ['ignore', full, 'pipe'] });
      expect(r.status).not.toBe(0);
    } finally {
      closeSync(full);
    }
  });
});
