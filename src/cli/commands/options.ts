/**
 * Options shared by several commands, declared once (yargs option objects).
 */
import type { Options } from 'yargs';
import { RULE_FIELDS, type EncryptionRule, type RuleField } from '../../rules/rules.js';
import { UsageError } from '../../errors.js';

export const configOption = {
  type: 'string',
  describe: 'use this .sops.yaml instead of looking for one',
  normalize: false,
} as const satisfies Options;

export const dryRunOption = { type: 'boolean', default: false, describe: 'show the plan and stop' } as const satisfies Options;

export const dropOtherKeysOption = {
  type: 'boolean',
  default: false,
  describe: 'remove pgp/kms/… entries that cannot get the new data key',
} as const satisfies Options;

export const inputFormatOption = {
  type: 'string',
  choices: ['dotenv', 'yaml', 'json'],
  describe: 'read the file as this format instead of guessing from its name',
} as const satisfies Options;

export const ageOption = {
  type: 'string',
  array: true,
  describe: 'encrypt to this age recipient (repeatable; replaces the recipients of .sops.yaml)',
} as const satisfies Options;

export const fileOption = {
  alias: 'f',
  type: 'string',
  default: '.env',
  describe: 'the encrypted file',
} as const satisfies Options;

export const jsonOption = { type: 'boolean', default: false, describe: 'print machine-readable JSON' } as const satisfies Options;

/** `--encrypted-regex R` and friends: the sops rule fields as flags. */
export const ruleOptions = Object.fromEntries(
  RULE_FIELDS.map((field) => [
    field.replace(/_/g, '-'),
    { type: 'string', describe: `sops rule for new files: ${field}`, group: 'Encryption rule (new files):' } satisfies Options,
  ]),
) as Record<string, Options>;

export const macOnlyOption = {
  type: 'boolean',
  describe: 'new files: the MAC covers only encrypted values (sops mac_only_encrypted)',
  group: 'Encryption rule (new files):',
} as const satisfies Options;

/** The rule given by flags, if any (at most one, as sops allows). */
export function ruleFromFlags(args: Record<string, unknown>): EncryptionRule | undefined {
  const given = RULE_FIELDS.flatMap((field): EncryptionRule[] => {
    const value = args[field.replace(/_/g, '-')];
    return typeof value === 'string' && value !== '' ? [{ field: field as RuleField, value }] : [];
  });
  if (given.length > 1) throw new UsageError(`give at most one of --${given.map((r) => r.field.replace(/_/g, '-')).join(', --')}`);
  return given[0];
}
