/** `envseal unset KEY [-f FILE]`: removes one value; every other value keeps its ciphertext. */
import { unsetValue } from '../../ops/values.js';
import { defineCommand } from './define.js';
import { ctxFor, say } from './env.js';
import { fileOption, inputFormatOption, keyPositional } from './options.js';

export const unsetCommand = defineCommand({
  command: 'unset <key>',
  describe: 'remove one value from an encrypted file',
  positionals: { key: keyPositional },
  options: { file: fileOption, 'input-format': inputFormatOption },
  examples: [['$0 unset OLD_TOKEN', 'remove OLD_TOKEN from .env']],
  async handler(env, args) {
    const result = await unsetValue(ctxFor(env, args.config), args.file, args.key, args.inputFormat);
    say(env, `envseal: removed ${result.path} from ${result.file.display}`);
  },
});
