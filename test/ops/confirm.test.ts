/** Changes that need a person's yes (src/ops/confirm.ts). */
import { describe, expect, it } from 'vitest';
import { makeCtx } from '../../src/ops/context.js';
import { confirm, type Question } from '../../src/ops/confirm.js';
import { tempDir, testIo } from '../helpers/cli.js';

const QUESTION: Question = { summary: 'a.env would be readable by 1 recipient outside the roster', lines: ['age1x\u001b[2J (not in the roster)'] };

function asking(options: { terminal: boolean; answer?: string | null }) {
  const asked: string[] = [];
  const { io, err } = testIo({ cwd: tempDir(), stdin: options.terminal ? undefined : '', prompt: (q) => (asked.push(q), options.answer ?? null) });
  return { ctx: makeCtx(io), asked, err };
}

describe('confirm', () => {
  it('nothing to ask, or --yes: goes ahead without asking', async () => {
    const { ctx, asked } = asking({ terminal: true });
    await confirm(ctx, [{ summary: 'nothing', lines: [] }], false);
    await confirm(ctx, [QUESTION], true);
    expect(asked).toEqual([]);
  });

  it('without a terminal: exit 3 listing the change, nothing asked', async () => {
    const { ctx, asked } = asking({ terminal: false });
    await expect(confirm(ctx, [QUESTION, { summary: 'other', lines: [] }], false)).rejects.toMatchObject({
      exitCode: 3,
      code: 'CONFIRMATION',
      message: `this needs your confirmation: ${QUESTION.summary}; nothing was written`,
      details: [`${QUESTION.summary}:`, `  ${QUESTION.lines[0]}`],
    });
    expect(asked).toEqual([]);
  });

  it('on a terminal: shows the change (escaped) and goes ahead only on yes', async () => {
    const answers: Array<[string | null, boolean]> = [['y', true], [' YES ', true], ['n', false], ['yess', false], ['', false], [null, false]];
    for (const [answer, yes] of answers) {
      const { ctx, asked, err } = asking({ terminal: true, answer });
      const result = confirm(ctx, [QUESTION], false);
      if (yes) await expect(result).resolves.toBeUndefined();
      else await expect(result).rejects.toMatchObject({ exitCode: 3, message: 'not confirmed; nothing was written' });
      expect(asked).toEqual(['Go ahead? [y/N] ']);
      expect(err()).toBe(`envseal: ${QUESTION.summary}:\nenvseal:   age1x\\u001b[2J (not in the roster)\n`);
    }
  });
});
