/**
 * `scan`'s flags, declared once. yargs reads this table; so does the fast path, which parses
 * the pre-commit hook's ordinary `envseal scan --staged` without loading yargs (yargs and its
 * help-text machinery cost more than the rest of the guard). Anything the fast parser does
 * not fully understand — help, an unknown or repeated flag, `--no-` forms, flags that
 * conflict — goes to yargs, so both always agree (see the argv table test).
 */
import type { Options, PositionalOptions } from 'yargs';
import type { ArgsOf } from './define.js';

export const SCAN_POSITIONALS = {
  paths: { type: 'string', array: true, describe: 'files or folders to scan (default: every file git would commit)' },
} as const satisfies Record<string, PositionalOptions>;

export const SCAN_OPTIONS = {
  staged: { type: 'boolean', describe: 'scan what the index holds for the next commit (the pre-commit guard: never asks anything)' },
  history: { type: 'boolean', describe: 'scan the lines every commit reachable from HEAD added, with the past values of secrets too' },
  since: { type: 'string', describe: 'with --history: only the commits after REV' },
  format: { type: 'string', choices: ['text', 'json', 'sarif'], default: 'text', describe: 'report format (sarif: SARIF 2.1.0, for code scanning)' },
  output: { alias: 'o', type: 'string', describe: 'write the report to FILE instead of stdout' },
  baseline: { type: 'string', describe: 'findings accepted on purpose (default: .envseal-baseline.json at the top of the work tree)' },
  'update-baseline': { type: 'boolean', default: false, describe: 'accept every finding of this scan into the baseline, and exit 0' },
} as const satisfies Record<string, Options>;

export type ScanArgs = ArgsOf<typeof SCAN_POSITIONALS, typeof SCAN_OPTIONS>;

const STRINGS = new Map<string, string>([
  ['--since', 'since'],
  ['--format', 'format'],
  ['--output', 'output'],
  ['-o', 'output'],
  ['--baseline', 'baseline'],
  ['--config', 'config'],
]);
const BOOLEANS = new Map<string, string>([
  ['--staged', 'staged'],
  ['--history', 'history'],
  ['--update-baseline', 'updateBaseline'],
]);

/** Parses `scan`'s arguments (after the word `scan`) as yargs would, or returns null to let yargs handle them. */
export function parseScanArgv(argv: readonly string[]): ScanArgs | null {
  const args: Record<string, unknown> = { paths: [], staged: undefined, history: undefined, since: undefined, format: 'text', output: undefined, baseline: undefined, updateBaseline: false, config: undefined };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (!token.startsWith('-')) {
      (args['paths'] as string[]).push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const flag = eq === -1 ? token : token.slice(0, eq);
    const name = BOOLEANS.get(flag) ?? STRINGS.get(flag);
    if (name === undefined || given.has(name)) return null;
    given.add(name);
    if (BOOLEANS.has(flag)) {
      if (eq !== -1) return null;
      args[name] = true;
      continue;
    }
    const value = eq === -1 ? argv[++i] : token.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith('-'))) return null;
    args[name] = value;
  }
  if (!SCAN_OPTIONS.format.choices.includes(args['format'] as 'text')) return null;
  if (args['staged'] === true && args['history'] === true) return null;
  // Built from the same names yargs gives these options, so it has exactly ScanArgs's shape.
  return args as unknown as ScanArgs;
}
