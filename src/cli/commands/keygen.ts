/**
 * `envseal keygen [--pq] [--out FILE] [--new]`: make an age identity and print its recipient.
 * Without --out it goes into the default keys file (folder 0700, file 0600, appended, never
 * overwritten), and only when that file holds no identity yet: otherwise keygen prints the
 * recipients already there (so `R=$(envseal keygen)` is the same person every time) and
 * `--new` is how to add a second one. `envseal whoami` shows every identity you have.
 */
import { IoError } from '../../errors.js';
import { formatLastModified } from '../../crypto/mac.js';
import { defaultKeysFile } from '../../keys/discovery.js';
import { appendIdentity, identityBlock, writeNewIdentityFile } from '../../keys/keyfile.js';
import { keysFileState } from '../../ops/whoami.js';
import { displayPath, resolveFromCwd } from '../../paths.js';
import { defineCommand } from './define.js';
import { say, type CommandEnv } from './env.js';
import { jsonOption } from './options.js';

export const keygenCommand = defineCommand({
  command: 'keygen',
  describe: 'make an age identity and print its recipient (or print the one you have)',
  options: {
    pq: { type: 'boolean', default: false, describe: 'make a hybrid post-quantum identity (age1pq1…, ~2 kB recipient)' },
    out: { type: 'string', requiresArg: true, describe: 'write the identity to this new file instead of the default keys file' },
    new: { type: 'boolean', default: false, describe: 'add another identity to a default keys file that already holds one' },
    json: jsonOption,
  },
  examples: [
    ['$0 keygen', 'make your identity in ~/.config/sops/age/keys.txt and print its recipient (if you have one: print it)'],
    ['$0 keygen --new', 'add a second identity to keys.txt'],
    ['$0 keygen --out ci.key', 'write a new identity to ci.key (for a CI secret)'],
  ],
  async handler(env, args) {
    const { io } = env;
    let target: string;
    if (args.out !== undefined) {
      target = resolveFromCwd(io, args.out);
    } else {
      const path = defaultKeysFile(io);
      if (path === null) throw new IoError('cannot find your config folder (HOME is not set)', { hint: 'pass --out FILE' });
      target = path;
      const state = await keysFileState(io.fs, target);
      if (state.kind === 'locked') {
        throw new IoError('the keys file is encrypted with a passphrase; keygen cannot add to it', { file: target, hint: 'write a new identity with --out FILE; envseal whoami lists the identities you have' });
      }
      if (state.kind === 'holds' && !args.new) return showExisting(env, target, state.recipients, args.json);
    }
    const age = await import('age-encryption');
    const identity = args.pq ? await age.generateHybridIdentity() : await age.generateIdentity();
    const recipient = await age.identityToRecipient(identity);
    const block = identityBlock(identity, recipient, formatLastModified(io.now()));
    if (args.out !== undefined) {
      await writeNewIdentityFile(io.fs, target, block);
    } else {
      const warning = await appendIdentity(io.fs, target, block, io.platform);
      if (warning !== null) say(env, `envseal: warning: ${warning}`);
    }
    if (args.json) {
      io.stdout.write(`${JSON.stringify({ recipient, file: target, created: true })}\n`);
    } else {
      io.stdout.write(`${recipient}\n`);
      say(env, `envseal: new identity saved in ${displayPath(target, io.cwd)} (keep it secret; back it up)`);
    }
  },
});

/** The identities the keys file already holds: their recipients on stdout, and how to make another. */
function showExisting(env: CommandEnv, file: string, recipients: readonly string[], json: boolean): void {
  const { io } = env;
  if (json) {
    io.stdout.write(`${JSON.stringify({ recipient: recipients[0], recipients, file, created: false })}\n`);
    return;
  }
  for (const recipient of recipients) io.stdout.write(`${recipient}\n`);
  const what = recipients.length === 1 ? 'an identity; its recipient is' : `${recipients.length} identities; their recipients are`;
  say(env, `envseal: ${displayPath(file, io.cwd)} already holds ${what} above (nothing new was made; for another: envseal keygen --new)`);
}
