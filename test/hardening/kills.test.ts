/**
 * Killed and interrupted processes (issue 7). The built CLI runs for real, with a test-only
 * preload (helpers/signal-at.mjs) that stops it at the n-th filesystem call of a kind, for
 * every call a write makes: with SIGKILL (nothing can clean up) and with SIGINT (Ctrl-C).
 *  - Every file is its old bytes or a complete new version that decrypts.
 *  - After SIGINT: no temporary file, no lock, no plaintext folder is left.
 *  - After SIGKILL: the next run takes over the dead writer's lock, removes its temporary
 *    file (and edit's plaintext folder), and finishes the job.
 * Then kill -9 at random moments of `set`, many times.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO } from '../helpers/paths.js';
import { CANARY, copyProject, leftovers, pristineProject, runAs, snapshot, type Project } from '../helpers/project.js';
import { tempDir } from '../helpers/cli.js';

const PRELOAD = join(REPO, 'test', 'helpers', 'signal-at.mjs');
const EDITOR = `${process.execPath} ${join(REPO, 'test', 'helpers', 'fake-editor.mjs')}`;
/** The calls a write is made of (reads are left out: a kill before writing leaves nothing to check). */
const WRITE_OPS = ['openSync', 'writeSync', 'closeSync', 'write', 'fchmod', 'fsync', 'rename', 'rm', 'rmSync', 'open', 'mkdtemp', 'link'];

const MAX_POINTS = 40;

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

function spawnEnvseal(p: Project, argv: string[], extraEnv: Record<string, string>, killAfterMs?: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', PRELOAD, BIN, ...argv], {
      cwd: p.dir,
      env: { PATH: process.env['PATH'] ?? '', HOME: join(p.dir, '.home'), SOPS_AGE_KEY_FILE: p.alice.file, EDITOR, FAKE_EDITOR_VALUE: `${CANARY}-edited`, ...extraEnv },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

interface Scenario {
  readonly name: string;
  readonly argv: (p: Project) => string[];
  /** The command to finish the job with, when not the same one. */
  readonly again?: (p: Project) => string[];
}

const SCENARIOS: Scenario[] = [
  { name: 'set', argv: () => ['set', 'NEW_KEY', `${CANARY}-set`, '-f', 'app/.env'] },
  { name: 'encrypt', argv: () => ['encrypt', 'app/new.env'] },
  { name: 'edit', argv: () => ['edit', 'ops/settings.json'] },
  // Once the roster no longer lists bob, `team rm bob` says so (exit 3); by recipient it
  // finishes whatever is left.
  { name: 'team rm', argv: () => ['team', 'rm', 'bob'], again: (p) => ['team', 'rm', p.bob.recipient] },
];

/** Each data file is as it was, or a complete new version that decrypts. */
async function expectWhole(trial: Project, before: Map<string, Buffer>, where: string): Promise<void> {
  for (const [file, bytes] of snapshot(trial.dir)) {
    if (before.get(file)?.equals(bytes) === true || !/^(app|ops)\/.*\.(env|yaml|json)$/.test(file)) continue;
    const opened = await runAs(trial, trial.alice, ['decrypt', file]);
    expect(opened.code, `${where}: ${file} is neither old nor a whole new version\n${opened.stderr}`).toBe(0);
  }
}

let pristine: Project;
const tally = { sigkill: 0, sigint: 0, random: 0 };

beforeAll(async () => {
  pristine = await pristineProject();
}, 60_000);

describe.each(SCENARIOS)('stopping $name at every write step', (scenario) => {
  let counts: Record<string, number>;

  beforeAll(async () => {
    const probe = copyProject(pristine);
    const countFile = join(tempDir(), 'counts.json');
    const r = await spawnEnvseal(probe, scenario.argv(probe), { ENVSEAL_TEST_COUNT_TO: countFile });
    expect(r.code, r.stderr).toBe(0);
    counts = JSON.parse(readFileSync(countFile, 'utf8')) as Record<string, number>;
  }, 60_000);

  it.each(['SIGKILL', 'SIGINT'] as const)('with %s', async (signal) => {
    const all = WRITE_OPS.flatMap((op) => Array.from({ length: counts[op] ?? 0 }, (_, i) => `${op}:${i + 1}`));
    expect(all.length).toBeGreaterThan(4);
    // At most MAX_POINTS, spread evenly over the run (the CI budget), always the first and last.
    const step = Math.max(1, (all.length - 1) / (MAX_POINTS - 1));
    const points = [...new Set(Array.from({ length: Math.min(all.length, MAX_POINTS) }, (_, i) => all[Math.round(i * step)] as string))];
    await pool(points, 2, async (point) => {
      const where = `${scenario.name}, ${signal} at ${point}`;
      const trial = copyProject(pristine);
      const before = snapshot(trial.dir);
      const folders = join(tempDir(), 'folders.txt');
      writeFileSync(folders, '');
      const r = await spawnEnvseal(trial, scenario.argv(trial), { ENVSEAL_TEST_SIGNAL_AT: `${point}:${signal}`, ENVSEAL_TEST_FOLDERS_TO: folders });
      tally[signal === 'SIGKILL' ? 'sigkill' : 'sigint'] += 1;
      expect(r.stderr, where).not.toContain(CANARY);
      await expectWhole(trial, before, where);
      const made = readFileSync(folders, 'utf8').split('\n').filter(Boolean);
      if (signal === 'SIGINT') {
        expect(leftovers(trial.dir), `${where} code=${r.code} signal=${r.signal} ${r.stderr} ${leftovers(trial.dir).map((f) => readFileSync(join(trial.dir, f), "utf8")).join("|")}`).toEqual([]);
        for (const f of made) expect(existsSync(f), `${where}: ${f} left behind`).toBe(false);
      }
      // Whatever happened, the next run finishes the job. (It may have nothing left to write.)
      const again = await spawnEnvseal(trial, (scenario.again ?? scenario.argv)(trial), {});
      expect(again.code, `${where}: the next run\n${again.stderr}`).toBe(0);
      // The next write of a file a dead writer left a lock on takes the lock over and removes
      // the writer's temporary file; the next private folder removes the dead one's.
      for (const left of leftovers(trial.dir)) {
        const file = join(dirname(left), basename(left).replace(/^\.(.*)\.envseal-(lock|\d+-[0-9a-f]+\.tmp)$/, '$1'));
        if (!/^(app|ops)\//.test(file)) {
          // .sops.yaml or the exposure list: the next command that writes it takes the lock
          // over (file-lock.test.ts); here it must be recognisably a dead process's lock.
          expect(left, where).toMatch(/envseal-lock$/);
          const pid = Number(readFileSync(join(trial.dir, left), 'utf8').split(' ')[0]);
          expect(() => process.kill(pid, 0), `${where}: ${left} belongs to a live process`).toThrow();
          rmSync(join(trial.dir, left));
          continue;
        }
        const tidy = await spawnEnvseal(trial, ['set', 'TIDY', 'x', '-f', file], {});
        expect(tidy.code, `${where}: writing ${file} after a dead writer\n${tidy.stderr}`).toBe(0);
      }
      expect(leftovers(trial.dir), `${where}: after the next writes`).toEqual([]);
      if (made.length > 0) await spawnEnvseal(trial, ['edit', 'ops/settings.json'], {});
      for (const f of made) expect(existsSync(f), `${where}: ${f} still there after the next edit`).toBe(false);
    });
  }, 600_000);
});

describe('kill -9 at random moments', () => {
  it('set: the file is always the old or the new version, and always decrypts', async () => {
    const trials = Array.from({ length: 40 }, (_, i) => i);
    await pool(trials, 2, async (i) => {
      const trial = copyProject(pristine);
      const before = snapshot(trial.dir);
      const delay = 60 + Math.random() * 200;
      await spawnEnvseal(trial, ['set', `KEY_${i}`, `${CANARY}-${i}`, '-f', 'app/.env'], {}, delay);
      tally.random += 1;
      await expectWhole(trial, before, `random kill after ${delay.toFixed(0)} ms`);
      const get = await runAs(trial, trial.alice, ['get', 'API_KEY', '-f', 'app/.env']);
      expect(get.stdout).toBe(`${CANARY}-api-key\n`);
    });
  }, 300_000);

  it('counts', () => {
    console.info(`kills: ${tally.sigkill} SIGKILL and ${tally.sigint} SIGINT at write steps, ${tally.random} kill -9 at random moments`);
    expect(tally.sigkill + tally.sigint + tally.random).toBeGreaterThan(100);
  });
});

async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++] as T);
  }));
}
