/**
 * `envseal status [FILE...]`: per file, its format, recipients (by name), whether you can
 * decrypt it, when it last changed, and its rotation debt (values a removed member could
 * read that have not changed since). `--json`.
 */
import type { CommandModule } from 'yargs';
import { unwrapDataKey } from '../../crypto/data-key.js';
import { allAgeKeys, otherKeyDescriptions } from '../../metadata/model.js';
import { metadataOf } from '../../ops/open.js';
import { discoverIdentities } from '../../ops/identities.js';
import { outstandingDebt, readExposures } from '../../ops/exposures.js';
import { loadTeam, relativeTo, sopsFiles } from '../../ops/team.js';
import { ctxFor, type CommandEnv } from './env.js';
import { jsonOption } from './options.js';

interface StatusArgs {
  files: string[] | undefined;
  json: boolean;
  config: string | undefined;
}

export function statusCommand(env: CommandEnv): CommandModule<object, StatusArgs> {
  return {
    command: 'status [files..]',
    describe: 'recipients, access and rotation debt of encrypted files',
    builder: (y) => y.positional('files', { type: 'string', array: true }).option('json', jsonOption).example('$0 status', 'every encrypted file') as never,
    handler: async (args) => {
      const ctx = ctxFor(env, args.config);
      const team = await loadTeam(ctx);
      const { files, problems } = await sopsFiles(ctx, team, args.files ?? []);
      const identities = (await discoverIdentities(ctx)).identities;
      const debt = await outstandingDebt(ctx, team.root, await readExposures(ctx, team.root));
      const rows = await Promise.all(
        files.map(async (file) => {
          const meta = metadataOf(file);
          const path = relativeTo(team, file.abs);
          const canDecrypt = (await unwrapDataKey(meta, identities)).ok;
          return {
            file: path,
            format: file.format.name,
            recipients: allAgeKeys(meta).map((k) => ({ recipient: k.recipient, name: team.nameOf(k.recipient) ?? null })),
            otherKeys: otherKeyDescriptions(meta),
            canDecrypt,
            lastModified: meta.lastModified,
            debt: debt.filter((d) => d.file === path).map(({ key, member, removed }) => ({ key, member, removed })),
          };
        }),
      );
      if (args.json) {
        env.io.stdout.write(`${JSON.stringify({ files: rows, problems: problems.map((p) => p.message) }, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) env.io.stdout.write('no encrypted file found\n');
      for (const row of rows) {
        const names = row.recipients.map((r) => r.name ?? `${r.recipient.slice(0, 16)}… (not in the roster)`);
        env.io.stdout.write(`${row.file} (${row.format})\n`);
        env.io.stdout.write(`  recipients: ${[...names, ...row.otherKeys].join(', ')}\n`);
        env.io.stdout.write(`  you can decrypt it: ${row.canDecrypt ? 'yes' : 'no'}\n`);
        env.io.stdout.write(`  last modified: ${row.lastModified}\n`);
        if (row.debt.length > 0) {
          env.io.stdout.write(`  rotation debt: ${row.debt.map((d) => `${d.key} (${d.member} could read it)`).join(', ')}\n`);
        }
      }
      for (const p of problems) env.io.stderr.write(`envseal: ${p.message}\n`);
    },
  };
}
