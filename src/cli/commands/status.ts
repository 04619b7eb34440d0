/**
 * `envseal status [FILE...] [--check] [--json]`: per file, its format, recipients (by name),
 * whether you can decrypt it, when it last changed, its rotation debt; then the inventory,
 * every secret with who can read it and when it last changed (from git). `--check` holds the
 * repository to its policy and exits 8 listing every violation.
 */
import { ExitCode } from '../../errors.js';
import { policyViolations, type Violation } from '../../ops/check.js';
import { statusRows, type SecretRow } from '../../ops/status.js';
import { printable } from '../../text.js';
import { renderError } from '../render.js';
import { defineCommand } from './define.js';
import { ctxFor, say } from './env.js';
import { filesPositional, jsonOption } from './options.js';
import { shortRecipient } from '../../keys/recipient.js';

export const statusCommand = defineCommand({
  command: 'status [files..]',
  describe: 'who can read which secret, when each last changed, rotation debt; --check for CI',
  positionals: { files: filesPositional },
  options: {
    json: jsonOption,
    check: { type: 'boolean', default: false, describe: 'exit 8 listing every policy violation (open debt, max_age, expired members, strangers, plaintext)' },
  },
  examples: [
    ['$0 status', 'every encrypted file and every secret in the repository'],
    ['$0 status --check', 'in CI: fail when the repository breaks its policy'],
  ],
  async handler(env, args) {
    const ctx = ctxFor(env, args.config);
    const status = await statusRows(ctx, args.files ?? []);
    const violations = args.check ? await policyViolations(ctx, status, args.files ?? []) : [];
    if (args.json) {
      const { rows, secrets, ignored, problems, expiringSoon } = status;
      env.io.stdout.write(`${JSON.stringify({ files: rows, secrets, ignored, expiringSoon, ...(args.check ? { violations } : {}), problems: problems.map((p) => p.message) }, null, 2)}\n`);
    } else {
      printStatus((line) => env.io.stdout.write(`${printable(line)}\n`), status.rows, status.secrets, status.ignored);
      for (const p of status.problems) env.io.stderr.write(renderError(p, env.io.cwd, false));
    }
    // Warned ahead, so the renewal (or the offboarding) happens before --check starts failing.
    for (const { name, expires } of status.expiringSoon) say(env, `envseal: warning: ${name}'s access ends after ${expires} (renew: envseal team add ${name} RECIPIENT --expires DATE; or envseal team rm ${name})`);
    if (args.check) finishCheck((line) => say(env, line), violations, args.json);
    if (violations.length > 0) env.exitCode = ExitCode.findings;
  },
});

function printStatus(out: (line: string) => void, rows: Awaited<ReturnType<typeof statusRows>>['rows'], secrets: readonly SecretRow[], ignored: readonly string[]): void {
  if (rows.length === 0) out('no encrypted file found');
  for (const row of rows) {
    const names = row.recipients.map((r) => r.name ?? `${shortRecipient(r.recipient)} (not in the roster)`);
    out(`${row.file} (${row.format})`);
    out(`  recipients: ${[...names, ...row.otherKeys].join(', ')}`);
    out(`  you can decrypt it: ${row.canDecrypt ? 'yes' : 'no'}`);
    out(`  last modified: ${row.lastModified}`);
    for (const problem of row.labelProblems) out(`  warning: ${problem}`);
    if (row.debt.length > 0) out(`  rotation debt: ${row.debt.map((d) => `${d.key} (${d.member} could read it${d.unsure === null ? '' : '; maybe changed since'})`).join(', ')}`);
    for (const why of new Set(row.debt.flatMap((d) => (d.unsure === null ? [] : [d.unsure])))) out(`    envseal cannot tell whether some changed: ${why}`);
    const mine = secrets.filter((s) => s.file === row.file);
    if (mine.length > 0) {
      out('  secrets:');
      const width = Math.min(32, Math.max(...mine.map((s) => s.key.length)));
      for (const s of mine) out(`    ${s.key.padEnd(width)}  ${changedText(s)}`);
    }
  }
  if (ignored.length > 0) out(`(git ignores ${ignored.join(', ')}; listed because a rule covers ${ignored.length === 1 ? 'it' : 'them'})`);
}

function changedText(secret: SecretRow): string {
  const c = secret.lastChanged;
  if (c === null) return 'not in git';
  if (c === 'uncommitted') return 'changed, not committed';
  return `changed ${c.date} by ${c.author} (${c.commit.slice(0, 7)})${c.approximate ? ', or re-encrypted' : ''}`;
}

function finishCheck(say: (line: string) => void, violations: readonly Violation[], json: boolean): void {
  if (violations.length === 0) {
    say('envseal: check passed: no open debt, nothing past its age, no expired member, no stranger, no plaintext to encrypt');
    return;
  }
  if (json) return;
  say(`envseal: check failed: ${violations.length} ${violations.length === 1 ? 'violation' : 'violations'}`);
  for (const v of violations) say(`  ${v.kind}: ${v.message}`);
}
