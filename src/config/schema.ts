/**
 * `.sops.yaml` (sops-format.md §10), parsed into checked values at the edge: recipients
 * are parsed, regexes compiled, conflicting rule fields refused, each error with
 * file:line. Unknown fields are ignored, as sops ignores them, but a misspelt
 * `path_regex` gets a warning because it silently makes a rule match every file.
 */
import type { Document, Node as YamlNode, YAMLMap } from 'yaml';
import { yamlLib, yamlProblem } from '../yaml-lib.js';
import { deref, fieldNames, fieldRef } from './yaml-nodes.js';
import { ConfigError } from '../errors.js';
import { RULE_FIELDS, type EncryptionRule, type RuleField } from '../rules/rules.js';
import { parseRecipient, splitRecipientList, type Recipient } from '../keys/recipient.js';
import type { OtherKeyType, RawValue } from '../metadata/model.js';
import type { StoreOptions } from '../store-options.js';
import { compileRe2, type Re2Regex } from '../rules/re2.js';

export interface RuleGroup {
  readonly age: readonly Recipient[];
  /** Key types envseal cannot wrap for, named by the rule (pgp fingerprints, KMS ARNs, …). */
  readonly otherKeys: readonly string[];
}

export interface CreationRule {
  readonly index: number;
  readonly line: number;
  /** Null: the rule has no path_regex and matches every file. */
  readonly pathRegex: { readonly source: string; readonly regex: Re2Regex } | null;
  readonly groups: readonly RuleGroup[];
  readonly shamirThreshold: number;
  readonly rule: EncryptionRule | null;
  readonly macOnlyEncrypted: boolean;
}

export interface SopsConfig {
  /** Absolute path of the config file. */
  readonly path: string;
  readonly creationRules: readonly CreationRule[];
  /** The parsed YAML, kept for the roster and for rewriting (team commands). */
  readonly raw: unknown;
}

/** Other key types of a rule, in the order sops collects them (after age). */
const OTHER_RULE_KEYS: Readonly<Record<string, OtherKeyType>> = {
  pgp: 'pgp',
  kms: 'kms',
  gcp_kms: 'gcp_kms',
  hckms: 'hckms',
  azure_keyvault: 'azure_kv',
  hc_vault_transit_uri: 'hc_vault',
};

/** The same inside `key_groups` (sops config.go keyGroup), where Vault is `hc_vault`. */
const OTHER_GROUP_KEYS: Readonly<Record<string, OtherKeyType>> = {
  pgp: 'pgp',
  kms: 'kms',
  gcp_kms: 'gcp_kms',
  hckms: 'hckms',
  azure_keyvault: 'azure_kv',
  hc_vault: 'hc_vault',
};

export function parseConfig(text: string, path: string, warn: (message: string) => void = () => undefined): SopsConfig {
  const lineCounter = new (yamlLib().LineCounter)();
  // Anchors, aliases and `<<` merges are resolved as sops's loader resolves them.
  const doc = yamlLib().parseDocument(text, { lineCounter, uniqueKeys: true, merge: true });
  const lineOf = (node: YamlNode | null | undefined): number | undefined =>
    node?.range == null ? undefined : lineCounter.linePos(node.range[0]).line;
  const fail = (message: string, node?: YamlNode | null): never => {
    throw new ConfigError(message, { file: path, line: lineOf(node), hint: 'fix .sops.yaml (see the README section "Rules and team")' });
  };
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    const line = firstError.linePos?.[0].line;
    throw new ConfigError(`invalid YAML at line ${line ?? '?'} (${yamlProblem(firstError.code)})`, { file: path, line, hint: 'fix .sops.yaml there; envseal changed nothing' });
  }
  const root = doc.contents;
  if (root === null || (yamlLib().isScalar(root) && (root.value === null || root.value === ''))) {
    return { path, creationRules: [], raw: {} };
  }
  if (!yamlLib().isMap(root)) return fail('the top level must be a map');
  const rulesNode = fieldRef(doc, root, 'creation_rules')?.value ?? undefined;
  const creationRules: CreationRule[] = [];
  if (rulesNode !== undefined && rulesNode !== null && !(yamlLib().isScalar(rulesNode) && rulesNode.value === null)) {
    if (!yamlLib().isSeq(rulesNode)) return fail('creation_rules must be a list', rulesNode);
    rulesNode.items.forEach((written, index) => {
      const item = deref(doc, written);
      if (!yamlLib().isMap(item)) fail(`creation rule ${index + 1} must be a map`, item as YamlNode);
      creationRules.push(parseRule(doc, item as YAMLMap, index, lineOf(written as YamlNode) ?? 0, fail, warn, path));
    });
  }
  return { path, creationRules, raw: doc.toJS() as unknown };
}

type Fail = (message: string, node?: YamlNode | null) => never;

function parseRule(doc: Document, node: YAMLMap, index: number, line: number, fail: Fail, warn: (m: string) => void, path: string): CreationRule {
  const field = (name: string): YamlNode | undefined => fieldRef(doc, node, name)?.value ?? undefined;
  const label = `creation rule ${index + 1}`;
  const keys = fieldNames(doc, node);
  for (const key of keys) {
    if (/^(path_regexp|path-regex|pathRegex|filename_regex|path_rexeg)$/.test(key)) {
      warn(`${path}:${line}: ${label} has "${key}", which sops ignores (did you mean path_regex?): the rule matches every file`);
    }
  }
  const pathNode = field('path_regex');
  let pathRegex: CreationRule['pathRegex'] = null;
  const pathSource = pathNode === undefined ? '' : scalarText(pathNode, `${label} path_regex`, fail);
  if (pathSource !== '') {
    const compiled = compileRe2(pathSource);
    if (!compiled.ok) fail(`${label} path_regex cannot be used: ${compiled.reason}`, pathNode);
    else pathRegex = { source: pathSource, regex: compiled.regex };
  }
  const groupsNode = field('key_groups');
  let groups: RuleGroup[];
  if (groupsNode !== undefined && !(yamlLib().isScalar(groupsNode) && groupsNode.value === null)) {
    if (!yamlLib().isSeq(groupsNode)) return fail(`${label} key_groups must be a list`, groupsNode);
    groups = groupsNode.items.map((written, i) => {
      const g = deref(doc, written);
      if (!yamlLib().isMap(g)) return fail(`${label} key group ${i + 1} must be a map`, g as YamlNode);
      return groupFrom(doc, g, `${label} key group ${i + 1}`, fail, true);
    });
  } else {
    groups = [groupFrom(doc, node, label, fail, false)];
  }
  const ruleFields = RULE_FIELDS.flatMap((name): EncryptionRule[] => {
    const n = field(name);
    if (n === undefined) return [];
    const value = scalarText(n, `${label} ${name}`, fail);
    return value === '' ? [] : [{ field: name as RuleField, value }];
  });
  if (ruleFields.length > 1) fail(`${label} sets more than one of ${ruleFields.map((r) => r.field).join(', ')}; sops allows one`, node);
  for (const r of ruleFields) {
    if (r.field.endsWith('regex')) {
      const compiled = compileRe2(r.value);
      if (!compiled.ok) fail(`${label} ${r.field} cannot be used: ${compiled.reason}`, field(r.field));
    }
  }
  const thresholdNode = field('shamir_threshold');
  const threshold = thresholdNode === undefined ? 0 : Number(scalarText(thresholdNode, `${label} shamir_threshold`, fail));
  if (!Number.isInteger(threshold) || threshold < 0) fail(`${label} shamir_threshold must be a whole number`, thresholdNode);
  // sops splits the data key among several groups with shamir.Split, which refuses these.
  if (groups.length > 1 && threshold > groups.length) {
    fail(`${label} shamir_threshold is ${threshold}, more than its ${groups.length} key groups: the data key could never be recovered`, thresholdNode);
  }
  if (groups.length > 1 && threshold === 1) {
    fail(`${label} shamir_threshold must be at least 2 with several key groups (sops: "threshold must be at least 2")`, thresholdNode);
  }
  const macNode = field('mac_only_encrypted');
  const macOnly = macNode === undefined ? false : scalarText(macNode, `${label} mac_only_encrypted`, fail) === 'true';
  return { index, line, pathRegex, groups, shamirThreshold: threshold, rule: ruleFields[0] ?? null, macOnlyEncrypted: macOnly };
}

/**
 * The keys of a rule or of one of its key groups, in sops's order (config.go
 * extractMasterKeys): the keys of groups listed under `merge:` first (key groups only,
 * recursively), then age, then the other types; a recipient listed twice counts once.
 */
function groupFrom(doc: Document, node: YAMLMap, label: string, fail: Fail, inKeyGroups: boolean, depth = 0): RuleGroup {
  const age: Recipient[] = [];
  const otherKeys: string[] = [];
  const mergeNode = inKeyGroups ? (fieldRef(doc, node, 'merge')?.value ?? undefined) : undefined;
  if (mergeNode !== undefined && mergeNode !== null && !(yamlLib().isScalar(mergeNode) && mergeNode.value === null)) {
    if (!yamlLib().isSeq(mergeNode) || depth > 20) return fail(`${label} merge must be a list of key groups`, mergeNode);
    mergeNode.items.forEach((written, i) => {
      const sub = deref(doc, written);
      if (!yamlLib().isMap(sub)) return fail(`${label} merge ${i + 1} must be a map`, sub as YamlNode);
      const merged = groupFrom(doc, sub, `${label} merge ${i + 1}`, fail, true, depth + 1);
      for (const r of merged.age) if (!age.includes(r)) age.push(r);
      for (const k of merged.otherKeys) if (!otherKeys.includes(k)) otherKeys.push(k);
    });
  }
  const ageNode = fieldRef(doc, node, 'age')?.value ?? undefined;
  for (const { text, at } of stringList(doc, ageNode, `${label} age`, fail)) {
    for (const candidate of splitRecipientList(text)) {
      const parsed = parseRecipient(candidate);
      if (!parsed.ok) fail(`${label} has an age recipient that does not parse (${candidate.slice(0, 20)}…): ${parsed.reason}`, at);
      else if (!age.includes(parsed.recipient)) age.push(parsed.recipient);
    }
  }
  for (const [name, type] of Object.entries(inKeyGroups ? OTHER_GROUP_KEYS : OTHER_RULE_KEYS)) {
    const value = fieldRef(doc, node, name)?.value ?? undefined;
    if (value === undefined || (yamlLib().isScalar(value) && (value.value === null || value.value === ''))) continue;
    if (yamlLib().isSeq(value) && value.items.length === 0) continue;
    const described = yamlLib().isSeq(value) || yamlLib().isScalar(value) ? stringListLoose(doc, value) : [];
    for (const key of (described.length > 0 ? described : ['(entry)']).map((d) => `${type}: ${d}`)) if (!otherKeys.includes(key)) otherKeys.push(key);
  }
  return { age, otherKeys };
}

function scalarText(node: YamlNode, label: string, fail: Fail): string {
  if (!yamlLib().isScalar(node)) return fail(`${label} must be a single value`, node);
  return node.value === null || node.value === undefined ? '' : String(node.value);
}

function stringList(doc: Document, node: YamlNode | undefined, label: string, fail: Fail): Array<{ text: string; at: YamlNode }> {
  if (node === undefined || (yamlLib().isScalar(node) && (node.value === null || node.value === ''))) return [];
  if (yamlLib().isScalar(node)) return [{ text: String(node.value), at: node }];
  if (!yamlLib().isSeq(node)) return fail(`${label} must be a string or a list of strings`, node);
  return node.items.map((written) => {
    const item = deref(doc, written);
    if (!yamlLib().isScalar(item)) return fail(`${label} must list strings`, item as YamlNode);
    return { text: String(item.value), at: item as YamlNode };
  });
}

function stringListLoose(doc: Document, node: YamlNode): string[] {
  if (yamlLib().isScalar(node)) return [String(node.value)];
  if (!yamlLib().isSeq(node)) return [];
  return node.items.map((written) => {
    const item = deref(doc, written);
    return yamlLib().isScalar(item) ? String(item.value) : yamlLib().isMap(item) ? '(entry)' : '';
  });
}

export type { RawValue };

/**
 * `stores:` of `.sops.yaml` (sops config.go StoresConfig): how sops lays out the YAML and JSON
 * it writes. `yaml.indent` 0 or unset is sops's default (4), below 0 an error; `json.indent`
 * -1 or unset is a tab, below -1 an error. Only this part of the file is read: a config whose
 * rules have problems still gives its layout (the commands that need rules report those).
 */
export function readStoreOptions(text: string, path: string): StoreOptions {
  const lineCounter = new (yamlLib().LineCounter)();
  const doc = yamlLib().parseDocument(text, { lineCounter, merge: true });
  if (doc.errors.length > 0 || !yamlLib().isMap(doc.contents)) return {};
  const stores = fieldRef(doc, doc.contents, 'stores')?.value;
  if (!yamlLib().isMap(stores)) return {};
  const indentOf = (store: 'yaml' | 'json', lowest: number): number | undefined => {
    const section = fieldRef(doc, stores, store)?.value;
    const node = yamlLib().isMap(section) ? fieldRef(doc, section, 'indent')?.value : undefined;
    if (node === undefined || node === null || (yamlLib().isScalar(node) && node.value === null)) return undefined;
    const value = yamlLib().isScalar(node) ? node.value : undefined;
    const line = node.range == null ? undefined : lineCounter.linePos(node.range[0]).line;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new ConfigError(`stores.${store}.indent must be a whole number`, { file: path, line });
    }
    if (value < lowest) throw new ConfigError(`stores.${store}.indent cannot be below ${lowest} (sops refuses it)`, { file: path, line });
    return value;
  };
  const yamlIndent = indentOf('yaml', 0);
  const jsonIndent = indentOf('json', -1);
  return {
    ...(yamlIndent !== undefined && yamlIndent > 0 ? { yamlIndent } : {}),
    ...(jsonIndent !== undefined && jsonIndent >= 0 ? { jsonIndent } : {}),
  };
}
