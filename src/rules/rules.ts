/**
 * Which leaves are encrypted (sops-format.md §4). A file carries at most one rule field;
 * with none, `unencrypted_suffix: _unencrypted` applies. Every key on the leaf's path
 * counts, so everything below `foo_unencrypted:` stays in clear.
 */
import { compileRe2, type Re2Regex } from './re2.js';
import type { LeafContext } from '../tree.js';

export const RULE_FIELDS = [
  'unencrypted_suffix',
  'encrypted_suffix',
  'unencrypted_regex',
  'encrypted_regex',
  'unencrypted_comment_regex',
  'encrypted_comment_regex',
] as const;
export type RuleField = (typeof RULE_FIELDS)[number];

export interface EncryptionRule {
  readonly field: RuleField;
  readonly value: string;
}

export const DEFAULT_RULE: EncryptionRule = { field: 'unencrypted_suffix', value: '_unencrypted' };

export type ShouldEncrypt = (ctx: LeafContext) => boolean;

/** Thrown by {@link compileRule} for a regex RE2 would read differently; callers add the file. */
export class RuleRegexError extends Error {}

export function compileRule(rule: EncryptionRule): ShouldEncrypt {
  const { field, value } = rule;
  switch (field) {
    case 'unencrypted_suffix':
      return ({ path }) => !path.some((key) => key.endsWith(value));
    case 'encrypted_suffix':
      return ({ path }) => path.some((key) => key.endsWith(value));
    case 'unencrypted_regex': {
      const re = regexOf(field, value);
      return ({ path }) => !path.some((key) => re.test(key));
    }
    case 'encrypted_regex': {
      const re = regexOf(field, value);
      return ({ path }) => path.some((key) => re.test(key));
    }
    case 'unencrypted_comment_regex': {
      const re = regexOf(field, value);
      return ({ commentStack }) => !commentStack.some((level) => level.some((c) => re.test(c)));
    }
    case 'encrypted_comment_regex': {
      const re = regexOf(field, value);
      // A comment leaf ignores itself (the last comment of the innermost level), so the
      // marker comment stays readable while comments after it are encrypted.
      return ({ commentStack, isComment }) =>
        commentStack.some((level, i) =>
          level.some((c, j) => {
            const isSelf = isComment && i === commentStack.length - 1 && j === level.length - 1;
            return !isSelf && re.test(c);
          }),
        );
    }
  }
}

function regexOf(field: RuleField, source: string): Re2Regex {
  const compiled = compileRe2(source);
  if (!compiled.ok) throw new RuleRegexError(`${field} ${JSON.stringify(source)}: ${compiled.reason}`);
  return compiled.regex;
}
