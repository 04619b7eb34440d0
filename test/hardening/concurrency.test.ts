/**
 * Concurrent writers (issues 7 and 10): several real `envseal set` processes on one file at
 * once, and `team add` racing `set`. Writers take turns on the file's lock: every one
 * succeeds and every change is in the final file (no lost update, no refusal).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/paths.js';
import { CANARY, copyProject, leftovers, pristineProject, runAs, type Project } from '../helpers/project.js';

interface Outcome {
  readonly code: number | null;
  readonly stderr: string;
}

function envseal(p: Project, argv: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      cwd: p.dir,
      env: { PATH: process.env['PATH'] ?? '', HOME: join(p.dir, '.home'), SOPS_AGE_KEY_FILE: p.alice.file },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

let pristine: Project;
const tally = { rounds: 0, writers: 0, succeeded: 0 };

beforeAll(async () => {
  pristine = await pristineProject();
}, 60_000);

afterAll(() => {
  // Each test checks its own writers were all checked; this line is for the README's counts.
  console.info(`concurrency: ${tally.rounds} rounds, ${tally.writers} writers, ${tally.succeeded} succeeded`);
});

describe('concurrent writers', () => {
  it('six `set` at once on one file, ten times: all six succeed and all six values are in the file', async () => {
    let checked = 0;
    for (let round = 0; round < 10; round++) {
      const trial = copyProject(pristine);
      const writers = Array.from({ length: 6 }, (_, i) => ({ key: `RACE_${i}`, value: `${CANARY}-r${round}-w${i}` }));
      const outcomes = await Promise.all(writers.map((w) => envseal(trial, ['set', w.key, w.value, '-f', 'app/.env'])));
      tally.rounds += 1;
      for (const [i, outcome] of outcomes.entries()) {
        const w = writers[i] as (typeof writers)[number];
        tally.writers += 1;
        const got = await runAs(trial, trial.alice, ['get', w.key, '-f', 'app/.env']);
        expect(outcome.code, `round ${round}: ${w.key}: ${outcome.stderr}`).toBe(0);
        tally.succeeded += 1;
        expect(got.stdout, `round ${round}: ${w.key} reported success`).toBe(`${w.value}\n`);
        expect(outcome.stderr).not.toContain(CANARY);
        checked += 1;
      }
      expect(leftovers(trial.dir)).toEqual([]);
      expect((await runAs(trial, trial.alice, ['get', 'API_KEY', '-f', 'app/.env'])).stdout).toBe(`${CANARY}-api-key\n`);
    }
    expect(checked).toBe(60);
  }, 120_000);

  it('`team add` racing `set`: all three succeed and every change survives', async () => {
    let checked = 0;
    for (let round = 0; round < 6; round++) {
      const trial = copyProject(pristine);
      const [add, ...sets] = await Promise.all([
        envseal(trial, ['team', 'add', 'carol', trial.carol.recipient]),
        envseal(trial, ['set', 'DURING_ADD', `${CANARY}-a${round}`, '-f', 'app/.env']),
        envseal(trial, ['set', 'db.password', `${CANARY}-b${round}`, '-f', 'app/config.yaml']),
      ]);
      tally.rounds += 1;
      tally.writers += 3;
      const asCarol = (argv: string[]) => runAs(trial, trial.carol, argv);
      expect(add?.code, add?.stderr).toBe(0);
      tally.succeeded += 1;
      for (const file of ['app/.env', 'app/config.yaml', 'ops/settings.json']) {
        expect((await asCarol(['decrypt', file])).code, `round ${round}: carol cannot read ${file}`).toBe(0);
      }
      checked += 1;
      const checks = [
        { outcome: sets[0], argv: ['get', 'DURING_ADD', '-f', 'app/.env'], value: `${CANARY}-a${round}` },
        { outcome: sets[1], argv: ['get', 'db.password', '-f', 'app/config.yaml'], value: `${CANARY}-b${round}` },
      ];
      for (const c of checks) {
        const got = await runAs(trial, trial.alice, c.argv);
        expect(c.outcome?.code, c.outcome?.stderr).toBe(0);
        tally.succeeded += 1;
        expect(got.stdout).toBe(`${c.value}\n`);
        checked += 1;
      }
      expect(leftovers(trial.dir)).toEqual([]);
    }
    expect(checked).toBe(18);
  }, 120_000);
});
