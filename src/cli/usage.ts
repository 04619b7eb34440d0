/**
 * Usage errors in envseal's own words. yargs reports problems in its internals' terms ("not
 * enough non-option arguments: got 0, need at least 1", "unknown arguments: mask-all,
 * maskAll"); each is recognised here and said the way a person would, naming the command,
 * the flag with its dashes, the closest flag that exists, and the command's --help.
 */
import { UsageError } from '../errors.js';
import { commandName, type AnyCommandDef } from './commands/define.js';

/** The command a command line names (`team add` for sub-commands), and its definition. */
function commandOf(argv: readonly string[], commands: readonly AnyCommandDef[]): { name: string; def: AnyCommandDef } | null {
  const words = argv.filter((a) => !a.startsWith('-'));
  const top = commands.find((c) => commandName(c) === words[0]);
  if (top === undefined) return null;
  const sub = top.subcommands?.find((c) => commandName(c) === words[1]);
  return sub === undefined ? { name: commandName(top), def: top } : { name: `${commandName(top)} ${commandName(sub)}`, def: sub };
}

function optionNames(def: AnyCommandDef): string[] {
  return [...Object.keys(def.options ?? {}), 'config', 'help'];
}

/** The closest option name, when one is close (a typo), by edit distance. */
function closest(word: string, names: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of names) {
    const d = distance(word, name);
    if (best === undefined || d < best.d) best = { name, d };
  }
  return best !== undefined && best.d <= Math.max(1, Math.floor(word.length / 3)) ? best.name : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j] as number;
      row[j] = next;
    }
  }
  return row[b.length] as number;
}

/** `maskAll` → `mask-all`: yargs lists both spellings of an unknown option. */
function dashed(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** A usage error for yargs's `message` about `argv`. */
export function usageError(message: string, argv: readonly string[], commands: readonly AnyCommandDef[]): UsageError {
  const names = commands.map(commandName);
  const found = commandOf(argv, commands);
  const help = found === null ? 'envseal --help lists the commands' : `envseal ${found.name} --help shows how to use it`;
  const first = argv.find((a) => !a.startsWith('-'));
  let m: RegExpExecArray | null;
  if (found === null && first !== undefined && /^Unknown argument/.test(message)) {
    const close = names.filter((c) => c.startsWith(first.slice(0, 2)) || distance(first, c) <= 2);
    return new UsageError(`unknown command "${first}"`, { hint: close.length > 0 ? `did you mean ${close.join(' or ')}? (envseal --help lists the commands)` : 'envseal --help lists the commands' });
  }
  if (found === null && /^name a command/.test(message)) {
    const flag = argv.find((a) => a.startsWith('-') && a !== '--');
    if (flag !== undefined) return new UsageError(`envseal has no option ${flag.split('=')[0]} before a command`, { hint: 'envseal --help lists the commands; their options go after them' });
    return new UsageError('name a command', { hint: 'envseal --help lists them; envseal demo shows the main job' });
  }
  if (found !== null && (m = /^Unknown arguments?: (.*)$/s.exec(message)) !== null) {
    const unknown = [...new Set((m[1] as string).split(', ').map(dashed))];
    const flags = unknown.filter((u) => argv.some((a) => a === `--${u}` || a.startsWith(`--${u}=`) || a === `-${u}`));
    if (found.name === 'run' && flags.length === 0) {
      return new UsageError('put -- before the command to run', { hint: 'envseal run -- node app.js (everything after -- is the command and its arguments)' });
    }
    if (flags.length === 0) return new UsageError(`envseal ${found.name} does not take ${unknown.length === 1 ? 'the argument' : 'the arguments'} ${unknown.map((u) => JSON.stringify(u)).join(', ')}`, { hint: help });
    const guess = flags.length === 1 ? closest(flags[0] as string, optionNames(found.def)) : undefined;
    return new UsageError(`envseal ${found.name} has no option ${flags.map((f) => (f.length === 1 ? `-${f}` : `--${f}`)).join(', ')}`, {
      hint: guess === undefined ? help : `did you mean --${guess}? (${help})`,
    });
  }
  if (found !== null && (m = /^Not enough non-option arguments: got (\d+), need at least (\d+)/.exec(message)) !== null) {
    const wanted = [...found.def.command.matchAll(/<([^>]+)>/g)].map((x) => (x[1] as string).replace(/\.\.$/, '…').toUpperCase());
    return new UsageError(`envseal ${found.name} needs ${wanted.slice(Number(m[1])).join(' and ') || 'more arguments'}`, { hint: help });
  }
  if (found !== null && (m = /^Too many non-option arguments: got (\d+), maximum of (\d+)/.exec(message)) !== null) {
    return new UsageError(`envseal ${found.name} takes at most ${m[2]} ${Number(m[2]) === 1 ? 'argument' : 'arguments'} (got ${m[1]})`, { hint: `${help}; quote a value that contains spaces` });
  }
  if ((m = /^Not enough arguments following: (.+)$/.exec(message)) !== null) {
    const flag = dashed(m[1] as string);
    return new UsageError(`${flag.length === 1 ? '-' : '--'}${flag} needs a value`, { hint: help });
  }
  if ((m = /^Invalid values:\s*Argument: (\S+), Given: (.+), Choices: (.+)$/s.exec(message)) !== null) {
    return new UsageError(`--${dashed(m[1] as string)} must be one of ${(m[3] as string).replace(/"/g, '')} (got ${m[2]})`, { hint: help });
  }
  if ((m = /^Arguments (\S+) and (\S+) are mutually exclusive/.exec(message)) !== null) {
    return new UsageError(`give either --${dashed(m[1] as string)} or --${dashed(m[2] as string)}, not both`, { hint: help });
  }
  if (found !== null && /^name a /.test(message)) return new UsageError(message, { hint: help });
  return new UsageError(message.replace(/^./, (c) => c.toLowerCase()), { hint: help });
}
