/**
 * The roster: member names and their recipients, kept in `.sops.yaml` under a top-level
 * `envseal:` key that sops ignores (it ignores unknown top-level keys), so one file serves
 * both tools and `sops updatekeys` keeps working on the creation rules, which hold the real
 * recipients.
 *
 * ```yaml
 * envseal:
 *   members:
 *     alice: age1…
 *     bob: age1…
 * creation_rules:
 *   - path_regex: \.env$
 *     age:
 *       - age1…  # alice
 * ```
 */
import { ConfigError } from '../errors.js';
import { parseRecipient, type Recipient } from '../keys/recipient.js';

export interface Roster {
  /** name → recipient, in file order. */
  readonly members: ReadonlyMap<string, Recipient>;
  /** name → the last day (YYYY-MM-DD, UTC) a member keeps access, for members who carry one. */
  readonly expires?: ReadonlyMap<string, string>;
}

export const MEMBER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function readRoster(raw: unknown, file: string): Roster {
  const members = new Map<string, Recipient>();
  const section = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['envseal'] : undefined;
  if (section === undefined || section === null) return { members };
  const list = typeof section === 'object' ? (section as Record<string, unknown>)['members'] : undefined;
  if (list === undefined || list === null) return { members };
  if (typeof list !== 'object' || Array.isArray(list)) throw new ConfigError('envseal.members must be a map of name: recipient', { file });
  const expires = new Map<string, string>();
  for (const [name, value] of Object.entries(list as Record<string, unknown>)) {
    if (!MEMBER_NAME.test(name)) throw new ConfigError(`member name ${JSON.stringify(name)} is not valid (letters, digits, . _ @ -)`, { file });
    // `name: age1…`, or `name: { recipient: age1…, expires: 2027-03-31 }`.
    const entry = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { recipient: value };
    const parsed = typeof entry['recipient'] === 'string' ? parseRecipient(entry['recipient']) : { ok: false as const, reason: 'not a string' };
    if (!parsed.ok) throw new ConfigError(`member ${name} has a recipient that does not parse: ${parsed.reason}`, { file });
    members.set(name, parsed.recipient);
    const until = entry['expires'];
    if (until !== undefined && until !== null) {
      const day = until instanceof Date ? until.toISOString().slice(0, 10) : String(until);
      if (!isDay(day)) throw new ConfigError(`member ${name} expires on ${JSON.stringify(day)}, which is not a date (YYYY-MM-DD)`, { file });
      expires.set(name, day);
    }
  }
  return { members, expires };
}

/** A calendar day as YYYY-MM-DD that exists. */
export function isDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  return new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) === text;
}

/** Whether a member whose access runs through `day` has expired at `now`. */
export function hasExpired(day: string, now: Date): boolean {
  return now.getTime() >= new Date(`${day}T00:00:00Z`).getTime() + 86_400_000;
}

/** A function naming recipients from the roster (undefined for strangers). */
export function namer(roster: Roster): (recipient: string) => string | undefined {
  const byRecipient = new Map<string, string>();
  for (const [name, recipient] of roster.members) byRecipient.set(recipient, name);
  return (recipient) => byRecipient.get(recipient);
}
