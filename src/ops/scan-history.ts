/**
 * `envseal scan --history [--since REV]`: every commit reachable from HEAD, by the lines each
 * added (one `git log -p -U0`), after an offboarding or before opening a repository up.
 *
 * Leaks are looked for with the values of the encrypted files as they are now and with their
 * PAST values: every version of a sops file that history holds and the user's identities
 * open (a version is recognised by the encrypted values its commit added; a data key shared
 * by many versions is unwrapped once). A value that was committed in clear and rotated since
 * is still found: "this value was once committed in plaintext, rotate it if it is still in
 * use anywhere". Plaintext files committed (a dotenv file, a policy path, a sops file
 * decrypted in place) are found by reading the blobs of the commits that touched such
 * names. Damaged files are a working-tree matter and not looked for here.
 */
import { relative, sep } from 'node:path';
import { UsageError } from '../errors.js';
import { detectFormat } from '../formats/index.js';
import { fingerprintOf } from './baseline.js';
import { commitPatches, readBlobs, resolveCommit, type PatchedCommit, type PatchedFile } from './git.js';
import { isSopsText, plaintextReason } from './plaintext.js';
import { findingOfHit, remedyFor, type CommitRef, type Finding, type Hit } from './scan-findings.js';
import { ALLOW_MARK, commentedSecret, lineHits } from './scan-lines.js';
import { addSecrets, examineText, SEALED_MARK, type Keyring, type KnownSecrets } from './scan-secrets.js';
import type { Ctx } from './context.js';
import type { PolicyGlobs } from './plaintext.js';

/** What every part of one scan shares. */
export interface Session {
  readonly ctx: Ctx;
  /** The top of the work tree (or the working folder outside git). */
  readonly root: string;
  /** The folder of `.sops.yaml`, where policy globs start. */
  readonly configRoot: string;
  readonly globs: PolicyGlobs;
  readonly keyring: Keyring;
  readonly known: KnownSecrets;
  /** Sops files (relative to root) no identity here opens: their values are not looked for. */
  readonly skipped: Set<string>;
  /** The baseline file, relative to root: never scanned. */
  readonly baselineFile: string;
}

export async function historyFindings(session: Session, options: { readonly since?: string | undefined; readonly paths: readonly string[] }): Promise<{ findings: Finding[]; allowed: number; commits: Set<string> }> {
  const { ctx, root } = session;
  if (options.since !== undefined && (await resolveCommit(ctx, root, options.since)) === null) {
    throw new UsageError(`--since ${options.since} does not name a commit of this repository`, { hint: 'give a commit, branch or tag: envseal scan --history --since v1.2.0' });
  }
  const commits = await commitPatches(ctx, root, { since: options.since, paths: options.paths });
  const changes = commits.flatMap((c) => c.files.filter((f) => !f.binary && f.path !== session.baselineFile).map((f) => ({ commit: c, file: f })));

  // The blobs to read: versions of sops files, and the plaintext candidates (before and after).
  const sopsVersions = changes.filter(({ file }) => file.after !== null && detectFormat(file.path) !== null && file.added.some((l) => l.text.includes(SEALED_MARK)));
  const plainByName = changes.filter(({ file }) => file.after !== null && plaintextReason(configRelative(session, file.path), session.globs) !== null);
  const wasSops = changes.filter(({ file }) => file.after !== null && file.before !== null && file.removedSealed && detectFormat(file.path) !== null);
  const ids = [...sopsVersions, ...plainByName, ...wasSops].flatMap(({ file }) => [file.after, ...(file.removedSealed ? [file.before] : [])]).filter((id): id is string => id !== null);
  const blobs = await readBlobs(ctx, root, ids);
  const textOf = (id: string | null): string | null => (id === null ? null : blobText(blobs.get(id)));

  // Past values, newest version first (current values were added before: they win).
  const sopsPaths = new Set<string>();
  const examinedBlobs = new Set<string>();
  for (const { file } of sopsVersions) {
    const bytes = blobs.get(file.after as string);
    if (bytes === undefined || examinedBlobs.has(file.after as string)) continue;
    examinedBlobs.add(file.after as string);
    const { state } = await examineText(ctx, session.keyring, file.path, `${root}${sep}${file.path}`, bytes);
    if (state.kind === 'plain') continue;
    sopsPaths.add(file.path);
    if (state.kind === 'opened') addSecrets(session.known.index, session.known.seen, { file: file.path, values: state.values, dataKey: state.dataKey, past: true });
    else if (state.kind === 'locked') session.skipped.add(file.path);
  }

  const findings: Finding[] = [];
  let allowed = 0;
  const seenCommits = new Set(commits.map((c) => c.commit));
  for (const { commit, file } of changes) {
    const ref = refOf(commit);
    for (const { hit } of addedHits(session, file, sopsPaths)) {
      if (hit.allowed) allowed += 1;
      else findings.push(findingOfHit(file.path, hit, 0, ref));
    }
    const plain = plaintextIn(session, file, textOf);
    if (plain !== null) {
      const first = (textOf(file.after) ?? '').split('\n')[0] ?? '';
      if (first.includes(ALLOW_MARK)) allowed += 1;
      else findings.push(plainFinding(file, plain, ref));
    }
  }
  return { findings, allowed, commits: seenCommits };
}

/** The hits of the lines a commit added to a file (and commented-out secrets, in a sops file). */
function addedHits(session: Session, file: PatchedFile, sopsPaths: ReadonlySet<string>): Array<{ hit: Hit }> {
  const out: Array<{ hit: Hit }> = [];
  const { added } = file;
  for (let i = 0; i < added.length; i++) {
    const { line, text } = added[i] as { line: number; text: string };
    const following = added[i + 1];
    const next = following !== undefined && following.line === line + 1 ? following.text : undefined;
    for (const hit of lineHits(text, line, next, session.known.index)) out.push({ hit });
    const key = sopsPaths.has(file.path) ? commentedSecret(text) : null;
    if (key !== null) out.push({ hit: { kind: 'leak', rule: 'commented-secret', line, column: 1, allowed: text.includes(ALLOW_MARK), key } });
  }
  return out;
}

/** Why a commit's version of a file is plaintext that must not be committed, or null. */
function plaintextIn(session: Session, file: PatchedFile, textOf: (id: string | null) => string | null): { rule: string; why: string } | null {
  const after = textOf(file.after);
  if (after === null) return null;
  const known = detectFormat(file.path) !== null;
  if (known && isSopsText(file.path, after)) return null;
  const byName = plaintextReason(configRelative(session, file.path), session.globs);
  if (byName !== null) return { rule: `unencrypted-${byName.rule}`, why: `${byName.why}, committed` };
  const before = file.removedSealed ? textOf(file.before) : null;
  if (known && before !== null && isSopsText(file.path, before)) return { rule: 'unencrypted-was-encrypted', why: 'encrypted in the commit before, committed in plaintext here' };
  return null;
}

function plainFinding(file: PatchedFile, plain: { rule: string; why: string }, ref: CommitRef): Finding {
  const line = file.added[0]?.line ?? 1;
  return {
    kind: 'unencrypted',
    rule: plain.rule,
    file: file.path,
    line,
    commit: ref,
    message: plain.why,
    remedy: remedyFor('unencrypted', plain.rule, { file: file.path, history: true }),
    fingerprint: fingerprintOf(['history', ref.commit, file.path, String(line), 'unencrypted', plain.rule], null),
  };
}

/** A path relative to the top of the work tree, made relative to the folder of `.sops.yaml` (where policy globs start). */
function configRelative(session: Session, path: string): string {
  if (session.configRoot === session.root) return path;
  return relative(session.configRoot, `${session.root}${sep}${path.split('/').join(sep)}`).split(sep).join('/');
}

function refOf(c: PatchedCommit): CommitRef {
  return { commit: c.commit, author: c.author, email: c.email, date: c.date, subject: c.subject };
}

function blobText(bytes: Uint8Array | undefined): string | null {
  return bytes === undefined ? null : Buffer.from(bytes).toString('utf8');
}
