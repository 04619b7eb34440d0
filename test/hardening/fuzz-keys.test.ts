/**
 * Fuzzing the key groups and the metadata (issue 10): the part of a sops file anyone with
 * write access can change without a key, since the MAC does not cover it. Labels rewritten,
 * duplicated, swapped or garbled; entries dropped, duplicated or swapped between groups;
 * wrapped keys truncated or bit-flipped; thresholds and versions changed. Reading,
 * re-keying and status must end in a typed error (exit 4, 5 or 6) or the right answer: never
 * an internal error (exit 1) or a stack trace. Seeded: a failure prints its seed and path.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, isolatedEnv, suiteDir } from '../helpers/cli.js';
import { makeIdentity, type TestIdentity } from '../helpers/keys.js';

interface Sample {
  readonly dir: string;
  readonly alice: TestIdentity;
  readonly bob: TestIdentity;
  /** name → encrypted text */
  readonly files: Record<string, string>;
}

let sample: Sample;

beforeAll(async () => {
  const dir = suiteDir('envseal-fuzz-keys-');
  const alice = await makeIdentity(dir, 'alice');
  const bob = await makeIdentity(dir, 'bob');
  const env = isolatedEnv(dir, { SOPS_AGE_KEY: `${alice.identity}\n${bob.identity}` });
  writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - path_regex: groups\n    key_groups:\n      - age: [${alice.recipient}]\n      - age: [${bob.recipient}]\n  - age: [${alice.recipient}, ${bob.recipient}]\n`);
  writeFileSync(join(dir, 'one.env'), 'A=1\nB=two\n');
  writeFileSync(join(dir, 'groups.env'), 'A=1\nB=two\n');
  for (const file of ['one.env', 'groups.env']) expect((await cli(['encrypt', file], { cwd: dir, env })).code).toBe(0);
  const files = Object.fromEntries(['one.env', 'groups.env'].map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  sample = { dir, alice, bob, files };
}, 30_000);

const INTERESTING = [
  '',
  'age1notarecipient',
  'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ',
  '\u001b[31mred',
  '0',
  '1',
  '2',
  '3',
  '255',
  '-1',
  '99999999999999999999',
  'true',
  '-----BEGIN AGE ENCRYPTED FILE-----\\nYWdl\\n-----END AGE ENCRYPTED FILE-----\\n',
  'v3.13.2',
  '1.x',
];

const edit = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), line: fc.nat(), value: fc.oneof(fc.constantFrom(...INTERESTING), fc.string({ maxLength: 40 })) }),
  fc.record({ kind: fc.constant('case' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('copy' as const), from: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant('drop' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('regroup' as const), line: fc.nat(), group: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('cut' as const), line: fc.nat(), keep: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('flip' as const), line: fc.nat(), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
);
type Edit = typeof edit extends fc.Arbitrary<infer E> ? E : never;

/** Applies edits to the `sops_*` lines of a dotenv sops file. */
function damage(text: string, edits: readonly Edit[]): string {
  const lines = text.split('\n');
  const meta = (): number[] => lines.flatMap((l, i) => (l.startsWith('sops_') ? [i] : []));
  const pick = (n: number): number | undefined => {
    const m = meta();
    return m.length === 0 ? undefined : m[n % m.length];
  };
  const split = (i: number): [string, string] => {
    const line = lines[i] as string;
    const eq = line.indexOf('=');
    return [line.slice(0, eq), line.slice(eq + 1)];
  };
  for (const e of edits) {
    if (e.kind === 'swap') {
      const a = pick(e.a);
      const b = pick(e.b);
      if (a === undefined || b === undefined) continue;
      const [ka, va] = split(a);
      const [kb, vb] = split(b);
      lines[a] = `${ka}=${vb}`;
      lines[b] = `${kb}=${va}`;
      continue;
    }
    const i = pick(e.kind === 'copy' ? e.from : e.line);
    if (i === undefined) continue;
    const [key, value] = split(i);
    switch (e.kind) {
      case 'set':
        lines[i] = `${key}=${e.value.replace(/\n/g, '\\n')}`;
        break;
      case 'case':
        lines[i] = `${key}=${value === value.toUpperCase() ? value.toLowerCase() : value.toUpperCase()}`;
        break;
      case 'copy': {
        const to = pick(e.to);
        if (to !== undefined) lines.splice(to, 0, `${split(to)[0]}=${value}`);
        break;
      }
      case 'drop':
        lines.splice(i, 1);
        break;
      case 'regroup':
        lines[i] = `${key.replace(/(key_groups__list_)\d+/, `$1${e.group}`).replace(/(age__list_)\d+/, `$1${e.group}`)}=${value}`;
        break;
      case 'cut':
        lines[i] = `${key}=${value.slice(0, Math.floor(value.length * e.keep))}`;
        break;
      case 'flip': {
        const at = Math.min(value.length - 1, Math.floor(value.length * e.at));
        if (at < 0) break;
        const c = value[at] === 'A' ? 'B' : 'A';
        lines[i] = `${key}=${value.slice(0, at)}${c}${value.slice(at + 1)}`;
        break;
      }
    }
  }
  return lines.join('\n');
}

const COMMANDS: string[][] = [['decrypt', 'F'], ['get', 'B', '-f', 'F'], ['status', 'F', '--json'], ['rotate', 'F', '--dry-run'], ['updatekeys', 'F', '--dry-run']];
const tally = { trials: 0, runs: 0, opened: 0, refused: 0 };

describe('fuzzing key groups and metadata', () => {
  it('never ends in an internal error, and never reads a wrong value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('one.env', 'groups.env'), fc.array(edit, { minLength: 1, maxLength: 3 }), async (name, edits) => {
        tally.trials += 1;
        const dir = sample.dir;
        const file = `trial-${name}`;
        writeFileSync(join(dir, file), damage(sample.files[name] as string, edits));
        const env = isolatedEnv(dir, { SOPS_AGE_KEY: `${sample.alice.identity}\n${sample.bob.identity}` });
        for (const argv of COMMANDS) {
          tally.runs += 1;
          const r = await cli(argv.map((a) => (a === 'F' ? file : a)), { cwd: dir, env });
          expect(r.stderr, `${argv.join(' ')}: ${JSON.stringify(edits)}`).not.toMatch(/internal error|\n\s+at /);
          expect([0, 3, 4, 5, 6], `${argv.join(' ')} exit ${r.code}: ${r.stderr}`).toContain(r.code);
          if (argv[0] === 'get') {
            if (r.code === 0) {
              tally.opened += 1;
              expect(r.stdout).toBe('two\n');
            } else {
              tally.refused += 1;
            }
          }
        }
      }),
      { numRuns: 120, seed: 20261126, verbose: 1 },
    );
    console.log(`key-group fuzzing: ${tally.trials} damaged files, ${tally.runs} commands, ${tally.opened} opened with the right value, ${tally.refused} refused`);
  }, 300_000);
});
