/** Small rewrites of argv made before either parser sees it (main.ts, parser.ts). */

/** One-letter options that take a value: `-f` (file) and `-o` (output). */
const VALUE_SHORTS = new Set(['f', 'o']);

/**
 * `-f.env.production` means `-f .env.production`, as getopt reads it; yargs would read it
 * as a dotted path. Only before `--`: what follows belongs to run's command.
 */
export function expandAttachedValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') return [...out, ...argv.slice(i)];
    const m = /^-([a-zA-Z])(.+)$/s.exec(token);
    if (m !== null && VALUE_SHORTS.has(m[1] as string) && !(m[2] as string).startsWith('=')) out.push(`-${m[1]}`, m[2] as string);
    else out.push(token);
  }
  return out;
}

/**
 * yargs turns a lone `-` positional into '' (or drops it from a list), and never takes it as an
 * option's value; so before it sees the words, each `-` ahead of `--` becomes /dev/stdin, the
 * other name every command already reads as "standard input" (ops/load.ts isStdin).
 */
export function stdinDashes(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((word, i) => (word === '-' && (end === -1 || i < end) ? '/dev/stdin' : word));
}
