/**
 * How errors look on stderr: `envseal: <what happened> (<file>[:line])`, optional detail
 * lines, then a hint line. An error envseal did not expect is shown by kind and place only:
 * its message could hold anything, and a secret must never reach a terminal or a CI log.
 */
import { EnvsealError, ExitCode } from '../errors.js';
import type { BatchOutcome } from '../ops/batch.js';
import { count, printable } from '../text.js';
import { displayPath } from '../paths.js';

export function renderError(err: unknown, cwd: string, debug: boolean): string {
  if (err instanceof EnvsealError) {
    const where = err.file === undefined ? '' : displayPath(err.file, cwd) + (err.line === undefined ? '' : `:${err.line}`);
    const shown = where !== '' && !err.message.includes(where) ? ` (${where})` : '';
    let out = `envseal: ${printable(err.message + shown)}\n`;
    for (const line of err.details) out += `  ${printable(line)}\n`;
    if (err.hint !== undefined) out += `hint: ${printable(err.hint)}\n`;
    return out;
  }
  const kind = err instanceof Error ? err.name : typeof err;
  const place = err instanceof Error ? firstFrame(err.stack) : '';
  let out = `envseal: internal error (${kind}${place === '' ? '' : ` at ${place}`})\n`;
  if (debug && err instanceof Error) out += `${err.stack ?? err.message}\n`;
  out += 'hint: this is a bug in envseal; please report it with the command you ran (ENVSEAL_DEBUG=1 shows more, and may show secret values)\n';
  return out;
}

function firstFrame(stack: string | undefined): string {
  const line = stack?.split('\n').find((l) => l.trim().startsWith('at '));
  const m = line === undefined ? null : /\(?([^()\s]+:\d+):\d+\)?$/.exec(line.trim());
  return m?.[1]?.replace(/^.*\/(src|dist)\//, '$1/') ?? '';
}

/**
 * What a batch (team, updatekeys, rotate) could not do, each failure rendered like any other
 * error, and the exit code of the batch: 4 when files could not be opened, else the first
 * failure's code.
 */
export function renderBatch(outcome: BatchOutcome, cwd: string): { text: string; exitCode: number } {
  let text = '';
  for (const { file, error } of outcome.failed) text += renderError(error.file === undefined ? error.withFile(file) : error, cwd, false);
  if (outcome.failed.length > 0) {
    text += 'hint: each file is either as it was or completely updated; fix the problem and run the same command again to finish\n';
  }
  if (outcome.unopened.length > 0) {
    text += `envseal: you cannot open ${count(outcome.unopened.length, 'file')}; they were left as they are:\n`;
    for (const file of outcome.unopened) text += `  ${printable(file)}\n`;
    text += 'hint: someone who can open them can run `envseal updatekeys` (or `envseal rotate`) on them\n';
    return { text, exitCode: ExitCode.noIdentity };
  }
  return { text, exitCode: outcome.failed[0]?.error.exitCode ?? ExitCode.ok };
}
