/**
 * The CLI's entry: the one try/catch that turns errors into an exit code and a message
 * (README "Commands", "Exit codes"). An ordinary `envseal run … -- CMD`, and the pre-commit
 * hook's `envseal scan --staged`, are parsed from their own flag tables and run without
 * loading yargs; everything else goes through yargs (parser.ts), loaded then.
 */
import { EnvsealError, ExitCode } from '../errors.js';
import type { Io } from '../io/io.js';
import type { CommandEnv } from './commands/env.js';
import { runHandler } from './commands/run.js';
import { parseRunArgv } from './commands/run-options.js';
import { scanHandler } from './commands/scan.js';
import { parseScanArgv } from './commands/scan-options.js';
import { expandAttachedValues } from './argv.js';
import { renderError } from './render.js';

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const env: CommandEnv = { io, exitCode: ExitCode.ok, main };
  try {
    const args = expandAttachedValues(argv);
    const fast = args[0] === 'run' ? parseRunArgv(args.slice(1)) : null;
    const scanFast = args[0] === 'scan' ? parseScanArgv(args.slice(1)) : null;
    if (fast !== null) {
      await runHandler(env, fast);
    } else if (scanFast !== null) {
      await scanHandler(env, scanFast);
    } else {
      const { parseWithYargs } = await import('./parser.js');
      await parseWithYargs(args, env);
    }
    return env.exitCode;
  } catch (err) {
    io.stderr.write(renderError(err, io.cwd, io.env['ENVSEAL_DEBUG'] === '1'));
    return err instanceof EnvsealError ? err.exitCode : ExitCode.internal;
  }
}
