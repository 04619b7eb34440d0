/**
 * From decrypted documents to environment variables (README "run"). Pure.
 * Top-level scalars become variables verbatim; comments and nulls are skipped. A nested
 * value is an error naming its key unless `flatten`, which names every value by one rule
 * (run/flatten.ts: `apiKey` → `API_KEY`, `db.password` → `DB_PASSWORD`, `hosts[0]` →
 * `HOSTS_0`); two keys that would share a name are an error.
 */
import { ConfigError, UsageError } from '../errors.js';
import { scalarToText } from '../formats/scalar-text.js';
import { isScalar, type ListItem, type MapNode, type Node } from '../tree.js';
import { flattenedName, resolvedEntries } from './flatten.js';

export interface EnvValue {
  readonly value: string;
  /** Whether the value was encrypted in the file (then --mask hides it). */
  readonly secret: boolean;
}

/**
 * `stored` is the document as it sits in the file (ENC values) and `opened` the same
 * document decrypted: walking both side by side tells which values were secret. Merge keys
 * are resolved and `flatten` names follow one rule (run/flatten.ts).
 */
export function documentToEnv(stored: MapNode, opened: MapNode, options: { flatten: boolean; file: string }): Map<string, EnvValue> {
  const out = new Map<string, EnvValue>();
  const pathOf = new Map<string, string>();
  const put = (path: readonly string[], value: string, secret: boolean): void => {
    const name = options.flatten ? flattenedName(path) : (path[0] as string);
    if (name === '' || name.includes('=') || name.includes('\0')) {
      throw new UsageError(`key ${JSON.stringify(path.join('.'))} cannot be an environment variable name`, { file: options.file });
    }
    if (value.includes('\0')) throw new UsageError(`the value of ${name} contains a NUL byte, which an environment variable cannot hold`, { file: options.file });
    if (out.has(name)) {
      // Without flatten a name is its key, so the earlier key is the name itself.
      const earlier = options.flatten ? pathOf.get(name) : name;
      throw new UsageError(`keys ${earlier} and ${path.join('.')} both become the variable ${name}`, { file: options.file, hint: 'rename one of them; --flatten upper-cases names and turns other characters into _' });
    }
    if (options.flatten) pathOf.set(name, path.join('.'));
    out.set(name, { value, secret });
  };
  const visit = (path: string[], storedNode: Node | undefined, node: Node): void => {
    if (node.kind === 'null') return;
    if (isScalar(node)) {
      const secret = storedNode !== undefined && storedNode.kind === 'str' && storedNode.value.startsWith('ENC[');
      put(path, scalarToText(node), secret);
      return;
    }
    if (!options.flatten) {
      throw new UsageError(`key ${path.join('.')} holds a nested value, which is not an environment variable`, {
        file: options.file,
        hint: 'pass --flatten (the library: flatten: true) to turn db.password into DB_PASSWORD',
      });
    }
    if (node.kind === 'map') {
      for (const e of resolvedEntries(storedNode, node)) visit([...path, e.key], e.stored, e.opened);
    } else {
      const storedItems: readonly ListItem[] = storedNode?.kind === 'list' ? storedNode.items : [];
      let index = 0;
      node.items.forEach((item, i) => {
        if (item.kind === 'comment') return;
        const twin = storedItems[i];
        visit([...path, String(index++)], twin === undefined || twin.kind === 'comment' ? undefined : twin, item);
      });
    }
  };
  for (const e of resolvedEntries(stored, opened)) visit([e.key], e.stored, e.opened);
  return out;
}

/** The variables `--pristine` keeps from the parent environment. */
export function pristineNames(platform: string): string[] {
  const names = ['PATH', 'HOME', 'USER', 'LANG', 'TERM', 'TZ'];
  return platform === 'win32' ? [...names, 'SYSTEMROOT', 'COMSPEC'] : names;
}

/** Adds the variables of decrypted documents to `into` (later ones win). */
export function addDocuments(
  into: Map<string, EnvValue>,
  stored: readonly MapNode[],
  docs: readonly MapNode[],
  flatten: boolean,
  file: string,
  encrypted: boolean,
): void {
  docs.forEach((doc, i) => {
    // forEach, not for…of: no [key, value] pair per variable (10,000 of them in a large file).
    documentToEnv(stored[i] ?? doc, doc, { flatten, file }).forEach((value, key) => into.set(key, encrypted ? value : { ...value, secret: false }));
  });
}

export interface EnvChoices {
  /** File values win over variables already set. */
  readonly override: boolean;
  /** Start from an empty environment plus {@link pristineNames}. */
  readonly pristine: boolean;
}

/**
 * Where envseal's own identities come from: never passed on to the command, which has no
 * business holding the key to every file (sops-format.md §8.2; SSH keys as sops 3.10+ finds them).
 */
export const IDENTITY_VARIABLES: readonly string[] = [
  'SOPS_AGE_KEY',
  'SOPS_AGE_KEY_FILE',
  'SOPS_AGE_KEY_CMD',
  'SOPS_AGE_SSH_PRIVATE_KEY_FILE',
  'SOPS_AGE_SSH_PRIVATE_KEY_CMD',
];

/**
 * The child's environment: the parent's (or the pristine few) without envseal's identity
 * variables, then the file values.
 */
export function buildEnv(parent: Readonly<Record<string, string | undefined>>, platform: string, values: ReadonlyMap<string, EnvValue>, choices: EnvChoices): Record<string, string> {
  const base: Record<string, string> = {};
  const withheld = new Set(IDENTITY_VARIABLES);
  const keep = (choices.pristine ? pristineNames(platform) : Object.keys(parent)).filter((name) => !withheld.has(name));
  for (const name of keep) {
    const value = parent[name];
    if (value !== undefined) base[name] = value;
  }
  values.forEach(({ value }, name) => {
    if (choices.override || !(name in base)) base[name] = value;
  });
  return base;
}

/** The keys of `required` that the environment lacks or holds empty, as one error (exit 3). */
export function checkRequired(childEnv: Readonly<Record<string, string>>, required: Iterable<string>): void {
  const missing = [...new Set(required)].filter((key) => (childEnv[key] ?? '') === '');
  if (missing.length > 0) {
    throw new ConfigError(`required ${missing.length === 1 ? 'key is' : 'keys are'} missing or empty: ${missing.join(', ')}`, {
      hint: 'set them with `envseal set KEY` or in the environment; the command was not started',
    }, 'MISSING_KEYS');
  }
}

/** `--require A,B --require C` (or --mask-keys) as key names. */
export function commaSeparatedKeys(flags: readonly string[] | undefined): string[] {
  return (flags ?? []).flatMap((r) => r.split(',')).map((k) => k.trim()).filter((k) => k !== '');
}
