/**
 * Changing `.sops.yaml` for team commands: the roster and the `age` recipients of creation
 * rules. Edited through the yaml Document API, so comments and key order survive; each
 * recipient a rule lists gets its member's name as a comment.
 */
import type { Document, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { yamlLib } from '../yaml-lib.js';
import { ConfigError } from '../errors.js';
import { sameRecipient, splitRecipientList } from '../keys/recipient.js';

/** The rule `team add` creates when there is no .sops.yaml: every dotenv, YAML and JSON file. */
export const CATCH_ALL_REGEX = '(^|/)(\\.env(\\.[^/]*)?|[^/]*\\.env|[^/]*\\.ya?ml|[^/]*\\.json)$';

const HEADER = 'envseal keeps its roster (name: recipient) under `envseal:`; sops ignores that key.\n The creation rules list the recipients themselves, so sops uses this file unchanged.';

export function newConfigText(name: string, recipient: string): string {
  return newTeamConfigText([[name, recipient]]);
}

/** A new `.sops.yaml` with these members (name, recipient) in the roster and in one catch-all rule. */
export function newTeamConfigText(members: ReadonlyArray<readonly [string, string]>): string {
  const doc = yamlLib().parseDocument('{}');
  doc.commentBefore = ` ${HEADER}`;
  const contents = new (yamlLib().YAMLMap)();
  contents.set('envseal', rosterNode(members.map(([n, r]) => [n, r])));
  const rule = new (yamlLib().YAMLMap)();
  rule.set('path_regex', CATCH_ALL_REGEX);
  rule.set('age', recipientSeq(members.map(([n, r]) => [r, n])));
  const rules = new (yamlLib().YAMLSeq)();
  rules.add(rule);
  contents.set('creation_rules', rules);
  doc.contents = contents as never;
  return doc.toString({ lineWidth: 0 });
}

function rosterNode(members: Array<[string, string]>): YAMLMap {
  const section = new (yamlLib().YAMLMap)();
  const map = new (yamlLib().YAMLMap)();
  for (const [name, recipient] of members) map.set(name, recipient);
  section.set('members', map);
  return section;
}

function recipientSeq(items: Array<[string, string | undefined]>): YAMLSeq {
  const seq = new (yamlLib().YAMLSeq)();
  for (const [recipient, name] of items) seq.add(named(recipient, name));
  return seq;
}

function named(recipient: string, name: string | undefined): Scalar {
  const node = new (yamlLib().Scalar)(recipient);
  if (name !== undefined) node.comment = ` ${name}`;
  return node;
}

function load(text: string, file: string): Document {
  const doc = yamlLib().parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) throw new ConfigError(`invalid YAML (${doc.errors[0]?.code})`, { file });
  if (doc.contents === null) doc.contents = new (yamlLib().YAMLMap)() as never;
  if (!yamlLib().isMap(doc.contents)) throw new ConfigError('the top level must be a map', { file });
  return doc;
}

function rulesOf(doc: Document): YAMLMap[] {
  const rules = (doc.contents as YAMLMap).get('creation_rules', true);
  return yamlLib().isSeq(rules) ? rules.items.filter((r): r is YAMLMap => yamlLib().isMap(r)) : [];
}

/** Which rules a `--rule` selection names: a 1-based index, or the exact path_regex. */
export function selectRules(text: string, file: string, selectors: readonly string[]): number[] {
  const rules = rulesOf(load(text, file));
  if (selectors.length === 0) return rules.map((_, i) => i);
  return selectors.map((sel) => {
    const index = /^\d+$/.test(sel) ? Number(sel) - 1 : rules.findIndex((r) => String(r.get('path_regex') ?? '') === sel);
    if (index < 0 || index >= rules.length) {
      throw new ConfigError(`no creation rule ${/^\d+$/.test(sel) ? `number ${sel}` : `with path_regex ${JSON.stringify(sel)}`}`, {
        file,
        hint: 'envseal team ls shows the rules',
      });
    }
    return index;
  });
}

/** Adds a member to the roster and their recipient to the chosen rules. */
export function addMemberText(text: string, file: string, name: string, recipient: string, ruleIndexes: readonly number[], expires?: string): string {
  const doc = load(text, file);
  const top = doc.contents as YAMLMap;
  const found: unknown = top.get('envseal', true);
  let section: YAMLMap;
  if (yamlLib().isMap(found)) {
    section = found;
  } else {
    section = new (yamlLib().YAMLMap)();
    top.items.unshift(doc.createPair('envseal', section) as never);
  }
  const listed: unknown = section.get('members', true);
  let members: YAMLMap;
  if (yamlLib().isMap(listed)) {
    members = listed;
  } else {
    members = new (yamlLib().YAMLMap)();
    section.set('members', members);
  }
  if (expires === undefined) {
    members.set(name, recipient);
  } else {
    const entry = new (yamlLib().YAMLMap)();
    entry.set('recipient', recipient);
    entry.set('expires', expires);
    members.set(name, entry);
  }
  const rules = rulesOf(doc);
  for (const i of ruleIndexes) addToRule(rules[i] as YAMLMap, recipient, name);
  return doc.toString({ lineWidth: 0 });
}

function addToRule(rule: YAMLMap, recipient: string, name: string): void {
  const groups = rule.get('key_groups', true);
  const holder = yamlLib().isSeq(groups) && yamlLib().isMap(groups.items[0]) ? (groups.items[0] as YAMLMap) : rule;
  const age = holder.get('age', true);
  if (yamlLib().isSeq(age)) {
    const present = age.items.some((item) => yamlLib().isScalar(item) && splitRecipientList(String(item.value)).some((r) => sameRecipient(r, recipient)));
    if (!present) age.add(named(recipient, name));
  } else if (yamlLib().isScalar(age) && age.value !== null && String(age.value).trim() !== '') {
    const list = splitRecipientList(String(age.value));
    if (!list.some((r) => sameRecipient(r, recipient))) age.value = [...list, recipient].join(',');
  } else {
    holder.set('age', recipientSeq([[recipient, name]]));
  }
}

/** Removes a member from the roster (by name) and their recipient from every rule and group. */
export function removeMemberText(text: string, file: string, name: string | undefined, recipient: string): string {
  const doc = load(text, file);
  const section = (doc.contents as YAMLMap).get('envseal', true);
  const members = yamlLib().isMap(section) ? section.get('members', true) : undefined;
  if (yamlLib().isMap(members)) {
    if (name !== undefined) members.delete(name);
    // Any other name for the same key goes too (compared as keys, not as strings).
    members.items = members.items.filter((pair) => !(yamlLib().isScalar(pair.value) && sameRecipient(String(pair.value.value), recipient)));
  }
  for (const rule of rulesOf(doc)) {
    removeFrom(rule, recipient);
    const groups = rule.get('key_groups', true);
    if (yamlLib().isSeq(groups)) for (const g of groups.items) if (yamlLib().isMap(g)) removeFrom(g, recipient);
  }
  return doc.toString({ lineWidth: 0 });
}

function removeFrom(holder: YAMLMap, recipient: string): void {
  const age = holder.get('age', true);
  if (yamlLib().isSeq(age)) {
    age.items = age.items.flatMap((item) => {
      if (!yamlLib().isScalar(item)) return [item];
      const list = splitRecipientList(String(item.value));
      if (!list.some((r) => sameRecipient(r, recipient))) return [item];
      const rest = list.filter((r) => !sameRecipient(r, recipient));
      if (rest.length === 0) return [];
      item.value = rest.join(',');
      return [item];
    });
  } else if (yamlLib().isScalar(age) && age.value !== null) {
    age.value = splitRecipientList(String(age.value)).filter((r) => !sameRecipient(r, recipient)).join(',');
  }
}
