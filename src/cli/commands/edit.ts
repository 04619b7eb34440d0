/**
 * `envseal edit FILE`: decrypt into a private temporary file (folder 0700, file 0600, in
 * memory when /dev/shm exists), open $SOPS_EDITOR / $VISUAL / $EDITOR (or vim, nano, vi),
 * then re-encrypt with the same data key, so unchanged values keep their ciphertext. The
 * temporary folder is always removed. No change writes nothing. A parse error is shown with
 * its line; on a terminal the editor re-opens on the same text, otherwise envseal exits 6
 * and the file is untouched.
 */
import { basename, delimiter, join } from 'node:path';
import { ExitCode, IoError, ParseError, UsageError } from '../../errors.js';
import type { Io } from '../../io/io.js';
import { splitCommandLine } from '../../keys/shell-words.js';
import { olderThan, SOPS_VERSION } from '../../metadata/model.js';
import { loadFile } from '../../ops/load.js';
import { openFile, type OpenedFile } from '../../ops/open.js';
import { reseal } from '../../ops/seal.js';
import type { Ctx } from '../../ops/context.js';
import { defineCommand } from './define.js';
import { ctxFor, say, type CommandEnv } from './env.js';
import { inputFormatOption } from './options.js';

export const editCommand = defineCommand({
  command: 'edit <file>',
  describe: 'edit the decrypted file in your editor, then re-encrypt it',
  positionals: { file: { type: 'string', demandOption: true, describe: 'the encrypted file' } },
  options: { format: inputFormatOption },
  examples: [['EDITOR=nano $0 edit .env', 'edit .env in nano']],
  async handler(env, args) {
    const ctx = ctxFor(env, args.config);
    const loaded = await loadFile(ctx, args.file, args.format);
    const opened = await openFile(ctx, loaded);
    const editor = await findEditor(env.io);
    const plaintext = loaded.format.emitPlain(opened.docs, loaded.parsed, loaded.abs, opened.store);
    const folder = await env.io.fs.privateFolder(join(env.io.privateTempRoot, 'envseal-edit-'));
    try {
      const temp = join(folder.path, basename(loaded.abs));
      await env.io.fs.writeNewFile(temp, plaintext, 0o600);
      env.exitCode = await editLoop(ctx, env, opened, editor, temp, plaintext);
    } finally {
      await folder.remove();
    }
  },
});

async function editLoop(ctx: Ctx, env: CommandEnv, opened: OpenedFile, editor: string[], temp: string, before: string): Promise<number> {
  const { loaded } = opened;
  for (;;) {
    const run = await env.io.runInteractive([...editor, temp]).catch((err: unknown) => {
      throw new UsageError(`cannot start the editor ${JSON.stringify(editor[0])}`, { cause: err, hint: 'set $EDITOR to an editor on your PATH' });
    });
    if (run.interrupted || run.code !== 0) {
      say(env, `envseal: the editor ${run.interrupted ? 'was stopped' : `exited with code ${run.code}`}; ${loaded.display} was not changed`);
      return run.code === 0 ? ExitCode.internal : run.code;
    }
    const after = Buffer.from(await env.io.fs.readFile(temp)).toString('utf8');
    if (after === before) {
      say(env, `envseal: no changes; ${loaded.display} was not written`);
      return ExitCode.ok;
    }
    try {
      const parsed = loaded.format.parse(after, temp, ctx.warn);
      const version = olderThan(opened.metadata.version, SOPS_VERSION) ? SOPS_VERSION : undefined;
      const { text, valuesChanged } = reseal(ctx, opened, parsed.docs, { layout: parsed, version });
      await env.io.fs.writeFileAtomic(loaded.abs, text, { expected: loaded.bytes });
      say(env, `envseal: ${loaded.display} saved${valuesChanged ? '' : ' (no value changed)'}`);
      return ExitCode.ok;
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      const where = err.line === undefined ? '' : `:${err.line}`;
      const problem = new ParseError(`your edit does not parse: ${err.message}`, { file: loaded.abs, line: err.line, hint: err.hint });
      if (!env.io.stdin.isTTY) throw problem;
      say(env, `envseal: your edit does not parse (${loaded.display}${where}): ${err.message}`);
      const answer = await env.io.prompt('Press Enter to fix it in the editor, or type "discard" to drop your changes: ');
      if (answer === null || answer.trim().toLowerCase() === 'discard') {
        say(env, `envseal: changes discarded; ${loaded.display} was not changed`);
        return ExitCode.parse;
      }
    }
  }
}

/** $SOPS_EDITOR, $VISUAL, $EDITOR (split like a command line), else the first of vim, nano, vi on PATH. */
async function findEditor(io: Io): Promise<string[]> {
  for (const name of ['SOPS_EDITOR', 'VISUAL', 'EDITOR']) {
    const value = io.env[name];
    if (value === undefined || value.trim() === '') continue;
    const words = splitCommandLine(value);
    if (words === null || words.length === 0) throw new UsageError(`$${name} cannot be split into a command`);
    return words;
  }
  const candidates = io.platform === 'win32' ? ['notepad.exe'] : ['vim', 'nano', 'vi'];
  for (const dir of (io.env['PATH'] ?? '').split(delimiter)) {
    for (const name of candidates) {
      const path = join(dir, name);
      const stat = await io.fs.stat(path).catch(() => null);
      if (stat?.isFile === true && (io.platform === 'win32' || (stat.mode & 0o111) !== 0)) return [path];
    }
  }
  throw new IoError('no editor found', { hint: 'set $EDITOR (for example EDITOR=nano)' });
}
