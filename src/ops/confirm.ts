/**
 * Changes that need a person's yes (README "Team"): wrapping a data key for a recipient
 * outside the roster, removing a recipient nobody named. On a terminal the change is shown and
 * asked about; otherwise `--yes` is needed, and without it the command stops (exit 3) listing
 * the change, before anything is written.
 */
import { ConfigError } from '../errors.js';
import { printable } from '../text.js';
import type { Ctx } from './context.js';

export interface Question {
  /** One line saying what would happen ("wrap data keys for 1 recipient outside the roster"). */
  readonly summary: string;
  /** The change, one line each, by name where there is one. */
  readonly lines: readonly string[];
}

/** Returns when the change may go ahead; throws a ConfigError (exit 3) when it may not. */
export async function confirm(ctx: Ctx, questions: readonly Question[], yes: boolean): Promise<void> {
  const asked = questions.filter((q) => q.lines.length > 0);
  if (asked.length === 0 || yes) return;
  const details = asked.flatMap((q) => [`${q.summary}:`, ...q.lines.map((line) => `  ${line}`)]);
  if (!ctx.io.stdin.isTTY) {
    throw new ConfigError(`this needs your confirmation: ${asked.map((q) => q.summary).join('; ')}; nothing was written`, {
      details,
      hint: 'check the change above, then run the command again with --yes (on a terminal you are asked instead)',
    }, 'CONFIRMATION');
  }
  for (const line of details) ctx.io.stderr.write(`envseal: ${printable(line)}\n`);
  const answer = await ctx.io.prompt('Go ahead? [y/N] ');
  if (answer === null || !/^\s*y(es)?\s*$/i.test(answer)) {
    throw new ConfigError('not confirmed; nothing was written', { hint: 'run the command again when the change is what you want' }, 'CONFIRMATION');
  }
}
