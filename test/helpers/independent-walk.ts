/**
 * A second reader of sops files, written in the test from sops-format.md and sops.go (the
 * walk, the rules, the MAC) and sharing no code with envseal: the `yaml` package parses
 * YAML and JSON (node by node, so key order and repeated keys survive), dotenv is split by
 * hand, node:crypto decrypts. It stands in for sops when a test asks "does envseal open this
 * file to the values sops gives?". Handles the shapes real files use: maps, lists, typed
 * scalars, the suffix/regex rules and mac_only_encrypted (comment-regex rules are not).
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';

export interface IndependentResult {
  /** Each document as plain data (ints as numbers, timestamps as their text). */
  readonly docs: unknown[];
  /** Whether the stored MAC equals the one computed over the values. */
  readonly macMatches: boolean;
}

interface Rule {
  readonly field: string;
  readonly value: string;
  readonly macOnly: boolean;
}

function decrypt(enc: string, key: Uint8Array, aad: string): { type: string; raw: Buffer } {
  const m = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/.exec(enc);
  if (m === null) throw new Error('not an ENC value');
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(m[2] as string, 'base64'));
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(Buffer.from(m[3] as string, 'base64'));
  return { type: m[4] as string, raw: Buffer.concat([d.update(Buffer.from(m[1] as string, 'base64')), d.final()]) };
}

function encrypted(rule: Rule, path: readonly string[]): boolean {
  switch (rule.field) {
    case 'unencrypted_suffix':
      return !path.some((k) => k.endsWith(rule.value));
    case 'encrypted_suffix':
      return path.some((k) => k.endsWith(rule.value));
    case 'unencrypted_regex':
      return !path.some((k) => new RegExp(rule.value).test(k));
    case 'encrypted_regex':
      return path.some((k) => new RegExp(rule.value).test(k));
    default:
      throw new Error(`rule ${rule.field} is not handled by the independent reader`);
  }
}

function ruleOf(meta: Record<string, unknown>): Rule {
  const fields = ['unencrypted_suffix', 'encrypted_suffix', 'unencrypted_regex', 'encrypted_regex', 'unencrypted_comment_regex', 'encrypted_comment_regex'];
  const field = fields.find((f) => typeof meta[f] === 'string' && meta[f] !== '');
  const macOnly = meta['mac_only_encrypted'] === true || meta['mac_only_encrypted'] === 'true';
  return field === undefined ? { field: 'unencrypted_suffix', value: '_unencrypted', macOnly } : { field, value: meta[field] as string, macOnly };
}

/** The bytes sops hashes for a clear value and the plain form tests compare. */
function clear(value: unknown): { bytes: string; plain: unknown } {
  if (typeof value === 'boolean') return { bytes: value ? 'True' : 'False', plain: value };
  if (typeof value === 'number') return { bytes: value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : Number.isNaN(value) ? 'NaN' : String(value), plain: value };
  return { bytes: String(value), plain: value };
}

function opened(type: string, raw: Buffer): { bytes: Buffer; plain: unknown } {
  const text = raw.toString('utf8');
  switch (type) {
    case 'int':
      return { bytes: raw, plain: Number(text) };
    case 'float':
      return { bytes: raw, plain: text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text) };
    case 'bool':
      return { bytes: Buffer.from(/^(1|t|T|TRUE|true|True)$/.test(text) ? 'True' : 'False'), plain: /^(1|t|T|TRUE|true|True)$/.test(text) };
    default:
      return { bytes: raw, plain: text };
  }
}

class Walker {
  readonly hash = createHash('sha512');

  constructor(
    readonly key: Uint8Array,
    readonly rule: Rule,
  ) {
    if (rule.macOnly) this.hash.update(createHash('sha256').update('sops').digest());
  }

  leaf(stored: unknown, path: readonly string[]): { plain: unknown; comment?: boolean } {
    const enc = encrypted(this.rule, path);
    if (enc && typeof stored === 'string' && stored !== '') {
      const { type, raw } = decrypt(stored, this.key, `${path.join(':')}:`);
      if (type === 'comment') return { plain: undefined, comment: true };
      const value = opened(type, raw);
      this.hash.update(value.bytes);
      return { plain: value.plain };
    }
    const value = clear(stored);
    if (!this.rule.macOnly || enc) this.hash.update(value.bytes);
    return { plain: value.plain };
  }
}

/** A key as sops sees it: `<<` (even tagged `!!merge`) is an ordinary key. */
function keyText(key: unknown): string {
  const value = isScalar(key) ? key.value : key;
  return typeof value === 'symbol' ? '<<' : String(value);
}

function walkNode(doc: Document, node: unknown, path: readonly string[], w: Walker): unknown {
  if (isAlias(node)) return walkNode(doc, node.resolve(doc), path, w);
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = keyText(pair.key);
      out[key] = walkNode(doc, pair.value, [...path, key], w);
    }
    return out;
  }
  if (isSeq(node)) {
    const out: unknown[] = [];
    for (const item of node.items) {
      const target = isAlias(item) ? item.resolve(doc) : item;
      if (isMap(target) || isSeq(target)) out.push(walkNode(doc, target, path, w));
      else if (isScalar(target) && target.value !== null) {
        const leaf = w.leaf(target.value, path);
        if (leaf.comment !== true) out.push(leaf.plain);
      } else out.push(null);
    }
    return out;
  }
  if (!isScalar(node) || node.value === null) return null;
  return w.leaf(node.value, path).plain;
}

/** Opens a YAML or JSON sops file with its data key. */
export function independentYaml(text: string, key: Uint8Array): IndependentResult {
  const documents = parseAllDocuments(text, { uniqueKeys: false }) as Document[];
  const first = documents[0]?.contents as YamlNode;
  const sopsPair = isMap(first) ? first.items.find((p) => isScalar(p.key) && p.key.value === 'sops') : undefined;
  const meta = (sopsPair?.value as { toJSON(): unknown } | undefined)?.toJSON() as Record<string, unknown>;
  const w = new Walker(key, ruleOf(meta));
  const docs = documents.map((doc) => {
    const root = doc.contents;
    if (!isMap(root)) return {};
    const out: Record<string, unknown> = {};
    for (const pair of root.items) {
      const k = keyText(pair.key);
      if (k !== 'sops') out[k] = walkNode(doc, pair.value, [k], w);
    }
    return out;
  });
  return { docs, macMatches: storedMac(meta, key) === w.hash.digest('hex').toUpperCase() };
}

/** Opens a dotenv sops file (sops's own dialect: KEY=VALUE, `\n` escapes, sops_* metadata). */
export function independentDotenv(text: string, key: Uint8Array): IndependentResult {
  const meta: Record<string, unknown> = {};
  const entries: Array<[string, string]> = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const k = line.slice(0, eq);
    const v = line.slice(eq + 1).replace(/\\n/g, '\n');
    if (k.startsWith('sops_')) meta[k.slice(5)] = v;
    else entries.push([k, v]);
  }
  const w = new Walker(key, ruleOf(meta));
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) out[k] = w.leaf(v, [k]).plain;
  return { docs: [out], macMatches: storedMac(meta, key) === w.hash.digest('hex').toUpperCase() };
}

function storedMac(meta: Record<string, unknown>, key: Uint8Array): string {
  return decrypt(String(meta['mac']), key, String(meta['lastmodified'])).raw.toString('utf8');
}
