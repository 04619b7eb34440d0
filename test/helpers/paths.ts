import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Real sops-written files with their test keys (../shared exists in CI too). */
export const SOPS_FIXTURES = resolve(REPO, '..', 'shared', 'sops-fixtures');
export const AGE_FIXTURES = resolve(SOPS_FIXTURES, 'age');
export const PGP_FIXTURES = resolve(SOPS_FIXTURES, 'pgp', 'getsops-sops');
/** The C2SP CCTV age test vectors (README there); read in place, never copied. */
export const AGE_VECTORS = resolve(REPO, '..', 'shared', 'vectors-age-cctv');
export const BIN = resolve(REPO, 'bin', 'envseal.cjs');
