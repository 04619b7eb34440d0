/** `envseal run` end to end: the built CLI spawning real children. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdentity } from '../helpers/keys.js';
import { BIN } from '../helpers/paths.js';

let dir: string;
let baseEnv: Record<string, string>;
let recipient: string;

function envseal(args: string[], extraEnv: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: { ...baseEnv, ...extraEnv }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const node = process.execPath;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'envseal-run-')); // shared by the tests below
  const id = await makeIdentity(dir);
  recipient = id.recipient;
  baseEnv = { PATH: process.env['PATH'] ?? '', HOME: join(dir, '.home'), SOPS_AGE_KEY_FILE: id.file };
  writeFileSync(join(dir, '.env'), 'GREETING=hello from the file\nSHARED=from-file\nSECRET_TOKEN=tok-4f9a2c77\n');
  writeFileSync(join(dir, 'prod.env'), 'SHARED=from-prod\n');
  writeFileSync(join(dir, 'app.yaml'), 'db:\n  password: pw123\n  port: 5432\n');
  for (const f of ['.env', 'prod.env', 'app.yaml']) {
    const r = spawnSync(node, [BIN, 'encrypt', f, '--age', id.recipient], { cwd: dir, env: baseEnv, encoding: 'utf8' });
    expect(r.status).toBe(0);
  }
}, 30_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('envseal run', () => {
  it('injects the values, later files winning, verbatim', () => {
    const r = envseal(['run', '-f', '.env', '-f', 'prod.env', '--', node, '-e', 'console.log(process.env.GREETING + "|" + process.env.SHARED)']);
    expect(r).toMatchObject({ code: 0, stdout: 'hello from the file|from-prod\n' });
  });

  it('a variable already set wins unless --override', () => {
    const print = ['--', node, '-e', 'console.log(process.env.SHARED)'];
    expect(envseal(['run', ...print], { SHARED: 'from-shell' }).stdout).toBe('from-shell\n');
    expect(envseal(['run', '--override', ...print], { SHARED: 'from-shell' }).stdout).toBe('from-file\n');
  });

  it('--pristine leaves only the allowed variables and the file values', () => {
    const r = envseal(['run', '--pristine', '--', node, '-e', 'console.log(Object.keys(process.env).sort().join(","))'], { USER: 'me', LANG: 'C', UNRELATED: 'x' });
    expect(r.stdout.trim().split(',')).toEqual(['GREETING', 'HOME', 'LANG', 'PATH', 'SECRET_TOKEN', 'SHARED', 'USER']);
  });

  it("passes on the child's exit code, 127 for a missing command, 128+n for a signal", () => {
    expect(envseal(['run', '--', node, '-e', 'process.exit(7)']).code).toBe(7);
    const missing = envseal(['run', '--', 'no-such-command-xyz']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('command not found: no-such-command-xyz');
    expect(envseal(['run', '--', node, '-e', 'process.kill(process.pid, "SIGKILL")']).code).toBe(137);
  });

  it('a variable the system cannot pass on: exit 126, naming it, never showing it', () => {
    const big = `BIG_CERT=${'c3VwZXJzZWNyZXQ'.repeat(10_000)}\n`; // 150 KB, over Linux's 128 KiB per variable
    writeFileSync(join(dir, 'big.env'), big);
    expect(spawnSync(node, [BIN, 'encrypt', 'big.env', '--age', recipient], { cwd: dir, env: baseEnv }).status).toBe(0);
    const r = envseal(['run', '-f', 'big.env', '--', node, '-e', '0']);
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/cannot start .*node: the variable BIG_CERT is 147 KiB, more than the 128 KiB the system allows for one variable/);
    expect(r.stderr).not.toContain('c3VwZXJzZWNyZXQ');
  });

  it('nested values: an error naming the key, or --flatten', () => {
    const nested = envseal(['run', '-f', 'app.yaml', '--', node, '-e', '0']);
    expect(nested.code).toBe(2);
    expect(nested.stderr).toMatch(/key db holds a nested value/);
    const flat = envseal(['run', '-f', 'app.yaml', '--flatten', '--', node, '-e', 'console.log(process.env.DB_PASSWORD, process.env.DB_PORT)']);
    expect(flat.stdout).toBe('pw123 5432\n');
  });

  it('--require lists every missing key at once and the child never starts', () => {
    const marker = join(dir, 'started.txt');
    writeFileSync(join(dir, '.env.example'), 'GREETING=\nDATABASE_URL=\n');
    const r = envseal(['run', '--require', 'API_KEY,GREETING', '--require', 'OTHER', '--example', '.env.example', '--', node, '-e', `require("fs").writeFileSync(${JSON.stringify(marker)}, "x")`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/required keys are missing or empty: API_KEY, OTHER, DATABASE_URL/);
    expect(existsSync(marker)).toBe(false);
  });

  it('--mask hides a value the child writes one byte at a time', () => {
    const script = 'const s = process.env.SECRET_TOKEN; let i = 0; const t = setInterval(() => { process.stdout.write(s[i++] ?? "\\n"); if (i > s.length) clearInterval(t); }, 5);';
    const r = envseal(['run', '--mask', '--', node, '-e', `process.stdout.write("token: "); ${script}`]);
    expect(r.stdout).toBe('token: ****\n');
    const plain = envseal(['run', '--', node, '-e', 'console.log(process.env.SECRET_TOKEN)']);
    expect(plain.stdout).toBe('tok-4f9a2c77\n');
  });

  it('SIGTERM sent to envseal reaches the child once; envseal waits for its slow handler', async () => {
    const log = join(dir, 'signals.log');
    const child = `
      const fs = require('fs');
      let seen = 0;
      process.on('SIGTERM', () => {
        seen += 1;
        fs.appendFileSync(${JSON.stringify(log)}, 'got SIGTERM ' + seen + '\\n');
        setTimeout(() => { fs.appendFileSync(${JSON.stringify(log)}, 'handler done ' + Date.now() + '\\n'); process.exit(42); }, 400);
      });
      console.log('ready');
      setInterval(() => {}, 1000);`;
    for (const target of ['process', 'group'] as const) {
      writeFileSync(log, '');
      const proc = spawn(node, [BIN, 'run', '--', node, '-e', child], { cwd: dir, env: baseEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      await new Promise<void>((resolve) => proc.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
      process.kill(target === 'group' ? -(proc.pid as number) : (proc.pid as number), 'SIGTERM');
      const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
      const exitedAt = Date.now();
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      expect(lines.filter((l) => l.startsWith('got SIGTERM'))).toEqual(['got SIGTERM 1']);
      const doneAt = Number(/handler done (\d+)/.exec(lines.join('\n'))?.[1]);
      expect(doneAt).toBeLessThanOrEqual(exitedAt);
      expect(code).toBe(42);
    }
  });
});
