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
import { loadConflicted, loadFile } from '../../ops/load.js';
import { withMarkers } from '../../ops/conflict.js';
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
  options: { 'input-format': inputFormatOption },
  examples: [['EDITOR=nano $0 edit .env', 'edit .env in nano']],
  async handler(env, args) {
    const ctx = ctxFor(env, args.config);
    const { opened, plaintext } = await openForEdit(ctx, args.file, args.inputFormat);
    const { loaded } = opened;
    const editor = await findEditor(env.io);
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

/**
 * The file opened, and the plaintext to edit. A file the merge driver left in conflict holds
 * both sides sealed under one data key: both are decrypted and shown with git's markers, and
 * what the person keeps is sealed as usual.
 */
async function openForEdit(ctx: Ctx, file: string, format: string | undefined): Promise<{ opened: OpenedFile; plaintext: string }> {
  const conflict = await loadConflicted(ctx, file, format);
  if (conflict === null) {
    const loaded = await loadFile(ctx, file, format);
    const opened = await openFile(ctx, loaded);
    return { opened, plaintext: loaded.format.emitPlain(opened.docs, loaded.parsed, loaded.abs, opened.store) };
  }
  const ours = await openFile(ctx, conflict.ours);
  const theirs = await openFile(ctx, conflict.theirs, { readOnly: true });
  if (!Buffer.from(ours.dataKey).equals(theirs.dataKey)) {
    throw new ParseError('the two sides of this conflict are under different data keys: envseal did not write it', { file: ours.loaded.abs, hint: 'take one side with git checkout --ours (or --theirs), then edit it' });
  }
  const show = (o: OpenedFile): string => o.loaded.format.emitPlain(o.docs, o.loaded.parsed, o.loaded.abs, o.store);
  ctx.warn(`${ours.loaded.display} has merge conflicts: both sides are shown between <<<<<<< and >>>>>>>; keep what you want and remove the markers`);
  return { opened: ours, plaintext: withMarkers(show(ours), show(theirs), { ours: 'ours', theirs: 'theirs' }) };
}

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
