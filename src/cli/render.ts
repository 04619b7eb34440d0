/**
 * How errors look on stderr: `envseal: <what happened> (<file>[:line])`, optional detail
 * lines, then a hint line. An error envseal did not expect is shown by kind and place only:
 * its message could hold anything, and a secret must never reach a terminal or a CI log.
 */
import { EnvsealError } from '../errors.js';
import { displayPath } from '../text.js';

export function renderError(err: unknown, cwd: string, debug: boolean): string {
  if (err instanceof EnvsealError) {
    const where = err.file === undefined ? '' : displayPath(err.file, cwd) + (err.line === undefined ? '' : `:${err.line}`);
    const shown = where !== '' && !err.message.includes(where) ? ` (${where})` : '';
    let out = `envseal: ${err.message}${shown}\n`;
    for (const line of err.details) out += `  ${line}\n`;
    if (err.hint !== undefined) out += `hint: ${err.hint}\n`;
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
