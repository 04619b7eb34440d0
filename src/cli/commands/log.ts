/**
 * `envseal log [KEY] [-f FILE]...`: the history of secrets from git, newest first: each
 * commit (hash, date in UTC, author, subject) and, per sops file it changed, what changed:
 * `+/~/-` keys, recipients, the data key. Never a value: this is the audit trail.
 */
import { secretsLog, type LogEntry } from '../../ops/log.js';
import { printable } from '../../text.js';
import { defineCommand } from './define.js';
import { ctxFor, say } from './env.js';
import { fileChangeLines } from './file-changes.js';
import { jsonOption } from './options.js';

export const logCommand = defineCommand({
  command: 'log [key]',
  describe: 'the history of secrets from git: who changed which key, recipients, rotations',
  positionals: { key: { type: 'string', describe: 'only changes of this key (KEY, db.password or ["db"]["password"])' } },
  options: {
    file: { alias: 'f', type: 'string', array: true, nargs: 1, describe: 'only this file (repeatable; default: every file that was ever a sops file)' },
    json: jsonOption,
  },
  examples: [
    ['$0 log', 'every change to every sops file'],
    ['$0 log DATABASE_URL -f .env.production', 'when one secret changed, and who changed it'],
  ],
  async handler(env, args) {
    const entries = await secretsLog(ctxFor(env, args.config), { key: args.key, files: args.file ?? [] });
    if (args.json) {
      env.io.stdout.write(`${JSON.stringify({ commits: entries }, null, 2)}\n`);
      return;
    }
    env.io.stdout.write(entries.map((entry) => `${entryLines(entry).join('\n')}\n`).join('\n'));
    if (entries.length === 0) say(env, `envseal: no commit changed ${args.key === undefined ? 'a sops file' : args.key}`);
  },
});

function entryLines(entry: LogEntry): string[] {
  return [printable(`${entry.commit.slice(0, 7)} ${entry.date} ${entry.author} <${entry.email}>  ${entry.subject}`), ...entry.files.flatMap((f) => fileChangeLines(f, '  '))];
}
