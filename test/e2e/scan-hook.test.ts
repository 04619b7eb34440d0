/**
 * The pre-commit guard end to end (issue 15): the hook installed by installHook, real
 * `git commit`s running the built CLI, and `scan --history` after a secret slipped past with
 * --no-verify. Each blocked commit names file:line and, for a value, the secret's key; no
 * output holds the value.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeFs } from '../../src/io/fs.js';
import { makeCtx } from '../../src/ops/context.js';
import { hooksFolder } from '../../src/ops/git.js';
import { guardInvocation, installHook, type GuardInvocation } from '../../src/ops/precommit.js';
import { suiteDir, testIo } from '../helpers/cli.js';
import { makeIdentity, type TestIdentity } from '../helpers/keys.js';
import { BIN } from '../helpers/paths.js';

const SECRET = 'h0q-Zr9f3Kq2-vXw7Lp';
const AWS_ID = `${'AKIA'}Q7RZ2M4K6T3W5Y7B`;

let dir: string;
let me: TestIdentity;

function env(): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: join(dir, '.home'),
    SOPS_AGE_KEY_FILE: me.file,
    GIT_AUTHOR_NAME: 'Ada',
    GIT_AUTHOR_EMAIL: 'ada@example.com',
    GIT_COMMITTER_NAME: 'Ada',
    GIT_COMMITTER_EMAIL: 'ada@example.com',
  };
}

function run(command: string, args: readonly string[]): { code: number | null; out: string } {
  const r = spawnSync(command, args, { cwd: dir, env: env(), encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const gitRun = (...args: string[]) => run('git', args);
const envseal = (...args: string[]) => run(process.execPath, [BIN, ...args]);

function write(file: string, text: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
}

/** Stages `file` with `text` and commits through the hook. */
function commit(file: string, text: string, ...flags: string[]): { code: number | null; out: string } {
  write(file, text);
  expect(gitRun('add', file).code).toBe(0);
  return gitRun('commit', '-q', ...flags, '-m', `change ${file}`);
}

function expectNoSecret(out: string): void {
  expect(out).not.toContain(SECRET);
  expect(out).not.toContain(Buffer.from(SECRET).toString('base64').slice(0, 12));
  for (let i = 0; i + 6 <= SECRET.length; i++) expect(out).not.toContain(SECRET.slice(i, i + 6));
}

beforeAll(async () => {
  dir = suiteDir('envseal-hook-');
  me = await makeIdentity(suiteDir('envseal-hook-keys-'), 'me');
  expect(gitRun('init', '-q', '-b', 'main').code).toBe(0);
  mkdirSync(join(dir, 'src'), { recursive: true });
  write('.env', `API_KEY=${SECRET}\nPORT=3000\n`);
  expect(envseal('encrypt', '.env', '--age', me.recipient).code).toBe(0);
  write('.gitignore', '.home/\n');
  expect(gitRun('add', '-A').code).toBe(0);
  expect(gitRun('commit', '-q', '-m', 'encrypted secrets').code).toBe(0);
  const { io } = testIo({ cwd: dir, fs: nodeFs() });
  const hooks = await hooksFolder(makeCtx(io), join(dir, 'src'));
  expect(hooks).toBe(join(dir, '.git', 'hooks'));
  const invocation = guardInvocation([process.execPath, BIN]);
  expect(invocation).toEqual({ node: process.execPath, bin: BIN });
  const plan = await installHook(io, hooks as string, invocation as GuardInvocation);
  expect(plan.action).toBe('create');
}, 60_000);

describe('the pre-commit guard, through git commit', () => {
  it('blocks a staged plaintext .env.production', () => {
    const r = commit('.env.production', 'TOKEN=plain-production-token\n');
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('.env.production\n  1 ');
    expect(r.out).toContain('unencrypted: a dotenv file that is not encrypted');
    expect(r.out).toContain('envseal encrypt .env.production');
    expect(gitRun('reset', '-q', 'HEAD', '.env.production').code).toBe(0);
  });

  it('blocks a secret value pasted into a source file, naming file:line and the key', () => {
    const r = commit('src/config.js', `export const config = {\n  apiKey: "${SECRET}",\n};\n`);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/src\/config\.js\n {2}2:\d+ +leak: the value of API_KEY in \.env \[known-secret\]/);
    expectNoSecret(r.out);
    expect(gitRun('reset', '-q', 'HEAD', 'src/config.js').code).toBe(0);
  });

  it('blocks the same value base64-encoded', () => {
    const r = commit('src/b64.js', `const auth = "${Buffer.from(SECRET).toString('base64')}";\n`);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('src/b64.js\n  1:');
    expect(r.out).toContain('the value of API_KEY in .env, base64-encoded');
    expectNoSecret(r.out);
    expect(gitRun('reset', '-q', 'HEAD', 'src/b64.js').code).toBe(0);
  });

  it('blocks an AWS access key id', () => {
    const r = commit('deploy.sh', `export AWS_ACCESS_KEY_ID=${AWS_ID}\n`);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('deploy.sh\n  1:26');
    expect(r.out).toContain('[aws-access-key-id]');
    expect(r.out).not.toContain(AWS_ID.slice(4));
    expect(gitRun('reset', '-q', 'HEAD', 'deploy.sh').code).toBe(0);
  });

  it('lets through a line marked envseal:allow, and an ordinary change', () => {
    expect(commit('test/fixture.js', `export const key = "${SECRET}"; // envseal:allow: the test fixture\n`).code).toBe(0);
    expect(commit('src/app.js', 'export const port = Number(process.env.PORT);\n').code).toBe(0);
  });

  it('`git commit FILE` (a partial commit): what that commit holds, not the rest of the index', () => {
    write('src/staged-secret.js', `const k = "${SECRET}";\n`);
    expect(gitRun('add', 'src/staged-secret.js').code).toBe(0);
    write('src/clean.js', 'export const clean = true;\n');
    expect(gitRun('add', 'src/clean.js').code).toBe(0);
    const partial = gitRun('commit', '-q', '-m', 'only the clean file', '--', 'src/clean.js');
    expect(partial.code, partial.out).toBe(0);
    const rest = gitRun('commit', '-q', '-m', 'the rest');
    expect(rest.code).not.toBe(0);
    expect(rest.out).toContain('src/staged-secret.js');
    expect(gitRun('reset', '-q', 'HEAD', 'src/staged-secret.js').code).toBe(0);
  });

  it('a baseline accepts a finding, and keeps accepting it', () => {
    write('docs/aws.md', `Example credentials: ${AWS_ID}\n`);
    expect(gitRun('add', 'docs/aws.md').code).toBe(0);
    const accept = envseal('scan', '--staged', '--update-baseline');
    expect(accept.code, accept.out).toBe(0);
    expect(gitRun('add', '.envseal-baseline.json').code).toBe(0);
    const first = gitRun('commit', '-q', '-m', 'docs');
    expect(first.code, first.out).toBe(0);
    const later = commit('docs/aws.md', `# AWS\n\nSome words first.\n\nExample credentials: ${AWS_ID}\n`);
    expect(later.code, later.out).toBe(0);
    expect(readFileSync(join(dir, '.envseal-baseline.json'), 'utf8')).not.toContain(AWS_ID.slice(4));
  });

  it('scan --history finds a secret committed with --no-verify and deleted in the next commit, also after the file was rotated', () => {
    expect(commit('src/slip.js', `const k = "${SECRET}";\n`, '--no-verify').code).toBe(0);
    const slipped = run('git', ['rev-parse', 'HEAD']).out.trim();
    expect(commit('src/slip.js', 'const k = process.env.API_KEY;\n').code).toBe(0);
    expect(envseal('rotate', '.env').code).toBe(0);
    expect(gitRun('commit', '-q', '-am', 'rotate').code).toBe(0);
    const history = envseal('scan', '--history');
    expect(history.code).toBe(8);
    expect(history.out).toMatch(new RegExp(`src/slip\\.js\\n {2}1:\\d+ +leak: the value of API_KEY in \\.env \\[known-secret\\]\\n {10}in ${slipped.slice(0, 10)} `));
    expect(history.out).not.toContain('test/fixture.js'); // allowed when it was committed, and still
    expectNoSecret(history.out);
    const sarif = envseal('scan', '--history', '--format', 'sarif');
    expect(sarif.code).toBe(8);
    expectNoSecret(sarif.out);
    const doc = JSON.parse(sarif.out.slice(0, sarif.out.lastIndexOf('}') + 1)) as { version: string; runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; properties: { commit: string } }> }> };
    expect(doc.version).toBe('2.1.0');
    const results = doc.runs[0]?.results ?? [];
    expect(results.find((x) => x.ruleId === 'known-secret')?.properties.commit).toBe(slipped);
    for (const res of results) expect(doc.runs[0]?.tool.driver.rules.map((x) => x.id)).toContain(res.ruleId);
  });
});
