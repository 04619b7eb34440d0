/**
 * Fuzzing (issue 7): random bytes, truncations and mutations of real files fed to every parser
 * and to `decrypt`, `get` and `run`. Never an uncaught exception, an internal error (exit 1) or
 * a stack trace; always a typed error with its exit code, or the right answer.
 * The seeds are files envseal wrote (fixtures/sops, so the campaign runs in any clone), and,
 * when ../shared is beside the repository, files sops wrote as well.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvsealError } from '../../src/errors.js';
import { formatNamed, type FormatName } from '../../src/formats/index.js';
import { parseMetadata } from '../../src/metadata/codec.js';
import { AGE_FIXTURES, describeWithShared, FIXTURES } from '../helpers/paths.js';
import { cli, tempDir } from '../helpers/cli.js';
import { CANARY, copyProject, pristineProject, runAs, type Project } from '../helpers/project.js';

interface Seed {
  readonly name: string;
  readonly path: string;
  readonly format: FormatName;
}

const envsealMade = join(FIXTURES, 'sops');
const humphd = join(AGE_FIXTURES, 'humphd-sops-age');
const seeds = (dir: string, files: ReadonlyArray<readonly [string, FormatName]>): Seed[] => files.map(([name, format]) => ({ name, format, path: join(dir, name) }));
const ENVSEAL_SEEDS = seeds(envsealMade, [['secret.enc.env', 'dotenv'], ['secret.enc.yaml', 'yaml'], ['secret.enc.json', 'json'], ['groups.enc.yaml', 'yaml']]);
const SOPS_SEEDS = seeds(humphd, [['secret.enc.env', 'dotenv'], ['secret.enc.yaml', 'yaml'], ['secret.enc.json', 'json']]);

const PARSER_RUNS = 700;
const CONFIG_RUNS = 300;
const CLI_RUNS = 400;

/** One way of damaging a file. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('char' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), char: fc.constantFrom(...'{}[]:,"\'#=\n\\ \t-|>&*!%@`0aZ=/+'.split('')) }),
  fc.record({ kind: fc.constant('drop-line' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('swap-lines' as const), a: fc.double({ min: 0, max: 1, noNaN: true }), b: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 200 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(input: Buffer, m: Mutation): Buffer {
  const at = (f: number, n: number): number => Math.min(n - 1, Math.floor(f * n));
  switch (m.kind) {
    case 'truncate':
      return input.subarray(0, Math.floor(m.at * input.length));
    case 'flip': {
      const out = Buffer.from(input);
      const i = at(m.at, out.length);
      out[i] = (out[i] as number) ^ (1 << m.bit);
      return out;
    }
    case 'insert': {
      const i = at(m.at, input.length);
      return Buffer.concat([input.subarray(0, i), m.bytes, input.subarray(i)]);
    }
    case 'char': {
      const out = Buffer.from(input);
      out[at(m.at, out.length)] = m.char.charCodeAt(0);
      return out;
    }
    case 'drop-line':
    case 'swap-lines': {
      const lines = input.toString('latin1').split('\n');
      if (m.kind === 'drop-line') lines.splice(at(m.at, lines.length), 1);
      else {
        const [i, j] = [at(m.a, lines.length), at(m.b, lines.length)];
        [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
      }
      return Buffer.from(lines.join('\n'), 'latin1');
    }
    case 'random':
      return Buffer.from(m.bytes);
  }
}

const cases = { parsers: 0, cli: 0 };
const exitCodes = new Map<number, number>();

afterAll(() => {
  // Each test checks its own campaign ran in full; this line is for the README's counts.
  const codes = [...exitCodes].sort(([a], [b]) => a - b).map(([code, n]) => `exit ${code}: ${n}`).join(', ');
  console.info(`fuzzing: ${cases.parsers} damaged files through the parsers, ${cases.cli} through decrypt/get/run (${codes || 'none run'})`);
});

/** Damaged copies of `seed` through its format's parser and the dotenv one, then the metadata decoder. */
function parserCampaign({ name, path, format }: Seed): void {
  const original = readFileSync(path);
  let runs = 0;
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
      const damaged = ms.reduce(mutate, original).toString('utf8');
      runs += 1;
      cases.parsers += 1;
      for (const parse of [() => formatNamed(format).parse(damaged, name), () => formatNamed('dotenv').parse(damaged, name)]) {
        let parsed;
        try {
          parsed = parse();
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(EnvsealError);
          continue;
        }
        if (parsed.metadata === undefined) continue;
        try {
          parseMetadata(parsed.metadata, name);
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(EnvsealError);
        }
      }
    }),
    { numRuns: PARSER_RUNS },
  );
  expect(runs).toBe(PARSER_RUNS);
}

/** Damaged copies of a `.sops.yaml` under `encrypt`: a typed error (exit 2, 3 or 6) or a configuration. */
async function configCampaign(path: string): Promise<void> {
  const original = readFileSync(path);
  const dir = tempDir();
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ms) => {
      writeFileSync(join(dir, '.sops.yaml'), ms.reduce(mutate, original));
      writeFileSync(join(dir, 'x.env'), 'A=1\n');
      runs += 1;
      cases.parsers += 1;
      const r = await cli(['encrypt', 'x.env', '--stdout'], { cwd: dir });
      expect([0, 2, 3, 6], `after ${JSON.stringify(ms)}\n${r.stderr}`).toContain(r.code);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }),
    { numRuns: CONFIG_RUNS },
  );
  expect(runs).toBe(CONFIG_RUNS);
}

describe('the parsers, on files envseal wrote (fixtures/sops)', () => {
  it.each(ENVSEAL_SEEDS)('$name, damaged: a typed error or a parse, nothing else', (seed) => parserCampaign(seed));

  it('dot-sops.yaml (a roster, key groups), damaged: a typed error or a configuration', () => configCampaign(join(envsealMade, 'dot-sops.yaml')), 120_000);
});

describeWithShared('the parsers, on files sops wrote', () => {
  it.each(SOPS_SEEDS)('$name, damaged: a typed error or a parse, nothing else', (seed) => parserCampaign(seed));

  it('.sops.yaml, damaged: a typed error or a configuration', () => configCampaign(join(humphd, 'dot-sops.yaml')), 120_000);
});

describe('decrypt, get and run on damaged files', () => {
  let pristine: Project;
  beforeAll(async () => {
    pristine = await pristineProject();
  }, 60_000);

  const TARGETS = [
    { file: 'app/.env', key: 'API_KEY', value: `${CANARY}-api-key` },
    { file: 'app/config.yaml', key: 'db.password', value: `${CANARY}-db` },
    { file: 'ops/settings.json', key: 'token', value: `${CANARY}-token` },
  ];

  it.each(TARGETS)('$file: exit 5 or 6 with a clear message, or the right values', async ({ file, key, value }) => {
    const trial = copyProject(pristine);
    const path = join(trial.dir, file);
    const original = readFileSync(path);
    const expected = (await runAs(trial, trial.alice, ['decrypt', file])).stdout;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 2 }), fc.constantFrom('decrypt', 'get', 'run'), async (ms, command) => {
        const damaged = ms.reduce(mutate, original);
        writeFileSync(path, damaged);
        runs += 1;
        cases.cli += 1;
        const argv = command === 'decrypt' ? ['decrypt', file] : command === 'get' ? ['get', key, '-f', file] : ['run', '--flatten', '-f', file, '--', 'true'];
        const r = await runAs(trial, trial.alice, argv);
        exitCodes.set(r.code, (exitCodes.get(r.code) ?? 0) + 1);
        const where = `${command} after ${JSON.stringify(ms)}\n${r.stderr}`;
        expect(r.stderr, where).not.toMatch(/\n\s+at /);
        expect(r.stderr, where).not.toContain(CANARY);
        expect(r.stderr, where).not.toMatch(/internal error|bug report/i);
        if (r.code === 0) {
          // A change sops ignores (a comment, spacing, the order of metadata keys) gives the same answer.
          if (command === 'get') expect(r.stdout, where).toBe(`${value}\n`);
          if (command === 'decrypt' && damaged.equals(original)) expect(r.stdout, where).toBe(expected);
        } else {
          expect([5, 6], where).toContain(r.code);
          expect(r.stderr, where).toMatch(/^envseal: .+\n/);
        }
      }),
      { numRuns: CLI_RUNS },
    );
    expect(runs).toBe(CLI_RUNS);
  }, 120_000);

});

