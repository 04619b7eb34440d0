/**
 * Killed and interrupted processes (issue 7). The built CLI runs for real, with a test-only
 * preload (helpers/signal-at.mjs) that stops it at the n-th filesystem call of a kind, for
 * every call a write makes: with SIGKILL (nothing can clean up) and with SIGINT (Ctrl-C).
 *  - Every file is its old bytes or a complete new version that decrypts.
 *  - After SIGINT: no temporary file, no lock, no plaintext folder is left.
 *  - After SIGKILL: the next run takes over the dead writer's lock, removes its temporary
 *    file (and edit's plaintext folder), and finishes the job.
 * Then kill -9 at random moments inside the write of `set`, many times: the moments come from a
 * seed printed with the counts (ENVSEAL_TEST_SEED=n replays them).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO } from '../helpers/paths.js';
import { CANARY, copyProject, leftovers, pristineProject, runAs, snapshot, type Project } from '../helpers/project.js';
import { tempDir } from '../helpers/cli.js';

const PRELOAD = join(REPO, 'test', 'helpers', 'signal-at.mjs');
const EDITOR = `${process.execPath} ${join(REPO, 'test', 'helpers', 'fake-editor.mjs')}`;
/** The calls a write is made of (reads are left out: a kill before writing leaves nothing to check; signal-at.mjs has the same list). */
const WRITE_OPS = ['openSync', 'writeSync', 'closeSync', 'write', 'fchmod', 'fsync', 'rename', 'rm', 'rmSync', 'open', 'mkdtemp', 'link'];

const MAX_POINTS = 40;

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** When to SIGKILL the process: this many ms after it starts writing (it prints a line then). */
interface KillDuringWrite {
  readonly afterMs: number;
  readonly writeDelayMs: number;
}

const WRITING = 'signal-at: writing\n';

function spawnEnvseal(p: Project, argv: string[], extraEnv: Record<string, string>, kill?: KillDuringWrite): Promise<Outcome> {
  return new Promise((resolve) => {
    const slow: Record<string, string> = kill === undefined ? {} : { ENVSEAL_TEST_WRITE_DELAY_MS: String(kill.writeDelayMs) };
    const child = spawn(process.execPath, ['--import', PRELOAD, BIN, ...argv], {
      cwd: p.dir,
      env: { PATH: process.env['PATH'] ?? '', HOME: join(p.dir, '.home'), SOPS_AGE_KEY_FILE: p.alice.file, EDITOR, FAKE_EDITOR_VALUE: `${CANARY}-edited`, ...slow, ...extraEnv },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (kill !== undefined && timer === undefined && stderr.includes(WRITING)) timer = setTimeout(() => child.kill('SIGKILL'), kill.afterMs);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr: stderr.replace(WRITING, '') });
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
const tally = { sigkill: 0, sigint: 0, random: 0, randomOld: 0, randomNew: 0 };
/** The seed of the random kill moments; ENVSEAL_TEST_SEED replays a run. */
const SEED = Number(process.env['ENVSEAL_TEST_SEED'] ?? Date.now() % 2 ** 31);

beforeAll(async () => {
  pristine = await pristineProject();
}, 60_000);

afterAll(() => {
  // Each test checks its own trials ran; this line is for the README's counts.
  console.info(
    `kills: ${tally.sigkill} SIGKILL and ${tally.sigint} SIGINT at write steps, ${tally.random} kill -9 at random moments of a write ` +
      `(${tally.randomOld} left the old version, ${tally.randomNew} the new; seed ${SEED}, replay with ENVSEAL_TEST_SEED=${SEED})`,
  );
});

/** The calls `argv` makes of each of WRITE_OPS, split at its first call that writes (signal-at.mjs). */
interface CallPlan {
  /** `op:n` for every call from the first one that writes on. */
  readonly writing: string[];
  /** `op:n` for every call before it (start-up, loading modules, reading). */
  readonly before: string[];
}

async function callsOf(argv: (p: Project) => string[]): Promise<CallPlan> {
  const probe = copyProject(pristine);
  const countFile = join(tempDir(), 'counts.json');
  const r = await spawnEnvseal(probe, argv(probe), { ENVSEAL_TEST_COUNT_TO: countFile });
  expect(r.code, r.stderr).toBe(0);
  const { counts, writeStartedAt } = JSON.parse(readFileSync(countFile, 'utf8')) as Record<'counts' | 'writeStartedAt', Record<string, number>>;
  const calls = (op: string, from: number, to: number): string[] => Array.from({ length: Math.max(0, to - from) }, (_, i) => `${op}:${from + i + 1}`);
  return {
    writing: WRITE_OPS.flatMap((op) => calls(op, writeStartedAt[op] ?? 0, counts[op] ?? 0)),
    before: WRITE_OPS.flatMap((op) => calls(op, 0, writeStartedAt[op] ?? 0)),
  };
}

/** At most `n` of `items`, spread evenly, always the first and last. */
function spread<T>(items: readonly T[], n: number): T[] {
  if (n <= 0 || items.length === 0) return [];
  const step = Math.max(1, (items.length - 1) / Math.max(1, n - 1));
  return [...new Set(Array.from({ length: Math.min(items.length, n) }, (_, i) => items[Math.round(i * step)] as T))];
}

describe.each(SCENARIOS)('stopping $name at every write step', (scenario) => {
  let plan: CallPlan;

  beforeAll(async () => {
    plan = await callsOf(scenario.argv);
  }, 60_000);

  it.each(['SIGKILL', 'SIGINT'] as const)('with %s', async (signal) => {
    expect(plan.writing.length).toBeGreaterThan(4);
    // MAX_POINTS in all (the CI budget): every call of the write itself, then calls before it
    // (start-up and reading, where a stop must leave everything as it was) spread evenly.
    const writing = spread(plan.writing, MAX_POINTS);
    const points = [...writing, ...spread(plan.before, MAX_POINTS - writing.length)];
    let stopped = 0;
    await pool(points, 2, async (point) => {
      const where = `${scenario.name}, ${signal} at ${point}`;
      const trial = copyProject(pristine);
      const before = snapshot(trial.dir);
      const folders = join(tempDir(), 'folders.txt');
      writeFileSync(folders, '');
      const r = await spawnEnvseal(trial, scenario.argv(trial), { ENVSEAL_TEST_SIGNAL_AT: `${point}:${signal}`, ENVSEAL_TEST_FOLDERS_TO: folders });
      tally[signal === 'SIGKILL' ? 'sigkill' : 'sigint'] += 1;
      // The signal really stopped it there (not a run that finished before the step came).
      expect(r.signal, `${where}: code=${r.code}\n${r.stderr}`).toBe(signal);
      stopped += 1;
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
    expect(stopped).toBe(points.length);
  }, 600_000);
});

describe('kill -9 at random moments', () => {
  it('inside the write of set: the process is killed mid-write, and the file is the old or the new version and decrypts', async () => {
    // Every call of the write is made to take WRITE_DELAY_MS (a slow disk), so the write spans
    // writeOps * WRITE_DELAY_MS from its first call; a kill in the first writeOps - 1 of those
    // slots lands before the last call, with one slot to spare for the timer's latency.
    const WRITE_DELAY_MS = 40;
    const TRIALS = 40;
    const writeOps = (await callsOf(() => ['set', 'PROBE', 'x', '-f', 'app/.env'])).writing.length;
    expect(writeOps).toBeGreaterThan(4);
    const span = (writeOps - 1) * WRITE_DELAY_MS;
    const moments = fc.sample(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { seed: SEED, numRuns: TRIALS }).map((f) => Math.floor(f * span));
    let killed = 0;
    await pool(moments.map((afterMs, i) => ({ afterMs, i })), 2, async ({ afterMs, i }) => {
      const where = `kill -9 ${afterMs} ms into the write (trial ${i}, ENVSEAL_TEST_SEED=${SEED})`;
      const trial = copyProject(pristine);
      const before = snapshot(trial.dir);
      const r = await spawnEnvseal(trial, ['set', `KEY_${i}`, `${CANARY}-${i}`, '-f', 'app/.env'], {}, { afterMs, writeDelayMs: WRITE_DELAY_MS });
      tally.random += 1;
      expect(r.signal, `${where}: not killed (code ${r.code})\n${r.stderr}`).toBe('SIGKILL');
      killed += 1;
      await expectWhole(trial, before, where);
      const changed = before.get('app/.env')?.equals(readFileSync(join(trial.dir, 'app', '.env'))) !== true;
      tally[changed ? 'randomNew' : 'randomOld'] += 1;
      const get = await runAs(trial, trial.alice, ['get', 'API_KEY', '-f', 'app/.env']);
      expect(get.stdout, where).toBe(`${CANARY}-api-key\n`);
      if (changed) expect((await runAs(trial, trial.alice, ['get', `KEY_${i}`, '-f', 'app/.env'])).stdout, where).toBe(`${CANARY}-${i}\n`);
    });
    expect(killed).toBe(TRIALS);
  }, 300_000);
});

async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++] as T);
  }));
}
