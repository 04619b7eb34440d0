/**
 * The baseline: findings a team accepted on purpose (`scan --baseline FILE`,
 * `--update-baseline`; `.envseal-baseline.json` at the top of the work tree by default). It
 * is committed, so it must tell nobody anything about a secret value: every entry is a
 * fingerprint, HMAC-SHA256 over the finding's identity, plus the names people need to review
 * it (kind, rule, file, the secret's file and key, the commit). What the identity holds:
 *
 *  - a leak of a known secret (working tree, index): the place (file), the secret's file and
 *    key, the form, and the value itself. Keyed by a key derived from the DATA KEY of the
 *    secret's file: only people who can decrypt that file have it, and a leak finding only
 *    exists for someone who decrypted it, so whoever must match the entry can, and nobody
 *    else can test a guess against it. An unkeyed (or publicly salted) hash would let anyone
 *    who reads the repository try guesses, and secrets are often guessable. With the value
 *    inside, a new value pasted where an old one was accepted is reported again. The data
 *    key survives `team add`, `updatekeys` and merges; a rotation (`rotate`, `team rm`)
 *    changes it, and accepted leaks of that file are reported again — the moment to look
 *    at them anyway (accept again with `--update-baseline`).
 *  - everything else: places and names only, no value, nothing secret to key with. A token
 *    in the working tree is identified by its rule, its file and its rank among that rule's
 *    matches in the file (a hash of the token, or of its line, could be tested against
 *    guesses of whatever else that line holds); a commented-out secret by its file, key and
 *    rank; a plaintext or damaged file by its path; anything in history by its commit, file
 *    and line, which never change.
 * Pure apart from reading and writing the file through the Io.
 */
import { createHmac } from 'node:crypto';
import { ParseError } from '../errors.js';
import type { Ctx } from './context.js';

export const DEFAULT_BASELINE = '.envseal-baseline.json';
const VERSION = 1;
const PUBLIC_KEY = Buffer.from('envseal baseline v1: no secret in this identity');

export interface BaselineEntry {
  readonly fingerprint: string;
  readonly kind: string;
  readonly rule: string;
  readonly file: string;
  readonly commit?: string | undefined;
  readonly secret?: { readonly file: string; readonly key: string } | undefined;
}

/**
 * A secret value's fingerprint, under a key derived from the data key of its file (see the
 * module comment): only people who can decrypt that file can compute it, or test a guess.
 */
export function valuePrint(dataKey: Uint8Array, file: string, key: string, value: string): string {
  const leakKey = createHmac('sha256', dataKey).update('envseal baseline v1: leak fingerprints').digest();
  return createHmac('sha256', leakKey).update(JSON.stringify([file, key, value])).digest('hex');
}

/** HMAC-SHA256 of the identity's parts (an injective encoding), under `key` or the public label. */
export function fingerprintOf(parts: readonly string[], key: Uint8Array | null): string {
  return createHmac('sha256', key ?? PUBLIC_KEY).update(JSON.stringify(parts)).digest('hex').slice(0, 40);
}

/** What of a finding (ops/scan-findings.ts) goes into the baseline. */
export interface Acceptable {
  readonly fingerprint: string;
  readonly kind: string;
  readonly rule: string;
  readonly file: string;
  readonly commit?: { readonly commit: string } | undefined;
  readonly secret?: { readonly file: string; readonly key: string } | undefined;
}

/** A finding as a baseline entry (names only: see the module comment). */
export function entryOf(finding: Acceptable): BaselineEntry {
  return {
    fingerprint: finding.fingerprint,
    kind: finding.kind,
    rule: finding.rule,
    file: finding.file,
    ...(finding.commit === undefined ? {} : { commit: finding.commit.commit }),
    ...(finding.secret === undefined ? {} : { secret: { file: finding.secret.file, key: finding.secret.key } }),
  };
}

/** Reads a baseline; null when the file does not exist. */
export async function readBaseline(ctx: Ctx, path: string): Promise<BaselineEntry[] | null> {
  if ((await ctx.io.fs.stat(path)) === null) return null;
  const text = Buffer.from(await ctx.io.fs.readFile(path)).toString('utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ParseError('the scan baseline is not JSON', { file: path, hint: 'restore it from git, or write a new one with envseal scan --update-baseline' });
  }
  const accepted = isRecord(data) && data['envseal_scan_baseline'] === VERSION ? data['accepted'] : undefined;
  if (!Array.isArray(accepted)) {
    throw new ParseError(`the scan baseline is not an envseal baseline (version ${VERSION})`, { file: path, hint: 'write a new one with envseal scan --update-baseline' });
  }
  return accepted.filter(isRecord).flatMap((e): BaselineEntry[] => {
    const { fingerprint, kind, rule, file, commit, secret } = e;
    if (typeof fingerprint !== 'string' || typeof kind !== 'string' || typeof rule !== 'string' || typeof file !== 'string') return [];
    const named = isRecord(secret) && typeof secret['file'] === 'string' && typeof secret['key'] === 'string' ? { file: secret['file'], key: secret['key'] } : undefined;
    return [{ fingerprint, kind, rule, file, ...(typeof commit === 'string' ? { commit } : {}), ...(named === undefined ? {} : { secret: named }) }];
  });
}

/**
 * The new baseline: this scan's findings, plus the old entries this scan could not have seen
 * (`inScope` false: a file or commit it did not look at), so `--staged --update-baseline`
 * does not forget what a full scan accepted.
 */
export function updatedBaseline(old: readonly BaselineEntry[], findings: readonly Acceptable[], inScope: (entry: BaselineEntry) => boolean): BaselineEntry[] {
  const byPrint = new Map<string, BaselineEntry>();
  for (const entry of old) if (!inScope(entry)) byPrint.set(entry.fingerprint, entry);
  for (const finding of findings) byPrint.set(finding.fingerprint, entryOf(finding));
  return [...byPrint.values()].sort((a, b) => a.file.localeCompare(b.file) || a.rule.localeCompare(b.rule) || (a.commit ?? '').localeCompare(b.commit ?? '') || a.fingerprint.localeCompare(b.fingerprint));
}

export function renderBaseline(entries: readonly BaselineEntry[]): string {
  const doc = {
    envseal_scan_baseline: VERSION,
    note: 'Findings of `envseal scan` accepted on purpose. Fingerprints reveal nothing about a value: see the README, "Keeping secrets out of git".',
    accepted: entries,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
