/**
 * What `envseal scan` reports: findings and the rules they come from. A finding names a place
 * (file:line, and the commit in history), its kind and rule, the secret's file and key for a
 * leak, and a remedy — never a value, nor any part of one.
 */
import type { SecretForm } from '../rules/secret-forms.js';
import { tokenRule, TOKEN_RULES } from '../rules/tokens.js';
import { fingerprintOf } from './baseline.js';

export type FindingKind = 'unencrypted' | 'damaged' | 'leak' | 'token';

/** The commit a history finding was added in. */
export interface CommitRef {
  readonly commit: string;
  readonly author: string;
  readonly email: string;
  /** ISO 8601, UTC. */
  readonly date: string;
  readonly subject: string;
}

/** Whose value a needle is: the secret's file (relative to the work tree) and key. */
export interface SecretOwner {
  readonly file: string;
  readonly key: string;
  /** A value the key held in an older version only (history). */
  readonly past: boolean;
  /** The value's fingerprint, keyed with its file's data key (ops/baseline.ts): never the value. */
  readonly print: string;
}

/** What a line rule found (ops/scan-lines.ts), before it becomes a finding. */
export type Hit =
  | { readonly kind: 'token'; readonly rule: string; readonly line: number; readonly column: number; readonly allowed: boolean }
  | { readonly kind: 'leak'; readonly rule: 'known-secret' | 'past-secret'; readonly line: number; readonly column: number; readonly allowed: boolean; readonly owner: SecretOwner; readonly form: SecretForm }
  | { readonly kind: 'leak'; readonly rule: 'commented-secret'; readonly line: number; readonly column: number; readonly allowed: boolean; readonly key: string };

export interface Finding {
  readonly kind: FindingKind;
  /** A rule id of {@link SCAN_RULES}. */
  readonly rule: string;
  /** Relative to the top of the work tree, with `/`. */
  readonly file: string;
  /** 1-based; 1 for a finding about a whole file. */
  readonly line: number;
  readonly column?: number | undefined;
  readonly commit?: CommitRef | undefined;
  /** For a leak: whose value it is (a secret's file and key). */
  readonly secret?: { readonly file: string; readonly key: string; readonly past: boolean } | undefined;
  /** For a leak: how the value was written. */
  readonly form?: SecretForm | undefined;
  /** One line for people: what was found (names and paths only). */
  readonly message: string;
  /** One line: what to do. */
  readonly remedy: string;
  /** For the baseline: see ops/baseline.ts (reveals nothing about a value). */
  readonly fingerprint: string;
}

export interface ScanRule {
  readonly id: string;
  readonly kind: FindingKind;
  /** Short, for people and SARIF `name`. */
  readonly name: string;
  /** One or two sentences (SARIF `fullDescription`). */
  readonly description: string;
}

/** Every rule a finding can carry, in the order reports list them. */
export const SCAN_RULES: readonly ScanRule[] = [
  { id: 'unencrypted-dotenv', kind: 'unencrypted', name: 'plaintext dotenv file', description: 'A dotenv file (.env, .env.*, *.env) that is not a sops file. Examples (.env.example, .env.sample, .env.template) are exempt and scanned like any text.' },
  { id: 'unencrypted-policy', kind: 'unencrypted', name: 'plaintext file the policy says must be encrypted', description: 'A file matching a glob under `envseal: policy: encrypted:` in .sops.yaml that is not a sops file.' },
  { id: 'unencrypted-was-encrypted', kind: 'unencrypted', name: 'encrypted file now in plaintext', description: 'A file that is a sops file in HEAD (or the commit before) but plaintext now: a `decrypt --in-place` about to be committed.' },
  { id: 'damaged-sops-file', kind: 'damaged', name: 'damaged sops file', description: 'A sops file whose MAC does not match its values, whose values fail authentication, whose sops metadata does not parse, or whose values look encrypted while its metadata is gone.' },
  { id: 'known-secret', kind: 'leak', name: 'a secret value in clear', description: 'A value of an encrypted file (one you can open) appears in clear, or base64-, URL- or JSON-escaped.' },
  { id: 'past-secret', kind: 'leak', name: 'a past secret value in clear', description: 'A value an encrypted file held in an earlier version appears in clear in history: if it is still in use anywhere, rotate it.' },
  { id: 'commented-secret', kind: 'leak', name: 'a commented-out secret', description: 'A comment left in clear in a sops file assigns a value above the floor for secrets (`# OLD_PASSWORD=…`); sops files keep comments readable.' },
  ...TOKEN_RULES.map((r): ScanRule => ({ id: r.id, kind: 'token', name: r.name, description: r.description })),
];

export function scanRule(id: string): ScanRule | undefined {
  return SCAN_RULES.find((r) => r.id === id);
}

/** The remedy for each kind of finding (the message says which file and key). */
export function remedyFor(kind: FindingKind, rule: string, subject: { file: string; key?: string; history: boolean }): string {
  switch (kind) {
    case 'unencrypted':
      return subject.history
        ? `rotate every value that file held (it is in the history), then keep it encrypted: envseal encrypt ${subject.file}`
        : `encrypt it (envseal encrypt ${subject.file}), or unstage it`;
    case 'damaged':
      return `restore it from git (git checkout -- ${subject.file}) or re-encrypt it from a good copy`;
    case 'leak':
      if (rule === 'commented-secret') return `remove the comment, or keep the value as an encrypted key (envseal set ${subject.key ?? 'KEY'} -f ${subject.file})`;
      return subject.history
        ? `rotate it (envseal set ${subject.key ?? 'KEY'} --generate -f ${subject.file}, then change it where it is used): it stays in git history`
        : `remove the value and read it from the environment (envseal run); if it left this machine, rotate it`;
    case 'token':
      return subject.history ? 'revoke it at its issuer: it stays in git history' : 'remove it and revoke it at its issuer; keep it encrypted instead (envseal set NAME)';
  }
}

const FORM_WORDS: Readonly<Record<SecretForm, string>> = {
  plain: '',
  base64: ', base64-encoded',
  base64url: ', base64url-encoded',
  'url-encoded': ', URL-encoded',
  'json-escaped': ', JSON-escaped',
};

/**
 * A line hit as a finding. `rank`: its place among the file's hits of the same rule (and key),
 * part of its baseline identity in the working tree; in history (`commit`), the identity is
 * the commit, file and line instead (ops/baseline.ts).
 */
export function findingOfHit(file: string, hit: Hit, rank: number, commit: CommitRef | null): Finding {
  const history = commit !== null;
  const where = (parts: readonly string[]): string => fingerprintOf(history ? ['history', commit.commit, file, String(hit.line), ...parts] : parts, null);
  const base = { file, line: hit.line, column: hit.column, ...(commit === null ? {} : { commit }) };
  if (hit.kind === 'token') {
    const rule = tokenRule(hit.rule);
    return { ...base, kind: 'token', rule: hit.rule, message: rule?.name ?? hit.rule, remedy: remedyFor('token', hit.rule, { file, history }), fingerprint: where(['token', hit.rule, file, String(rank)]) };
  }
  if (hit.rule === 'commented-secret') {
    return {
      ...base,
      kind: 'leak',
      rule: hit.rule,
      secret: { file, key: hit.key, past: false },
      message: `a commented-out value for ${hit.key}, in clear in an encrypted file`,
      remedy: remedyFor('leak', hit.rule, { file, key: hit.key, history }),
      fingerprint: where(['commented-secret', file, hit.key, String(rank)]),
    };
  }
  const { owner } = hit;
  return {
    ...base,
    kind: 'leak',
    rule: hit.rule,
    secret: { file: owner.file, key: owner.key, past: owner.past },
    form: hit.form,
    message: `${owner.past ? 'a past value' : 'the value'} of ${owner.key} in ${owner.file}${FORM_WORDS[hit.form]}`,
    remedy: remedyFor('leak', hit.rule, { file: owner.file, key: owner.key, history }),
    fingerprint: history ? where(['leak', hit.rule, owner.file, owner.key, hit.form]) : fingerprintOf(['leak', file, owner.file, owner.key, hit.form, owner.print], null),
  };
}
