/** `envseal completion bash|zsh|fish`: a completion script for the shell, made from the command definitions. */
import { completionScript } from '../completion.js';
import { defineCommand, type AnyCommandDef } from './define.js';

/** Filled by the parser with the full command list (this module cannot import it: a cycle). */
export const completionCommands: AnyCommandDef[] = [];

export const completionCommand = defineCommand({
  command: 'completion <shell>',
  describe: 'print a completion script for bash, zsh or fish',
  positionals: { shell: { type: 'string', demandOption: true, choices: ['bash', 'zsh', 'fish'] } },
  examples: [
    ['source <($0 completion bash)', 'Tab completes commands and options in this bash'],
    ['$0 completion fish > ~/.config/fish/completions/envseal.fish', 'for fish'],
  ],
  async handler(env, args) {
    env.io.stdout.write(completionScript(args.shell, completionCommands));
  },
});
