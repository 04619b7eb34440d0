/**
 * `envseal set KEY [VALUE] [-f FILE]`: VALUE from the argument, else from stdin when it is not
 * a terminal, else a hidden prompt; `--generate [BYTES]` makes a random secret (CSPRNG,
 * base64url, 32 bytes by default) and prints it only with --show. In YAML and JSON the value
 * keeps the type of the value it replaces; `--type` or `--json` ask for another
 * (ops/typed-value.ts). Creates the file when it is missing. Every other value keeps its
 * ciphertext.
 */
import { randomBytes } from 'node:crypto';
import { UsageError } from '../../errors.js';
import type { FormatName } from '../../formats/format.js';
import { decodeUtf8 } from '../../formats/utf8.js';
import { setValue } from '../../ops/values.js';
import { parseValueType, typedValue, type ValueRequest } from '../../ops/typed-value.js';
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
    type: { type: 'string', describe: 'store the value as str, int, float or bool (default: the type of the value it replaces; a new key is a string)' },
    json: { type: 'string', describe: 'the value as JSON, sops-style: --json 7777, --json \'{"a": 1}\' (alone: VALUE, stdin or the prompt is JSON)' },
    generate: { type: 'string', describe: 'store a random secret of this many bytes (default 32), base64url' },
    show: { type: 'boolean', default: false, describe: 'print the generated secret' },
    yes: yesOption,
  },
  examples: [
    ['$0 set API_KEY', 'asks for the value without echoing it'],
    ['printf %s "$TOKEN" | $0 set TOKEN -f .env.production', 'the value from stdin'],
    ['$0 set SESSION_SECRET --generate', 'a fresh 32-byte random secret'],
    ['$0 set database.port 7777 -f config.yaml', 'an int stays an int (a bool a bool)'],
    ['$0 set limits --json \'{"rps": 50}\' -f config.yaml', 'a map, a list, a number for a new key: JSON'],
  ],
  async handler(env, args) {
    const ctx = ctxFor(env, args.config);
    const generated = args.generate !== undefined;
    const request = valueRequest(args.type, args.json, generated);
    const jsonText = args.json !== undefined && args.json !== '' ? args.json : undefined;
    if (jsonText !== undefined && args.value !== undefined) throw new UsageError('give the value once: as VALUE or as --json VALUE');
    const text = args.generate !== undefined ? generateSecret(args.generate, args.value) : (jsonText ?? (await readValue(env, args.key, args.value)));
    const value = (current: Node | undefined, format: FormatName): Node => typedValue(text, request, current, { key: args.key, format });
    const result = await setValue(ctx, args.file, args.key, value, { format: args.inputFormat, plan: { age: args.age, yes: args.yes } });
    if (generated && args.show) env.io.stdout.write(`${text}\n`);
    const what = generated ? 'a generated secret' : (KIND_WORDS[result.kind] ?? 'the value');
    if (result.created) say(env, `envseal: created ${result.file.display} with ${result.path} (${what})`);
    else if (result.changed) say(env, `envseal: set ${result.path} in ${result.file.display} (${what})`);
    else say(env, `envseal: ${result.path} already holds that value; ${result.file.display} unchanged`);
  },
});

/** How the stored value is named in the status line (a string is just "the value"). */
const KIND_WORDS: Partial<Record<Node['kind'], string>> = { int: 'an int', float: 'a float', bool: 'a bool', time: 'a timestamp', null: 'null', map: 'a map', list: 'a list' };

function valueRequest(type: string | undefined, json: string | undefined, generated: boolean): ValueRequest {
  if (type !== undefined && json !== undefined) throw new UsageError('give either --type or --json, not both', { hint: 'JSON carries its own type: --json 7777 is an int, --json \'"7777"\' a string' });
  const request: ValueRequest = json !== undefined ? { as: 'json' } : type !== undefined ? { as: parseValueType(type) } : { as: 'keep' };
  if (generated && request.as !== 'keep' && request.as !== 'str') throw new UsageError('--generate makes a string; it takes no --json and no --type other than str');
  return request;
}

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
  const noValue = () => new UsageError('no value given', { hint: 'pass it on stdin: printf %s "$VALUE" | envseal set KEY' });
  const answer = await io.prompt(`Value for ${key} (not shown): `, { hidden: true });
  if (answer === null) throw noValue();
  if (answer !== '') return answer;
  // A hidden prompt shows nothing, so an Enter pressed too early looks like a typed value:
  // ask once more; Enter again means the empty value was meant.
  const again = await io.prompt(`Nothing was typed. Value for ${key} (not shown; Enter again stores an empty value): `, { hidden: true });
  if (again === null) throw noValue();
  return again;
}
