/**
 * `envseal git setup` (make the repository git-native) and the two commands git itself runs:
 * `envseal git merge-driver %O %A %B %P` (merge sops files by key) and `envseal git textconv
 * FILE` (decrypted text for `git diff`, only when setup was asked to show values).
 */
import { basename } from 'node:path';
import { ExitCode } from '../../errors.js';
import { detectFormat, type FormatName } from '../../formats/index.js';
import { parseExposures, exposuresText, unionExposures } from '../../ops/exposures.js';
import { applySetup, installGuard, planSetup } from '../../ops/git-setup.js';
import { loadFileAsItIs } from '../../ops/load.js';
import { mergeSopsFiles } from '../../ops/merge.js';
import { openFile } from '../../ops/open.js';
import { EXPOSURES_FILE } from '../../ops/repository.js';
import { resolveFromCwd } from '../../paths.js';
import { defineCommand } from './define.js';
import { ctxFor, say, type CommandEnv } from './env.js';

const setup = defineCommand({
  command: 'setup',
  describe: 'merge sops files by key in git (a merge driver) and guard commits (a pre-commit hook), idempotently',
  options: {
    global: { type: 'boolean', default: false, describe: 'set the merge driver up in ~/.gitconfig for every repository (no hook: hooks belong to a repository)' },
    hook: { type: 'boolean', default: true, describe: 'install the pre-commit guard, envseal scan --staged (--no-hook: do not)' },
    'diff-values': { type: 'boolean', describe: 'let git diff show decrypted values (off by default: CI logs show git diff)' },
  },
  examples: [
    ['$0 git setup', 'merge driver in .git/config, .gitattributes for the sops files, the pre-commit guard'],
    ['$0 git setup --diff-values', 'also show decrypted values in git diff (your machine only)'],
  ],
  async handler(env, args) {
    const ctx = ctxFor(env, args.config);
    const plan = await planSetup(ctx, { global: args.global, diffValues: args.diffValues });
    await applySetup(ctx, plan);
    for (const line of plan.says) say(env, `envseal: ${line}`);
    const guard = args.hook && !args.global ? await installGuard(ctx, plan.root) : null;
    if (guard !== null) say(env, `envseal: ${guard.says}`);
    say(env, plan.says.length <= 1 && plan.attributes === null && guard?.changed !== true ? 'envseal: git setup: already done; nothing changed' : 'envseal: git setup done: git merges these files by key; commit .gitattributes');
    say(env, 'envseal: git runs envseal by absolute paths (Node.js and bin/envseal.cjs): run setup again if either moves');
  },
});

const mergeDriver = defineCommand({
  command: 'merge-driver <base> <ours> <theirs> <path>',
  describe: false,
  positionals: {
    base: { type: 'string', demandOption: true },
    ours: { type: 'string', demandOption: true },
    theirs: { type: 'string', demandOption: true },
    path: { type: 'string', demandOption: true },
  },
  async handler(env, args) {
    env.exitCode = await runMergeDriver(env, args);
  },
});

const textconv = defineCommand({
  command: 'textconv <file>',
  describe: false,
  positionals: { file: { type: 'string', demandOption: true } },
  async handler(env, args) {
    const ctx = ctxFor(env, args.config);
    const format = textconvFormat(args.file);
    if (format === null) {
      // Not a format envseal reads: git shows the bytes as they are, never a failed diff.
      env.io.stdout.write(Buffer.from(await env.io.fs.readFile(resolveFromCwd(env.io, args.file))));
      return;
    }
    const loaded = await loadFileAsItIs(ctx, args.file, format);
    if (loaded.parsed.metadata === undefined) {
      env.io.stdout.write(Buffer.from(loaded.bytes ?? new Uint8Array()));
      return;
    }
    const opened = await openFile(ctx, loaded, { readOnly: true, ignoreMac: false });
    env.io.stdout.write(loaded.format.emitPlain(opened.docs, loaded.parsed, loaded.abs));
  },
});

export const gitCommand = defineCommand({
  command: 'git',
  describe: 'git integration: envseal git setup',
  subcommands: [setup, mergeDriver, textconv],
  examples: [['$0 git setup', 'merge sops files by key from now on']],
});

/** git gives textconv a temporary file: its name may not tell the format, the path does not reach us. */
/**
 * git hands textconv a temporary copy named `XXXXXX_<name>` (six random characters, then the
 * file's own name): `.env.production` arrives as `a1B2c3_.env.production`, which no longer
 * looks like a dotenv file. The format comes from the name git started from.
 */
export function textconvFormat(file: string): FormatName | null {
  const name = basename(file);
  const original = /^[^_]{6}_(.+)$/.exec(name)?.[1];
  return detectFormat(name) ?? (original === undefined ? null : detectFormat(original));
}

/**
 * git's contract: merge `ours` and `theirs` (with `base`) into `ours`; exit 0 when clean,
 * non-zero for a conflict. What envseal cannot merge by key gets git's own text merge.
 */
async function runMergeDriver(env: CommandEnv, args: { base: string; ours: string; theirs: string; path: string }): Promise<number> {
  const ctx = ctxFor(env, undefined);
  const read = async (file: string): Promise<string> => Buffer.from(await env.io.fs.readFile(resolveFromCwd(env.io, file))).toString('utf8');
  const [base, ours, theirs] = await Promise.all([read(args.base), read(args.ours), read(args.theirs)]);
  const write = (text: string): Promise<void> => env.io.fs.writeFileAtomic(resolveFromCwd(env.io, args.ours), text);
  if (basename(args.path) === EXPOSURES_FILE) {
    await write(exposuresText(unionExposures(parseExposures(ours, args.path), parseExposures(theirs, args.path))));
    return ExitCode.ok;
  }
  const outcome = await mergeSopsFiles(ctx, { path: args.path, base: base === '' ? null : base, ours, theirs });
  if (outcome.kind === 'not-sops' || outcome.kind === 'cannot') {
    if (outcome.kind === 'cannot') say(env, `envseal: cannot merge ${args.path} by key: ${outcome.why}; leaving git's own merge (with conflict markers if both sides changed it)`);
    const text = await env.io.runCommand(['git', 'merge-file', '-L', 'ours', '-L', 'base', '-L', 'theirs', args.ours, args.base, args.theirs], {}, { quiet: true });
    return text.code === 0 ? ExitCode.ok : 1;
  }
  for (const note of outcome.notes) say(env, `envseal: ${args.path}: ${note}`);
  await write(outcome.text);
  if (outcome.kind === 'merged') {
    say(env, `envseal: merged ${args.path} by key`);
    return ExitCode.ok;
  }
  say(env, `envseal: ${args.path}: ${outcome.keys.length === 1 ? 'a key was' : `${outcome.keys.length} keys were`} changed differently on both sides: ${outcome.keys.join(', ')}`);
  say(env, `envseal: resolve it with \`envseal edit ${args.path}\` (both sides decrypted, with markers), then git add it`);
  return 1;
}
