/**
 * `envseal decrypt FILE`: plaintext to stdout (or `--output FILE`, written 0600, or
 * `--in-place` on purpose), in the file's own format or `--format dotenv|yaml|json|shell`.
 */
import { UsageError } from '../../errors.js';
import { formatNamed } from '../../formats/index.js';
import { emitShell } from '../../formats/shell.js';
import { resolveFromCwd } from '../../paths.js';
import { isStdin, loadFile } from '../../ops/load.js';
import { openFile } from '../../ops/open.js';
import { defineCommand } from './define.js';
import { ctxFor, say } from './env.js';
import { inputFormatOnlyOption } from './options.js';
import { findStoreOptions } from '../../config/load.js';

export const decryptCommand = defineCommand({
  command: 'decrypt <file>',
  describe: 'print the decrypted file',
  positionals: { file: { type: 'string', demandOption: true, describe: 'the encrypted file' } },
  options: {
    format: { type: 'string', requiresArg: true, choices: ['dotenv', 'yaml', 'json', 'shell'], describe: "output format (default: the file's own)" },
    'input-format': inputFormatOnlyOption,
    output: { alias: 'o', type: 'string', requiresArg: true, describe: 'write the plaintext to this file (mode 0600) instead of stdout' },
    'in-place': { alias: 'i', type: 'boolean', describe: 'replace the file with its plaintext (on purpose)' },
    'ignore-mac': { type: 'boolean', default: false, describe: 'decrypt even if the integrity check fails (says so on stderr)' },
  },
  configure: (y) => y.conflicts('output', 'in-place'),
  examples: [
    ['$0 decrypt .env', 'print the plaintext .env'],
    ['$0 decrypt secrets.yaml --format json', 'print a YAML file as JSON'],
    ['eval "$($0 decrypt .env --format shell)"', 'load the values into the current shell'],
  ],
  async handler(env, args) {
    const ctx = ctxFor(env, args.config);
    const plaintext = async (): Promise<{ text: string; abs: string; display: string; bytes: Uint8Array | null; sameFormat: boolean }> => {
      const loaded = await loadFile(ctx, args.file, args.inputFormat);
      const opened = await openFile(ctx, loaded, { ignoreMac: args.ignoreMac, readOnly: true });
      const target = args.format ?? loaded.format.name;
      let text: string;
      if (target === 'shell') {
        text = emitShell(opened.docs, loaded.abs);
      } else {
        const format = formatNamed(target);
        const store = await findStoreOptions(env.io, loaded.abs, { explicit: ctx.configPath });
        text = format.emitPlain(opened.docs, format.name === loaded.format.name ? loaded.parsed : undefined, loaded.abs, store);
      }
      return { text, abs: loaded.abs, display: loaded.display, bytes: loaded.bytes, sameFormat: target === loaded.format.name };
    };
    if (args.inPlace === true && isStdin(args.file)) throw new UsageError('--in-place needs a file, not standard input', { hint: 'drop --in-place: the plaintext goes to stdout' });
    if (args.inPlace === true) {
      await env.io.fs.withLock(resolveFromCwd(env.io, args.file), async () => {
        const result = await plaintext();
        if (!result.sameFormat) throw new UsageError("--in-place keeps the file's format; drop --format or use --output");
        await env.io.fs.writeFileAtomic(result.abs, result.text, { expected: result.bytes, mode: 0o600, forceMode: true });
        say(env, `envseal: ${result.display} is now PLAINTEXT; encrypt it again before committing`);
      });
    } else if (args.output !== undefined) {
      await env.io.fs.writeFileAtomic(resolveFromCwd(env.io, args.output), (await plaintext()).text, { mode: 0o600, forceMode: true });
    } else {
      env.io.stdout.write((await plaintext()).text);
    }
  },
});
