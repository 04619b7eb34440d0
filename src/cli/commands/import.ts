/**
 * `envseal import FILE [--keys F] [--age R]... [--stdout] [--yes]`: a dotenvx-encrypted .env
 * becomes a sops file, in place (ops/import-dotenvx.ts). The way over from dotenvx: envseal
 * refuses to read such a file otherwise.
 */
import { importDotenvx } from '../../ops/import-dotenvx.js';
import { defineCommand } from './define.js';
import { ctxFor, say } from './env.js';
import { ageOption, yesOption } from './options.js';

export const importCommand = defineCommand({
  command: 'import <file>',
  describe: 'make a dotenvx-encrypted .env a sops file (values decrypted with its .env.keys)',
  positionals: { file: { type: 'string', demandOption: true, describe: 'the dotenvx-encrypted file' } },
  options: {
    keys: { type: 'string', describe: "dotenvx's keys file to read the private key from (default: the DOTENV_PRIVATE_KEY… variable when set, else .env.keys beside FILE)" },
    age: ageOption,
    stdout: { type: 'boolean', default: false, describe: 'print the sops file instead of writing it' },
    yes: yesOption,
  },
  examples: [
    ['$0 import .env', 'the dotenvx .env becomes a sops file for the recipients of the .sops.yaml rule'],
    ['$0 import .env.production --age age1… --keys ../.env.keys', 'another keys file, one recipient'],
  ],
  async handler(env, args) {
    const ctx = ctxFor(env, args.config);
    const result = await importDotenvx(ctx, args.file, { age: args.age, yes: args.yes, keys: args.keys }, { write: !args.stdout });
    if (args.stdout) env.io.stdout.write(result.text);
    say(env, `envseal: ${result.summary}`);
    if (!args.stdout) say(env, `envseal: note: the private key in ${result.keySource} still opens the dotenvx versions of ${result.display} in git history; delete it once nobody needs them`);
  },
});
