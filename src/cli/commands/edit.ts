/**
 * `envseal edit FILE`: decrypt into a private temporary file (folder 0700, file 0600, in
 * memory when /dev/shm exists), open $SOPS_EDITOR / $VISUAL / $EDITOR (or vim, nano, vi),
 * then re-encrypt with the same data key, so unchanged values keep their ciphertext. The
 * temporary folder is always removed. No change writes nothing. A parse error is shown with
 * its line; on a terminal the editor re-opens on the same text, otherwise envseal exits 6
 * and the file is untouched. A missing FILE is created, as `sops edit` does: the editor
 * opens on an empty file (`{}` for JSON), and what is saved is encrypted for the recipients
 * of the rule or `--age`; an editor that saves nothing creates nothing.
 */
import { basename, delimiter, join } from 'node:path';
import { ExitCode, IoError, ParseError, UsageError } from '../../errors.js';
import { resolveFromCwd } from '../../paths.js';
import type { Io } from '../../io/io.js';
import { splitCommandLine } from '../../keys/shell-words.js';
import { olderThan, SOPS_VERSION } from '../../metadata/model.js';
import { decodeUtf8 } from '../../formats/utf8.js';
import { emptyFile, loadConflicted, loadFile, type LoadedFile } from '../../ops/load.js';
import { withMarkers } from '../../ops/conflict.js';
import { openFile, type OpenedFile } from '../../ops/open.js';
import { reseal, sealNew } from '../../ops/seal.js';
import type { Ctx } from '../../ops/context.js';
import { confirm } from '../../ops/confirm.js';
import { registerSopsFile } from '../../ops/git-setup.js';
import { describeRecipients, parseRecipientFlags, planForNewFile, strangersQuestion, type NewFilePlan } from '../../ops/plan.js';
import { defineCommand } from './define.js';
import { ctxFor, say, type CommandEnv } from './env.js';
import { ageOption, inputFormatOption, yesOption } from './options.js';

export const editCommand = defineCommand({
  command: 'edit <file>',
  describe: 'edit the decrypted file in your editor, then re-encrypt it',
  positionals: { file: { type: 'string', demandOption: true, describe: 'the encrypted file (a missing one is created)' } },
  options: {
    'input-format': inputFormatOption,
    age: { ...ageOption, describe: 'for a new file: encrypt to this age recipient or SSH public key (repeatable; replaces the recipients of .sops.yaml)' },
    yes: yesOption,
  },
  examples: [
    ['EDITOR=nano $0 edit .env', 'edit .env in nano'],
    ['$0 edit secrets.yaml --age age1…', 'create secrets.yaml in your editor, encrypted for age1…'],
  ],
  async handler(env, args) {
    const ctx = ctxFor(env, args.config);
    const abs = resolveFromCwd(ctx, args.file);
    if ((await env.io.fs.stat(abs)) === null) {
      env.exitCode = await createByEditing(ctx, env, emptyFile(ctx, args.file, args.inputFormat), { age: args.age, yes: args.yes });
      return;
    }
    if (args.age !== undefined && args.age.length > 0) {
      parseRecipientFlags(args.age); // a bad recipient is an error even when unused
      say(env, `envseal: warning: --age is used only when edit creates a file; ${args.file} keeps its recipients (change them with envseal updatekeys or envseal team add)`);
    }
    const { opened, plaintext } = await openForEdit(ctx, args.file, args.inputFormat);
    env.exitCode = await inEditor(env, opened.loaded, plaintext, (text) => saveEdit(ctx, opened, text));
  },
});

/** Writes `plaintext` to a private temporary file, runs the edit loop on it, and always removes the folder. */
async function inEditor(env: CommandEnv, loaded: LoadedFile, plaintext: string, save: Save): Promise<number> {
  const editor = await findEditor(env.io);
  const folder = await env.io.fs.privateFolder(join(env.io.privateTempRoot, 'envseal-edit-'));
  try {
    const temp = join(folder.path, basename(loaded.abs));
    await env.io.fs.writeNewFile(temp, plaintext, 0o600);
    return await editLoop(env, loaded, editor, temp, plaintext, save);
  } finally {
    await folder.remove();
  }
}

/** Seals what the editor left (`temp` names it in parse errors) and writes it; returns the status line. Throws ParseError for text to fix. */
type Save = (edited: { text: string; temp: string }) => Promise<string>;

async function saveEdit(ctx: Ctx, opened: OpenedFile, edited: { text: string; temp: string }): Promise<string> {
  const { loaded } = opened;
  const parsed = loaded.format.parse(edited.text, edited.temp, ctx.warn);
  const version = olderThan(opened.metadata.version, SOPS_VERSION) ? SOPS_VERSION : undefined;
  const { text, valuesChanged } = reseal(ctx, opened, parsed.docs, { layout: parsed, version });
  await ctx.io.fs.writeFileAtomic(loaded.abs, text, { expected: loaded.bytes });
  return `${loaded.display} saved${valuesChanged ? '' : ' (no value changed)'}`;
}

/**
 * `edit` of a missing file: who it is for is settled (and strangers asked about) before the
 * editor opens, so nobody types secrets for a file that cannot be written.
 */
async function createByEditing(ctx: Ctx, env: CommandEnv, probe: LoadedFile, flags: { age: string[] | undefined; yes: boolean }): Promise<number> {
  const plan = await planForNewFile(ctx, probe.abs, probe.display, flags);
  await confirm(ctx, [strangersQuestion(plan.strangers, probe.display)], flags.yes);
  const start = probe.format.name === 'json' ? '{}\n' : '';
  return inEditor(env, probe, start, (edited) => saveNew(ctx, probe, plan, edited));
}

async function saveNew(ctx: Ctx, probe: LoadedFile, plan: NewFilePlan, edited: { text: string; temp: string }): Promise<string> {
  const parsed = probe.format.parse(edited.text, edited.temp, ctx.warn);
  if (parsed.metadata !== undefined) throw new ParseError('what you wrote holds sops metadata; write plain values and envseal encrypts them', { file: edited.temp });
  if (parsed.docs.length === 0) throw new ParseError('there is no document to encrypt', { file: edited.temp, hint: 'add at least one key' });
  const loaded: LoadedFile = { ...probe, bytes: new Uint8Array(Buffer.from(edited.text, 'utf8')), parsed };
  const text = await sealNew(ctx, loaded, parsed.docs, plan);
  await ctx.io.fs.writeFileAtomic(probe.abs, text, { expected: null, mode: 0o644 });
  await registerSopsFile(ctx, probe.abs);
  const recipients = [...new Set(plan.groups.flatMap((g) => g.age))];
  return `created ${probe.display}, encrypted for ${describeRecipients(recipients, plan)}`;
}

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

async function editLoop(env: CommandEnv, loaded: LoadedFile, editor: string[], temp: string, before: string, save: Save): Promise<number> {
  const created = loaded.bytes === null;
  const untouched = created ? `${loaded.display} was not created` : `${loaded.display} was not changed`;
  for (;;) {
    const run = await env.io.runInteractive([...editor, temp]).catch((err: unknown) => {
      throw new UsageError(`cannot start the editor ${JSON.stringify(editor[0])}`, { cause: err, hint: 'set $EDITOR to an editor on your PATH' });
    });
    if (run.interrupted || run.code !== 0) {
      say(env, `envseal: the editor ${run.interrupted ? 'was stopped' : `exited with code ${run.code}`}; ${untouched}`);
      return run.code === 0 ? ExitCode.internal : run.code;
    }
    try {
      const after = decodeUtf8(await env.io.fs.readFile(temp), temp);
      if (after === before) {
        say(env, created ? `envseal: nothing written; ${untouched}` : `envseal: no changes; ${loaded.display} was not written`);
        return ExitCode.ok;
      }
      say(env, `envseal: ${await save({ text: after, temp })}`);
      return ExitCode.ok;
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      const where = err.line === undefined ? '' : `:${err.line}`;
      const problem = new ParseError(`your edit does not parse: ${err.message}`, { file: loaded.abs, line: err.line, hint: err.hint });
      if (!env.io.stdin.isTTY) throw problem;
      say(env, `envseal: your edit does not parse (${loaded.display}${where}): ${err.message}`);
      const answer = await env.io.prompt('Press Enter to fix it in the editor, or type "discard" to drop your changes: ');
      if (answer === null || answer.trim().toLowerCase() === 'discard') {
        say(env, `envseal: changes discarded; ${untouched}`);
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
