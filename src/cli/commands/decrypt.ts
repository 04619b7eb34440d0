/**
 * `envseal decrypt FILE`: plaintext to stdout (or `--output FILE`, written 0600, or
 * `--in-place` on purpose), in the file's own format or `--format dotenv|yaml|json|shell`.
 */
import type { CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { formatNamed } from '../../formats/index.js';
import { emitShell } from '../../formats/shell.js';
import { resolvePath } from '../../io/io.js';
import { loadFile } from '../../ops/load.js';
import { openFile } from '../../ops/open.js';
import { ctxFor, say, type CommandEnv } from './env.js';
import { inputFormatOption } from './options.js';

interface DecryptArgs {
  file: string;
  format: string | undefined;
  inputFormat: string | undefined;
  output: string | undefined;
  inPlace: boolean | undefined;
  ignoreMac: boolean;
  config: string | undefined;
}

export function decryptCommand(env: CommandEnv): CommandModule<object, DecryptArgs> {
  return {
    command: 'decrypt <file>',
    describe: 'print the decrypted file',
    builder: (y) =>
      y
        .positional('file', { type: 'string', demandOption: true, describe: 'the encrypted file' })
        .option('format', { type: 'string', choices: ['dotenv', 'yaml', 'json', 'shell'], describe: 'output format (default: the file\'s own)' })
        .option('input-format', inputFormatOption)
        .option('output', { alias: 'o', type: 'string', describe: 'write the plaintext to this file (mode 0600) instead of stdout' })
        .option('in-place', { alias: 'i', type: 'boolean', describe: 'replace the file with its plaintext (on purpose)' })
        .option('ignore-mac', { type: 'boolean', default: false, describe: 'decrypt even if the integrity check fails (says so on stderr)' })
        .conflicts('output', 'in-place')
        .example('$0 decrypt .env', 'print the plaintext .env')
        .example('$0 decrypt secrets.yaml --format json', 'print a YAML file as JSON')
        .example("eval \"$($0 decrypt .env --format shell)\"", 'load the values into the current shell') as never,
    handler: async (args) => {
      const ctx = ctxFor(env, args.config);
      const loaded = await loadFile(ctx, args.file, args.inputFormat);
      const opened = await openFile(ctx, loaded, { ignoreMac: args.ignoreMac, readOnly: true });
      const target = args.format ?? loaded.format.name;
      let text: string;
      if (target === 'shell') {
        text = emitShell(opened.docs, loaded.abs);
      } else {
        const format = formatNamed(target as 'dotenv' | 'yaml' | 'json');
        text = format.emitPlain(opened.docs, format.name === loaded.format.name ? loaded.parsed : undefined, loaded.abs);
      }
      if (args.inPlace === true) {
        if (target !== loaded.format.name) throw new UsageError('--in-place keeps the file\'s format; drop --format or use --output');
        await env.io.fs.writeFileAtomic(loaded.abs, text, { expected: loaded.bytes });
        say(env, `envseal: ${loaded.display} is now PLAINTEXT; encrypt it again before committing`);
      } else if (args.output !== undefined) {
        await env.io.fs.writeFileAtomic(resolvePath(env.io, args.output), text, { mode: 0o600, forceMode: true });
      } else {
        env.io.stdout.write(text);
      }
    },
  };
}
