/**
 * `envseal run [-f FILE]... -- CMD [ARGS...]`: decrypt into the child's environment only
 * (README "run"). Later files override earlier ones; variables already set win unless
 * --override. Values are injected verbatim. Plaintext never touches the disk, except the
 * values named by --as-file: those go into private files, removed when the child is gone.
 */
import { dirname } from 'node:path';
import { EnvsealError, ConfigError, UsageError, describeFsError } from '../../errors.js';
import { parsePlainDotenv } from '../../formats/dotenv-plain.js';
import { resolveFromCwd } from '../../paths.js';
import { loadValues } from '../../ops/env-values.js';
import type { Ctx } from '../../ops/context.js';
import { removeAbandonedSecretFiles, writeSecretFiles } from '../../ops/secret-files.js';
import { parseAsFiles } from '../../run/as-file.js';
import { buildEnv, checkRequired, commaSeparatedKeys } from '../../run/env.js';
import { execChild, startError } from '../../run/exec.js';
import { githubMaskCommands, Masker, pipeMasked, valuesToMask } from '../../run/mask.js';
import { defineCommand } from './define.js';
import { ctxFor, type CommandEnv } from './env.js';
import { RUN_OPTIONS, type RunArgs } from './run-options.js';

export const runCommand = defineCommand({
  command: 'run',
  describe: 'run a command with the decrypted values in its environment',
  options: RUN_OPTIONS,
  examples: [
    ['$0 run -- node app.js', 'run node with the values of .env'],
    ['$0 run -f .env -f .env.production -- npm start', 'layer two files'],
    ['$0 run --require DATABASE_URL,API_KEY -- ./deploy.sh', 'stop before starting if a key is missing'],
    ['$0 run --as-file TLS_KEY=key.pem -- ./server', 'TLS_KEY holds the path of a private file with the key'],
  ],
  handler: (env, args) => runHandler(env, args),
});

/** Runs the command; used by the yargs module above and by main's fast path. */
export async function runHandler(env: CommandEnv, args: RunArgs): Promise<void> {
  const argv = (args['--'] ?? []).map(String);
  const [command, ...commandArgs] = argv;
  if (command === undefined) throw new UsageError('name the command to run after --', { hint: 'envseal run -- node app.js' });
  const asFiles = parseAsFiles(args.asFile ?? []);
  const ctx = ctxFor(env, args.config);
  const files = args.file ?? ['.env'];
  const values = await loadValues(ctx, files, args.inputFormat, args.flatten);
  const childEnv = buildEnv(env.io.env, env.io.platform, values, args);
  checkRequired(childEnv, [...commaSeparatedKeys(args.require), ...(args.example === undefined ? [] : await exampleKeys(ctx, args.example))]);
  // Only --mask and GitHub's log masking use them: judging every value costs a 10,000-key run
  // ~6 MB of garbage (issue 18's heap profile).
  const githubMask = args.githubMask && env.io.env.GITHUB_ACTIONS === 'true';
  const masked = args.mask || githubMask ? valuesToMask(values, new Set(commaSeparatedKeys(args.maskKeys))) : [];
  await removeAbandonedSecretFiles(env.io);
  const projectFolders = [env.io.cwd, ...files.map((f) => dirname(resolveFromCwd(ctx, f)))];
  const folder = asFiles.length === 0 ? null : await writeSecretFiles(ctx, asFiles, values, childEnv, { projectFolders, removeOnSignal: true });
  try {
    // Registered before the child starts, so the runner masks its very first line of output.
    if (githubMask) env.io.stdout.write(githubMaskCommands(masked));
    const exec = () =>
      execChild({
        command,
        args: commandArgs,
        env: childEnv,
        cwd: env.io.cwd,
        onTerminal: env.io.stdin.isTTY,
        outputs: args.mask ? { stdout: env.io.stdout, stderr: env.io.stderr, transform: pipeMasked(() => new Masker(masked.map((m) => m.value), 1)) } : undefined,
      });
    // The child uses the files: a signal is passed on to it, and the folder goes once it exits.
    const result = folder === null ? await exec() : await folder.handOver(exec);
    if (result.kind === 'exited' || result.kind === 'signaled') env.exitCode = result.code;
    else throw startError(result, command, childEnv, argv);
  } finally {
    await folder?.remove().catch((err: unknown) => ctx.warn(`could not remove ${folder.path} (${describeFsError(err)}): remove it by hand, it holds secret values`));
  }
}

/** The keys a `.env.example` lists (its values do not matter). */
async function exampleKeys(ctx: Ctx, example: string): Promise<string[]> {
  const abs = resolveFromCwd(ctx, example);
  const text = Buffer.from(await ctx.io.fs.readFile(abs)).toString('utf8');
  try {
    return parsePlainDotenv(text, abs).items.flatMap((item) => (item.kind === 'entry' ? [item.key] : []));
  } catch (err) {
    throw err instanceof EnvsealError ? err : new ConfigError('cannot read the example file', { file: abs });
  }
}
