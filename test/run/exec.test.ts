/** Starting `run`'s child: exit codes, signals, why it could not start (src/run/exec.ts). */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { execChild, signalExitCode, startError } from '../../src/run/exec.js';
import { tempDir } from '../helpers/cli.js';

const node = process.execPath;
const base = (args: string[], extra: Partial<Parameters<typeof execChild>[0]> = {}) =>
  execChild({ command: node, args, env: { PATH: process.env['PATH'] ?? '' }, cwd: tempDir(), onTerminal: false, ...extra });

describe('execChild', () => {
  it("returns the child's exit code, in its folder, with exactly the environment given", async () => {
    const cwd = tempDir();
    const r = await execChild({
      command: node,
      args: ['-e', 'require("fs").writeFileSync("seen.txt", process.cwd() + "|" + Object.keys(process.env).sort().join(",")); process.exit(7)'],
      env: { ONLY: 'x', PATH: '/nowhere' },
      cwd,
      onTerminal: false,
    });
    expect(r).toEqual({ kind: 'exited', code: 7 });
    expect(readFileSync(join(cwd, 'seen.txt'), 'utf8')).toBe(`${cwd}|ONLY,PATH`);
  });

  it('a child killed by a signal is 128 + its number', async () => {
    expect(await base(['-e', 'process.kill(process.pid, "SIGTERM")'])).toEqual({ kind: 'signaled', signal: 'SIGTERM', code: 143 });
    expect(signalExitCode('SIGKILL')).toBe(137);
    expect(signalExitCode('SIGINT')).toBe(130);
  });

  it('a command that does not exist, or cannot be executed, is told apart', async () => {
    expect(await base([], { command: 'envseal-no-such-command-xyz' })).toEqual({ kind: 'not-found' });
    const script = join(tempDir(), 'script.sh');
    writeFileSync(script, '#!/bin/sh\nexit 0\n');
    chmodSync(script, 0o644);
    expect(await base([], { command: script })).toEqual({ kind: 'not-executable' });
    chmodSync(script, 0o755);
    expect(await base([], { command: script })).toEqual({ kind: 'exited', code: 0 });
  });

  it('with outputs, stdout and stderr go through the transform, and it waits for both to finish', async () => {
    let out = '';
    let err = '';
    const transform = (stream: Readable, to: { write(d: string | Uint8Array): void }) =>
      new Promise<void>((resolve) => {
        stream.on('data', (chunk: Buffer) => to.write(chunk.toString('utf8').toUpperCase()));
        stream.on('end', () => setImmediate(resolve));
      });
    const r = await base(['-e', 'process.stdout.write("out"); process.stderr.write("err"); process.exitCode = 3'], {
      outputs: { stdout: { write: (d) => void (out += String(d)) }, stderr: { write: (d) => void (err += String(d)) }, transform },
    });
    expect(r).toEqual({ kind: 'exited', code: 3 });
    expect([out, err]).toEqual(['OUT', 'ERR']);
  });
});

describe('startError', () => {
  it('maps each reason to the code a shell would give, with a hint', () => {
    expect(startError({ kind: 'not-found' }, 'fly', {}, [])).toMatchObject({ exitCode: 127, message: 'command not found: fly', hint: expect.stringContaining('PATH') });
    expect(startError({ kind: 'not-executable' }, './x.sh', {}, [])).toMatchObject({ exitCode: 126, hint: expect.stringContaining('chmod +x ./x.sh') });
    expect(startError({ kind: 'cannot-start', reason: 'ENOEXEC' }, 'x', {}, [])).toMatchObject({ exitCode: 126, message: 'cannot start x (ENOEXEC)' });
  });

  it('too large: names the one variable over the per-variable limit, else counts the whole, never showing a value', () => {
    const value = 'v'.repeat(130 * 1024);
    const one = startError({ kind: 'too-large' }, 'app', { SMALL: 'x', BIG_CERT: value }, ['app']);
    expect(one.message).toBe('cannot start app: the variable BIG_CERT is 131 KiB, more than the 128 KiB the system allows for one variable');
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`VAR_${i}`, 'w'.repeat(60 * 1024)]));
    const whole = startError({ kind: 'too-large' }, 'app', many, ['app', 'x'.repeat(2048)]);
    expect(whole.exitCode).toBe(126);
    expect(whole.message).toBe('cannot start app: its environment (40 variables, 2403 KiB with the arguments) is larger than the system allows for a new process');
    expect(one.message + whole.message).not.toMatch(/vvvv|wwww/);
  });
});
