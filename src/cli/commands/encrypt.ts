/**
 * `envseal encrypt FILE...`: in place. A plaintext file becomes a sops file; a sops file
 * with values added by hand gets only those encrypted, with its existing data key, and
 * every other byte kept.
 */
import type { CommandModule } from 'yargs';
import { encryptLoaded } from '../../ops/encrypt.js';
import { loadFile } from '../../ops/load.js';
import { ageOption, inputFormatOption, macOnlyOption, ruleFromFlags, ruleOptions } from './options.js';
import { ctxFor, say, type CommandEnv } from './env.js';

interface EncryptArgs {
  files: string[];
  age: string[] | undefined;
  stdout: boolean;
  format: string | undefined;
  config: string | undefined;
  macOnlyEncrypted: boolean | undefined;
  [rule: string]: unknown;
}

export function encryptCommand(env: CommandEnv): CommandModule<object, EncryptArgs> {
  return {
    command: 'encrypt <files..>',
    describe: 'encrypt the values of files in place (names, comments and order stay readable)',
    builder: (y) =>
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'files to encrypt' })
        .option('age', ageOption)
        .option('stdout', { type: 'boolean', default: false, describe: 'print the result instead of writing the file' })
        .option('format', inputFormatOption)
        .options(ruleOptions)
        .option('mac-only-encrypted', macOnlyOption)
        .example('$0 encrypt .env', 'encrypt .env for the recipients of the matching .sops.yaml rule')
        .example('$0 encrypt .env --age age1…', 'encrypt .env for one recipient') as never,
    handler: async (args) => {
      const ctx = ctxFor(env, args.config);
      for (const file of args.files) {
        const loaded = await loadFile(ctx, file, args.format);
        const result = await encryptLoaded(ctx, loaded, { age: args.age, rule: ruleFromFlags(args), macOnlyEncrypted: args.macOnlyEncrypted });
        if (result === null) {
          say(env, `envseal: ${loaded.display} is already encrypted; nothing to do`);
          continue;
        }
        if (args.stdout) env.io.stdout.write(result.text);
        else await env.io.fs.writeFileAtomic(loaded.abs, result.text, { expected: loaded.bytes });
        say(env, `envseal: ${result.summary}`);
      }
    },
  };
}
