/**
 * `run --as-file` with real processes (the built bin/envseal.cjs; `npm run build` first):
 * the file is gone after the child exits, after the child is SIGKILLed, and after a SIGTERM
 * that envseal passes on; when envseal itself is SIGKILLed mid-run, the next run removes
 * what it left, and only that. Also the library's load({ asFile }) from the build.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdentity } from '../helpers/keys.js';
import { BIN, REPO } from '../helpers/paths.js';

let dir: string;
let runtime: string;
let baseEnv: Record<string, string>;
const node = process.execPath;
const uid = process.getuid?.() ?? -1;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'envseal-asfile-'));
  runtime = mkdtempSync(join(tmpdir(), 'envseal-runtime-')); // XDG_RUNTIME_DIR for these tests: outside the project
  const id = await makeIdentity(dir);
  baseEnv = { PATH: process.env['PATH'] ?? '', HOME: join(dir, '.home'), SOPS_AGE_KEY_FILE: id.file, XDG_RUNTIME_DIR: runtime };
  writeFileSync(join(dir, '.env'), 'TLS_KEY="-----BEGIN KEY-----\\nabc\\n-----END KEY-----\\n"\n');
  expect(spawnSync(node, [BIN, 'encrypt', '.env', '--age', id.recipient], { cwd: dir, env: baseEnv }).status).toBe(0);
}, 30_000);

afterAll(() => {
  for (const d of [dir, runtime]) rmSync(d, { recursive: true, force: true });
});

/** The per-user root the private folders go into, and what is in it. */
const root = (): string => join(runtime, `envseal-${uid}`);
const leftovers = (): string[] => (existsSync(root()) ? readdirSync(root()) : []);

/** A child that does `first`, reports its pid, the path it got and the file's content, then does `then`. */
function child(then: string, first: string): string[] {
  return ['--', node, '-e', `${first}; require('node:fs').writeFileSync(process.env.REPORT, JSON.stringify({ pid: process.pid, path: process.env.TLS_KEY, text: require('node:fs').readFileSync(process.env.TLS_KEY, 'utf8') })); ${then}`];
}

function startRun(report: string, then: string, first = ''): ReturnType<typeof spawn> {
  return spawn(node, [BIN, 'run', '--as-file', 'TLS_KEY=key.pem', ...child(then, first)], { cwd: dir, env: { ...baseEnv, REPORT: report }, stdio: 'ignore' });
}

async function reported(report: string): Promise<{ pid: number; path: string; text: string }> {
  for (let i = 0; i < 200 && !existsSync(report); i++) await new Promise((r) => setTimeout(r, 25));
  return JSON.parse(readFileSync(report, 'utf8')) as { pid: number; path: string; text: string };
}

const exited = (p: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal })));

describe.skipIf(uid < 0)('run --as-file with real processes', () => {
  it('the child reads the value from a 0600 file; the file is gone once the child exits', async () => {
    const report = join(dir, 'r1.json');
    const code = await exited(startRun(report, ''));
    expect(code.code).toBe(0);
    const seen = await reported(report);
    expect(seen.text).toBe('-----BEGIN KEY-----\nabc\n-----END KEY-----\n');
    expect(seen.path).toMatch(new RegExp(`^${root()}/envseal-run-\\d+-[^/]+/key\\.pem$`));
    expect(existsSync(seen.path)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('the file is gone after the child is SIGKILLed (exit 137)', async () => {
    const report = join(dir, 'r2.json');
    const code = await exited(startRun(report, "process.kill(process.pid, 'SIGKILL');"));
    expect(code.code).toBe(137);
    expect(existsSync((await reported(report)).path)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('SIGTERM to envseal reaches the child once; it can still read the file; then the file is gone (exit 143)', async () => {
    const report = join(dir, 'r3.json');
    const done = join(dir, 'r3.done');
    // On SIGTERM the child notes it (and the file's content), waits a moment for a second
    // one that must not come, then dies of the signal.
    const onTerm = `const fs = require('node:fs'); fs.appendFileSync(${JSON.stringify(done)}, fs.readFileSync(process.env.TLS_KEY, 'utf8') + '|'); setTimeout(() => { process.removeAllListeners('SIGTERM'); process.kill(process.pid, 'SIGTERM'); }, 300);`;
    const run = startRun(report, 'setInterval(() => {}, 1000);', `process.on('SIGTERM', () => { ${onTerm} })`);
    const seen = await reported(report);
    run.kill('SIGTERM');
    const code = await exited(run);
    expect(code.code).toBe(143);
    expect(readFileSync(done, 'utf8')).toBe(`${seen.text}|`);
    expect(existsSync(seen.path)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('after envseal is SIGKILLed mid-run, the next run removes what it left, and nothing else', async () => {
    const report = join(dir, 'r4.json');
    const run = startRun(report, 'setInterval(() => {}, 1000);');
    const seen = await reported(report);
    run.kill('SIGKILL');
    await exited(run);
    process.kill(seen.pid, 'SIGKILL'); // the orphaned child (it has its own process group without a terminal)
    expect(existsSync(seen.path)).toBe(true);
    // The folder of an envseal that is still running (this test's pid) must stay.
    const live = join(root(), `envseal-run-${process.pid}-live`);
    mkdirSync(live);
    const next = spawnSync(node, [BIN, 'run', '--', node, '-e', '0'], { cwd: dir, env: baseEnv });
    expect(next.status).toBe(0);
    expect(existsSync(seen.path)).toBe(false);
    expect(leftovers()).toEqual([`envseal-run-${process.pid}-live`]);
    rmSync(live, { recursive: true });
  });

  it('the library: load({ asFile }) gives paths, installs no signal handler, and remove() or a normal exit remove the files', () => {
    const lib = pathToFileURL(join(REPO, 'dist', 'lib', 'index.js')).href;
    const script = [
      `import { load } from ${JSON.stringify(lib)};`,
      "const a = await load({ asFile: ['TLS_KEY=key.pem'] });",
      "const text = (await import('node:fs')).readFileSync(a.values.TLS_KEY, 'utf8');",
      'await a.remove();',
      "const b = await load({ asFile: ['TLS_KEY'] });",
      "const handlers = ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s));",
      'console.log(JSON.stringify({ text, a: a.files.TLS_KEY, b: b.files.TLS_KEY, handlers }));',
    ].join('\n');
    const r = spawnSync(node, ['--input-type=module', '-e', script], { cwd: dir, env: baseEnv, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { text: string; a: string; b: string; handlers: number[] };
    expect(out.handlers).toEqual([0, 0, 0]); // the app's signal handling is its own
    expect(out.text).toBe('-----BEGIN KEY-----\nabc\n-----END KEY-----\n');
    expect(out.a.endsWith('/key.pem')).toBe(true);
    expect(out.b.endsWith('/TLS_KEY')).toBe(true);
    expect(existsSync(out.a)).toBe(false);
    expect(existsSync(out.b)).toBe(false); // removed by the exit hook: remove() was never called
    expect(leftovers()).toEqual([]);
  });
});
