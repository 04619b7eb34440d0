/** Identity discovery wired to the Io, with its warnings printed once per run. */
import { findIdentities, type Discovery, type KeySourceHost } from '../keys/discovery.js';
import type { Io } from '../io/io.js';
import type { Ctx } from './context.js';

export function keySourceHost(io: Io): KeySourceHost {
  return {
    env: io.env,
    platform: io.platform,
    homedir: io.homedir,
    readFile: (path) => io.fs.readFile(path).catch((err: unknown) => {
      throw (err as { cause?: unknown }).cause ?? err;
    }),
    fileMode: async (path) => (await io.fs.stat(path))?.mode ?? null,
    runCommand: (argv, extraEnv) => io.runCommand(argv, extraEnv),
    askPassphrase: (question) => io.prompt(question, { hidden: true }),
  };
}

const cache = new WeakMap<Io, Promise<Discovery>>();

/** Finds identities once per Io (a passphrase is asked for at most once per command). */
export function discoverIdentities(ctx: Ctx, recipientHint?: string): Promise<Discovery> {
  let found = cache.get(ctx.io);
  if (found === undefined) {
    found = findIdentities(keySourceHost(ctx.io), { recipientHint }).then((discovery) => {
      for (const warning of discovery.warnings) ctx.warn(warning);
      return discovery;
    });
    cache.set(ctx.io, found);
  }
  return found;
}
