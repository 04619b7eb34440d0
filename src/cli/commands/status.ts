/**
 * `envseal status [FILE...]`: per file, its format, recipients (by name), whether you can
 * decrypt it, when it last changed, and its rotation debt (values a removed member could
 * read that have not changed since). `--json`.
 */
import { statusRows } from '../../ops/status.js';
import { renderError } from '../render.js';
import { printable } from '../../text.js';
import { defineCommand } from './define.js';
import { ctxFor } from './env.js';
import { filesPositional, jsonOption } from './options.js';

export const statusCommand = defineCommand({
  command: 'status [files..]',
  describe: 'recipients, access and rotation debt of encrypted files',
  positionals: { files: filesPositional },
  options: { json: jsonOption },
  examples: [['$0 status', 'every encrypted file']],
  async handler(env, args) {
    const { rows, problems, ignored } = await statusRows(ctxFor(env, args.config), args.files ?? []);
    const out = (line: string): void => env.io.stdout.write(`${printable(line)}\n`);
    if (args.json) {
      env.io.stdout.write(`${JSON.stringify({ files: rows, ignored, problems: problems.map((p) => p.message) }, null, 2)}\n`);
      return;
    }
    if (rows.length === 0) out('no encrypted file found');
    for (const row of rows) {
      const names = row.recipients.map((r) => r.name ?? `${r.recipient.slice(0, 16)}… (not in the roster)`);
      out(`${row.file} (${row.format})`);
      out(`  recipients: ${[...names, ...row.otherKeys].join(', ')}`);
      out(`  you can decrypt it: ${row.canDecrypt ? 'yes' : 'no'}`);
      out(`  last modified: ${row.lastModified}`);
      for (const problem of row.labelProblems) out(`  warning: ${problem}`);
      if (row.debt.length > 0) out(`  rotation debt: ${row.debt.map((d) => `${d.key} (${d.member} could read it${d.unsure === null ? '' : '; maybe changed since'})`).join(', ')}`);
      for (const why of new Set(row.debt.flatMap((d) => (d.unsure === null ? [] : [d.unsure])))) out(`    envseal cannot tell whether some changed: ${why}`);
    }
    if (ignored.length > 0) out(`(git ignores ${ignored.join(', ')}; listed because a rule covers ${ignored.length === 1 ? 'it' : 'them'})`);
    for (const p of problems) env.io.stderr.write(renderError(p, env.io.cwd, false));
  },
});
