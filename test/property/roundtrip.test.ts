/**
 * Property tests: random nested documents survive YAML and JSON (plain and sealed), and
 * any single-byte change to an encrypted file is either rejected with exit 5 or 6, or
 * decrypts to the same data.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE } from '../../src/rules/rules.js';
import { openDocuments, sealDocuments } from '../../src/crypto/seal.js';
import { IvStash } from '../../src/crypto/stash.js';
import { formatNamed } from '../../src/formats/index.js';
import type { MapNode } from '../../src/tree.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { anyText, awkwardText, bare, documentArb } from '../helpers/arbitrary.js';
import { makeIdentity } from '../helpers/keys.js';

const RUNS = Number(process.env['PROPERTY_RUNS'] ?? 150);
const yamlShape = { integralFloats: true, nonFinite: true, keys: awkwardText, strings: awkwardText };
const jsonShape = { integralFloats: false, nonFinite: false, keys: anyText, strings: awkwardText };
const META = { sops: { placeholder: 'x' } } as never;

describe('random documents round-trip', () => {
  it('through plaintext YAML', () => {
    const yaml = formatNamed('yaml');
    fc.assert(
      fc.property(fc.array(documentArb(yamlShape), { minLength: 1, maxLength: 2 }), (docs) => {
        const text = yaml.emitPlain(docs, undefined, 'p.yaml');
        expect(yaml.parse(text, 'p.yaml').docs.map(bare)).toEqual(docs.map(bare));
      }),
      { numRuns: RUNS },
    );
  });

  it('through plaintext JSON', () => {
    const json = formatNamed('json');
    fc.assert(
      fc.property(documentArb(jsonShape), (doc) => {
        const text = json.emitPlain([doc], undefined, 'p.json');
        expect(json.parse(text, 'p.json').docs.map(bare)).toEqual([bare(doc)]);
      }),
      { numRuns: RUNS },
    );
  });

  it('YAML edited in place: plaintext file → sealed in place → decrypted in place', () => {
    const yaml = formatNamed('yaml');
    const policy = { rule: DEFAULT_RULE, macOnlyEncrypted: false, encryptComments: false };
    fc.assert(
      fc.property(fc.array(documentArb(yamlShape), { minLength: 1, maxLength: 2 }), (docs) => {
        const key = randomBytes(32);
        const plainText = yaml.emitPlain(docs, undefined, 'p.yaml');
        const plain = yaml.parse(plainText, 'p.yaml');
        const sealed = sealDocuments(plain.docs, key, policy, new IvStash());
        const sealedText = yaml.emitEncrypted(sealed.docs, META, plain, 's.yaml');
        const reread = yaml.parse(sealedText, 's.yaml');
        const opened = openDocuments(reread.docs, key, policy, new IvStash());
        expect(opened.docs.map(bare)).toEqual(docs.map(bare));
        const decryptedText = yaml.emitPlain(opened.docs, reread, 's.yaml');
        expect(yaml.parse(decryptedText, 'd.yaml').docs.map(bare)).toEqual(docs.map(bare));
      }),
      { numRuns: RUNS },
    );
  });

  for (const [name, shape] of [['yaml', yamlShape], ['json', jsonShape]] as const) {
    it(`sealed as ${name}: encrypt, write, read, decrypt`, () => {
      const format = formatNamed(name);
      const policy = { rule: DEFAULT_RULE, macOnlyEncrypted: false, encryptComments: false };
      fc.assert(
        fc.property(documentArb(shape), (doc) => {
          const key = randomBytes(32);
          const sealed = sealDocuments([doc], key, policy, new IvStash());
          const text = format.emitEncrypted(sealed.docs, META, undefined, `s.${name}`);
          const parsed = format.parse(text, `s.${name}`);
          const opened = openDocuments(parsed.docs, key, policy, new IvStash());
          expect(opened.macHex).toBe(sealed.macHex);
          expect(opened.docs.map(bare)).toEqual([bare(doc)]);
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe('a single-byte change to an encrypted file is rejected (5 or 6) or harmless', () => {
  const files: Record<string, string> = {
    'a.yaml': '# settings\nname: svc # inline\nport: 8080\ntoken: s3cr3t\nlist:\n  - one\n  - two\nclear_unencrypted: visible\n',
    'a.json': '{"name": "svc", "port": 8080, "nested": {"token": "s3cr3t"}, "list": [1, 2.5, true]}',
    '.env': '# comment\nNAME=svc\nTOKEN=s3cr3t\nCLEAR_unencrypted=visible\n',
  };
  for (const [name, text] of Object.entries(files)) {
    it(name, async () => {
      const dir = tempDir();
      const id = await makeIdentity(dir);
      const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file });
      writeFileSync(join(dir, name), text);
      expect((await cli(['encrypt', name, '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
      const sealed = readFileSync(join(dir, name));
      const clean = await cli(['decrypt', name, '--format', 'json'], { cwd: dir, env });
      const outcomes = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: sealed.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
          const mutated = Buffer.from(sealed);
          mutated[at] = (mutated[at] as number) ^ xor;
          writeFileSync(join(dir, name), mutated);
          const result = await cli(['decrypt', name, '--format', 'json'], { cwd: dir, env });
          outcomes.set(String(result.code), (outcomes.get(String(result.code)) ?? 0) + 1);
          if (result.code === 0) expectSameOrClearKeyRenamed(JSON.parse(result.stdout), JSON.parse(clean.stdout));
          else expect([5, 6]).toContain(result.code);
          expect(result.stderr).not.toContain('s3cr3t');
          expect(result.stderr).not.toMatch(/internal error/);
        }),
        { numRuns: RUNS },
      );
      expect(outcomes.get('5') ?? 0).toBeGreaterThan(0);
    });
  }
});

/**
 * The sops MAC hashes values, not keys (sops-format.md §5): renaming the key of a value
 * kept in clear goes unnoticed by sops and by envseal alike (an encrypted value's key is
 * bound by its AAD). That is the one change allowed to decrypt with different data.
 */
function expectSameOrClearKeyRenamed(got: Record<string, unknown>, want: Record<string, unknown>): void {
  const gotKeys = Object.keys(got);
  const wantKeys = Object.keys(want);
  const renamed = wantKeys.filter((k) => !(k in got));
  if (renamed.length === 0) {
    expect(got).toEqual(want);
    return;
  }
  expect(renamed).toHaveLength(1);
  expect(renamed[0]).toMatch(/_unencrypted$/);
  expect(Object.values(got)).toEqual(Object.values(want));
  expect(gotKeys.filter((k) => !(k in want))[0]).toMatch(/_unencrypted$/);
}

export type { MapNode };
