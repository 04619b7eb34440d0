/**
 * Where the tests find things. The real sops-written files and the age test vectors are public
 * projects' test data and are not redistributed with envseal: they are read from `../shared`
 * beside the repository (CI has it; a user's clone does not), and the tests that need them
 * skip, saying why, when it is absent. Everything else a test needs lives in the repository
 * (`fixtures/`) or is made by the test itself.
 */
import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = resolve(REPO, 'bin', 'envseal.cjs');
/** Files the project made itself (committed). */
export const FIXTURES = resolve(REPO, 'fixtures');

/** Real sops-written files with their test keys (not in the repository). */
export const SOPS_FIXTURES = resolve(REPO, '..', 'shared', 'sops-fixtures');
export const AGE_FIXTURES = resolve(SOPS_FIXTURES, 'age');
export const PGP_FIXTURES = resolve(SOPS_FIXTURES, 'pgp', 'getsops-sops');
/** The C2SP CCTV age test vectors (README there); read in place, never copied. */
export const AGE_VECTORS = resolve(REPO, '..', 'shared', 'vectors-age-cctv');

/** Why a test that reads `folder` (under ../shared) is skipped. */
export function needsShared(folder: string = SOPS_FIXTURES): string {
  return `needs ${relative(REPO, folder)} (public projects' test data, not redistributed; absent in a user's clone)`;
}

/**
 * `describe` for tests that read `folder` under ../shared (the sops-written files unless
 * told): when it is absent the block is skipped, its name says why, and one line on stdout
 * says so (the default reporter does not list skipped tests by name).
 */
export function describeWithShared(name: string, body: () => void, folder: string = SOPS_FIXTURES): void {
  if (existsSync(folder)) {
    describe(name, body);
    return;
  }
  console.info(`skipped "${name}": ${needsShared(folder)}`);
  describe.skip(`${name} [skipped: ${needsShared(folder)}]`, body);
}

/** `it` for one test that reads `path` under ../shared: skipped as describeWithShared() does when it is absent. */
export function itWithShared(name: string, path: string, body: () => unknown, timeout?: number): void {
  if (existsSync(path)) {
    it(name, body, timeout);
    return;
  }
  console.info(`skipped "${name}": ${needsShared(path)}`);
  it.skip(`${name} [skipped: ${needsShared(path)}]`, body, timeout);
}
