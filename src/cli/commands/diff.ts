/**
 * `envseal diff [REV [REV]] [-- FILE...]`: what changed in sops files by key between two
 * commits, or a commit and the work tree (HEAD by default): `+ KEY`, `~ KEY`, `- KEY`,
 * recipients added and removed, the data key rotated. Values only with `--values`.
 */
import { diffRevisions } from '../../ops/diff.js';
import { defineCommand, type ArgsOf } from './define.js';
import { ctxFor, say, type CommandEnv } from './env.js';
import { fileChangeLines } from './file-changes.js';
import { jsonOption } from './options.js';

const DIFF_POSITIONALS = {
  revs: { type: 'string', array: true, describe: 'REV [REV]: the work tree against REV (default HEAD), or the first REV against the second' },
} as const;

const DIFF_OPTIONS = {
  values: { type: 'boolean', default: false, describe: 'show the values (decrypted) of what changed' },
  json: jsonOption,
} as const;

type DiffArgs = ArgsOf<typeof DIFF_POSITIONALS, typeof DIFF_OPTIONS> & { readonly '--'?: ReadonlyArray<string | number> | undefined };

export const diffCommand = defineCommand({
  command: 'diff [revs..]',
  describe: 'what changed in secrets, by key, between commits or since the last commit',
  positionals: DIFF_POSITIONALS,
  options: DIFF_OPTIONS,
  examples: [
    ['$0 diff', 'the work tree against HEAD'],
    ['$0 diff main HEAD -- .env', 'one file, between two commits'],
    ['$0 diff HEAD~1 --json', 'machine-readable, no values'],
  ],
  handler: (env, args) => diffHandler(env, args),
});

async function diffHandler(env: CommandEnv, args: DiffArgs): Promise<void> {
  const ctx = ctxFor(env, args.config);
  const files = (args['--'] ?? []).map(String);
  const diff = await diffRevisions(ctx, { revs: args.revs ?? [], files, values: args.values });
  for (const file of diff.notSops) say(env, `envseal: ${file} is not a sops file in either version`);
  if (args.json) {
    env.io.stdout.write(`${JSON.stringify(diff, null, 2)}\n`);
    return;
  }
  for (const change of diff.files) env.io.stdout.write(`${fileChangeLines(change, '').join('\n')}\n`);
  if (diff.files.length === 0) say(env, `envseal: no change to a sops file between ${diff.from.slice(0, 7)} and ${diff.to === null ? 'the work tree' : diff.to.slice(0, 7)}`);
}
