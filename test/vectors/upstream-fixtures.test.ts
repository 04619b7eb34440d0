/**
 * Every real sops file in ../shared/sops-fixtures/upstream that sops can open with the keys
 * given there, envseal opens to the same values, with the MAC verified (issue 12). "The same
 * values" are those of a second reader written in the test (helpers/independent-walk.ts),
 * which also recomputes the MAC. The files are public projects' test data and are read in
 * place, never copied into the repository; the test is skipped when the folder is absent.
 *
 * Left out, as the folder's README lists them: the file damaged upstream (sops itself
 * rejects a value), files only pgp or Vault can open (none of our keys is among their
 * recipients), files with no keys at all (fragments extracted from test code), and files
 * sops reads with stores envseal does not have (INI, binary).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { identityToRecipient } from 'age-encryption';
import { expect, it } from 'vitest';
import { unwrapDataKey } from '../../src/crypto/data-key.js';
import { verifyMac } from '../../src/crypto/mac.js';
import { openDocuments } from '../../src/crypto/seal.js';
import { detectFormat, formatNamed } from '../../src/formats/index.js';
import { parseIdentities } from '../../src/keys/identity.js';
import { parseMetadata } from '../../src/metadata/codec.js';
import { allAgeKeys } from '../../src/metadata/model.js';
import { toPlain } from '../helpers/open-with-key.js';
import { independentDotenv, independentYaml } from '../helpers/independent-walk.js';
import { describeWithShared, SOPS_FIXTURES } from '../helpers/paths.js';

const UPSTREAM = join(SOPS_FIXTURES, 'upstream');
const present = existsSync(UPSTREAM);
/** Damaged upstream: sops itself rejects a value (README). */
const DAMAGED = new Set(['isindir/01-test-secrets.yaml']);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Every age identity the folder gives (all-age-keys.txt, known-fixture-keys.txt and the key files beside the fixtures). */
function identities(): ReturnType<typeof parseIdentities>['identities'] {
  const files = walk(UPSTREAM).filter((f) => f.endsWith('.txt') && readFileSync(f, 'utf8').includes('AGE-SECRET-KEY-'));
  return [...new Set(files.flatMap((f) => parseIdentities(readFileSync(f, 'utf8')).identities))];
}

describeWithShared('real sops files from public projects (../shared/sops-fixtures/upstream)', () => {
  const files = present ? walk(UPSTREAM).filter((f) => detectFormat(f) !== null && !f.endsWith('.sops.yaml')) : [];

  it('the folder holds the files its README lists (age, pq, multi-version, dotenv, JSON)', () => {
    expect(files.length).toBeGreaterThan(25);
  });

  it('every one sops can open with the given keys opens in envseal to the same values', async () => {
    const ids = identities();
    const ours = new Set(await Promise.all(ids.map((id) => identityToRecipient(id))));
    const opened: string[] = [];
    const skipped: Record<string, string> = {};
    for (const path of files) {
      const name = relative(UPSTREAM, path);
      const format = formatNamed(detectFormat(path) as 'yaml' | 'json' | 'dotenv');
      const text = readFileSync(path, 'utf8');
      const parsed = format.parse(text, path);
      if (parsed.metadata === undefined) continue; // plaintext (a kustomization, a raw twin)
      if (DAMAGED.has(name)) {
        skipped[name] = 'damaged upstream';
        continue;
      }
      let meta;
      try {
        meta = parseMetadata(parsed.metadata, path);
      } catch {
        skipped[name] = 'no keys at all';
        continue;
      }
      if (!allAgeKeys(meta).some((k) => k.recipient !== null && ours.has(k.recipient))) {
        skipped[name] = 'none of the given keys (pgp or Vault only)';
        continue;
      }
      const unwrapped = await unwrapDataKey(meta, ids);
      expect(unwrapped.ok, name).toBe(true);
      if (!unwrapped.ok) continue;
      const key = unwrapped.dataKey;
      const envseal = openDocuments(parsed.docs, key, meta, null);
      expect(verifyMac(key, meta.mac, meta.lastModified, envseal.macHex), name).toEqual({ ok: true });
      let independent;
      try {
        independent = format.name === "dotenv" ? independentDotenv(text, key) : independentYaml(text, key);
      } catch (err) {
        throw new Error(`${name}: ${(err as Error).message}`);
      }
      expect(independent.macMatches, name).toBe(true);
      expect(envseal.docs.map((d) => toPlain(d)), name).toEqual(independent.docs);
      opened.push(name);
    }
    // What was opened and what was left out, so a change in the folder shows here.
    expect(opened.sort()).toEqual([
      'flux/algorithms_age-pq.yaml',
      'flux/algorithms_age.yaml',
      'flux/component_env.env',
      'flux/envs_env.env',
      'flux/global_secret.yaml',
      'flux/inside_key.binary.json',
      'flux/patches_merge1.yaml',
      'flux/patches_merge2.yaml',
      'flux/remote_env.env',
      'helm-secrets/secrets.age.yaml',
      'isindir/00-test-secrets.yaml',
      'isindir/02-test-secrets.yaml',
      'isindir/03-test-secrets-enforce-ownership.yaml',
      'isindir/04-test-secrets-mac-only.yaml',
      'p5/08-encoding.3803.yaml',
      'p5/42-yaml-plain-infinity-is-a-float.12742.yaml',
      'p5/42-yaml-plain-infinity-is-a-float.13889.yaml',
      'p5/44-yaml-merge-key-tag.8972.yaml',
      'p5/46-non-finite-token-is-written.16755.yaml',
      'sops-nix/secrets.yaml',
    ]);
    expect(skipped).toEqual({
      'flux/algorithms_pgp.yaml': 'none of the given keys (pgp or Vault only)',
      'isindir/01-test-secrets.yaml': 'damaged upstream',
      'p5/13-multidoc-yaml.5636.yaml': 'no keys at all',
      'p5/59-env-format-handler.9892.env': 'no keys at all',
      'sops-nix/secrets.env': 'none of the given keys (pgp or Vault only)',
      'sops-nix/secrets.json': 'none of the given keys (pgp or Vault only)',
    });
  });
}, UPSTREAM);
