/** `envseal unset KEY [-f FILE]`: remove one value; every other value keeps its ciphertext. */
import type { CommandModule } from 'yargs';
import { unsetValue } from '../../ops/values.js';
import { ctxFor, say, type CommandEnv } from './env.js';
import { fileOption, inputFormatOption } from './options.js';

interface UnsetArgs {
  key: string;
  file: string;
  format: string | undefined;
  config: string | undefined;
}

export function unsetCommand(env: CommandEnv): CommandModule<object, UnsetArgs> {
  return {
    command: 'unset <key>',
    describe: 'remove one value from an encrypted file',
    builder: (y) =>
      y
        .positional('key', { type: 'string', demandOption: true, describe: 'KEY, db.password or ["db"]["password"]' })
        .option('file', fileOption)
        .option('format', inputFormatOption)
        .example('$0 unset OLD_TOKEN', 'remove OLD_TOKEN from .env') as never,
    handler: async (args) => {
      const result = await unsetValue(ctxFor(env, args.config), args.file, args.key, args.format);
      say(env, `envseal: removed ${result.path} from ${result.file.display}`);
    },
  };
}
