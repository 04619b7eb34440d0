/** `envseal get KEY [-f FILE]`: one value, raw, then a newline. Maps and lists print as JSON. */
import type { CommandModule } from 'yargs';
import { jsonValueText } from '../../formats/json.js';
import { scalarToText } from '../../formats/scalar-text.js';
import { getValue } from '../../ops/values.js';
import { ctxFor, type CommandEnv } from './env.js';
import { fileOption, inputFormatOption } from './options.js';

interface GetArgs {
  key: string;
  file: string;
  format: string | undefined;
  config: string | undefined;
}

export function getCommand(env: CommandEnv): CommandModule<object, GetArgs> {
  return {
    command: 'get <key>',
    describe: 'print one decrypted value',
    builder: (y) =>
      y
        .positional('key', { type: 'string', demandOption: true, describe: 'KEY, db.password or ["db"]["password"]' })
        .option('file', fileOption)
        .option('format', inputFormatOption)
        .example('$0 get DATABASE_URL', 'print one value of .env')
        .example('$0 get db.password -f secrets.yaml', 'a nested value of a YAML file') as never,
    handler: async (args) => {
      const value = await getValue(ctxFor(env, args.config), args.file, args.key, args.format);
      const text = value.kind === 'map' || value.kind === 'list' ? jsonValueText(value, args.file) : value.kind === 'null' ? '' : scalarToText(value);
      env.io.stdout.write(`${text}\n`);
    },
  };
}
