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
 *
 * One rule, three sources of text: the working tree ({@link plaintextFindings}), and, through
 * {@link plaintextAmong}, what the index holds (`scan --staged`) or a commit wrote (`scan
 * --history`, with {@link plaintextReason}).
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
  /** Which of the three rules: a dotenv name, a policy glob, or encrypted in HEAD. */
  readonly rule: PlaintextRule;
}

export type PlaintextRule = 'dotenv' | 'policy' | 'was-encrypted';

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

/** The policy's globs, compiled once. */
export interface PolicyGlobs {
  readonly globs: ReadonlyArray<{ readonly glob: string; readonly regex: RegExp }>;
}

export function policyGlobs(policy: Policy): PolicyGlobs {
  return { globs: policy.encrypted.map((g) => ({ glob: g, regex: globRegex(g) })) };
}

/**
 * Whether a file's name alone makes it worth reading: a dotenv name (not an example), a
 * policy path, or a format that could hold a sops file (to compare with HEAD). `file` is
 * relative to the folder of `.sops.yaml`, with `/`.
 */
export function worthReading(file: string, globs: PolicyGlobs): boolean {
  return detectFormat(file) !== null || globs.globs.some((g) => g.regex.test(file));
}

/**
 * Why a file that is not a sops file must not be committed, from its name (relative to the
 * folder of `.sops.yaml`, with `/`) and the policy alone; null when it may be. (The HEAD rule
 * needs the previous version: {@link plaintextAmong}.)
 */
export function plaintextReason(file: string, globs: PolicyGlobs): { why: string; rule: PlaintextRule } | null {
  const name = basename(file);
  if (isDotenvName(name) && !isExampleName(name)) return { why: 'a dotenv file that is not encrypted', rule: 'dotenv' };
  const byPolicy = globs.globs.find((g) => g.regex.test(file));
  return byPolicy === undefined ? null : { why: `not encrypted, and the policy says ${byPolicy.glob} must be`, rule: 'policy' };
}

/** A file's content from some source: the working tree, the index, a commit. */
export interface TextOf {
  readonly abs: string;
  readonly text: string;
}

/**
 * The plaintext findings among `files` (texts from any source), `root` being the folder of
 * `.sops.yaml`: by name and policy, then, for the other files of a known format that are not
 * sops files, whether HEAD holds a sops file there (one `git cat-file` for all of them).
 */
export async function plaintextAmong(ctx: Ctx, root: string, globs: PolicyGlobs, files: readonly TextOf[]): Promise<PlaintextFinding[]> {
  const findings: PlaintextFinding[] = [];
  const notSops: Array<{ abs: string; file: string }> = [];
  for (const { abs, text } of files) {
    const file = relative(root, abs).split(sep).join('/');
    const known = detectFormat(abs) !== null;
    if (known && isSopsText(abs, text)) continue;
    const reason = plaintextReason(file, globs);
    if (reason !== null) findings.push({ file, abs, ...reason });
    else if (known && !file.includes('\n')) notSops.push({ abs, file });
  }
  // `HEAD:./path` is relative to the folder git runs in (root), not to the top of the work tree.
  const heads = await readBlobs(ctx, root, notSops.map((f) => `HEAD:./${f.file}`));
  for (const f of notSops) {
    const head = heads.get(`HEAD:./${f.file}`);
    if (head !== undefined && isSopsText(f.abs, Buffer.from(head).toString('utf8'))) {
      findings.push({ file: f.file, abs: f.abs, why: 'encrypted in HEAD but plaintext now (decrypted in place?)', rule: 'was-encrypted' });
    }
  }
  return findings.sort((a, b) => a.file.localeCompare(b.file));
}

/** The plaintext findings among the files git would commit below `root` (or `only` of them). */
export async function plaintextFindings(ctx: Ctx, root: string, policy: Policy, only?: readonly string[]): Promise<PlaintextFinding[]> {
  const committable = (await committableFiles(ctx, root)) ?? [];
  const wanted = only === undefined ? null : new Set(only);
  const globs = policyGlobs(policy);
  const texts: TextOf[] = [];
  for (const abs of committable) {
    if (wanted !== null && !wanted.has(abs)) continue;
    if (!worthReading(relative(root, abs).split(sep).join('/'), globs)) continue;
    const stat = await ctx.io.fs.stat(abs);
    if (stat === null || !stat.isFile) continue; // deleted in the working tree
    texts.push({ abs, text: Buffer.from(await ctx.io.fs.readFile(abs)).toString('utf8') });
  }
  return plaintextAmong(ctx, root, globs, texts);
}
