/**
 * How structured documents become variables (README "run", "--flatten"). Pure.
 *
 * One naming rule for every level under `--flatten`: each key of the path is split at its
 * camelCase humps (`apiKey` → `api_Key`, `HTTPServer` → `HTTP_Server`), every run of
 * characters other than ASCII letters, digits and `_` becomes `_`, the parts are joined with
 * `_` and the whole is upper-cased; a name that would start with a digit gets a leading `_`.
 * So `apiKey` → `API_KEY`, `db.password` → `DB_PASSWORD`, `hosts[0]` → `HOSTS_0`,
 * `9lives` → `_9LIVES`, `weird-key` → `WEIRD_KEY`: every name matches
 * `^[A-Za-z_][A-Za-z0-9_]*$`. Without `--flatten` top-level keys are used as written, and a
 * `.env` file's keys, variable names already, are used as written with it too.
 *
 * YAML merge keys (`<<: *defaults`, `<<: [*a, *b]`) are resolved as YAML 1.1 says: the
 * map's own keys win, then the merged maps in order. (The document tree already holds the
 * aliased maps expanded, as sops stores them.)
 */
import type { MapNode, Node } from '../tree.js';

/** A key of a map, with its value as stored (ENC…) and as opened (decrypted). */
export interface PairedEntry {
  readonly key: string;
  readonly stored: Node | undefined;
  readonly opened: Node;
}

/** The variable name `--flatten` gives a path of keys and list indexes. */
export function flattenedName(path: readonly string[]): string {
  const name = path
    .map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2'))
    .join('_')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .toUpperCase();
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

const MERGE_KEY = '<<';

/** Whether an entry's value is what a merge key merges: a map, or a list of maps. */
function mergeSources(node: Node): MapNode[] | null {
  if (node.kind === 'map') return [node];
  if (node.kind !== 'list') return null;
  const maps = node.items.filter((item) => item.kind !== 'comment');
  return maps.every((item) => item.kind === 'map') ? (maps as MapNode[]) : null;
}

/**
 * The entries of `opened` (walked beside its stored twin, item by item) with merge keys
 * resolved: own keys first, then each merged map's keys not already present.
 */
export function resolvedEntries(stored: Node | undefined, opened: MapNode): PairedEntry[] {
  const storedItems = stored?.kind === 'map' ? stored.items : [];
  const own: PairedEntry[] = [];
  const merged: PairedEntry[][] = [];
  opened.items.forEach((item, i) => {
    if (item.kind !== 'entry') return;
    const twin = storedItems[i];
    const storedValue = twin?.kind === 'entry' ? twin.value : undefined;
    const sources = item.key === MERGE_KEY ? mergeSources(item.value) : null;
    if (sources === null) {
      own.push({ key: item.key, stored: storedValue, opened: item.value });
      return;
    }
    const storedSources = storedValue === undefined ? null : mergeSources(storedValue);
    sources.forEach((source, k) => merged.push(resolvedEntries(storedSources?.[k], source)));
  });
  if (merged.length === 0) return own; // no `<<`: nothing to add
  const seen = new Set(own.map((e) => e.key));
  const out = [...own];
  for (const entries of merged) {
    for (const e of entries) {
      if (seen.has(e.key)) continue;
      seen.add(e.key);
      out.push(e);
    }
  }
  return out;
}
