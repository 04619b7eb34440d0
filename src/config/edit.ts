/**
 * Changing `.sops.yaml` for team commands: the roster and the `age` recipients of creation
 * rules. Edited through the yaml Document API, so comments, key order, anchors and aliases
 * survive; each recipient a rule lists gets its member's name as a comment.
 */
import type { Document, Node as YamlNode, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { yamlLib, yamlProblem } from '../yaml-lib.js';
import { deref, fieldRef, type FieldRef } from './yaml-nodes.js';
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
  const doc = yamlLib().parseDocument(text, { keepSourceTokens: false, merge: true });
  const error = doc.errors[0];
  if (error !== undefined) throw new ConfigError(`invalid YAML at line ${error.linePos?.[0].line ?? '?'} (${yamlProblem(error.code)})`, { file, line: error.linePos?.[0].line });
  if (doc.contents === null) doc.contents = new (yamlLib().YAMLMap)() as never;
  if (!yamlLib().isMap(doc.contents)) throw new ConfigError('the top level must be a map', { file });
  return doc;
}

/** The creation rules, each as the map it stands for (an alias is followed, as sops does). */
function rulesOf(doc: Document): YAMLMap[] {
  const rules = fieldRef(doc, doc.contents as YAMLMap, 'creation_rules')?.value;
  return yamlLib().isSeq(rules) ? rules.items.map((item) => deref(doc, item)).filter((r): r is YAMLMap => yamlLib().isMap(r)) : [];
}

/** Which rules a `--rule` selection names: a 1-based index, or the exact path_regex. */
export function selectRules(text: string, file: string, selectors: readonly string[]): number[] {
  const doc = load(text, file);
  const rules = rulesOf(doc);
  if (selectors.length === 0) return rules.map((_, i) => i);
  const pathRegexOf = (rule: YAMLMap): string => {
    const value = fieldRef(doc, rule, 'path_regex')?.value;
    return yamlLib().isScalar(value) && value.value !== null ? String(value.value) : '';
  };
  return selectors.map((sel) => {
    const index = /^\d+$/.test(sel) ? Number(sel) - 1 : rules.findIndex((r) => pathRegexOf(r) === sel);
    if (index < 0 || index >= rules.length) {
      throw new ConfigError(`no creation rule ${/^\d+$/.test(sel) ? `number ${sel}` : `with path_regex ${JSON.stringify(sel)}`}`, {
        file,
        hint: 'envseal team ls shows the rules',
      });
    }
    return index;
  });
}

/**
 * Adds a member to the roster and their recipient to the chosen rules (to the first key group
 * of a rule that has groups). Anchors and aliases stay: a recipient list that several rules
 * share through an alias (or a `<<` merge) is extended in place when every rule sharing it is
 * chosen; otherwise a chosen rule gets its own list, and the others keep theirs.
 */
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
  const edited = new Set(ruleIndexes.map((i) => firstHolder(doc, rules[i] as YAMLMap)));
  for (const i of ruleIndexes) addToRule(doc, rules, edited, firstHolder(doc, rules[i] as YAMLMap), recipient, name);
  return written(doc, file);
}

/** The map whose `age` a rule's recipients are added to: its first key group, or the rule. */
function firstHolder(doc: Document, rule: YAMLMap): YAMLMap {
  const groups = fieldRef(doc, rule, 'key_groups')?.value;
  const first = yamlLib().isSeq(groups) ? deref(doc, groups.items[0]) : undefined;
  return yamlLib().isMap(first) ? first : rule;
}

/** Every map that lists recipients: each rule, or each of its key groups. */
function holdersOf(doc: Document, rules: readonly YAMLMap[]): YAMLMap[] {
  return rules.flatMap((rule) => {
    const groups = fieldRef(doc, rule, 'key_groups')?.value;
    if (!yamlLib().isSeq(groups)) return [rule];
    return groups.items.map((g) => deref(doc, g)).filter((g): g is YAMLMap => yamlLib().isMap(g));
  });
}

function addToRule(doc: Document, rules: readonly YAMLMap[], edited: ReadonlySet<YAMLMap>, holder: YAMLMap, recipient: string, name: string): void {
  const ref = fieldRef(doc, holder, 'age');
  const target = ref?.value;
  const empty = target === undefined || target === null || (yamlLib().isScalar(target) && (target.value === null || String(target.value).trim() === ''));
  if (ref === undefined || empty) {
    holder.set('age', recipientSeq([[recipient, name]]));
    return;
  }
  if (listsRecipient(doc, target, recipient)) return;
  const owns = ref.owner === holder && !yamlLib().isAlias(ref.written);
  if (yamlLib().isScalar(target) && target.anchor !== undefined) {
    // An anchored recipient names one key wherever it is used: never widen it. The rule
    // gets a list of it (moved inside when the rule holds the anchor) and the new recipient.
    const seq = new (yamlLib().YAMLSeq)();
    seq.add(owns ? target : doc.createAlias(target));
    seq.add(named(recipient, name));
    if (owns) ref.pair.value = seq;
    else holder.set('age', seq);
    return;
  }
  // Shared with other rules: an anchored list, or a field merged in with `<<`.
  const shared = target.anchor !== undefined || ref.owner !== holder;
  if (!shared) {
    extend(target, recipient, name);
    return;
  }
  const sharers = holdersOf(doc, rules).filter((h) => fieldRef(doc, h, 'age')?.value === target);
  if (sharers.every((h) => edited.has(h))) {
    extend(target, recipient, name);
    return;
  }
  if (!owns) {
    holder.set('age', copyWith(target, recipient, name));
    return;
  }
  // This rule holds the anchored list that rules left alone refer to: they get it as it was.
  for (const other of sharers) {
    if (edited.has(other)) continue;
    const theirs = fieldRef(doc, other, 'age') as FieldRef;
    if (theirs.owner === other) theirs.pair.value = cloneWithoutAnchor(target);
    else other.set('age', cloneWithoutAnchor(target));
  }
  extend(target, recipient, name);
}

function listsRecipient(doc: Document, target: unknown, recipient: string): boolean {
  if (yamlLib().isScalar(target)) return splitRecipientList(String(target.value ?? '')).some((r) => sameRecipient(r, recipient));
  if (!yamlLib().isSeq(target)) return false;
  return target.items.some((item) => {
    const value = deref(doc, item);
    return yamlLib().isScalar(value) && splitRecipientList(String(value.value ?? '')).some((r) => sameRecipient(r, recipient));
  });
}

function extend(target: unknown, recipient: string, name: string): void {
  if (yamlLib().isSeq(target)) target.add(named(recipient, name));
  else if (yamlLib().isScalar(target)) target.value = [...splitRecipientList(String(target.value ?? '')), recipient].join(',');
}

/** A list of its own for one rule: what the shared list holds (aliases kept), then the new recipient. */
function copyWith(target: YamlNode, recipient: string, name: string): YAMLSeq {
  const seq = new (yamlLib().YAMLSeq)();
  if (yamlLib().isSeq(target)) {
    for (const item of target.items) seq.add(yamlLib().isAlias(item) ? item.clone() : cloneWithoutAnchor(item as YamlNode));
  } else if (yamlLib().isScalar(target)) {
    for (const r of splitRecipientList(String(target.value ?? ''))) seq.add(named(r, undefined));
  }
  seq.add(named(recipient, name));
  return seq;
}

/** A deep copy without anchors (a second anchor of the same name would capture later aliases). */
function cloneWithoutAnchor(node: YamlNode): YamlNode {
  const copy = node.clone() as YamlNode;
  copy.anchor = undefined;
  yamlLib().visit(copy, {
    Node(_key, inner) {
      if (!yamlLib().isAlias(inner)) (inner as YamlNode).anchor = undefined;
    },
  });
  return copy;
}

/** Removes a member from the roster (by name) and their recipient from every rule and group. */
export function removeMemberText(text: string, file: string, name: string | undefined, recipient: string): string {
  const doc = load(text, file);
  // Rules first: an alias in a rule may point at the roster entry removed below.
  const holders = holdersOf(doc, rulesOf(doc));
  const targets = new Set(holders.map((h) => fieldRef(doc, h, 'age')?.value));
  for (const target of targets) removeFrom(doc, target, recipient);
  const section = (doc.contents as YAMLMap).get('envseal', true);
  const members = yamlLib().isMap(section) ? section.get('members', true) : undefined;
  if (yamlLib().isMap(members)) {
    if (name !== undefined) members.delete(name);
    // Any other name for the same key goes too (compared as keys, not as strings).
    members.items = members.items.filter((pair) => {
      const value = deref(doc, pair.value);
      return !(yamlLib().isScalar(value) && sameRecipient(String(value.value), recipient));
    });
  }
  return written(doc, file);
}

function removeFrom(doc: Document, target: unknown, recipient: string): void {
  if (yamlLib().isSeq(target)) {
    target.items = target.items.flatMap((item) => {
      const value = deref(doc, item);
      if (!yamlLib().isScalar(value)) return [item];
      const list = splitRecipientList(String(value.value ?? ''));
      if (!list.some((r) => sameRecipient(r, recipient))) return [item];
      const rest = list.filter((r) => !sameRecipient(r, recipient));
      if (rest.length === 0) return [];
      if (yamlLib().isAlias(item)) return [named(rest.join(','), undefined)];
      value.value = rest.join(',');
      return [item];
    });
  } else if (yamlLib().isScalar(target) && target.value !== null) {
    target.value = splitRecipientList(String(target.value)).filter((r) => !sameRecipient(r, recipient)).join(',');
  }
}

/** The edited text, checked: an edit must never leave an alias without its anchor. */
function written(doc: Document, file: string): string {
  const text = doc.toString({ lineWidth: 0 });
  const check = yamlLib().parseDocument(text, { merge: true });
  if (check.errors.length > 0 || check.warnings.length > 0) {
    throw new ConfigError('could not edit .sops.yaml without breaking its anchors and aliases', {
      file,
      hint: 'edit the recipients by hand (or write the shared lists out in full), then run the command again',
    });
  }
  return text;
}
