/**
 * `envseal team ls|add|rm` (PRODUCT.md §3): the roster in `.sops.yaml`, re-keying every file
 * the change covers in one pass, and offboarding that lists what the member could read.
 */
import type { CommandModule } from 'yargs';
import { addMemberText, newConfigText, removeMemberText, selectRules } from '../../config/edit.js';
import { MEMBER_NAME } from '../../config/roster.js';
import { ConfigError, UsageError } from '../../errors.js';
import { parseRecipient, type Recipient } from '../../keys/recipient.js';
import { allAgeKeys } from '../../metadata/model.js';
import { parseConfig } from '../../config/schema.js';
import { ruleFor } from '../../config/rules.js';
import { exposedValues, exposuresText, readExposures, withExposure, EXPOSURES_FILE, type Exposure } from '../../ops/exposures.js';
import { metadataOf } from '../../ops/open.js';
import { rotate, updateKeys, currentTarget, type KeyTarget } from '../../ops/rekey.js';
import { applyToFiles, loadTeam, refuseOtherKeys, relativeTo, reportBatch, sopsFiles, type Team } from '../../ops/team.js';
import { join, sep } from 'node:path';
import { ctxFor, say, type CommandEnv } from './env.js';
import { dropOtherKeysOption, dryRunOption, jsonOption } from './options.js';
import { count } from '../../text.js';

export function teamCommand(env: CommandEnv): CommandModule<object, object> {
  return {
    command: 'team',
    describe: 'the roster: who can read which files',
    builder: (y) =>
      y
        .command(teamLs(env) as CommandModule)
        .command(teamAdd(env) as CommandModule)
        .command(teamRm(env) as CommandModule)
        .demandCommand(1, 'name a team command: ls, add or rm'),
    handler: () => undefined,
  };
}

interface LsArgs {
  json: boolean;
  config: string | undefined;
}

function teamLs(env: CommandEnv): CommandModule<object, LsArgs> {
  return {
    command: 'ls',
    describe: 'members, their recipients, and the files each can read',
    builder: (y) => y.option('json', jsonOption).example('$0 team ls', 'list the members') as never,
    handler: async (args) => {
      const ctx = ctxFor(env, args.config);
      const team = await loadTeam(ctx);
      const { files } = await sopsFiles(ctx, team, []);
      const readers = new Map<string, string[]>();
      for (const file of files) {
        for (const key of allAgeKeys(metadataOf(file))) {
          const list = readers.get(key.recipient) ?? [];
          list.push(relativeTo(team, file.abs));
          readers.set(key.recipient, list);
        }
      }
      const members = [...team.roster.members].map(([name, recipient]) => ({ name, recipient, files: readers.get(recipient) ?? [] }));
      const strangers = [...readers].filter(([r]) => team.nameOf(r) === undefined).map(([recipient, f]) => ({ name: null, recipient, files: f }));
      if (args.json) {
        env.io.stdout.write(`${JSON.stringify({ config: relativeTo(team, team.configPath), members: [...members, ...strangers] }, null, 2)}\n`);
        return;
      }
      if (members.length === 0 && strangers.length === 0) {
        env.io.stdout.write('no members yet: envseal team add NAME RECIPIENT\n');
        return;
      }
      for (const m of [...members, ...strangers]) {
        env.io.stdout.write(`${m.name ?? '(not in the roster)'}  ${m.recipient}\n`);
        env.io.stdout.write(m.files.length === 0 ? '    reads no file yet\n' : m.files.map((f) => `    ${f}\n`).join(''));
      }
    },
  };
}

interface AddArgs {
  name: string;
  recipient: string;
  rule: string[] | undefined;
  dryRun: boolean;
  config: string | undefined;
}

function teamAdd(env: CommandEnv): CommandModule<object, AddArgs> {
  return {
    command: 'add <name> <recipient>',
    describe: 'add a member to the rules and re-wrap every file they now cover',
    builder: (y) =>
      y
        .positional('name', { type: 'string', demandOption: true })
        .positional('recipient', { type: 'string', demandOption: true, describe: 'their age recipient (envseal keygen prints it)' })
        .option('rule', { type: 'string', array: true, describe: 'only these creation rules (1-based number, or the exact path_regex)' })
        .option('dry-run', dryRunOption)
        .example('$0 team add bob age1…', 'bob can read every file the rules cover')
        .example("$0 team add bob age1… --rule '^prod/'", 'only the files of one rule') as never,
    handler: async (args) => {
      const ctx = ctxFor(env, args.config);
      if (!MEMBER_NAME.test(args.name)) throw new UsageError(`member name ${JSON.stringify(args.name)} is not valid (letters, digits, . _ @ -)`);
      const parsed = parseRecipient(args.recipient);
      if (!parsed.ok) throw new UsageError(`the recipient does not parse: ${parsed.reason}`);
      const recipient = parsed.recipient;
      const team = await loadTeam(ctx);
      const current = team.roster.members.get(args.name);
      if (current !== undefined && current !== recipient) {
        throw new ConfigError(`${args.name} is already a member, with another recipient`, { file: team.configPath, hint: `run envseal team rm ${args.name} first` });
      }
      const other = team.nameOf(recipient);
      if (other !== undefined && other !== args.name) throw new ConfigError(`that recipient belongs to ${other}`, { file: team.configPath });
      const newText =
        team.text === null
          ? newConfigText(args.name, recipient)
          : addMemberText(team.text, team.configPath, args.name, recipient, selectRules(team.text, team.configPath, args.rule ?? []));
      const newConfig = parseConfig(newText, team.configPath, ctx.warn);
      const { files } = await sopsFiles(ctx, team, []);
      const plan = files.flatMap((file) => {
        const rule = ruleFor(newConfig, file.abs, sep);
        if (rule === null || !rule.groups.some((g) => g.age.includes(recipient))) return [];
        const meta = metadataOf(file);
        if (allAgeKeys(meta).some((k) => k.recipient === recipient)) return [];
        const target = currentTarget(meta);
        const groups = target.groups.map((g, i) => (i === 0 ? [...g, recipient] : g));
        return [{ file, target: { groups, threshold: target.threshold } satisfies KeyTarget }];
      });
      say(env, `envseal: ${team.text === null ? `create ${relativeTo(team, team.configPath)} with ${args.name}` : `add ${args.name} to ${relativeTo(team, team.configPath)}`}`);
      say(env, plan.length === 0 ? '  no encrypted file to re-wrap' : `  re-wrap ${count(plan.length, 'file')} for ${args.name}:`);
      for (const p of plan) say(env, `    ${relativeTo(team, p.file.abs)}`);
      if (args.dryRun) return;
      await env.io.fs.writeFileAtomic(team.configPath, newText, { expected: team.bytes, mode: 0o644 });
      const outcome = await applyToFiles(ctx, plan, async (p) => (await updateKeys(ctx, p.file, p.target))?.text ?? null);
      say(env, `envseal: ${args.name} can now read ${count(outcome.done.length, 'file')}; values and MACs unchanged`);
      env.exitCode = reportBatch(ctx, outcome);
    },
  };
}

interface RmArgs {
  name: string;
  dryRun: boolean;
  dropOtherKeys: boolean;
  config: string | undefined;
}

function teamRm(env: CommandEnv): CommandModule<object, RmArgs> {
  return {
    command: 'rm <name>',
    describe: 'remove a member: new data keys for every file they could read, and the list of what they saw',
    builder: (y) =>
      y
        .positional('name', { type: 'string', demandOption: true, describe: 'a member name (or a recipient)' })
        .option('dry-run', dryRunOption)
        .option('drop-other-keys', dropOtherKeysOption)
        .example('$0 team rm bob', 'cut bob off and list the secrets to change') as never,
    handler: async (args) => {
      const ctx = ctxFor(env, args.config);
      const team = await loadTeam(ctx);
      const { name, recipient } = resolveMember(team, args.name);
      const { files } = await sopsFiles(ctx, team, []);
      const readable = files.filter((f) => allAgeKeys(metadataOf(f)).some((k) => k.recipient === recipient));
      const plan = readable.map((file) => {
        const target = currentTarget(metadataOf(file));
        const groups = target.groups.map((g) => g.filter((r) => r !== recipient));
        if (groups.every((g) => g.length === 0)) {
          throw new ConfigError(`${name ?? recipient} is the only recipient of ${relativeTo(team, file.abs)}`, {
            file: file.abs,
            hint: 'add someone else first (envseal team add), or delete the file',
          });
        }
        return { file, target: { groups, threshold: target.threshold } satisfies KeyTarget };
      });
      refuseOtherKeys(readable, args.dropOtherKeys);
      const exposure: Exposure = {
        member: name ?? recipient,
        recipient,
        removed: env.io.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        values: readable.flatMap((f) => exposedValues(f, team.root)),
      };
      say(env, `envseal: remove ${name ?? recipient}${team.text === null ? '' : ` from ${relativeTo(team, team.configPath)}`}`);
      say(env, plan.length === 0 ? '  they could read no encrypted file' : `  new data key for ${count(plan.length, 'file')}:`);
      for (const p of plan) say(env, `    ${relativeTo(team, p.file.abs)}`);
      if (args.dryRun) {
        printExposure(env, exposure);
        return;
      }
      // The exposure list first: if anything fails later, what they could read is on record.
      // The roster last, and only when no write failed: then `team rm NAME` can simply be run
      // again. (Files this user cannot open do not hold it back: the rules must drop the
      // member so that whoever can open them re-keys them without the member.)
      const previous = await readExposures(ctx, team.root);
      const exposuresPath = join(team.root, EXPOSURES_FILE);
      const oldExposures = (await env.io.fs.stat(exposuresPath)) === null ? null : await env.io.fs.readFile(exposuresPath);
      const updated = withExposure(previous, exposure);
      if (updated !== null) await env.io.fs.writeFileAtomic(exposuresPath, exposuresText(updated), { expected: oldExposures, mode: 0o644 });
      const outcome = await applyToFiles(ctx, plan, async (p) => (await rotate(ctx, p.file, p.target, { dropOtherKeys: args.dropOtherKeys })).text);
      if (team.text !== null && outcome.failed.length === 0) {
        await env.io.fs.writeFileAtomic(team.configPath, removeMemberText(team.text, team.configPath, name, recipient), { expected: team.bytes });
      }
      say(env, `envseal: ${name ?? recipient} removed; ${count(outcome.done.length, 'file')} re-keyed`);
      printExposure(env, exposure);
      env.exitCode = reportBatch(ctx, outcome);
    },
  };
}

function resolveMember(team: Team, nameOrRecipient: string): { name: string | undefined; recipient: Recipient } {
  const byName = team.roster.members.get(nameOrRecipient);
  if (byName !== undefined) return { name: nameOrRecipient, recipient: byName };
  const parsed = parseRecipient(nameOrRecipient);
  if (parsed.ok) return { name: team.nameOf(parsed.recipient), recipient: parsed.recipient };
  throw new ConfigError(`${nameOrRecipient} is not a member`, { file: team.configPath, hint: 'envseal team ls lists the members; a recipient (age1…) works too' });
}

/** The exposure list: file and key names, never values. */
function printExposure(env: CommandEnv, exposure: Exposure): void {
  if (exposure.values.length === 0) {
    env.io.stdout.write(`${exposure.member} could read no encrypted value.\n`);
    return;
  }
  env.io.stdout.write(`${exposure.member} could read these values; change each at its source, then set it again:\n`);
  const byFile = new Map<string, string[]>();
  for (const v of exposure.values) byFile.set(v.file, [...(byFile.get(v.file) ?? []), v.key]);
  for (const [file, keys] of byFile) env.io.stdout.write(`  ${file}: ${keys.join(', ')}\n`);
  env.io.stdout.write('envseal status lists the ones not changed yet.\n');
}

