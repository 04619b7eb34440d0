/**
 * `run`'s flags, declared once. yargs reads this table for parsing errors and `--help`; the
 * fast path reads it to parse an ordinary `envseal run ... -- CMD` without loading yargs
 * (~60 ms of a run's start-up). Anything the fast parser does not fully understand — help,
 * an unknown flag, a `--no-` form — goes to yargs, so both always agree (see the argv table
 * test).
 */
export interface RunArgs {
  file: string[] | undefined;
  override: boolean;
  pristine: boolean;
  require: string[] | undefined;
  example: string | undefined;
  flatten: boolean;
  mask: boolean;
  format: string | undefined;
  config: string | undefined;
  '--': string[] | undefined;
}

interface Flag {
  readonly type: 'string' | 'boolean';
  readonly array?: boolean;
  readonly alias?: string;
  readonly default?: boolean;
  readonly choices?: readonly string[];
  readonly describe: string;
}

export const RUN_OPTIONS = {
  file: { alias: 'f', type: 'string', array: true, describe: 'encrypted file to load (repeatable; later files win; default .env)' },
  override: { type: 'boolean', default: false, describe: 'file values win over variables already set' },
  pristine: { type: 'boolean', default: false, describe: 'start from an empty environment (plus PATH, HOME, USER, LANG, TERM, TZ)' },
  require: { type: 'string', array: true, describe: 'these keys (comma-separated, repeatable) must be set and non-empty' },
  example: { type: 'string', describe: 'every key listed in this .env.example must be set and non-empty' },
  flatten: { type: 'boolean', default: false, describe: 'nested YAML/JSON values become DB_PASSWORD-style variables' },
  mask: { type: 'boolean', default: false, describe: "replace secret values in the command's output with ****" },
  format: { type: 'string', choices: ['dotenv', 'yaml', 'json'], describe: 'read the files as this format' },
} as const satisfies Record<string, Flag>;

/** The global flags run accepts too. */
const GLOBAL_STRINGS = new Set(['config']);

/**
 * Parses `run`'s arguments (after the word `run`) like yargs would, or returns null to let
 * yargs handle them.
 */
export function parseRunArgv(argv: readonly string[]): RunArgs | null {
  const args: RunArgs = {
    file: undefined,
    override: false,
    pristine: false,
    require: undefined,
    example: undefined,
    flatten: false,
    mask: false,
    format: undefined,
    config: undefined,
    '--': undefined,
  };
  const flags = RUN_OPTIONS as Record<string, Flag>;
  const byAlias = new Map(Object.entries(flags).flatMap(([name, f]) => (f.alias === undefined ? [] : [[f.alias, name] as const])));
  let i = 0;
  while (i < argv.length) {
    const token = argv[i] as string;
    if (token === '--') {
      args['--'] = argv.slice(i + 1);
      return args['--'].length > 0 ? args : null;
    }
    const m = /^(?:--([a-z][a-z-]*)|-([a-z]))(?:=(.*))?$/s.exec(token);
    if (m === null) return null;
    const name = m[1] ?? byAlias.get(m[2] as string);
    if (name === undefined) return null;
    const inline = m[3];
    if (GLOBAL_STRINGS.has(name)) {
      const value = inline ?? argv[i + 1];
      if (value === undefined || (inline === undefined && value.startsWith('-'))) return null;
      args.config = value;
      i += inline === undefined ? 2 : 1;
      continue;
    }
    const flag = flags[name];
    if (flag === undefined) return null;
    if (flag.type === 'boolean') {
      if (inline !== undefined) return null;
      (args as unknown as Record<string, unknown>)[name] = true;
      i += 1;
      continue;
    }
    const values: string[] = [];
    if (inline !== undefined) values.push(inline);
    let j = i + 1;
    if (inline === undefined || flag.array === true) {
      while (j < argv.length && !(argv[j] as string).startsWith('-') && (flag.array === true || values.length === 0)) values.push(argv[j++] as string);
    }
    if (values.length === 0) return null;
    if (flag.choices !== undefined && values.some((v) => !flag.choices?.includes(v))) return null;
    const record = args as unknown as Record<string, unknown>;
    if (flag.array === true) record[name] = [...((record[name] as string[] | undefined) ?? []), ...values];
    else if (record[name] !== undefined) return null;
    else record[name] = values[0];
    i = j;
  }
  return null;
}
