/**
 * `envseal scan` (README "Keeping secrets out of git"): nothing secret reaches a commit. Findings:
 *  - unencrypted: plaintext that must be encrypted (ops/plaintext.ts, shared with
 *    `status --check`);
 *  - damaged: a sops file whose MAC does not verify, or that holds encrypted values without
 *    its metadata (ops/scan-secrets.ts);
 *  - leak: a value of an encrypted file the user can open, in any scanned text and in its
 *    encoded forms; a commented-out secret left in clear in a sops file;
 *  - token: well-known credential formats (rules/tokens.ts).
 * Where it looks: the files git would commit (or the PATHs given); `--staged`, the content
 * the index holds for the next commit (the pre-commit guard, which never prompts); `--history`,
 * every commit's added lines (ops/scan-history.ts). Findings on lines marked `envseal:allow`,
 * and findings the baseline lists (ops/baseline.ts), are accepted.
 */
import { dirname, join, relative, sep } from 'node:path';
import { findConfigPath } from '../config/load.js';
import { readPolicy, type Policy } from '../config/policy.js';
import { parseConfig } from '../config/schema.js';
import { IoError, UsageError } from '../errors.js';
import { clearCommentSecrets } from '../rules/comment-secrets.js';
import { resolveFromCwd } from '../paths.js';
import { DEFAULT_BASELINE, fingerprintOf, readBaseline, type BaselineEntry } from './baseline.js';
import { pooled } from './batch.js';
import type { Ctx } from './context.js';
import { committableFiles, readBlobs, stagedPaths, workTreeTop } from './git.js';
import { identitiesFor, identitiesWithoutPrompts, type FoundIdentities } from './identities.js';
import type { LoadedFile } from './load.js';
import { plaintextAmong, policyGlobs, type TextOf } from './plaintext.js';
import { repoPath, walkFiles } from './repository.js';
import { findingOfHit, remedyFor, type Finding, type Hit } from './scan-findings.js';
import { ALLOW_MARK, isBinary, lineHits } from './scan-lines.js';
import { addSecrets, examineText, Keyring, knownSecrets, type SopsState } from './scan-secrets.js';
import { historyFindings, type Session } from './scan-history.js';

export type ScanMode = 'tree' | 'staged' | 'history';

export interface ScanRequest {
  readonly mode: ScanMode;
  /** PATHs as the user gave them (relative to the working folder): narrow the scan. */
  readonly paths: readonly string[];
  /** `--history --since REV`. */
  readonly since?: string | undefined;
  /** `--baseline FILE` as given; default `.envseal-baseline.json` at the top of the work tree. */
  readonly baseline?: string | undefined;
}

export interface ScanResult {
  readonly mode: ScanMode;
  /** The top of the work tree (or the working folder outside git): finding paths are relative to it. */
  readonly root: string;
  /** Findings to act on. */
  readonly findings: Finding[];
  /** Findings the baseline accepts. */
  readonly baselined: Finding[];
  /** Findings on lines marked `envseal:allow` (or in files whose first line is). */
  readonly allowed: number;
  /** Sops files whose values were not looked for: no identity here opens them. */
  readonly skipped: string[];
  readonly scannedFiles: number;
  readonly scannedCommits: number | null;
  /** The baseline file, and what it held (null: there is none). */
  readonly baseline: { readonly path: string; readonly entries: readonly BaselineEntry[] | null };
  /** Whether a baseline entry is about something this scan looked at (`--update-baseline` replaces those). */
  readonly inScope: (entry: BaselineEntry) => boolean;
  /** Files passed over (too large), for a note. */
  readonly tooLarge: string[];
}

/** A file's content to scan, from the working tree or the index. */
interface ScannedText {
  readonly file: string;
  readonly abs: string;
  readonly bytes: Uint8Array;
}

const MAX_BYTES = 10 * 1024 * 1024;

export async function scan(ctx: Ctx, request: ScanRequest): Promise<ScanResult> {
  const gitRoot = await workTreeTop(ctx, ctx.cwd);
  if (gitRoot === null && request.mode !== 'tree') {
    throw new UsageError(`--${request.mode} needs a git repository, and ${ctx.cwd} is not in one`, { hint: 'run it inside the repository, or scan files with envseal scan PATH' });
  }
  const root = gitRoot ?? ctx.cwd;
  const { configRoot, policy } = await policyOf(ctx);
  // The guard must never wait for a person; the other modes may ask for a key file's passphrase.
  const discovery: FoundIdentities = request.mode === 'staged' ? identitiesWithoutPrompts(ctx) : await identitiesFor(ctx);
  const keyring = new Keyring(discovery.identities);
  const baselinePath = request.baseline === undefined ? join(root, DEFAULT_BASELINE) : resolveFromCwd(ctx, request.baseline);
  const baselineFile = repoPath(root, baselinePath);
  const tooLarge: string[] = [];
  // What to scan and what the secrets are, found side by side (both ask git).
  const [known, texts] = await Promise.all([
    knownSecrets(ctx, keyring, root),
    request.mode === 'staged' ? stagedTexts(ctx, root, baselineFile, request.paths) : request.mode === 'tree' ? treeTexts(ctx, root, baselineFile, request.paths, tooLarge) : null,
  ]);
  const skipped = new Set<string>();
  for (const { file, state } of known.examined.values()) if (state.kind === 'locked') skipped.add(file);
  const session: Session = { ctx, root, configRoot, globs: policyGlobs(policy), keyring, known, skipped, baselineFile };

  let found: { findings: Finding[]; allowed: number };
  let scannedCommits: number | null = null;
  let inScope: (entry: BaselineEntry) => boolean;
  if (texts === null) {
    const history = await historyFindings(session, { since: request.since, paths: request.paths.map((p) => pathspec(ctx, root, p)) });
    found = history;
    scannedCommits = history.commits.size;
    inScope = (entry) => entry.commit !== undefined && history.commits.has(entry.commit);
  } else {
    found = await textFindings(session, texts);
    const files = new Set(texts.map((t) => t.file));
    inScope = (entry) => entry.commit === undefined && files.has(entry.file);
  }
  const entries = await readBaseline(ctx, baselinePath);
  const accepted = new Set((entries ?? []).map((e) => e.fingerprint));
  const sorted = found.findings.sort(byPlace);
  return {
    mode: request.mode,
    root,
    findings: sorted.filter((f) => !accepted.has(f.fingerprint)),
    baselined: sorted.filter((f) => accepted.has(f.fingerprint)),
    allowed: found.allowed,
    skipped: [...skipped].sort(),
    scannedFiles: texts?.length ?? 0,
    scannedCommits,
    baseline: { path: baselinePath, entries },
    inScope,
    tooLarge,
  };
}

function byPlace(a: Finding, b: Finding): number {
  return a.file.localeCompare(b.file) || (b.commit?.date ?? '').localeCompare(a.commit?.date ?? '') || a.line - b.line || (a.column ?? 0) - (b.column ?? 0) || a.rule.localeCompare(b.rule);
}

/** A PATH the user gave, as a pathspec relative to the top of the work tree. */
function pathspec(ctx: Ctx, root: string, given: string): string {
  const rel = relative(root, resolveFromCwd(ctx, given)).split(sep).join('/');
  return rel === '' ? '.' : rel;
}

/**
 * The policy of `.sops.yaml` and the folder its globs start from. A config that never says
 * `policy` has none, and is not parsed: parsing loads the YAML library, the largest part of
 * the guard's start-up in a repository whose secrets are dotenv files.
 */
async function policyOf(ctx: Ctx): Promise<{ configRoot: string; policy: Policy }> {
  const path = await findConfigPath(ctx.io, null, { explicit: ctx.configPath, warn: ctx.warn });
  const none = { maxAge: null, encrypted: [] };
  if (path === null) return { configRoot: ctx.cwd, policy: none };
  const text = Buffer.from(await ctx.io.fs.readFile(path)).toString('utf8');
  return { configRoot: dirname(path), policy: text.includes('policy') ? readPolicy(parseConfig(text, path, ctx.warn).raw, path) : none };
}

/** The working tree's files git would commit (or those below the PATHs given), read. */
async function treeTexts(ctx: Ctx, root: string, baselineFile: string, paths: readonly string[], tooLarge: string[]): Promise<ScannedText[]> {
  const listed = async (): Promise<string[]> => (await committableFiles(ctx, root)) ?? (await walkFiles(ctx, root));
  let files: string[];
  if (paths.length === 0) {
    files = await listed();
  } else {
    const all = new Set<string>();
    let everything: string[] | null = null;
    for (const given of paths) {
      const abs = resolveFromCwd(ctx, given);
      const stat = await ctx.io.fs.stat(abs);
      if (stat === null) throw new IoError('no such file or folder', { file: abs, hint: 'check the path' });
      if (stat.isFile) {
        all.add(abs);
        continue;
      }
      everything ??= await listed();
      const prefix = abs.endsWith(sep) ? abs : `${abs}${sep}`;
      for (const f of everything) if (f.startsWith(prefix) || abs === root) all.add(f);
    }
    files = [...all];
  }
  const texts = await pooled(files, 16, async (abs): Promise<ScannedText | null> => {
    const file = repoPath(root, abs);
    if (file === baselineFile) return null;
    const stat = await ctx.io.fs.stat(abs);
    if (stat === null || !stat.isFile) return null; // deleted in the working tree, or a link to a folder
    if (stat.size > MAX_BYTES) {
      tooLarge.push(file);
      return null;
    }
    try {
      return { file, abs, bytes: await ctx.io.fs.readFile(abs) };
    } catch {
      return null; // vanished or unreadable meanwhile: not something git would commit as it is
    }
  });
  return texts.filter((t): t is ScannedText => t !== null);
}

/** What the index holds for the next commit: the staged content of added and changed files. */
async function stagedTexts(ctx: Ctx, root: string, baselineFile: string, paths: readonly string[]): Promise<ScannedText[]> {
  const staged = await stagedPaths(ctx, root, paths.map((p) => pathspec(ctx, root, p)));
  // A guard that cannot see the index must not pass the commit as clean.
  if (staged === null) throw new IoError('git could not list the staged files', { file: root, hint: 'run git status here to see why (git refuses a repository owned by someone else: safe.directory)' });
  const wanted = staged.filter((p) => !p.includes('\n') && p !== baselineFile);
  const blobs = await readBlobs(ctx, root, wanted.map((p) => `:${p}`));
  return wanted.flatMap((file) => {
    const bytes = blobs.get(`:${file}`);
    return bytes === undefined ? [] : [{ file, abs: join(root, ...file.split('/')), bytes }];
  });
}

/** The findings in texts of the working tree or the index. */
async function textFindings(session: Session, texts: readonly ScannedText[]): Promise<{ findings: Finding[]; allowed: number }> {
  const { ctx, known, keyring } = session;
  const findings: Finding[] = [];
  let allowed = 0;
  const accept = (f: Finding, isAllowed: boolean): void => {
    if (isAllowed) allowed += 1;
    else findings.push(f);
  };

  // Sops files among the texts first: a staged version may hold values the working tree does not.
  const states = new Map<ScannedText, { state: SopsState; loaded: LoadedFile | null }>();
  for (const t of texts) {
    if (isBinary(t.bytes) || !Buffer.from(t.bytes).includes('ENC[')) continue;
    // The working tree's version was examined already (it is the same text, or not).
    const seen = known.examined.get(t.abs);
    const same = seen !== undefined && Buffer.from(seen.bytes).equals(Buffer.from(t.bytes)) ? seen : undefined;
    const examined = same ?? (await examineText(ctx, keyring, t.file, t.abs, t.bytes));
    const { state } = examined;
    if (state.kind === 'plain') continue;
    states.set(t, examined);
    if (state.kind === 'opened' && examined !== same) addSecrets(known.index, known.seen, { file: t.file, values: state.values, dataKey: state.dataKey, past: false });
    if (state.kind === 'locked') session.skipped.add(t.file);
  }

  const hits: Array<{ file: string; hit: Hit }> = [];
  for (const t of texts) {
    if (isBinary(t.bytes)) continue;
    const text = Buffer.from(t.bytes).toString('utf8');
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      for (const hit of lineHits(lines[i] as string, i + 1, lines[i + 1], known.index)) hits.push({ file: t.file, hit });
    }
    const sops = states.get(t);
    if (sops?.loaded !== undefined && sops.loaded !== null && sops.state.kind !== 'damaged') {
      for (const { key, line } of clearCommentSecrets(sops.loaded.parsed.docs, text)) {
        const at = line ?? 1;
        hits.push({ file: t.file, hit: { kind: 'leak', rule: 'commented-secret', line: at, column: 1, allowed: (lines[at - 1] ?? '').includes(ALLOW_MARK), key } });
      }
    }
  }
  for (const { file, hit } of withRanks(hits)) accept(findingOfHit(file, hit.hit, hit.rank, null), hit.hit.allowed);

  const damagedTexts = new Set<ScannedText>();
  for (const [t, { state }] of states) {
    const damage = state.kind === 'damaged' ? state.damage : state.kind === 'opened' ? state.damage : null;
    if (damage === null) continue;
    damagedTexts.add(t);
    const line = state.kind === 'damaged' ? (state.line ?? 1) : 1;
    findings.push({
      kind: 'damaged',
      rule: 'damaged-sops-file',
      file: t.file,
      line,
      message: `a damaged sops file: ${damage}`,
      remedy: remedyFor('damaged', 'damaged-sops-file', { file: t.file, history: false }),
      fingerprint: fingerprintOf(['damaged', t.file], null),
    });
  }

  const plain: TextOf[] = texts.filter((t) => !damagedTexts.has(t) && !isBinary(t.bytes)).map((t) => ({ abs: t.abs, text: Buffer.from(t.bytes).toString('utf8') }));
  const byAbs = new Map(texts.map((t) => [t.abs, t]));
  for (const p of await plaintextAmong(ctx, session.configRoot, session.globs, plain)) {
    const t = byAbs.get(p.abs) as ScannedText;
    const rule = `unencrypted-${p.rule}`;
    const firstLine = Buffer.from(t.bytes.subarray(0, 4096)).toString('utf8').split('\n')[0] ?? '';
    accept(
      { kind: 'unencrypted', rule, file: t.file, line: 1, message: p.why, remedy: remedyFor('unencrypted', rule, { file: t.file, history: false }), fingerprint: fingerprintOf(['unencrypted', rule, t.file], null) },
      firstLine.includes(ALLOW_MARK),
    );
  }
  return { findings, allowed };
}

/**
 * Ranks tokens by rule and commented-out secrets by key within each file (the baseline's
 * identity for them: see ops/baseline.ts), in the order they appear.
 */
function withRanks(hits: ReadonlyArray<{ file: string; hit: Hit }>): Array<{ file: string; hit: { hit: Hit; rank: number } }> {
  const counts = new Map<string, number>();
  const ordered = [...hits].sort((a, b) => a.file.localeCompare(b.file) || a.hit.line - b.hit.line || a.hit.column - b.hit.column);
  return ordered.map(({ file, hit }) => {
    const id = JSON.stringify([file, hit.rule, hit.kind === 'leak' && hit.rule === 'commented-secret' ? hit.key : '']);
    const rank = (counts.get(id) ?? 0) + 1;
    counts.set(id, rank);
    return { file, hit: { hit, rank } };
  });
}

