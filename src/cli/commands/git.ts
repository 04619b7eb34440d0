/**
 * `envseal git setup` (make the repository git-native) and the two commands git itself runs:
 * `envseal git merge-driver %O %A %B %P` (merge sops files by key) and `envseal git textconv
 * FILE` (decrypted text for `git diff`, only when setup was asked to show values).
 */
import { basename } from 'node:path';
import { detectFormat, type FormatName } from '../../formats/index.js';
import { applySetup, installGuard, planSetup } from '../../ops/git-setup.js';
import { loadFileAsItIs } from '../../ops/load.js';
import { openFile } from '../../ops/open.js';
import { resolveFromCwd } from '../../paths.js';
import { defineCommand } from './define.js';
import { ctxFor, say } from './env.js';
import { runMergeDriver } from './merge-driver.js';

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
