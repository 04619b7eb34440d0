/**
 * `envseal updatekeys [FILE...]` (sops semantics: recipients follow the rules, the data key
 * is kept, values and MAC untouched) and `envseal rotate [FILE...]` (a new data key, every
 * value re-encrypted). Without files: every sops file a rule covers, below the folder of
 * `.sops.yaml`. Each shows its plan, then applies it (`--dry-run` stops after the plan).
 */
import { applyRotate, applyUpdateKeys, planRotate, planUpdateKeys } from '../../ops/rekey.js';
import { labelled, loadTeam } from '../../ops/repository.js';
import { count } from '../../text.js';
import { renderBatch, renderError } from '../render.js';
import { defineCommand } from './define.js';
import { ctxFor, say, sayIgnored, type CommandEnv } from './env.js';
import { dropOtherKeysOption, dryRunOption, filesPositional, yesOption } from './options.js';
import { confirm } from '../../ops/confirm.js';
import type { BatchOutcome } from '../../ops/batch.js';
import type { EnvsealError } from '../../errors.js';

export const updatekeysCommand = defineCommand({
  command: 'updatekeys [files..]',
  describe: 'make the recipients of files match .sops.yaml (data key kept)',
  positionals: { files: filesPositional },
  options: { 'dry-run': dryRunOption, yes: yesOption },
  examples: [['$0 updatekeys', 'every file a rule covers']],
  async handler(env, args) {
    const ctx = ctxFor(env, args.config);
    const team = await loadTeam(ctx);
    const plan = await planUpdateKeys(ctx, team, args.files ?? []);
    showProblems(env, plan.problems);
    for (const file of plan.uncovered) say(env, `envseal: no creation rule covers ${file.display}; left as it is`);
    sayIgnored(env, plan.ignored);
    if (plan.items.length === 0) say(env, 'envseal: every file already matches the rules');
    for (const item of plan.items) {
      const changes = [...item.added.map((r) => `+${labelled(team, r)}`), ...item.removed.map((r) => `-${labelled(team, r)}`)];
      say(env, `  ${item.file.display}: ${changes.join(' ') || 'regroup'}`);
    }
    if (args.dryRun || plan.items.length === 0) return;
    await confirm(ctx, plan.questions, args.yes);
    const outcome = await applyUpdateKeys(ctx, plan);
    say(env, `envseal: updated the keys of ${count(outcome.done.length, 'file')}`);
    finish(env, outcome);
  },
});

export const rotateCommand = defineCommand({
  command: 'rotate [files..]',
  describe: 'give files a new data key and re-encrypt every value',
  positionals: { files: filesPositional },
  options: { 'dry-run': dryRunOption, 'drop-other-keys': dropOtherKeysOption, yes: yesOption },
  examples: [['$0 rotate .env', 'a new data key for .env']],
  async handler(env, args) {
    const ctx = ctxFor(env, args.config);
    const team = await loadTeam(ctx);
    const plan = await planRotate(ctx, team, args.files ?? [], args.dropOtherKeys);
    showProblems(env, plan.problems);
    say(env, `envseal: new data key for ${count(plan.files.length, 'file')}`);
    for (const f of plan.files) say(env, `  ${f.display}`);
    sayIgnored(env, plan.ignored);
    if (args.dryRun) return;
    await confirm(ctx, plan.questions, args.yes);
    const outcome = await applyRotate(ctx, plan);
    say(env, `envseal: rotated ${count(outcome.done.length, 'file')}`);
    finish(env, outcome);
  },
});

function showProblems(env: CommandEnv, problems: readonly EnvsealError[]): void {
  for (const problem of problems) env.io.stderr.write(renderError(problem, env.io.cwd, false));
}

/** Prints what a batch could not do and sets the exit code. */
export function finish(env: CommandEnv, outcome: BatchOutcome): void {
  const { text, exitCode } = renderBatch(outcome, env.io.cwd);
  env.io.stderr.write(text);
  env.exitCode = exitCode;
}
