/** Writing identities to key files (src/keys/keyfile.ts); keygen's CLI behaviour is in test/cli/keygen.test.ts. */
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFs } from '../../src/io/fs.js';
import { appendIdentity, identityBlock, writeNewIdentityFile } from '../../src/keys/keyfile.js';
import { tempDir } from '../helpers/cli.js';

describe('key files', () => {
  it("writes age-keygen's layout", () => {
    expect(identityBlock('AGE-SECRET-KEY-1X', 'age1x', '2024-01-02T03:04:05Z')).toBe('# created: 2024-01-02T03:04:05Z\n# public key: age1x\nAGE-SECRET-KEY-1X\n');
  });

  it('appends on a line of its own even when the file lacks a final newline', async () => {
    const file = join(tempDir(), 'keys.txt');
    writeFileSync(file, 'AGE-SECRET-KEY-1OLD', { mode: 0o600 });
    expect(await appendIdentity(nodeFs(), file, 'NEW\n', 'linux')).toBeNull();
    expect(readFileSync(file, 'utf8')).toBe('AGE-SECRET-KEY-1OLD\nNEW\n');
  });

  it('closes a keys file others can read (0600) before adding to it, and says so; not on Windows', async () => {
    const dir = tempDir();
    const [file, win] = [join(dir, 'keys.txt'), join(dir, 'win.txt')];
    for (const f of [file, win]) {
      writeFileSync(f, 'OLD\n');
      chmodSync(f, 0o640);
    }
    expect(await appendIdentity(nodeFs(), file, 'A\n', 'linux')).toMatch(new RegExp(`^key file ${file} could be read by other users; it is now 0600`));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('OLD\nA\n');
    expect(await appendIdentity(nodeFs(), win, 'B\n', 'win32')).toBeNull();
    expect(statSync(win).mode & 0o777).toBe(0o640);
  });

  it('a new identity file is created 0600 in a new 0700 folder, and never over an existing file', async () => {
    const dir = tempDir();
    const file = join(dir, 'deep', 'id.key');
    await writeNewIdentityFile(nodeFs(), file, 'KEY\n');
    expect(statSync(join(dir, 'deep')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await expect(writeNewIdentityFile(nodeFs(), file, 'OTHER\n')).rejects.toMatchObject({ exitCode: 7, file, message: expect.stringMatching(/never overwrites/) });
    expect(readFileSync(file, 'utf8')).toBe('KEY\n');
  });
});
