/**
 * The team's policy, under `envseal: policy:` in `.sops.yaml` (sops ignores the `envseal:`
 * key): how long a secret may go unchanged, and which paths must only ever be committed
 * encrypted. `envseal status --check` holds the repository to it.
 *
 * ```yaml
 * envseal:
 *   policy:
 *     max_age: 90d          # d (days), w (weeks) or y (years)
 *     encrypted:            # globs, relative to the folder of .sops.yaml
 *       - config/*.env
 *       - secrets/**
 * ```
 */
import { ConfigError } from '../errors.js';

export interface Policy {
  /** A secret unchanged for longer is flagged; null: no limit. */
  readonly maxAge: { readonly days: number; readonly text: string } | null;
  /** Paths (globs) that must hold sops files whenever they exist. */
  readonly encrypted: readonly string[];
}

const UNIT_DAYS: Readonly<Record<string, number>> = { d: 1, w: 7, y: 365 };

export function readPolicy(raw: unknown, file: string): Policy {
  const section = field(field(raw, 'envseal'), 'policy');
  if (section === undefined || section === null) return { maxAge: null, encrypted: [] };
  if (typeof section !== 'object' || Array.isArray(section)) throw new ConfigError('envseal.policy must be a map', { file });
  const maxAgeRaw = field(section, 'max_age');
  let maxAge: Policy['maxAge'] = null;
  if (maxAgeRaw !== undefined && maxAgeRaw !== null) {
    const text = String(maxAgeRaw);
    const m = /^(\d+)\s*([dwy])$/.exec(text.trim());
    if (m === null || Number(m[1]) === 0) throw new ConfigError(`envseal.policy.max_age ${JSON.stringify(text)} is not a duration such as 90d, 12w or 1y`, { file });
    maxAge = { days: Number(m[1]) * (UNIT_DAYS[m[2] as string] as number), text: text.trim() };
  }
  const encryptedRaw = field(section, 'encrypted');
  const encrypted = encryptedRaw === undefined || encryptedRaw === null ? [] : Array.isArray(encryptedRaw) ? encryptedRaw.map(String) : [String(encryptedRaw)];
  return { maxAge, encrypted };
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}

/**
 * A glob as a RegExp over `/`-separated relative paths: `**` any folders, `*` and `?` within
 * one name, everything else literal. A pattern without `/` matches a name in any folder, as in
 * .gitignore (`*.env` is every .env file).
 */
export function globRegex(glob: string): RegExp {
  let source = '';
  const pattern = glob.startsWith('/') ? glob.slice(1) : glob;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      source += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const anywhere = !glob.startsWith('/') && !pattern.includes('/');
  return new RegExp(`^${anywhere ? '(?:.*/)?' : ''}${source}$`);
}
