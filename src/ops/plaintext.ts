/**
 * Plaintext that must not be committed (`status --check`, and `scan`'s "unencrypted"
 * finding), among the files git would commit:
 *  - a dotenv file (`.env`, `.env.*`, `*.env`) that is not a sops file — examples
 *    (`.env.example`, `.env.sample`, `.env.template`) excepted, they are meant to be read;
 *  - a file that is a sops file in HEAD but plaintext now (a `decrypt --in-place` about to be
 *    committed);
 *  - a file matching a glob of `envseal: policy: encrypted:` that is not a sops file.
 * Not every file a creation rule could cover: a catch-all rule covers package.json too. And not
 * a file git ignores (a developer's `.env.local` is nobody else's business).
 */
import { basename, relative, sep } from 'node:path';
import { globRegex, type Policy } from '../config/policy.js';
import { detectFormat, formatNamed } from '../formats/index.js';
import type { Ctx } from './context.js';
import { committableFiles, readBlobs } from './git.js';

export interface PlaintextFinding {
  /** Relative to the repository root, with `/`. */
  readonly file: string;
  readonly abs: string;
  readonly why: string;
}

const EXAMPLE = /^\.env\.(example|sample|template|dist|defaults?)$|\.example\.env$/i;

export function isDotenvName(name: string): boolean {
  return detectFormat(name) === 'dotenv';
}

export function isExampleName(name: string): boolean {
  return EXAMPLE.test(name);
}

/** Whether `text` (a file of a known format) holds sops metadata. */
export function isSopsText(abs: string, text: string): boolean {
  const format = detectFormat(abs);
  if (format === null) return false;
  try {
    return formatNamed(format).parse(text, abs, () => undefined).metadata !== undefined;
  } catch {
    return false;
  }
}

export async function plaintextFindings(ctx: Ctx, root: string, policy: Policy, only?: readonly string[]): Promise<PlaintextFinding[]> {
  const committable = (await committableFiles(ctx, root)) ?? [];
  const wanted = only === undefined ? null : new Set(only);
  const globs = policy.encrypted.map((g) => ({ glob: g, regex: globRegex(g) }));
  const findings: PlaintextFinding[] = [];
  const notSops: Array<{ abs: string; file: string }> = [];
  for (const abs of committable) {
    if (wanted !== null && !wanted.has(abs)) continue;
    const file = relative(root, abs).split(sep).join('/');
    const name = basename(abs);
    const byName = isDotenvName(name) && !isExampleName(name);
    const byPolicy = globs.find((g) => g.regex.test(file));
    const known = detectFormat(abs) !== null;
    if (!byName && byPolicy === undefined && !known) continue;
    const stat = await ctx.io.fs.stat(abs);
    if (stat === null || !stat.isFile) continue; // deleted in the working tree
    const text = Buffer.from(await ctx.io.fs.readFile(abs)).toString('utf8');
    if (known && isSopsText(abs, text)) continue;
    if (byName) findings.push({ file, abs, why: 'a dotenv file that is not encrypted' });
    else if (byPolicy !== undefined) findings.push({ file, abs, why: `not encrypted, and the policy says ${byPolicy.glob} must be` });
    else notSops.push({ abs, file });
  }
  // A file encrypted in HEAD but plaintext now: one cat-file for all of them.
  const heads = await readBlobs(ctx, root, notSops.map((f) => `HEAD:${f.file}`));
  for (const f of notSops) {
    const head = heads.get(`HEAD:${f.file}`);
    if (head !== undefined && isSopsText(f.abs, Buffer.from(head).toString('utf8'))) {
      findings.push({ file: f.file, abs: f.abs, why: 'encrypted in HEAD but plaintext now (decrypted in place?)' });
    }
  }
  return findings.sort((a, b) => a.file.localeCompare(b.file));
}
