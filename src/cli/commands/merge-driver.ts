/**
 * `envseal git merge-driver %O %A %B %P`, the merge driver `envseal git setup` installs
 * (README "Merging"): sops files merged by key (ops/merge.ts), the exposure list as a union,
 * and git's own text merge for what envseal cannot merge by key. Its own module, so the
 * merge driver's bundle (fast-merge.ts) carries nothing else of `envseal git`.
 */
import { basename } from 'node:path';
import { ExitCode } from '../../errors.js';
import { parseExposures, exposuresText, unionExposures } from '../../ops/exposures.js';
import { mergeSopsFiles } from '../../ops/merge.js';
import { EXPOSURES_FILE } from '../../ops/repository.js';
import { resolveFromCwd } from '../../paths.js';
import { ctxFor, say, type CommandEnv } from './env.js';

/**
 * git's contract: merge `ours` and `theirs` (with `base`) into `ours`; exit 0 when clean,
 * non-zero for a conflict. What envseal cannot merge by key gets git's own text merge.
 */
export async function runMergeDriver(env: CommandEnv, args: { base: string; ours: string; theirs: string; path: string }): Promise<number> {
  const ctx = ctxFor(env, undefined);
  const read = async (file: string): Promise<string> => Buffer.from(await env.io.fs.readFile(resolveFromCwd(env.io, file))).toString('utf8');
  const [base, ours, theirs] = await Promise.all([read(args.base), read(args.ours), read(args.theirs)]);
  const write = (text: string): Promise<void> => env.io.fs.writeFileAtomic(resolveFromCwd(env.io, args.ours), text);
  if (basename(args.path) === EXPOSURES_FILE) {
    await write(exposuresText(unionExposures(parseExposures(ours, args.path), parseExposures(theirs, args.path))));
    return ExitCode.ok;
  }
  const outcome = await mergeSopsFiles(ctx, { path: args.path, base: base === '' ? null : base, ours, theirs });
  if (outcome.kind === 'not-sops' || outcome.kind === 'cannot') {
    if (outcome.kind === 'cannot') say(env, `envseal: cannot merge ${args.path} by key: ${outcome.why}; leaving git's own merge (with conflict markers if both sides changed it)`);
    const text = await env.io.runCommand(['git', 'merge-file', '-L', 'ours', '-L', 'base', '-L', 'theirs', args.ours, args.base, args.theirs], {}, { quiet: true });
    return text.code === 0 ? ExitCode.ok : 1;
  }
  for (const note of outcome.notes) say(env, `envseal: ${args.path}: ${note}`);
  await write(outcome.text);
  if (outcome.kind === 'merged') {
    say(env, `envseal: merged ${args.path} by key`);
    return ExitCode.ok;
  }
  say(env, `envseal: ${args.path}: ${outcome.keys.length === 1 ? 'a key was' : `${outcome.keys.length} keys were`} changed differently on both sides: ${outcome.keys.join(', ')}`);
  say(env, `envseal: resolve it with \`envseal edit ${args.path}\` (both sides decrypted, with markers), then git add it`);
  return 1;
}
