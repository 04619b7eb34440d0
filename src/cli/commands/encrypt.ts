/**
 * `envseal encrypt FILE...`: in place. A plaintext file becomes a sops file; a sops file
 * with values added by hand gets only those encrypted, with its existing data key, and
 * every other byte kept.
 */
import { UsageError } from '../../errors.js';
import { encryptFileInPlace } from '../../ops/encrypt.js';
import { isStdin } from '../../ops/load.js';
import { isIgnored } from '../../ops/git.js';
import { resolveFromCwd } from '../../paths.js';
import { defineCommand } from './define.js';
import { ctxFor, say } from './env.js';
import { ageOption, inputFormatOption, macOnlyOption, ruleFromFlags, ruleOptions, yesOption } from './options.js';

export const encryptCommand = defineCommand({
  command: 'encrypt <files..>',
  describe: 'encrypt the values of files in place (names, comments and order stay readable)',
  positionals: { files: { type: 'string', array: true, demandOption: true, describe: 'files to encrypt' } },
  options: {
    age: ageOption,
    stdout: { type: 'boolean', default: false, describe: 'print the result instead of writing the file' },
    yes: yesOption,
    'input-format': inputFormatOption,
    ...ruleOptions,
    'mac-only-encrypted': macOnlyOption,
  },
  examples: [
    ['$0 encrypt .env', 'encrypt .env for the recipients of the matching .sops.yaml rule'],
    ['$0 encrypt .env --age age1…', 'encrypt .env for one recipient'],
  ],
  async handler(env, args) {
    const ctx = ctxFor(env, args.config);
    const flags = { age: args.age, rule: ruleFromFlags(args), macOnlyEncrypted: args.macOnlyEncrypted, yes: args.yes };
    for (const file of args.files) {
      if (isStdin(file) && !args.stdout) throw new UsageError('encrypting standard input needs --stdout: there is no file to write', { hint: 'envseal encrypt - --input-format dotenv --stdout < .env' });
      const result = await encryptFileInPlace(ctx, file, args.inputFormat, flags, { write: !args.stdout });
      if (result.encrypted === null) {
        say(env, `envseal: ${result.display} is already encrypted; nothing to do`);
        continue;
      }
      if (args.stdout) env.io.stdout.write(result.encrypted.text);
      say(env, `envseal: ${result.encrypted.summary}`);
      if (!args.stdout && !isStdin(file) && (await isIgnored(ctx, env.io.cwd, resolveFromCwd(env.io, file)))) {
        say(env, `envseal: note: git ignores ${result.display} (git check-ignore -v ${result.display} says why): to commit it, take it out of .gitignore or git add -f it`);
      }
    }
  },
});
