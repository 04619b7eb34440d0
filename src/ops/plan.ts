/**
 * Who a new file is encrypted to, and under which rule: `--age` flags (or
 * SOPS_AGE_RECIPIENTS) replace the creation rule's keys entirely, as in sops; otherwise the
 * first matching rule of the nearest `.sops.yaml`. Encrypting to nobody is refused.
 */
import { sep } from 'node:path';
import { DEFAULT_RULE, type EncryptionRule } from '../rules/rules.js';
import { ConfigError, UsageError } from '../errors.js';
import { looksLikeIdentity, parseRecipient, shortRecipient, splitRecipientList, type Recipient } from '../keys/recipient.js';
import { findConfigPath, loadConfig } from '../config/load.js';
import { ruleFor } from '../config/rules.js';
import type { CreationRule } from '../config/schema.js';
import type { Ctx } from './context.js';
import type { KeyPlan } from './seal.js';
import { namer, readRoster, type Roster } from '../config/roster.js';
import type { Question } from './confirm.js';
import type { NameOf } from './names.js';
import { count } from '../text.js';

export interface PlanFlags {
  readonly age?: readonly string[] | undefined;
  readonly rule?: EncryptionRule | undefined;
  readonly macOnlyEncrypted?: boolean | undefined;
  /** Go ahead without asking about recipients outside the roster. */
  readonly yes?: boolean | undefined;
}

export interface NewFilePlan extends KeyPlan {
  /** Recipients the rule brings in that are not in the roster (never those named on the command line). */
  readonly strangers: readonly Recipient[];
  /** Roster names, for saying who a file is for. */
  readonly nameOf: NameOf;
  /** Whether the repository keeps a roster (only then is anyone "outside the roster"). */
  readonly hasRoster: boolean;
}

/** Parses recipient strings given on the command line, naming the first bad one. */
export function parseRecipientFlags(values: readonly string[]): Recipient[] {
  const out: Recipient[] = [];
  for (const value of values.flatMap(splitRecipientList)) {
    const parsed = parseRecipient(value);
    if (!parsed.ok) {
      throw new UsageError(`recipient ${looksLikeIdentity(value) ? '(not shown)' : shorten(value)} does not parse: ${parsed.reason}`, {
        hint: 'a recipient looks like age1… (envseal keygen prints yours), or an SSH public key: ssh-ed25519 AAAA… or ssh-rsa AAAA…',
      });
    }
    if (!out.includes(parsed.recipient)) out.push(parsed.recipient);
  }
  return out;
}

function shorten(text: string): string {
  return JSON.stringify(text.length > 30 ? `${text.slice(0, 24)}…` : text);
}

/**
 * Who a new file would be encrypted to. Recipients named on the command line (or in
 * SOPS_AGE_RECIPIENTS) are taken as given; recipients a rule brings in that the roster does
 * not know come back as `strangers`, for the caller to ask about (anyone with write access
 * can add one to `.sops.yaml`). Without a roster nobody is a stranger: a plain sops setup.
 */
export async function planForNewFile(ctx: Ctx, fileAbs: string, display: string, flags: PlanFlags): Promise<NewFilePlan> {
  const fromFlags = flags.age !== undefined && flags.age.length > 0 ? flags.age : undefined;
  const fromEnv = ctx.io.env['SOPS_AGE_RECIPIENTS'];
  const configPath = await findConfigPath(ctx.io, fileAbs, { explicit: ctx.configPath, warn: ctx.warn });
  let creation: CreationRule | null = null;
  let roster: Roster = { members: new Map() };
  if (configPath !== null) {
    const config = await loadConfig(ctx.io, configPath, ctx.warn);
    roster = readRoster(config.raw, configPath);
    creation = ruleFor(config, fileAbs, sep);
    if (creation === null && fromFlags === undefined && fromEnv === undefined) {
      throw new ConfigError(`no creation rule in ${configPath} matches ${display}`, {
        file: configPath,
        hint: 'add a rule whose path_regex matches the file, or pass --age RECIPIENT',
      }, 'NO_RECIPIENTS');
    }
  }
  const rule = flags.rule ?? creation?.rule ?? DEFAULT_RULE;
  const macOnlyEncrypted = flags.macOnlyEncrypted ?? creation?.macOnlyEncrypted ?? false;
  const explicit = fromFlags ?? (fromEnv !== undefined && fromEnv !== '' ? [fromEnv] : undefined);
  if (explicit !== undefined) {
    const age = parseRecipientFlags(explicit);
    if (age.length === 0) throw noRecipients(display);
    return { groups: [{ age, others: {} }], threshold: 0, rule, macOnlyEncrypted, strangers: [], nameOf: namer(roster), hasRoster: roster.members.size > 0 };
  }
  if (creation === null) throw noRecipients(display);
  const foreign = creation.groups.flatMap((g) => g.otherKeys);
  if (foreign.length > 0) {
    throw new ConfigError(`creation rule ${creation.index + 1} asks for keys envseal cannot wrap for: ${foreign.join(', ')}`, {
      file: configPath ?? undefined,
      line: creation.line,
      hint: 'encrypt this file with sops, or pass --age RECIPIENT to use age recipients only',
    });
  }
  const groups = creation.groups.filter((g) => g.age.length > 0);
  if (groups.length === 0) throw noRecipients(display, configPath ?? undefined);
  if (groups.length < creation.groups.length) {
    throw new ConfigError(`creation rule ${creation.index + 1} has a key group with no recipient`, {
      file: configPath ?? undefined,
      line: creation.line,
      hint: 'give every key group at least one age recipient, or remove the empty group',
    });
  }
  const strangers = roster.members.size === 0 ? [] : [...new Set(groups.flatMap((g) => g.age))].filter((r) => namer(roster)(r) === undefined);
  return { groups: groups.map((g) => ({ age: g.age, others: {} })), threshold: creation.shamirThreshold, rule, macOnlyEncrypted, strangers, nameOf: namer(roster), hasRoster: roster.members.size > 0 };
}

/** The question to ask before wrapping a data key for recipients outside the roster. */
export function strangersQuestion(strangers: readonly string[], where: string): Question {
  return {
    summary: `${where} would be readable by ${count(strangers.length, 'recipient')} outside the roster`,
    lines: strangers.map((r) => `${r} (not in the roster: who is this? envseal team add NAME ${r.slice(0, 12)}… names them)`),
  };
}

/** Who a file is for, in words: `2 recipients: alice, bob`; with a roster, strangers flagged. */
export function describeRecipients(recipients: readonly Recipient[], plan: Pick<NewFilePlan, 'nameOf' | 'hasRoster'>): string {
  const names = recipients.map((r) => plan.nameOf(r) ?? `${shortRecipient(r)}${plan.hasRoster ? ' (not in the roster)' : ''}`);
  return `${count(recipients.length, 'recipient')}: ${names.join(', ')}`;
}

function noRecipients(display: string, configPath?: string): ConfigError {
  return new ConfigError(`no recipients to encrypt ${display} to`, {
    file: configPath,
    hint: 'pass --age RECIPIENT (envseal keygen prints yours), or add the recipient to a creation rule in .sops.yaml',
  }, 'NO_RECIPIENTS');
}
