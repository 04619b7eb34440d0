/**
 * `envseal keygen [--pq] [--out FILE]`: make an age identity, append it to the default keys
 * file (folder 0700, file 0600, never overwriting) or write it to a new file, and print the
 * recipient on stdout.
 */
import { dirname } from 'node:path';
import type { CommandModule } from 'yargs';
import { IoError } from '../../errors.js';
import { defaultKeysFile } from '../../keys/discovery.js';
import { resolvePath } from '../../io/io.js';
import { displayPath } from '../../text.js';
import { jsonOption } from './options.js';
import { say, type CommandEnv } from './env.js';

interface KeygenArgs {
  pq: boolean;
  out: string | undefined;
  json: boolean;
}

export function keygenCommand(env: CommandEnv): CommandModule<object, KeygenArgs> {
  return {
    command: 'keygen',
    describe: 'make an age identity and print its recipient',
    builder: (y) =>
      y
        .option('pq', { type: 'boolean', default: false, describe: 'make a hybrid post-quantum identity (age1pq1…, ~2 kB recipient)' })
        .option('out', { type: 'string', describe: 'write the identity to this new file instead of the default keys file' })
        .option('json', jsonOption)
        .example('$0 keygen', 'add an identity to ~/.config/sops/age/keys.txt and print its recipient')
        .example('$0 keygen --out ci.key', 'write a new identity to ci.key (for a CI secret)'),
    handler: async (args) => {
      const { io } = env;
      const age = await import('age-encryption');
      const identity = args.pq ? await age.generateHybridIdentity() : await age.generateIdentity();
      const recipient = await age.identityToRecipient(identity);
      const block = `# created: ${io.now().toISOString().replace(/\.\d{3}Z$/, 'Z')}\n# public key: ${recipient}\n${identity}\n`;
      let target: string;
      if (args.out !== undefined) {
        target = resolvePath(io, args.out);
        if ((await io.fs.stat(target)) !== null) {
          throw new IoError('the file already exists; keygen never overwrites an identity', { file: target, hint: 'choose another --out path' });
        }
        await io.fs.mkdir(dirname(target), 0o700);
        await io.fs.writeNewFile(target, block, 0o600);
      } else {
        const path = defaultKeysFile(io);
        if (path === null) throw new IoError('cannot find your config folder (HOME is not set)', { hint: 'pass --out FILE' });
        target = path;
        await io.fs.mkdir(dirname(target), 0o700);
        const existing = await io.fs.stat(target);
        let prefix = '';
        if (existing !== null && existing.size > 0) {
          const current = await io.fs.readFile(target);
          if (current[current.length - 1] !== 0x0a) prefix = '\n';
          if (io.platform !== 'win32' && (existing.mode & 0o077) !== 0) {
            say(env, `envseal: warning: key file ${target} can be read by other users; fix it with: chmod 600 ${target}`);
          }
        }
        await io.fs.appendFile(target, prefix + block, 0o600);
      }
      if (args.json) {
        io.stdout.write(`${JSON.stringify({ recipient, file: target })}\n`);
      } else {
        io.stdout.write(`${recipient}\n`);
        say(env, `envseal: new identity saved in ${displayPath(target, io.cwd)} (keep it secret; back it up)`);
      }
    },
  };
}
