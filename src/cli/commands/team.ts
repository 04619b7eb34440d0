/**
 * `envseal team ls|add|rm` (README "Team"): print the plan, apply it, print what happened.
 * The protocol itself lives in ops/team.ts.
 */
import type { Exposure } from '../../ops/exposures.js';
import { relativeTo } from '../../ops/repository.js';
import { applyAdd, applyRemove, listMembers, planAdd, planRemove } from '../../ops/team.js';
import { count, printable } from '../../text.js';
import { defineCommand } from './define.js';
import { ctxFor, say, sayIgnored, type CommandEnv } from './env.js';
import { dropOtherKeysOption, dryRunOption, jsonOption, yesOption } from './options.js';
import { confirm } from '../../ops/confirm.js';
import { finish } from './rekey.js';
import { shortRecipient } from '../../keys/recipient.js';

const teamLs = defineCommand({
  command: 'ls',
  describe: 'members, their recipients, and the files each can read',
  options: { json: jsonOption },
  examples: [['$0 team ls', 'list the members']],
  async handler(env, args) {
    const { team, members, labelWarnings } = await listMembers(ctxFor(env, args.config));
    const out = (line: string): void => env.io.stdout.write(`${printable(line)}\n`);
    if (args.json) {
      env.io.stdout.write(`${JSON.stringify({ config: relativeTo(team, team.configPath), members, labelWarnings }, null, 2)}\n`);
      return;
    }
    for (const warning of labelWarnings) say(env, `envseal: warning: ${warning}`);
    if (members.length === 0) {
      out('no members yet: envseal team add NAME RECIPIENT');
      return;
    }
    for (const m of members) {
      const expiry = m.expires === null ? '' : `  (${m.expiry === 'expired' ? 'access expired after' : 'access until'} ${m.expires}${m.expiry === 'soon' ? ', soon' : ''})`;
      out(`${m.name ?? '(not in the roster)'}  ${m.recipient}${expiry}`);
      out(m.files.length === 0 ? '    reads no file yet' : m.files.map((f) => `    ${f}`).join('\n'));
    }
    const rules = team.config?.creationRules ?? [];
    if (rules.length > 0) out('rules (team add --rule takes the number or the exact path_regex):');
    for (const rule of rules) {
      const readers = rule.groups.flatMap((g) => g.age).map((r) => team.nameOf(r) ?? `${r.slice(0, 16)}…`);
      out(`  ${rule.index + 1}  ${rule.pathRegex === null ? '(every file)' : rule.pathRegex.source}  →  ${readers.join(', ') || 'nobody'}`);
    }
  },
});

const teamAdd = defineCommand({
  command: 'add <name> <recipient>',
  describe: 'add a member to the rules and re-wrap every file they now cover',
  positionals: {
    name: { type: 'string', demandOption: true },
    recipient: { type: 'string', demandOption: true, describe: 'their age recipient (envseal keygen prints it) or SSH public key (ssh-ed25519/ssh-rsa)' },
  },
  options: {
    rule: { type: 'string', array: true, requiresArg: true, describe: 'only these creation rules (1-based number, or the exact path_regex)' },
    expires: { type: 'string', requiresArg: true, describe: 'the last day (YYYY-MM-DD, UTC) the member keeps access; status --check flags them after it' },
    'dry-run': dryRunOption,
    yes: yesOption,
  },
  examples: [
    ['$0 team add bob age1…', 'bob can read every file the rules cover'],
    ["$0 team add bob age1… --rule '^prod/'", 'only the files of one rule'],
    ['$0 team add contractor age1… --expires 2027-03-31', 'access that status --check flags after that day'],
  ],
  async handler(env, args) {
    const ctx = ctxFor(env, args.config);
    const plan = await planAdd(ctx, { name: args.name, recipient: args.recipient, rules: args.rule ?? [], expires: args.expires });
    const { team } = plan;
    say(env, `envseal: ${plan.createsConfig ? `create ${relativeTo(team, team.configPath)} with ${plan.name}` : `add ${plan.name} to ${relativeTo(team, team.configPath)}`}`);
    for (const k of plan.kept) {
      say(env, `  keep the reader ${shortRecipient(k.recipient)} as ${k.name} (${k.you ? 'you; ' : ''}reads ${count(k.files, 'file')}; rename them in the roster if you like)`);
    }
    if (plan.alreadyReads > 0) say(env, `  ${plan.name} already reads ${count(plan.alreadyReads, 'file')} the rules give them`);
    say(env, plan.files.length === 0 ? '  no encrypted file to re-wrap' : `  re-wrap ${count(plan.files.length, 'file')} for ${plan.name}:`);
    for (const p of plan.files) say(env, `    ${relativeTo(team, p.file.abs)}`);
    sayIgnored(env, plan.ignored);
    if (args.dryRun) return;
    await confirm(ctx, plan.questions, args.yes);
    const outcome = await applyAdd(ctx, plan);
    const already = plan.alreadyReads > 0 ? ` (${plan.alreadyReads} of them already)` : '';
    say(env, `envseal: ${plan.name} can now read ${count(outcome.done.length + plan.alreadyReads, 'file')}${already}; values and MACs unchanged`);
    finish(env, outcome);
  },
});

const teamRm = defineCommand({
  command: 'rm <name>',
  describe: 'remove a member: new data keys for every file they could read, and the list of what they saw',
  positionals: { name: { type: 'string', demandOption: true, describe: 'a member name (or a recipient)' } },
  options: { 'dry-run': dryRunOption, 'drop-other-keys': dropOtherKeysOption, yes: yesOption },
  examples: [['$0 team rm bob', 'cut bob off and list the secrets to change']],
  async handler(env, args) {
    const ctx = ctxFor(env, args.config);
    const plan = await planRemove(ctx, { member: args.name, dropOtherKeys: args.dropOtherKeys });
    const { team } = plan;
    const who = plan.name ?? plan.recipient;
    say(env, `envseal: remove ${who}${team.text === null ? '' : ` from ${relativeTo(team, team.configPath)}`}`);
    say(env, plan.files.length === 0 ? '  they could read no encrypted file' : `  new data key for ${count(plan.files.length, 'file')}:`);
    for (const p of plan.files) say(env, `    ${relativeTo(team, p.file.abs)} (${p.reason})`);
    sayIgnored(env, plan.ignored);
    if (args.dryRun) {
      printExposure(env, plan.exposure);
      return;
    }
    await confirm(ctx, plan.questions, args.yes);
    const outcome = await applyRemove(ctx, plan);
    say(env, `envseal: ${who} removed; ${count(outcome.done.length, 'file')} re-keyed`);
    printExposure(env, plan.exposure);
    finish(env, outcome);
  },
});

export const teamCommand = defineCommand({
  command: 'team',
  describe: 'the roster: who can read which files',
  subcommands: [teamLs, teamAdd, teamRm],
  examples: [['$0 team add bob age1…', 'bob can read every file the rules cover']],
});

/** The exposure list: file and key names, never values. */
function printExposure(env: CommandEnv, exposure: Exposure): void {
  if (exposure.values.length === 0) {
    env.io.stdout.write(`${printable(exposure.member)} could read no encrypted value.\n`);
    return;
  }
  env.io.stdout.write(`${exposure.member} could read these values; change each at its source, then set it again:\n`);
  const byFile = new Map<string, string[]>();
  for (const v of exposure.values) byFile.set(v.file, [...(byFile.get(v.file) ?? []), v.key]);
  for (const [file, keys] of byFile) env.io.stdout.write(`  ${printable(`${file}: ${keys.join(', ')}`)}\n`);
  env.io.stdout.write('envseal status lists the ones not changed yet.\n');
}
