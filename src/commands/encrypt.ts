/**
 * `envseal encrypt FILE...`: in place. A plaintext file becomes a sops file; a sops file
 * with values added by hand gets only those encrypted, with its existing data key, and
 * every other byte kept.
 */
import type { CommandModule } from 'yargs';
import { ParseError } from '../errors.js';
import type { Ctx } from '../ops/context.js';
import { adoptHandAddedDotenvLines } from '../ops/adopt.js';
import { loadFile, type LoadedFile } from '../ops/load.js';
import { openFile } from '../ops/open.js';
import { planForNewFile } from '../ops/plan.js';
import { reseal, sealNew } from '../ops/seal.js';
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
        const result = loaded.parsed.metadata === undefined ? await encryptPlain(ctx, loaded, args) : await encryptAdded(ctx, loaded);
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

interface Encrypted {
  readonly text: string;
  /** What was done, for the status line printed once the file is written. */
  readonly summary: string;
}

async function encryptPlain(ctx: Ctx, loaded: LoadedFile, args: EncryptArgs): Promise<Encrypted> {
  if (loaded.parsed.docs.length === 0) {
    throw new ParseError('the file holds no document to encrypt', { file: loaded.abs, hint: 'add at least one key' });
  }
  const plan = await planForNewFile(ctx, loaded.abs, loaded.display, {
    age: args.age,
    rule: ruleFromFlags(args),
    macOnlyEncrypted: args.macOnlyEncrypted,
  });
  const text = await sealNew(ctx, loaded, loaded.parsed.docs, plan);
  const recipients = plan.groups.reduce((n, g) => n + g.age.length, 0);
  return { text, summary: `encrypted ${loaded.display} for ${recipients} recipient${recipients === 1 ? '' : 's'}` };
}

/** A sops file: seal only the values added by hand. Null when there are none. */
async function encryptAdded(ctx: Ctx, loaded: LoadedFile): Promise<Encrypted | null> {
  const opened = await openFile(ctx, loaded, { plaintextLeaves: 'collect' });
  if (opened.plaintextPaths.length === 0) return null;
  const docs =
    loaded.format.name === 'dotenv'
      ? opened.docs.map((doc) => adoptHandAddedDotenvLines(doc, opened.plaintextPaths, loaded.abs))
      : opened.docs;
  const { text } = reseal(ctx, opened, docs);
  const names = opened.plaintextPaths.map((p) => p.join('.')).join(', ');
  const count = opened.plaintextPaths.length;
  return { text, summary: `encrypted ${count} new value${count === 1 ? '' : 's'} in ${loaded.display}: ${names}` };
}
