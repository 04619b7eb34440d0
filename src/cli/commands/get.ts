/** `envseal get KEY [-f FILE]`: one value, raw, then a newline. Maps and lists print as JSON. */
import { jsonValueText } from '../../formats/json.js';
import { scalarToText } from '../../formats/scalar-text.js';
import { getValue } from '../../ops/values.js';
import { defineCommand } from './define.js';
import { ctxFor } from './env.js';
import { fileOption, inputFormatOption, keyPositional } from './options.js';

export const getCommand = defineCommand({
  command: 'get <key>',
  describe: 'print one decrypted value',
  positionals: { key: keyPositional },
  options: { file: fileOption, format: inputFormatOption },
  examples: [
    ['$0 get DATABASE_URL', 'print one value of .env'],
    ['$0 get db.password -f secrets.yaml', 'a nested value of a YAML file'],
  ],
  async handler(env, args) {
    const value = await getValue(ctxFor(env, args.config), args.file, args.key, args.format);
    const text = value.kind === 'map' || value.kind === 'list' ? jsonValueText(value, args.file) : value.kind === 'null' ? '' : scalarToText(value);
    env.io.stdout.write(`${text}\n`);
  },
});
