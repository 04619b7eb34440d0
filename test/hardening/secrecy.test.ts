/**
 * Secrecy (issue 7): a canary secret sits in every value of the test projects, and every
 * in-process run of the whole suite fails if its stderr shows it (helpers/cli.ts). Here the
 * error paths and warnings most likely to quote input are driven on purpose, with
 * ENVSEAL_DEBUG=1 as well (envseal's most talkative mode), and the outputs of commands that
 * are not meant to print values are checked too. Files envseal writes in plaintext on
 * purpose are 0600.
 */
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { git } from '../helpers/git.js';
import { CANARY, copyProject, expectOk, pristineProject, runAs, type Project } from '../helpers/project.js';

let pristine: Project;
let checked = 0;

beforeAll(async () => {
  pristine = await pristineProject();
}, 60_000);

afterAll(() => {
  // Each test checks the number of runs it checked; this line is for the README's counts.
  console.info(`secrecy: ${checked} runs checked for the canary (besides every in-process run of the suite)`);
});

/**
 * Runs a command, normally and then with ENVSEAL_DEBUG=1 (`once`: only normally, for commands
 * that change the project); nothing may show the canary. Returns the first run's exit code.
 */
async function neverShows(p: Project, argv: string[], options: { stdout?: boolean; stdin?: string; key?: string; once?: boolean } = {}): Promise<number> {
  let code: number | undefined;
  for (const debug of options.once === true ? [undefined] : [undefined, '1']) {
    const r = await cli(argv, {
      cwd: p.dir,
      env: isolatedEnv(p.dir, { SOPS_AGE_KEY_FILE: options.key ?? p.alice.file, ENVSEAL_DEBUG: debug }),
      stdin: options.stdin,
    });
    checked += 1;
    expect(r.stderr, `${argv.join(' ')} (debug ${debug ?? 'off'})`).not.toContain(CANARY);
    if (options.stdout !== false) expect(r.stdout, `${argv.join(' ')} stdout`).not.toContain(CANARY);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    code ??= r.code;
  }
  return code ?? -1;
}

describe('the canary never shows', () => {
  it('in parse errors of files that hold secrets in clear (dotenv, YAML, JSON)', async () => {
    const p = copyProject(pristine);
    const start = checked;
    const broken: Record<string, string> = {
      'app/a.env': `GOOD=${CANARY}-1\nBAD KEY=${CANARY}-2\n`,
      'app/b.env': `K=${CANARY}-1\nK=${CANARY}-again\n`,
      'app/b2.env': `K=${CANARY}-1\n=${CANARY}-no-key\n`,
      'app/c.yaml': `a: ${CANARY}-x\n b: [${CANARY}-y\n`,
      'app/d.yaml': `key: "${CANARY}-a\nother: ${CANARY}-b: c\n`,
      'app/e.json': `{"a": "${CANARY}-x", "b": ${CANARY}}`,
      'app/f.json': `{"a": "${CANARY}-x",}`,
    };
    for (const [file, text] of Object.entries(broken)) {
      writeFileSync(join(p.dir, file), text);
      expect(await neverShows(p, ['encrypt', file]), file).toBe(6);
      expect(await neverShows(p, ['run', '-f', file, '--', 'true']), file).toBe(6);
    }
    expect(checked - start).toBe(Object.keys(broken).length * 2 * 2); // encrypt and run, each with and without debug
  });

  it('in integrity, identity, usage and configuration errors', async () => {
    const p = copyProject(pristine);
    const start = checked;
    const env = join(p.dir, 'app', '.env');
    const text = readFileSync(env, 'utf8');
    expect(await neverShows(p, ['decrypt', 'app/.env'], { key: p.carol.file })).toBe(4);
    writeFileSync(env, text.replace(/API_KEY=ENC\[AES256_GCM,data:(.)/, (_m, c: string) => `API_KEY=ENC[AES256_GCM,data:${c === 'A' ? 'B' : 'A'}`));
    expect(await neverShows(p, ['decrypt', 'app/.env'])).toBe(5);
    expect(await neverShows(p, ['get', 'API_KEY', '-f', 'app/.env'])).toBe(5);
    writeFileSync(env, text.replace(/^(API_KEY=.*)\n(DB_URL=.*)\n/m, '$2\n$1\n').replace('API_KEY=', 'XAPI_KEY='));
    expect(await neverShows(p, ['run', '-f', 'app/.env', '--', 'true'])).toBe(5);
    writeFileSync(env, text);
    expect(await neverShows(p, ['get', 'NOPE', '-f', 'app/.env'])).toBe(3);
    expect(await neverShows(p, ['run', '--require', 'NOPE', '-f', 'app/.env', '--', 'true'])).toBe(3);
    // A secret key pasted where a recipient belongs is refused without quoting any of it.
    const pasted = `AGE-SECRET-KEY-1${CANARY.toUpperCase()}QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ`;
    expect(await neverShows(p, ['set', 'X', `${CANARY}-arg`, '-f', 'app/.env', '--age', pasted])).toBe(2);
    expect(await neverShows(p, ['encrypt', 'app/new.env', '--age', pasted])).toBe(2);
    expect(await neverShows(p, ['team', 'add', 'mallory', pasted])).toBe(2);
    expect(await neverShows(p, ['set', 'db.password.deeper', 'x', '-f', 'app/config.yaml'])).not.toBe(0);
    expect(await neverShows(p, ['set', 'a b', `${CANARY}-v`, '-f', 'app/.env'])).toBe(2);
    expect(await neverShows(p, ['get', 'db.password.deeper', '-f', 'app/config.yaml'])).not.toBe(0);
    writeFileSync(join(p.dir, 'app', 'plain.env'), `SECRET=${CANARY}-plain\n`);
    expect(await neverShows(p, ['decrypt', 'app/plain.env'])).not.toBe(0);
    expect(await neverShows(p, ['run', '-f', 'app/plain.env', '--', 'true'])).toBe(0); // a warning only
    expect(checked - start).toBe(14 * 2); // the 14 commands above, each with and without debug
  });

  it('in the output of commands that are not meant to print values', async () => {
    const p = copyProject(pristine);
    const start = checked;
    const commands = [
      ['status'],
      ['status', '--json'],
      ['team', 'ls', '--json'],
      ['set', 'NEW', `${CANARY}-new`, '-f', 'app/.env'],
      ['set', 'GEN', '--generate', '-f', 'app/.env'],
      ['unset', 'NEW', '-f', 'app/.env'],
      ['rotate', '--dry-run'],
      ['rotate'],
      ['updatekeys'],
      ['team', 'add', 'carol', p.carol.recipient],
      ['team', 'rm', 'bob'],
      ['encrypt', 'app/new.env'],
    ];
    for (const argv of commands) {
      expect(await neverShows(p, argv, { once: true }), argv.join(' ')).toBe(0);
    }
    expect(checked - start).toBe(commands.length);
    expect(readFileSync(join(p.dir, '.envseal-exposures.yaml'), 'utf8')).not.toContain(CANARY);
  });

  it('in diff and log, with and without an identity (only diff --values shows values)', async () => {
    const p = copyProject(pristine);
    const start = checked;
    const commit = (subject: string) => {
      git(p.dir, ['add', '-A']);
      git(p.dir, ['commit', '-q', '-m', subject]);
    };
    git(p.dir, ['init', '-q']);
    commit('secrets');
    expectOk(await runAs(p, p.alice, ['set', 'NEW', `${CANARY}-new`, '-f', 'app/.env']));
    expectOk(await runAs(p, p.alice, ['set', 'db.password', `${CANARY}-db2`, '-f', 'app/config.yaml']));
    commit('new values');
    expectOk(await runAs(p, p.alice, ['team', 'rm', 'bob']));
    commit('bob leaves');
    expectOk(await runAs(p, p.alice, ['set', 'token', `${CANARY}-token2`, '-f', 'ops/settings.json'])); // not committed
    for (const argv of [['diff'], ['diff', '--json'], ['diff', 'HEAD~2', 'HEAD'], ['log'], ['log', '--json'], ['log', 'API_KEY'], ['log', 'db.password', '-f', 'app/config.yaml']]) {
      expect(await neverShows(p, argv), argv.join(' ')).toBe(0);
    }
    for (const argv of [['diff', 'HEAD~2', 'HEAD'], ['log', '--json']]) expect(await neverShows(p, argv, { key: p.carol.file }), argv.join(' ')).toBe(0);
    // The check can fail: --values prints them.
    expect(await neverShows(p, ['diff', '--values'], { stdout: false })).toBe(0);
    expect((await runAs(p, p.alice, ['diff', '--values'])).stdout).toContain(`${CANARY}-token2`);
    expect(checked - start).toBe((7 + 2 + 1) * 2); // the commands above, each with and without debug
  });

  it('with key files others can read: a warning naming the file and the fix, never the key', async () => {
    const p = copyProject(pristine);
    const key = join(tempDir(), 'shared.key');
    writeFileSync(key, readFileSync(p.alice.file));
    chmodSync(key, 0o644);
    const r = await runAs({ ...p, alice: { ...p.alice, file: key } }, { ...p.alice, file: key }, ['get', 'API_KEY', '-f', 'app/.env']);
    expect(r.stderr).toContain(`key file ${key} can be read by other users; fix it with: chmod 600 ${key}`);
    expect(r.stderr).not.toContain('AGE-SECRET-KEY');
  });

  it('plaintext written on purpose is 0600, even over a file that was readable', async () => {
    const p = copyProject(pristine);
    const out = join(p.dir, 'plain-out.env');
    writeFileSync(out, 'old\n');
    chmodSync(out, 0o644);
    expect((await runAs(p, p.alice, ['decrypt', 'app/.env', '--output', 'plain-out.env'])).code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

});
