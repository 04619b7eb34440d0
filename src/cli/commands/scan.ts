/**
 * `envseal scan [PATH...] [--staged | --history [--since REV]] [--format text|json|sarif]
 * [--output FILE] [--baseline FILE] [--update-baseline]`: exit 0 when clean, 8 with findings
 * (ops/scan.ts). The report goes to stdout (or `--output`), the summary and notes to stderr.
 */
import { ExitCode, IoError, UsageError } from '../../errors.js';
import { renderBaseline, updatedBaseline } from '../../ops/baseline.js';
import { scan, type ScanMode } from '../../ops/scan.js';
import { resolveFromCwd } from '../../paths.js';
import { count } from '../../text.js';
import { defineCommand } from './define.js';
import { ctxFor, say, type CommandEnv } from './env.js';
import { SCAN_OPTIONS, SCAN_POSITIONALS, type ScanArgs } from './scan-options.js';
import { jsonReport, sarifReport, summaryLines, textReport } from './scan-report.js';

export const scanCommand = defineCommand({
  command: 'scan [paths..]',
  describe: 'find secrets about to be committed: plaintext files, damaged files, your secret values, tokens',
  positionals: SCAN_POSITIONALS,
  options: SCAN_OPTIONS,
  configure: (y) => y.conflicts('staged', 'history'),
  examples: [
    ['$0 scan', 'every file git would commit'],
    ['$0 scan --staged', 'what the next commit holds (the pre-commit hook runs this)'],
    ['$0 scan --history --since v1.0', 'every line committed since v1.0, also against past values of secrets'],
    ['$0 scan --format sarif -o envseal.sarif', 'a report for GitHub code scanning'],
  ],
  handler: scanHandler,
});

/** The command, from yargs or from the fast path (main.ts). */
export async function scanHandler(env: CommandEnv, args: ScanArgs): Promise<void> {
  if (args.since !== undefined && args.history !== true) throw new UsageError('--since goes with --history');
  const ctx = ctxFor(env, args.config);
  if (args.baseline !== undefined && !args.updateBaseline && (await env.io.fs.stat(resolveFromCwd(ctx, args.baseline))) === null) {
    throw new IoError('no such baseline file', { file: resolveFromCwd(ctx, args.baseline), hint: 'write one with envseal scan --update-baseline --baseline FILE' });
  }
  const mode: ScanMode = args.staged === true ? 'staged' : args.history === true ? 'history' : 'tree';
  const result = await scan(ctx, { mode, paths: args.paths ?? [], since: args.since, baseline: args.baseline });
  if (args.updateBaseline) {
    const entries = updatedBaseline(result.baseline.entries ?? [], [...result.findings, ...result.baselined], result.inScope);
    await env.io.fs.writeFileAtomic(result.baseline.path, renderBaseline(entries), { mode: 0o644 });
    say(env, `envseal: the baseline accepts ${count(entries.length, 'finding')} (${result.findings.length} new): ${result.baseline.path}`);
    say(env, '  commit it; it holds no value (fingerprints only)');
    return;
  }
  const report = args.format === 'json' ? jsonReport(result) : args.format === 'sarif' ? sarifReport(result) : textReport(result);
  if (args.output !== undefined) await env.io.fs.writeFileAtomic(resolveFromCwd(ctx, args.output), report, { mode: 0o644 });
  else env.io.stdout.write(report);
  for (const line of summaryLines(result)) say(env, line);
  if (result.findings.length > 0) env.exitCode = ExitCode.findings;
}
