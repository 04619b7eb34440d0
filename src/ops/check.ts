/**
 * `envseal status --check`: the repository held to the team's policy (README "Team"). Every
 * violation is listed (never a value); the command exits 8 when there is any:
 *  - rotation debt still open (a removed member could read a value that has not changed);
 *  - a secret unchanged for longer than `envseal: policy: max_age` (from git history);
 *  - a member whose access expired and who can still read a file;
 *  - a file readable by a recipient outside the roster;
 *  - plaintext that must be encrypted (ops/plaintext.ts).
 */
import { resolveFromCwd } from '../paths.js';
import { readPolicy } from '../config/policy.js';
import { hasExpired } from '../config/roster.js';
import type { Ctx } from './context.js';
import { plaintextFindings } from './plaintext.js';
import { loadTeam } from './repository.js';
import type { Status } from './status.js';
import { shortRecipient } from '../keys/recipient.js';

export type ViolationKind = 'debt' | 'max-age' | 'expired-member' | 'outside-roster' | 'unencrypted';

export interface Violation {
  readonly kind: ViolationKind;
  readonly file: string;
  readonly key?: string;
  /** One line for people; names, paths and dates only. */
  readonly message: string;
}

export async function policyViolations(ctx: Ctx, status: Status, given: readonly string[]): Promise<Violation[]> {
  const team = await loadTeam(ctx);
  const policy = team.config === null ? { maxAge: null, encrypted: [] } : readPolicy(team.config.raw, team.configPath);
  const now = ctx.io.now();
  const out: Violation[] = [];
  for (const row of status.rows) {
    for (const d of row.debt) {
      out.push({ kind: 'debt', file: row.file, key: d.key, message: `${row.file} ${d.key}: ${d.member} could read it (removed ${d.removed}) and it has not changed since${d.unsure === null ? '' : ` (or envseal cannot tell: ${d.unsure})`}` });
    }
    if (team.roster.members.size > 0) {
      for (const r of row.recipients) {
        if (r.name === null) out.push({ kind: 'outside-roster', file: row.file, message: `${row.file}: readable by ${shortRecipient(r.recipient)}, who is not in the roster` });
      }
    }
  }
  if (policy.maxAge !== null) {
    const limit = now.getTime() - policy.maxAge.days * 86_400_000;
    for (const secret of status.secrets) {
      const changed = secret.lastChanged;
      if (changed === null || changed === 'uncommitted') continue;
      if (new Date(changed.date).getTime() < limit) {
        out.push({ kind: 'max-age', file: secret.file, key: secret.key, message: `${secret.file} ${secret.key}: unchanged since ${changed.date} (${changed.commit.slice(0, 7)}), longer than max_age ${policy.maxAge.text}` });
      }
    }
  }
  for (const [name, day] of team.roster.expires ?? []) {
    if (!hasExpired(day, now)) continue;
    const recipient = team.roster.members.get(name);
    const reads = status.rows.filter((row) => row.recipients.some((r) => r.recipient === recipient)).map((row) => row.file);
    if (reads.length > 0) out.push({ kind: 'expired-member', file: reads[0] as string, message: `${name}'s access expired after ${day}, but they can still read ${reads.join(', ')} (envseal team rm ${name})` });
  }
  const plain = await plaintextFindings(ctx, team.root, policy, given.length === 0 ? undefined : given.map((g) => resolveFromCwd(ctx, g)));
  for (const p of plain) out.push({ kind: 'unencrypted', file: p.file, message: `${p.file}: ${p.why} (envseal encrypt ${p.file})` });
  return out;
}
