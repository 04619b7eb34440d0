/**
 * One way to declare a command: its positionals and options as yargs option objects, and a
 * handler whose argument types are inferred from them (no hand-written `…Args` interface to
 * drift from the flags, no casts). The parser (cli/parser.ts) turns each definition into a
 * yargs command module; the argv table test parses through the same definitions.
 */
import type { Argv, CommandModule, InferredOptionType, Options, PositionalOptions } from 'yargs';
import type { CommandEnv } from './env.js';

type OptionSpecs = Readonly<Record<string, Options>>;
type PositionalSpecs = Readonly<Record<string, PositionalOptions>>;

/** `dry-run` → `dryRun`, as yargs names the camel-case copy of a dashed option. */
type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

type Inferred<S> = { -readonly [K in keyof S as K extends string ? CamelCase<K> : never]: S[K] extends Options | PositionalOptions ? InferredOptionType<S[K]> : never };

/** What a handler receives: its positionals and options, typed, plus the global --config. */
export type ArgsOf<P extends PositionalSpecs, O extends OptionSpecs> = Inferred<P> & Inferred<O> & { readonly config: string | undefined };

export interface CommandDef<P extends PositionalSpecs = PositionalSpecs, O extends OptionSpecs = OptionSpecs> {
  /** The yargs command string: `get <key>`, `status [files..]`. */
  readonly command: string;
  /** What `--help` says; false hides the command (the ones git runs). */
  readonly describe: string | false;
  readonly positionals?: P;
  readonly options?: O;
  readonly examples?: ReadonlyArray<readonly [string, string]>;
  /** Anything else the command declares (conflicts, say). */
  configure?(y: Argv): Argv;
  /** Method syntax on purpose: a list of definitions of different shapes stays one type. */
  handler?(env: CommandEnv, args: ArgsOf<P, O>): Promise<void>;
  /** Sub-commands (`team ls|add|rm`). */
  readonly subcommands?: readonly AnyCommandDef[];
}

export type AnyCommandDef = CommandDef<PositionalSpecs, OptionSpecs>;

export function defineCommand<const P extends PositionalSpecs = {}, const O extends OptionSpecs = {}>(def: CommandDef<P, O>): CommandDef<P, O> {
  return def;
}

/** The first word of a definition's command string (its name). */
export function commandName(def: AnyCommandDef): string {
  return def.command.split(' ')[0] ?? '';
}

/**
 * Turns a definition into a yargs command module. `dispatch` runs the handler: normally the
 * handler itself; the argv table test records the arguments instead.
 */
export function toModule(def: AnyCommandDef, env: CommandEnv, dispatch: Dispatch, path: readonly string[] = []): CommandModule {
  const name = [...path, commandName(def)];
  return {
    command: def.command,
    describe: def.describe,
    builder: (y: Argv) => {
      let parser = y;
      for (const [key, spec] of Object.entries(def.positionals ?? {})) parser = parser.positional(key, spec as PositionalOptions);
      if (def.options !== undefined) parser = parser.options(def.options as Record<string, Options>);
      for (const [example, meaning] of def.examples ?? []) parser = parser.example(example, meaning);
      for (const sub of def.subcommands ?? []) parser = parser.command(toModule(sub, env, dispatch, name));
      if (def.subcommands !== undefined) parser = parser.demandCommand(1, `name a ${name.join(' ')} command: ${def.subcommands.map(commandName).join(', ')}`);
      return def.configure === undefined ? parser : def.configure(parser);
    },
    handler: async (args) => {
      if (def.handler !== undefined) await dispatch(name, def, args);
    },
  };
}

export type Dispatch = (name: readonly string[], def: AnyCommandDef, args: Record<string, unknown>) => Promise<void>;

/**
 * Calls a definition's handler with what yargs parsed. The one cast of the CLI: yargs parsed
 * `args` from exactly the option objects the handler's argument type is inferred from.
 */
export async function callHandler(def: AnyCommandDef, env: CommandEnv, args: Record<string, unknown>): Promise<void> {
  await def.handler?.(env, args as ArgsOf<PositionalSpecs, OptionSpecs>);
}
