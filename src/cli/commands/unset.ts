/**
 * `envseal unset KEY [-f FILE] [--idempotent]`: removes one value; every other value keeps
 * its ciphertext. A key that is not there is exit 3, as in sops; `--idempotent` (sops's flag)
 * makes that a no-op for scripts.
 */
import { unsetValue } from '../../ops/values.js';
import { defineCommand } from './define.js';
import { ctxFor, say } from './env.js';
import { fileOption, inputFormatOption, keyPositional } from './options.js';

export const unsetCommand = defineCommand({
  command: 'unset <key>',
  describe: 'remove one value from an encrypted file',
  positionals: { key: keyPositional },
  options: {
    file: fileOption,
    'input-format': inputFormatOption,
    idempotent: { type: 'boolean', default: false, describe: 'a key that is not there is not an error (exit 0, nothing written)' },
  },
  examples: [
    ['$0 unset OLD_TOKEN', 'remove OLD_TOKEN from .env (exit 3 when it is not there)'],
    ['$0 unset OLD_TOKEN --idempotent', 'the same, and fine when it is already gone'],
  ],
  async handler(env, args) {
    const result = await unsetValue(ctxFor(env, args.config), args.file, args.key, args.inputFormat, { idempotent: args.idempotent });
    if (result.removed) say(env, `envseal: removed ${result.path} from ${result.file.display}`);
    else say(env, `envseal: ${result.path} is not in ${result.file.display}; nothing to remove`);
  },
});
