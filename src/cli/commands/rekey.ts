/**
 * `envseal updatekeys [FILE...]` (sops semantics: recipients follow the rules, the data key
 * is kept, values and MAC untouched) and `envseal rotate [FILE...]` (a new data key, every
 * value re-encrypted). Without files: every sops file a rule covers, below the folder of
 * `.sops.yaml`.
 */
import type { CommandModule } from 'yargs';
import type { LoadedFile } from '../../ops/load.js';
import { rotate, updateKeys } from '../../ops/rekey.js';
import { applyToFiles, labelled, loadTeam, refuseOtherKeys, reportBatch, ruleTarget, sopsFiles, type Team } from '../../ops/team.js';
import type { Ctx } from '../../ops/context.js';
import { metadataOf } from '../../ops/open.js';
import { allAgeKeys } from '../../metadata/model.js';
import { ctxFor, say, type CommandEnv } from './env.js';
import { dropOtherKeysOption, dryRunOption } from './options.js';
import { count } from '../../text.js';

interface RekeyArgs {
  files: string[] | undefined;
  dryRun: boolean;
  dropOtherKeys: boolean;
  config: string | undefined;
}

async function targets(ctx: Ctx, team: Team, given: readonly string[], env: CommandEnv): Promise<LoadedFile[]> {
  const { files, problems } = await sopsFiles(ctx, team, given);
  for (const p of problems) say(env, `envseal: ${p.message}`);
  if (given.length > 0) return files;
  return files.filter((f) => ruleTarget(team.config, f.abs) !== null);
}

export function updatekeysCommand(env: CommandEnv): CommandModule<object, RekeyArgs> {
  return {
    command: 'updatekeys [files..]',
    describe: 'make the recipients of files match .sops.yaml (data key kept)',
    builder: (y) =>
      y
        .positional('files', { type: 'string', array: true })
        .option('dry-run', dryRunOption)
        .example('$0 updatekeys', 'every file a rule covers') as never,
    handler: async (args) => {
      const ctx = ctxFor(env, args.config);
      const team = await loadTeam(ctx);
      const files = await targets(ctx, team, args.files ?? [], env);
      const plan = files.flatMap((file) => {
        const target = ruleTarget(team.config, file.abs);
        if (target === null) {
          say(env, `envseal: no creation rule covers ${file.display}; left as it is`);
          return [];
        }
        const have = new Set(allAgeKeys(metadataOf(file)).map((k) => k.recipient));
        const want = new Set<string>(target.groups.flat());
        const added = [...want].filter((r) => !have.has(r));
        const removed = [...have].filter((r) => !want.has(r));
        const regroup = metadataOf(file).keyGroups.length !== target.groups.length;
        return added.length + removed.length > 0 || regroup ? [{ file, target, added, removed }] : [];
      });
      if (plan.length === 0) say(env, 'envseal: every file already matches the rules');
      for (const p of plan) {
        say(env, `  ${p.file.display}: ${[...p.added.map((r) => `+${labelled(team, r)}`), ...p.removed.map((r) => `-${labelled(team, r)}`)].join(' ') || 'regroup'}`);
      }
      if (args.dryRun || plan.length === 0) return;
      const outcome = await applyToFiles(ctx, plan, async (p) => (await updateKeys(ctx, p.file, p.target))?.text ?? null);
      say(env, `envseal: updated the keys of ${count(outcome.done.length, 'file')}`);
      env.exitCode = reportBatch(ctx, outcome);
    },
  };
}

export function rotateCommand(env: CommandEnv): CommandModule<object, RekeyArgs> {
  return {
    command: 'rotate [files..]',
    describe: 'give files a new data key and re-encrypt every value',
    builder: (y) =>
      y
        .positional('files', { type: 'string', array: true })
        .option('dry-run', dryRunOption)
        .option('drop-other-keys', dropOtherKeysOption)
        .example('$0 rotate .env', 'a new data key for .env') as never,
    handler: async (args) => {
      const ctx = ctxFor(env, args.config);
      const team = await loadTeam(ctx);
      const files = await targets(ctx, team, args.files ?? [], env);
      refuseOtherKeys(files, args.dropOtherKeys);
      say(env, `envseal: new data key for ${count(files.length, 'file')}`);
      for (const f of files) say(env, `  ${f.display}`);
      if (args.dryRun) return;
      const outcome = await applyToFiles(ctx, files.map((file) => ({ file })), async ({ file }) => (await rotate(ctx, file, undefined, { dropOtherKeys: args.dropOtherKeys })).text);
      say(env, `envseal: rotated ${count(outcome.done.length, 'file')}`);
      env.exitCode = reportBatch(ctx, outcome);
    },
  };
}
