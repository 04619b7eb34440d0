/** The synchronous half of the seam (src/io/host.ts). */
import { writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { definedOnly, nodeHost } from '../../src/io/host.js';
import { tempDir } from '../helpers/cli.js';

const PRINT = [process.execPath, '-e', 'process.stdout.write(JSON.stringify([process.env.WHO ?? null, process.env.EXTRA ?? null, "UNSET" in process.env]))'];

describe('nodeHost', () => {
  it('runs a program in its own environment plus extraEnv, never process.env', () => {
    const host = nodeHost({ env: { WHO: 'host', UNSET: undefined } });
    expect(host.runSync(PRINT, { EXTRA: 'x' })).toEqual({ code: 0, stdout: '["host","x",false]' });
  });

  it('an Io made from it with another env runs programs in that env (runSync reads this.env)', () => {
    const io = { ...nodeHost({ env: { WHO: 'host' } }), env: { WHO: 'injected' } };
    expect(io.runSync(PRINT, {}).stdout).toBe('["injected",null,false]');
  });

  it("passes on the program's exit code, and throws when it cannot start", () => {
    expect(nodeHost({ env: {} }).runSync([process.execPath, '-e', 'process.exit(3)'], {}).code).toBe(3);
    expect(() => nodeHost({ env: {} }).runSync(['envseal-no-such-program-xyz'], {})).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('reads files and their modes; a missing file has no mode and throws its errno', () => {
    const file = join(tempDir(), 'k');
    writeFileSync(file, 'abc');
    chmodSync(file, 0o640);
    const host = nodeHost({ env: {} });
    expect(Buffer.from(host.readFileSync(file)).toString()).toBe('abc');
    expect(host.fileModeSync(file)).toBe(0o640);
    expect(host.fileModeSync(`${file}.missing`)).toBeNull();
    expect(() => host.readFileSync(`${file}.missing`)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('definedOnly drops unset variables', () => {
    expect(definedOnly({ A: 'a', B: undefined, C: '' })).toEqual({ A: 'a', C: '' });
  });
});
