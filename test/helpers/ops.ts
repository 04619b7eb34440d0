/**
 * Operations (src/ops) in-process: a Ctx on a temporary folder, acting as someone (their
 * identities in SOPS_AGE_KEY, nothing else of the machine), and sealed files made through
 * the ops themselves.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeCtx, type Ctx } from '../../src/ops/context.js';
import { encryptFileInPlace } from '../../src/ops/encrypt.js';
import { isolatedEnv, suiteDir, testIo, type CliOptions } from './cli.js';
import { makeIdentity, type TestIdentity } from './keys.js';

export interface Acting {
  readonly ctx: Ctx;
  /** What went to stderr (warnings). */
  err(): string;
}

/** A Ctx in `dir` for whoever holds `who` (nobody: null). */
export function actingAs(dir: string, who: TestIdentity | readonly TestIdentity[] | null, options: Partial<CliOptions> = {}): Acting {
  const ids = who === null ? [] : Array.isArray(who) ? (who as TestIdentity[]) : [who as TestIdentity];
  const env = isolatedEnv(dir, { ...(ids.length > 0 ? { SOPS_AGE_KEY: ids.map((i) => i.identity).join('\n') } : {}), ...options.env });
  const t = testIo({ ...options, cwd: dir, env });
  return { ctx: makeCtx(t.io), err: t.err };
}

/** Three people whose key files live outside any repository folder. */
export async function people(): Promise<{ alice: TestIdentity; bob: TestIdentity; carol: TestIdentity }> {
  const keys = suiteDir('envseal-keys-'); // lasts for the test file: people() is called in beforeAll
  const [alice, bob, carol] = (await Promise.all(['alice', 'bob', 'carol'].map((n) => makeIdentity(keys, n)))) as [TestIdentity, TestIdentity, TestIdentity];
  return { alice, bob, carol };
}

/** Writes `text` to `dir/file` and encrypts it for `recipients` (encrypt --age); returns its path. */
export async function sealedFile(dir: string, file: string, text: string, recipients: readonly string[]): Promise<string> {
  const abs = join(dir, file);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text);
  await encryptFileInPlace(actingAs(dir, null).ctx, file, undefined, { age: recipients }, { write: true });
  return abs;
}
