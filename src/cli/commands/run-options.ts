/**
 * `run`'s flags, declared once. yargs reads this table for parsing errors and `--help`; the
 * fast path reads it to parse an ordinary `envseal run ... -- CMD` without loading yargs
 * (~60 ms of a run's start-up). Anything the fast parser does not fully understand — help,
 * an unknown flag, a `--no-` form — goes to yargs, so both always agree (see the argv table
 * test).
 */
import type { Options } from 'yargs';
import type { ArgsOf } from './define.js';

export const RUN_OPTIONS = {
  file: { alias: 'f', type: 'string', array: true, describe: 'encrypted file to load (repeatable; later files win; default .env)' },
  override: { type: 'boolean', default: false, describe: 'file values win over variables already set' },
  pristine: { type: 'boolean', default: false, describe: 'start from an empty environment (plus PATH, HOME, USER, LANG, TERM, TZ)' },
  require: { type: 'string', array: true, describe: 'these keys (comma-separated, repeatable) must be set and non-empty' },
  example: { type: 'string', describe: 'every key listed in this .env.example must be set and non-empty' },
  flatten: { type: 'boolean', default: false, describe: 'nested YAML/JSON values become DB_PASSWORD-style variables' },
  mask: { type: 'boolean', default: false, describe: "replace secret values in the command's output with **** (values above the secret floor; README \"run\", --mask)" },
  'mask-keys': { type: 'string', array: true, describe: 'with --mask, also mask these keys\' values whatever they look like (comma-separated, repeatable)' },
  'github-mask': { type: 'boolean', default: true, describe: 'on GitHub Actions, register the secret values with ::add-mask:: first (--no-github-mask: do not)' },
  'input-format': { alias: 'format', type: 'string', choices: ['dotenv', 'yaml', 'json'], describe: 'read the files as this format' },
  'as-file': {
    type: 'string',
    array: true,
    describe: "put this value in a private 0600 file, removed when the command ends; the variable holds the file's path (KEY or KEY=file.name; repeatable)",
  },
} as const satisfies Record<string, Options>;

/** run's arguments, inferred from the table, plus what follows `--`. */
export type RunArgs = ArgsOf<{}, typeof RUN_OPTIONS> & { readonly '--'?: ReadonlyArray<string | number> | undefined };

/**
 * Parses `run`'s arguments (after the word `run`) like yargs would, or returns null to let
 * yargs handle them.
 */
export function parseRunArgv(argv: readonly string[]): RunArgs | null {
  const args: Record<string, unknown> = { config: undefined };
  for (const [name, flag] of Object.entries(FLAGS)) args[camelCase(name)] = flag.default;
  let i = 0;
  while (i < argv.length) {
    const token = argv[i] as string;
    if (token === '--') {
      const command = argv.slice(i + 1);
      // Built from the same table yargs reads, so it has exactly RunArgs's shape.
      return command.length > 0 ? ({ ...args, '--': command } as unknown as RunArgs) : null;
    }
    const m = /^(?:--([a-z][a-z-]*)|-([a-z]))(?:=(.*))?$/s.exec(token);
    if (m === null) return null;
    const given = m[1] ?? m[2];
    const name = given !== undefined && given in FLAGS ? given : BY_ALIAS.get(given as string);
    const flag = name === undefined ? undefined : FLAGS[name];
    if (name === undefined || flag === undefined) return null;
    const inline = m[3];
    if (flag.type === 'boolean') {
      if (inline !== undefined) return null;
      args[camelCase(name)] = true;
      i += 1;
      continue;
    }
    const values: string[] = inline === undefined ? [] : [inline];
    let j = i + 1;
    if (inline === undefined || flag.array === true) {
      while (j < argv.length && !(argv[j] as string).startsWith('-') && (flag.array === true || values.length === 0)) values.push(argv[j++] as string);
    }
    if (values.length === 0) return null;
    if (flag.choices !== undefined && values.some((v) => !flag.choices?.includes(v))) return null;
    const key = camelCase(name);
    const previous = args[key];
    if (flag.array === true) args[key] = [...(Array.isArray(previous) ? (previous as string[]) : []), ...values];
    else if (previous !== undefined) return null;
    else args[key] = values[0];
    i = j;
  }
  return null;
}

/** `as-file` → `asFile`: the copy yargs adds for a dashed option, the one handlers read. */
function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** What the fast parser reads of an option object. */
interface Flag {
  readonly type: 'string' | 'boolean';
  readonly array?: boolean;
  readonly alias?: string;
  readonly default?: boolean;
  readonly choices?: readonly string[];
}

/** run's options plus the global --config, as the fast parser sees them. */
const FLAGS: Readonly<Record<string, Flag>> = { ...RUN_OPTIONS, config: { type: 'string' } };
const BY_ALIAS = new Map(Object.entries(FLAGS).flatMap(([name, f]) => (f.alias === undefined ? [] : [[f.alias, name] as const])));
