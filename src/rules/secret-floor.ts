/**
 * The floor for secrets (README "run", --mask): one documented rule
 * that `run --mask`, CI masking, `scan` and the warning about commented-out secrets share.
 * It answers "could this value be a secret worth hiding or looking for?", never "is it one":
 * values below the floor are ones that occur by chance everywhere (a port, `true`, `debug`),
 * so masking or searching for them would mangle output and flood reports.
 *
 * A value is above the floor unless, once surrounding whitespace is trimmed, it is
 * - shorter than {@link MIN_SECRET_LENGTH} characters (counted in code points);
 * - purely numeric: an optional sign, digits, and `.`, `,` or `_` between digits
 *   (`3000`, `-1.5`, `1_000_000`, `3,14`);
 * - boolean-ish: true/false, yes/no, on/off, y/n, in any case;
 * - one of the common words in {@link COMMON_WORDS}, in any case (environment names, log
 *   levels, placeholders such as `localhost` or `none`).
 *
 * Which values a rule keeps in clear (`_unencrypted`) is decided by the callers: a value in
 * clear is not a secret whatever it looks like. Pure.
 */

/** Values shorter than this (after trimming) are not secrets: 6 code points. */
export const MIN_SECRET_LENGTH = 6;

const NUMERIC = /^[+-]?\d+(?:[.,_]\d+)*$/;

const BOOLEANISH = new Set(['true', 'false', 'yes', 'no', 'on', 'off', 'y', 'n']);

/** Words that are configuration, not secrets; compared case-insensitively. */
export const COMMON_WORDS: ReadonlySet<string> = new Set([
  'production',
  'prod',
  'development',
  'dev',
  'staging',
  'stage',
  'test',
  'testing',
  'local',
  'localhost',
  'debug',
  'info',
  'notice',
  'warn',
  'warning',
  'error',
  'fatal',
  'trace',
  'verbose',
  'silent',
  'enabled',
  'disabled',
  'default',
  'none',
  'null',
  'nil',
  'undefined',
  'example',
  'sample',
]);

/** Whether `value` is above the floor for secrets (see the module comment). */
export function isSecretLike(value: string): boolean {
  const text = value.trim();
  if ([...text].length < MIN_SECRET_LENGTH) return false;
  if (NUMERIC.test(text)) return false;
  const lower = text.toLowerCase();
  return !BOOLEANISH.has(lower) && !COMMON_WORDS.has(lower);
}
