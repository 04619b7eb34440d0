/**
 * `envseal keygen [--pq] [--out FILE]`: make an age identity, append it to the default keys
 * file (folder 0700, file 0600, never overwriting) or write it to a new file, and print the
 * recipient on stdout.
 */
import { IoError } from '../../errors.js';
import { formatLastModified } from '../../crypto/mac.js';
import { defaultKeysFile } from '../../keys/discovery.js';
import { appendIdentity, identityBlock, writeNewIdentityFile } from '../../keys/keyfile.js';
import { resolveFromCwd } from '../../paths.js';
import { displayPath } from '../../paths.js';
import { defineCommand } from './define.js';
import { say } from './env.js';
import { jsonOption } from './options.js';

export const keygenCommand = defineCommand({
  command: 'keygen',
  describe: 'make an age identity and print its recipient',
  options: {
    pq: { type: 'boolean', default: false, describe: 'make a hybrid post-quantum identity (age1pq1…, ~2 kB recipient)' },
    out: { type: 'string', requiresArg: true, describe: 'write the identity to this new file instead of the default keys file' },
    json: jsonOption,
  },
  examples: [
    ['$0 keygen', 'add an identity to ~/.config/sops/age/keys.txt and print its recipient'],
    ['$0 keygen --out ci.key', 'write a new identity to ci.key (for a CI secret)'],
  ],
  async handler(env, args) {
    const { io } = env;
    const age = await import('age-encryption');
    const identity = args.pq ? await age.generateHybridIdentity() : await age.generateIdentity();
    const recipient = await age.identityToRecipient(identity);
    const block = identityBlock(identity, recipient, formatLastModified(io.now()));
    let target: string;
    if (args.out !== undefined) {
      target = resolveFromCwd(io, args.out);
      await writeNewIdentityFile(io.fs, target, block);
    } else {
      const path = defaultKeysFile(io);
      if (path === null) throw new IoError('cannot find your config folder (HOME is not set)', { hint: 'pass --out FILE' });
      target = path;
      const warning = await appendIdentity(io.fs, target, block, io.platform);
      if (warning !== null) say(env, `envseal: warning: ${warning}`);
    }
    if (args.json) {
      io.stdout.write(`${JSON.stringify({ recipient, file: target })}\n`);
    } else {
      io.stdout.write(`${recipient}\n`);
      say(env, `envseal: new identity saved in ${displayPath(target, io.cwd)} (keep it secret; back it up)`);
    }
  },
});
