/**
 * The dependency rules of src/ (README "Architecture"), checked on every `npm test`:
 * no import cycle between modules or between folders, and each layer imports only the
 * layers below it. Imports are read from the source text (static, dynamic and re-exports;
 * type-only imports count too, as they tie modules together for a reader).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.js';

const SRC = join(REPO, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** module (path relative to src, posix) → the src modules it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file).split('\\').join('/');
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)].map((m) =>
      posix.normalize(posix.join(posix.dirname(from), (m[1] as string).replace(/\.js$/, '.ts'))),
    );
    graph.set(from, [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components with more than one member (Tarjan). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, indexOf.get(w) as number));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indexOf.has(v)) visit(v);
  return found;
}

/** The layer of a module: its first folder (`cli`, `ops`, …) or `root` for src/*.ts. */
function layerOf(module: string): string {
  return module.includes('/') ? (module.split('/')[0] as string) : 'root';
}

/**
 * Which layers each layer may import. Domain code (tree, formats, crypto, keys, config,
 * metadata, rules) never reaches up to operations, the CLI or the library; `io` is the seam
 * (domain modules may take its types, never its implementations: checked below).
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  root: ['root', 'rules', 'formats', 'crypto'],
  rules: ['root', 'rules'],
  formats: ['root', 'formats', 'rules', 'metadata'],
  metadata: ['root', 'metadata', 'rules', 'keys'],
  keys: ['root', 'keys', 'io'],
  crypto: ['root', 'crypto', 'rules', 'metadata', 'keys', 'formats'],
  config: ['root', 'config', 'rules', 'keys', 'metadata', 'io'],
  io: ['root', 'io'],
  run: ['root', 'run', 'formats', 'io', 'rules'],
  ops: ['root', 'ops', 'run', 'io', 'config', 'crypto', 'keys', 'metadata', 'formats', 'rules'],
  cli: ['root', 'cli', 'ops', 'run', 'io', 'config', 'crypto', 'keys', 'metadata', 'formats', 'rules'],
  lib: ['root', 'lib', 'cli', 'ops', 'run', 'io', 'config', 'crypto', 'keys', 'metadata', 'formats', 'rules'],
};

describe('architecture', () => {
  const graph = importGraph();

  it('every import points at a module that exists', () => {
    const missing = [...graph].flatMap(([from, targets]) => targets.filter((t) => !graph.has(t)).map((t) => `${from} → ${t}`));
    expect(missing).toEqual([]);
  });

  it('has no import cycle between modules', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no import cycle between folders', () => {
    const folders = new Map<string, string[]>();
    for (const [from, targets] of graph) {
      const layer = layerOf(from);
      folders.set(layer, [...new Set([...(folders.get(layer) ?? []), ...targets.map(layerOf).filter((l) => l !== layer)])]);
    }
    expect(cycles(folders)).toEqual([]);
  });

  it('each layer imports only what the layering allows', () => {
    const wrong = [...graph].flatMap(([from, targets]) =>
      targets.filter((t) => !(ALLOWED[layerOf(from)] ?? []).includes(layerOf(t))).map((t) => `${from} → ${t}`),
    );
    expect(wrong).toEqual([]);
  });

  it('domain code takes only types from the io seam, and never touches process', () => {
    const domain = ['root', 'rules', 'formats', 'metadata', 'keys', 'crypto', 'config'];
    const offenders: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const module = relative(SRC, file).split('\\').join('/');
      if (!domain.includes(layerOf(module))) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'(\.{1,2}\/[^']+)'/gm)) {
        const target = posix.normalize(posix.join(posix.dirname(module), m[2] as string));
        const onlyTypes = m[1] !== undefined || /^import\s+\{\s*(type\s+[^,}]+,?\s*)+\}/.test(m[0]);
        if (layerOf(target) === 'io' && !onlyTypes) offenders.push(`${module} imports ${target}`);
      }
      if (/\bprocess\.(?!platform\b)/.test(text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''))) offenders.push(`${module} uses process`);
    }
    expect(offenders).toEqual([]);
  });

  it('only bin/ ends the process', () => {
    const exits = sourceFiles(SRC).filter((f) => /process\.exit\s*\(/.test(readFileSync(f, 'utf8'))).map((f) => relative(REPO, f));
    expect(exits).toEqual([]);
  });
});
