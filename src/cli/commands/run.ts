/**
 * `envseal run [-f FILE]... -- CMD [ARGS...]`: decrypt into the child's environment only
 * (PRODUCT.md §5). Later files override earlier ones; variables already set win unless
 * --override. Values are injected verbatim. Plaintext never touches the disk.
 */
import type { CommandModule } from 'yargs';
import { ConfigError, EnvsealError, ExitCode, UsageError } from '../../errors.js';
import { parsePlainDotenv } from '../../formats/dotenv-plain.js';
import { resolvePath } from '../../io/io.js';
import { pristineNames, type EnvValue } from '../../run/env.js';
import { loadValues } from '../../ops/env-values.js';
import { execChild } from '../../run/exec.js';
import { Masker, pipeMasked } from '../../run/mask.js';
import { ctxFor, type CommandEnv } from './env.js';
import { RUN_OPTIONS, type RunArgs } from './run-options.js';
import type { Ctx } from '../../ops/context.js';

export function runCommand(env: CommandEnv): CommandModule<object, RunArgs> {
  return {
    command: 'run',
    describe: 'run a command with the decrypted values in its environment',
    builder: (y) =>
      y
        .options(RUN_OPTIONS as never)
        .example('$0 run -- node app.js', 'run node with the values of .env')
        .example('$0 run -f .env -f .env.production -- npm start', 'layer two files')
        .example('$0 run --require DATABASE_URL,API_KEY -- ./deploy.sh', 'stop before starting if a key is missing') as never,
    handler: (args) => runHandler(env, args),
  };
}

/** Runs the command; used by the yargs module above and by main's fast path. */
export async function runHandler(env: CommandEnv, args: RunArgs): Promise<void> {
  const argv = args['--'] ?? [];
  const [command, ...commandArgs] = argv.map(String);
  if (command === undefined) throw new UsageError('name the command to run after --', { hint: 'envseal run -- node app.js' });
  const ctx = ctxFor(env, args.config);
  const values = await loadValues(ctx, args.file ?? ['.env'], args.format, args.flatten);
  const childEnv = buildEnv(env.io.env, env.io.platform, values, args);
  await checkRequired(ctx, childEnv, args);
  const secrets = [...values.values()].filter((v) => v.secret).map((v) => v.value);
  const result = await execChild({
    command,
    args: commandArgs,
    env: childEnv,
    cwd: env.io.cwd,
    onTerminal: env.io.stdin.isTTY,
    outputs: args.mask
      ? { stdout: env.io.stdout, stderr: env.io.stderr, transform: pipeMasked(() => new Masker(secrets)) }
      : undefined,
  });
  if (result.kind === 'not-found') {
    env.io.stderr.write(`envseal: command not found: ${command}\nhint: check the name and your PATH\n`);
    env.exitCode = ExitCode.commandNotFound;
  } else if (result.kind === 'not-executable') {
    env.io.stderr.write(`envseal: cannot execute ${command}: permission denied\n`);
    env.exitCode = ExitCode.cannotExecute;
  } else if (result.kind === 'too-large') {
    env.io.stderr.write(`envseal: cannot start ${command}: ${describeEnvSize(childEnv, argv)}\nhint: ${TOO_LARGE_HINT}\n`);
    env.exitCode = ExitCode.cannotExecute;
  } else if (result.kind === 'cannot-start') {
    env.io.stderr.write(`envseal: cannot start ${command} (${result.reason})\n`);
    env.exitCode = ExitCode.cannotExecute;
  } else {
    env.exitCode = result.code;
  }
}

const TOO_LARGE_HINT = 'run the command with fewer of these files, or load large files from inside the program (envseal/config or the library)';

/**
 * Why the system refused (E2BIG): Linux caps a single variable at 128 KiB and the whole of
 * the arguments and environment at a quarter of the stack limit (2 MiB by default).
 */
function describeEnvSize(childEnv: Readonly<Record<string, string>>, argv: readonly string[]): string {
  const PER_STRING = 128 * 1024;
  let total = 0;
  let largest = '';
  let largestSize = 0;
  for (const [name, value] of Object.entries(childEnv)) {
    const size = Buffer.byteLength(name) + Buffer.byteLength(value) + 2;
    total += size;
    if (size > largestSize) {
      largest = name;
      largestSize = size;
    }
  }
  for (const arg of argv) total += Buffer.byteLength(arg) + 1;
  const kib = (n: number): string => `${Math.ceil(n / 1024)} KiB`;
  if (largestSize > PER_STRING) {
    return `the variable ${largest} is ${kib(largestSize)}, more than the ${kib(PER_STRING)} the system allows for one variable`;
  }
  const count = Object.keys(childEnv).length;
  return `its environment (${count} variables, ${kib(total)} with the arguments) is larger than the system allows for a new process`;
}

function buildEnv(
  parent: Readonly<Record<string, string | undefined>>,
  platform: string,
  values: ReadonlyMap<string, EnvValue>,
  args: Pick<RunArgs, 'override' | 'pristine'>,
): Record<string, string> {
  const base: Record<string, string> = {};
  const keep = args.pristine ? pristineNames(platform) : Object.keys(parent);
  for (const name of keep) {
    const value = parent[name];
    if (value !== undefined) base[name] = value;
  }
  for (const [name, { value }] of values) {
    if (args.override || !(name in base)) base[name] = value;
  }
  return base;
}

async function checkRequired(ctx: Ctx, childEnv: Readonly<Record<string, string>>, args: Pick<RunArgs, 'require' | 'example'>): Promise<void> {
  const required = new Set((args.require ?? []).flatMap((r) => r.split(',')).map((k) => k.trim()).filter((k) => k !== ''));
  if (args.example !== undefined) {
    const abs = resolvePath(ctx.io, args.example);
    const text = Buffer.from(await ctx.io.fs.readFile(abs)).toString('utf8');
    let doc;
    try {
      doc = parsePlainDotenv(text, abs);
    } catch (err) {
      throw err instanceof EnvsealError ? err : new ConfigError('cannot read the example file', { file: abs });
    }
    for (const item of doc.items) if (item.kind === 'entry') required.add(item.key);
  }
  const missing = [...required].filter((key) => (childEnv[key] ?? '') === '');
  if (missing.length > 0) {
    throw new ConfigError(`required ${missing.length === 1 ? 'key is' : 'keys are'} missing or empty: ${missing.join(', ')}`, {
      hint: 'set them with `envseal set KEY` or in the environment; the command was not started',
    }, 'MISSING_KEYS');
  }
}
