/**
 * Test-only: the data key of a PGP-encrypted sops fixture, obtained with the gpg binary and
 * the fixture's committed test key. envseal itself does not do PGP.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { PGP_FIXTURES } from './paths.js';

let home: string | undefined;

function gnupgHome(): string {
  if (home === undefined) {
    home = mkdtempSync(join(tmpdir(), 'envseal-gpg-'));
    execFileSync('gpg', ['--batch', '--quiet', '--import', join(PGP_FIXTURES, 'sops_functional_tests_key.asc')], {
      env: { ...process.env, GNUPGHOME: home },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
  }
  return home;
}

export function pgpDataKey(armored: string): Uint8Array {
  const out = execFileSync('gpg', ['--batch', '--quiet', '--decrypt'], {
    input: armored,
    env: { ...process.env, GNUPGHOME: gnupgHome() },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  return new Uint8Array(out);
}

// gpg starts an agent per GNUPGHOME that outlives the test run: stop it and remove the folder.
afterAll(() => {
  if (home === undefined) return;
  try {
    execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: home }, stdio: 'ignore' });
  } catch {
    // no gpgconf: the agent exits when its socket goes
  }
  rmSync(home, { recursive: true, force: true });
  home = undefined;
});
