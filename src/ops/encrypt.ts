/**
 * `encrypt` as a use case, shared by the CLI and the library: a plaintext file becomes a
 * sops file; a sops file with values added by hand gets only those sealed, with its data key.
 * `--age` chooses the recipients of a new file; on a sops file it must name the recipients the
 * file already has, or encrypt refuses and names the commands that change recipients (adding
 * one is updatekeys' job: the data key is kept and re-wrapped, and `team add` does it for
 * every file a rule covers), rather than ignoring it.
 */
import { ParseError, UsageError } from '../errors.js';
import { parseMetadata } from '../metadata/codec.js';
import { allAgeKeys } from '../metadata/model.js';
import { resolveFromCwd } from '../paths.js';
import { adoptedKey, adoptHandAddedDotenvLines } from './adopt.js';
import type { Ctx } from './context.js';
import { loadFile, type LoadedFile } from './load.js';
import { openFile } from './open.js';
import { describeRecipients, parseRecipientFlags, planForNewFile, strangersQuestion, type PlanFlags } from './plan.js';
import { confirm } from './confirm.js';
import { registerSopsFile } from './git-setup.js';
import { reseal, sealNew, warnCommentedSecrets } from './seal.js';
import { count } from '../text.js';

export interface Encrypted {
  readonly text: string;
  /** What was done, for the status line printed once the file is written. */
  readonly summary: string;
}

/** The encrypted text for `loaded`, or null when it is already fully encrypted. */
async function encryptLoaded(ctx: Ctx, loaded: LoadedFile, flags: PlanFlags): Promise<Encrypted | null> {
  if (loaded.parsed.metadata === undefined) return encryptPlain(ctx, loaded, flags);
  refuseOtherRecipients(loaded, flags);
  return encryptAdded(ctx, loaded);
}

/** `--age` on a sops file: fine when it names exactly the file's recipients (a script run twice), refused otherwise. */
function refuseOtherRecipients(loaded: LoadedFile, flags: PlanFlags): void {
  if (flags.age === undefined || flags.age.length === 0) return;
  const wanted = new Set(parseRecipientFlags(flags.age));
  const current = new Set(allAgeKeys(parseMetadata(loaded.parsed.metadata, loaded.abs)).flatMap((key) => (key.recipient === null ? [] : [key.recipient])));
  const added = [...wanted].filter((r) => !current.has(r)).length;
  const dropped = [...current].filter((r) => !wanted.has(r)).length;
  if (added === 0 && dropped === 0) return;
  const change = [added > 0 ? `adds ${count(added, 'recipient')}` : '', dropped > 0 ? `leaves out ${count(dropped, 'recipient')} it has` : ''].filter((t) => t !== '').join(' and ');
  throw new UsageError(`${loaded.display} is already encrypted, and --age ${change}; encrypt --age only chooses the recipients of a new file`, {
    file: loaded.abs,
    hint: `to add a reader: envseal team add NAME RECIPIENT (every file their rules cover), or put the recipient in the .sops.yaml rule and run envseal updatekeys ${loaded.display}`,
  });
}

/** A plaintext file sealed as a new sops file, for the rule's recipients or --age (import uses it too). */
export async function encryptPlain(ctx: Ctx, loaded: LoadedFile, flags: PlanFlags): Promise<Encrypted> {
  if (loaded.parsed.docs.length === 0) {
    throw new ParseError('the file holds no document to encrypt', { file: loaded.abs, hint: 'add at least one key' });
  }
  const plan = await planForNewFile(ctx, loaded.abs, loaded.display, flags);
  await confirm(ctx, [strangersQuestion(plan.strangers, loaded.display)], flags.yes === true);
  const text = await sealNew(ctx, loaded, loaded.parsed.docs, plan);
  const recipients = [...new Set(plan.groups.flatMap((g) => g.age))];
  return { text, summary: `encrypted ${loaded.display} for ${describeRecipients(recipients, plan)}` };
}

async function encryptAdded(ctx: Ctx, loaded: LoadedFile): Promise<Encrypted | null> {
  const opened = await openFile(ctx, loaded, { plaintextLeaves: 'collect' });
  if (opened.plaintextPaths.length === 0) return null;
  const docs =
    loaded.format.name === 'dotenv'
      ? opened.docs.map((doc) => adoptHandAddedDotenvLines(doc, opened.plaintextPaths, loaded.abs))
      : opened.docs;
  const { text, docs: sealed } = reseal(ctx, opened, docs);
  warnCommentedSecrets(ctx, loaded, sealed);
  const names = opened.plaintextPaths.map((p) => (loaded.format.name === 'dotenv' && p.length === 1 ? adoptedKey(p[0] as string) : p.join('.'))).join(', ');
  return { text, summary: `encrypted ${count(opened.plaintextPaths.length, 'new value')} in ${loaded.display}: ${names}` };
}

export interface EncryptOutcome {
  readonly display: string;
  /** Null when the file was already fully encrypted. */
  readonly encrypted: Encrypted | null;
}

/**
 * Encrypts a file as one turn under its lock: read, encrypt, write (unless `write` is false,
 * for `--stdout`). A concurrent envseal writer of the same file waits for this one.
 */
export async function encryptFileInPlace(ctx: Ctx, file: string, format: string | undefined, flags: PlanFlags, options: { write: boolean }): Promise<EncryptOutcome> {
  if (!options.write) {
    const loaded = await loadFile(ctx, file, format);
    return { display: loaded.display, encrypted: await encryptLoaded(ctx, loaded, flags) };
  }
  return ctx.io.fs.withLock(resolveFromCwd(ctx, file), async () => {
    const loaded = await loadFile(ctx, file, format);
    const encrypted = await encryptLoaded(ctx, loaded, flags);
    if (encrypted !== null) await ctx.io.fs.writeFileAtomic(loaded.abs, encrypted.text, { expected: loaded.bytes });
    if (encrypted !== null && loaded.parsed.metadata === undefined) await registerSopsFile(ctx, loaded.abs);
    return { display: loaded.display, encrypted };
  });
}
