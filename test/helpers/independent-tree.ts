/**
 * An independent reader for envseal-written YAML and JSON files, written in the test from
 * sops-format.md §3 and §5: the `yaml` package parses (not envseal's reader), node:crypto
 * decrypts, the MAC is recomputed over the leaves in order. Handles strings, ints, bools,
 * nulls, maps and lists (the shapes the interop corpus uses).
 */
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { ageDecryptDataKey, decryptValue } from './independent-sops.js';

export interface IndependentTree {
  readonly data: unknown;
  readonly macMatches: boolean;
  readonly sops: Record<string, unknown>;
}

export function checkSopsTree(text: string, keyFile: string): IndependentTree {
  const parsed = parseYaml(text) as Record<string, unknown>; // JSON is YAML too
  const sops = parsed['sops'] as Record<string, unknown>;
  const age = (sops['age'] as Array<{ enc: string }>)[0] as { enc: string };
  const key = ageDecryptDataKey(age.enc, keyFile);
  const hash = createHash('sha512');
  const suffix = (sops['unencrypted_suffix'] as string | undefined) ?? '_unencrypted';
  const walk = (value: unknown, path: string[], clear: boolean): unknown => {
    if (value === null) return null;
    if (Array.isArray(value)) return value.map((v) => walk(v, path, clear));
    if (typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = walk(v, [...path, k], clear || k.endsWith(suffix));
      return out;
    }
    if (!clear && typeof value === 'string' && value !== '') {
      const { type, text: plain } = decryptValue(value, key, `${path.join(':')}:`);
      hash.update(plain);
      return type === 'int' ? Number(plain) : type === 'bool' ? plain === 'True' : type === 'float' ? Number(plain) : plain;
    }
    hash.update(typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value));
    return value;
  };
  const { sops: _drop, ...rest } = parsed;
  const data = walk(rest, [], false);
  const stored = decryptValue(sops['mac'] as string, key, sops['lastmodified'] as string).text;
  return { data, macMatches: stored === hash.digest('hex').toUpperCase(), sops };
}
