/**
 * The yargs side of the CLI: the command definitions, help, usage errors. Loaded only when a
 * command needs it (`envseal run -- …` usually does not; see main.ts).
 */
import yargs from 'yargs';
import type { Argv } from 'yargs';
import { EXIT_CODES } from '../errors.js';
import { stdinDashes } from './argv.js';
import { usageError } from './usage.js';
import { decryptCommand } from './commands/decrypt.js';
import { callHandler, toModule, type AnyCommandDef, type Dispatch } from './commands/define.js';
import { demoCommand } from './commands/demo.js';
import { diffCommand } from './commands/diff.js';
import { editCommand } from './commands/edit.js';
import { encryptCommand } from './commands/encrypt.js';
import type { CommandEnv } from './commands/env.js';
import { completionCommand, completionCommands } from './commands/completion.js';
import { getCommand } from './commands/get.js';
import { gitCommand } from './commands/git.js';
import { importCommand } from './commands/import.js';
import { keygenCommand } from './commands/keygen.js';
import { whoamiCommand } from './commands/whoami.js';
import { logCommand } from './commands/log.js';
import { configOption } from './commands/options.js';
import { rotateCommand, updatekeysCommand } from './commands/rekey.js';
import { runCommand } from './commands/run.js';
import { scanCommand } from './commands/scan.js';
import { setCommand } from './commands/set.js';
import { statusCommand } from './commands/status.js';
import { teamCommand } from './commands/team.js';
import { unsetCommand } from './commands/unset.js';
import { VERSION } from '../version.js';

export const COMMANDS: readonly AnyCommandDef[] = [
  keygenCommand,
  whoamiCommand,
  encryptCommand,
  decryptCommand,
  runCommand,
  getCommand,
  setCommand,
  unsetCommand,
  editCommand,
  importCommand,
  statusCommand,
  scanCommand,
  teamCommand,
  updatekeysCommand,
  rotateCommand,
  diffCommand,
  logCommand,
  gitCommand,
  completionCommand,
  demoCommand,
];
completionCommands.push(...COMMANDS);

/** The help's closing table, made from the one exit-code table (errors.ts). */
export function exitCodesEpilogue(): string {
  const width = Math.max(...EXIT_CODES.map((e) => String(e.code).length));
  return `Exit codes:\n${EXIT_CODES.map((e) => `  ${String(e.code).padStart(width)}  ${e.meaning}`).join('\n')}\n  (run: otherwise the command's own code; 128+n when signal n killed it)`;
}

/** The parser for `argv`, with the commands' handlers called through `dispatch`. */
export function buildParser(argv: readonly string[], env: CommandEnv, dispatch?: Dispatch): Argv {
  const run: Dispatch = dispatch ?? ((_name, def, args) => callHandler(def, env, args));
  let parser: Argv = yargs()
    .scriptName('envseal')
    .parserConfiguration({ 'populate--': true, 'parse-positional-numbers': false, 'dot-notation': false })
    .option('config', { ...configOption, global: true })
    .strict()
    .exitProcess(false)
    .showHelpOnFail(false)
    .fail((message, err) => {
      // yargs's own validation errors (YError) are usage errors too; anything else is real.
      if (err !== undefined && err !== null && err.name !== 'YError') throw err;
      throw usageError(message ?? err?.message ?? '', argv, COMMANDS);
    })
    .demandCommand(1, 'name a command')
    .version(VERSION)
    .alias('v', 'version')
    .help()
    .alias('h', 'help')
    .wrap(100)
    .epilogue(exitCodesEpilogue());
  for (const def of COMMANDS) parser = parser.command(toModule(def, env, run));
  return parser;
}

/** Parses `argv` with yargs and runs the command it names. Errors propagate to main's catch. */
export async function parseWithYargs(argv: readonly string[], env: CommandEnv): Promise<void> {
  let printed = '';
  await buildParser(argv, env).parseAsync(stdinDashes(argv), {}, (_err, _args, output) => {
    printed = output;
  });
  if (printed !== '') env.io.stdout.write(printed.endsWith('\n') ? printed : `${printed}\n`);
}
