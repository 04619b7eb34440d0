/**
 * Options shared by several commands, declared once (yargs option objects).
 */
import type { Options, PositionalOptions } from 'yargs';
import { RULE_FIELDS, type EncryptionRule, type RuleField } from '../../rules/rules.js';
import { UsageError } from '../../errors.js';

export const keyPositional = { type: 'string', demandOption: true, describe: 'KEY, db.password or ["db"]["password"]' } as const satisfies PositionalOptions;

export const filesPositional = { type: 'string', array: true } as const satisfies PositionalOptions;

export const configOption = {
  requiresArg: true,
  type: 'string',
  describe: 'use this .sops.yaml instead of looking for one',
  normalize: false,
} as const satisfies Options;

export const yesOption = {
  type: 'boolean',
  default: false,
  describe: 'go ahead without asking about recipients outside the roster or removals nobody named',
} as const satisfies Options;

export const dryRunOption = { type: 'boolean', default: false, describe: 'show the plan and stop' } as const satisfies Options;

export const dropOtherKeysOption = {
  type: 'boolean',
  default: false,
  describe: 'remove pgp/kms/… entries that cannot get the new data key',
} as const satisfies Options;

/** `--input-format` (with `--format` as its other name on commands that print no other format). */
export const inputFormatOption = {
  alias: 'format',
  requiresArg: true,
  type: 'string',
  choices: ['dotenv', 'yaml', 'json'],
  describe: 'read the file as this format instead of guessing from its name',
} as const satisfies Options;

/** `--input-format` alone, for commands whose `--format` is the output format (decrypt, scan). */
export const inputFormatOnlyOption = {
  requiresArg: true,
  type: 'string',
  choices: ['dotenv', 'yaml', 'json'],
  describe: 'read the file as this format instead of guessing from its name',
} as const satisfies Options;

export const ageOption = {
  requiresArg: true,
  type: 'string',
  array: true,
  describe: 'encrypt to this age recipient or SSH public key (repeatable; replaces the recipients of .sops.yaml)',
} as const satisfies Options;

export const fileOption = {
  requiresArg: true,
  alias: 'f',
  type: 'string',
  default: '.env',
  describe: 'the encrypted file',
} as const satisfies Options;

export const jsonOption = { type: 'boolean', default: false, describe: 'print machine-readable JSON' } as const satisfies Options;

const ruleOption = (field: RuleField) =>
  ({ type: 'string', describe: `sops rule for new files: ${field}`, group: 'Encryption rule (new files):' }) as const satisfies Options;

/** `--encrypted-regex R` and friends: the sops rule fields as flags. */
export const ruleOptions = {
  'unencrypted-suffix': ruleOption('unencrypted_suffix'),
  'encrypted-suffix': ruleOption('encrypted_suffix'),
  'unencrypted-regex': ruleOption('unencrypted_regex'),
  'encrypted-regex': ruleOption('encrypted_regex'),
  'unencrypted-comment-regex': ruleOption('unencrypted_comment_regex'),
  'encrypted-comment-regex': ruleOption('encrypted_comment_regex'),
} as const;

export const macOnlyOption = {
  type: 'boolean',
  describe: 'new files: the MAC covers only encrypted values (sops mac_only_encrypted)',
  group: 'Encryption rule (new files):',
} as const satisfies Options;

/** The rule given by flags, if any (at most one, as sops allows). */
export function ruleFromFlags(args: Readonly<Record<string, unknown>>): EncryptionRule | undefined {
  const given = RULE_FIELDS.flatMap((field): EncryptionRule[] => {
    const value = args[field.replace(/_(.)/g, (_, c: string) => c.toUpperCase())];
    return typeof value === 'string' && value !== '' ? [{ field, value }] : [];
  });
  if (given.length > 1) throw new UsageError(`give at most one of --${given.map((r) => r.field.replace(/_/g, '-')).join(', --')}`);
  return given[0];
}
