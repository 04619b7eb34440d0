/**
 * `envseal set KEY [VALUE] [-f FILE]`: VALUE from the argument, else from stdin when it is not
 * a terminal, else a hidden prompt; `--generate [BYTES]` makes a random secret (CSPRNG,
 * base64url, 32 bytes by default) and prints it only with --show. Creates the file when it
 * is missing. Every other value keeps its ciphertext.
 */
import { randomBytes } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { decodeUtf8 } from '../../formats/utf8.js';
import { setValue } from '../../ops/values.js';
import type { Node } from '../../tree.js';
import { defineCommand } from './define.js';
import { ctxFor, say, type CommandEnv } from './env.js';
import { ageOption, fileOption, inputFormatOption, keyPositional, yesOption } from './options.js';

export const setCommand = defineCommand({
  command: 'set <key> [value]',
  describe: 'set one value (from the argument, stdin or a hidden prompt)',
  positionals: {
    key: keyPositional,
    value: { type: 'string', describe: 'the value (better: stdin or the prompt, which keep it out of your shell history)' },
  },
  options: {
    file: fileOption,
    'input-format': inputFormatOption,
    age: ageOption,
    generate: { type: 'string', describe: 'store a random secret of this many bytes (default 32), base64url' },
    show: { type: 'boolean', default: false, describe: 'print the generated secret' },
    yes: yesOption,
  },
  examples: [
    ['$0 set API_KEY', 'asks for the value without echoing it'],
    ['printf %s "$TOKEN" | $0 set TOKEN -f .env.production', 'the value from stdin'],
    ['$0 set SESSION_SECRET --generate', 'a fresh 32-byte random secret'],
  ],
  async handler(env, args) {
    const ctx = ctxFor(env, args.config);
    const generated = args.generate !== undefined;
    const text = args.generate !== undefined ? generateSecret(args.generate, args.value) : await readValue(env, args.key, args.value);
    const value: Node = { kind: 'str', value: text };
    const result = await setValue(ctx, args.file, args.key, value, { format: args.inputFormat, plan: { age: args.age, yes: args.yes } });
    if (generated && args.show) env.io.stdout.write(`${text}\n`);
    const what = generated ? 'a generated secret' : 'the value';
    if (result.created) say(env, `envseal: created ${result.file.display} with ${result.path} (${what})`);
    else if (result.changed) say(env, `envseal: set ${result.path} in ${result.file.display} (${what})`);
    else say(env, `envseal: ${result.path} already holds that value; ${result.file.display} unchanged`);
  },
});

function generateSecret(bytesText: string, positional: string | undefined): string {
  if (positional !== undefined) throw new UsageError('give either a VALUE or --generate, not both');
  const bytes = bytesText === '' ? 32 : Number(bytesText);
  if (!Number.isInteger(bytes) || bytes < 8 || bytes > 4096) {
    throw new UsageError(`--generate takes a number of bytes from 8 to 4096 (got ${JSON.stringify(bytesText)})`, {
      hint: 'put --generate after the key: envseal set KEY --generate 48',
    });
  }
  return randomBytes(bytes).toString('base64url');
}

async function readValue(env: CommandEnv, key: string, positional: string | undefined): Promise<string> {
  if (positional !== undefined) return positional;
  const { io } = env;
  if (!io.stdin.isTTY) {
    const text = decodeUtf8(await io.stdin.read(), 'stdin', { isFile: false }).replace(/\r?\n$/, '');
    if (text === '') say(env, `envseal: warning: stdin was empty; setting ${key} to an empty value`);
    return text;
  }
  const answer = await io.prompt(`Value for ${key} (not shown): `, { hidden: true });
  if (answer === null) throw new UsageError('no value given', { hint: 'pass it on stdin: printf %s "$VALUE" | envseal set KEY' });
  return answer;
}
