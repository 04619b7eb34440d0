/**
 * The yargs side of the CLI: one module per command, help, usage errors. Loaded only when a
 * command needs it (`envseal run -- …` usually does not; see main.ts).
 */
import yargs from 'yargs';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import type { CommandEnv } from './commands/env.js';
import { decryptCommand } from './commands/decrypt.js';
import { demoCommand } from './commands/demo.js';
import { editCommand } from './commands/edit.js';
import { encryptCommand } from './commands/encrypt.js';
import { getCommand } from './commands/get.js';
import { keygenCommand } from './commands/keygen.js';
import { rotateCommand, updatekeysCommand } from './commands/rekey.js';
import { runCommand } from './commands/run.js';
import { setCommand } from './commands/set.js';
import { statusCommand } from './commands/status.js';
import { teamCommand } from './commands/team.js';
import { configOption } from './commands/options.js';
import { unsetCommand } from './commands/unset.js';
import { VERSION } from '../version.js';

type CommandFactory = (env: CommandEnv) => CommandModule<object, never>;

const COMMANDS: readonly CommandFactory[] = [
  keygenCommand as CommandFactory,
  encryptCommand as CommandFactory,
  decryptCommand as CommandFactory,
  runCommand as CommandFactory,
  getCommand as CommandFactory,
  setCommand as CommandFactory,
  unsetCommand as CommandFactory,
  editCommand as CommandFactory,
  statusCommand as CommandFactory,
  teamCommand as CommandFactory,
  updatekeysCommand as CommandFactory,
  rotateCommand as CommandFactory,
  demoCommand as CommandFactory,
];

const EXIT_CODES = `Exit codes:
  0 success              4 no identity could open the file
  1 internal error       5 integrity (MAC mismatch, tampered value)
  2 usage                6 a file that does not parse
  3 configuration        7 cannot read or write a file
  run: the command's own code; 126 cannot be started; 127 not found; 128+n killed by signal n`;

/** Parses `argv` with yargs and runs the command it names. Errors propagate to main's catch. */
export async function parseWithYargs(argv: readonly string[], env: CommandEnv): Promise<void> {
  const commandNames: string[] = [];
  let parser: Argv = yargs([...argv])
    .scriptName('envseal')
    .parserConfiguration({ 'populate--': true, 'parse-positional-numbers': false })
    .option('config', { ...configOption, global: true })
    .strict()
    .exitProcess(false)
    .showHelpOnFail(false)
    .fail((message, err) => {
      if (err !== undefined && err !== null) throw err;
      throw usageError(message, argv, commandNames);
    })
    .demandCommand(1, 'name a command')
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(100)
    .epilogue(EXIT_CODES);
  for (const factory of COMMANDS) {
    const module = factory(env);
    commandNames.push(String(module.command ?? '').split(' ')[0] ?? '');
    parser = parser.command(module);
  }
  let printed = '';
  await parser.parseAsync([...argv], {}, (_err, _args, output) => {
    printed = output;
  });
  if (printed !== '') env.io.stdout.write(printed.endsWith('\n') ? printed : `${printed}\n`);
}

/** yargs's messages, reworded where they would confuse (an unknown command is not an "argument"). */
function usageError(message: string, argv: readonly string[], commands: readonly string[]): UsageError {
  const first = argv.find((a) => !a.startsWith('-'));
  if (first !== undefined && !commands.includes(first) && /^Unknown argument/.test(message)) {
    const close = commands.filter((c) => c.startsWith(first.slice(0, 2)));
    return new UsageError(`unknown command "${first}"`, {
      hint: close.length > 0 ? `did you mean ${close.join(' or ')}? (envseal --help lists the commands)` : 'envseal --help lists the commands',
    });
  }
  return new UsageError(message.replace(/^./, (c) => c.toLowerCase()), { hint: 'envseal --help lists the commands and their options' });
}
