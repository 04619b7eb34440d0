/**
 * A small team project for the hardening campaigns: a roster of alice and bob, rules for
 * three folders, and encrypted files of every format whose secret values all carry
 * {@link CANARY}, so any output can be checked for a leak. Built once, then copied for each
 * trial (copying is much cheaper than encrypting again).
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import type { Fs } from '../../src/io/io.js';
import { CANARY, cli, isolatedEnv, suiteDir, tempDir, type CliResult } from './cli.js';
import { makeIdentity, type TestIdentity } from './keys.js';

export { CANARY };

export const PROJECT_FILES: Record<string, string> = {
  'app/.env': `# the app\nAPI_KEY=${CANARY}-api-key\nDB_URL=postgres://u:${CANARY}-pw@db/app\nPORT_unencrypted=8080\n`,
  'app/config.yaml': `db:\n  user: admin\n  password: ${CANARY}-db # rotate yearly\nlist:\n  - ${CANARY}-one\n  - 2\n`,
  'ops/settings.json': `{"token": "${CANARY}-token", "retries": 3, "nested": {"key": "${CANARY}-nested"}}\n`,
};

export interface Project {
  readonly dir: string;
  readonly alice: TestIdentity;
  readonly bob: TestIdentity;
  readonly carol: TestIdentity;
}

/** A pristine project (keys live outside `dir`, so copies share them). */
export async function pristineProject(): Promise<Project> {
  const root = suiteDir('envseal-project-');
  const keys = join(root, 'keys');
  const dir = join(root, 'repo');
  mkdirSync(keys);
  mkdirSync(join(dir, 'app'), { recursive: true });
  mkdirSync(join(dir, 'ops'));
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => makeIdentity(keys, n))) as [TestIdentity, TestIdentity, TestIdentity];
  writeFileSync(
    join(dir, '.sops.yaml'),
    `envseal:\n  members:\n    alice: ${alice.recipient}\n    bob: ${bob.recipient}\ncreation_rules:\n  - path_regex: ^app/\n    age:\n      - ${alice.recipient}  # alice\n      - ${bob.recipient}  # bob\n  - path_regex: ^ops/\n    age:\n      - ${alice.recipient}  # alice\n`,
  );
  for (const [file, text] of Object.entries(PROJECT_FILES)) writeFileSync(join(dir, file), text);
  const project = { dir, alice, bob, carol };
  for (const file of Object.keys(PROJECT_FILES)) expectOk(await runAs(project, project.alice, ['encrypt', file]));
  writeFileSync(join(dir, 'app', 'new.env'), `FRESH=${CANARY}-fresh\n`); // for `encrypt` to seal
  return project;
}

/** A copy of the project in a new folder. */
export function copyProject(p: Project): Project {
  const dir = join(tempDir('envseal-trial-'), 'repo');
  cpSync(p.dir, dir, { recursive: true });
  return { ...p, dir };
}

export function runAs(p: Project, who: TestIdentity, argv: string[], extra: { fs?: Fs; runInteractive?: Parameters<typeof cli>[1]['runInteractive']; stdin?: string } = {}): Promise<CliResult> {
  return cli(argv, { cwd: p.dir, env: isolatedEnv(p.dir, { SOPS_AGE_KEY_FILE: who.file }), ...extra });
}

export function expectOk(r: CliResult): void {
  expect(r.stderr.includes('envseal: ') && r.code !== 0 ? r.stderr : '').toBe('');
  expect(r.code).toBe(0);
}

/** Every file under `dir` (relative path → bytes). */
export function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const abs = join(d, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else out.set(relative(dir, abs), readFileSync(abs));
    }
  };
  walk(dir);
  return out;
}

/** Temporary files and locks envseal may have left (there must be none). */
export function leftovers(dir: string): string[] {
  return [...snapshot(dir).keys()].filter((f) => /\.envseal-[^/]*\.tmp$|\.envseal-lock/.test(f));
}
