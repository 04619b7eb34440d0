/** run's fast argument parser agrees with yargs on everything it accepts (an argv table). */
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { parseRunArgv, RUN_OPTIONS, type RunArgs } from '../../src/cli/commands/run-options.js';

async function viaYargs(argv: string[]): Promise<Partial<RunArgs> | null> {
  try {
    let captured: Partial<RunArgs> | null = null;
    await yargs(['run', ...argv])
      .parserConfiguration({ 'populate--': true, 'parse-positional-numbers': false })
      .option('config', { type: 'string', global: true })
      .strict()
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new Error(msg);
      })
      .command('run', 'x', (y) => y.options(RUN_OPTIONS as never), (args) => {
        captured = args as unknown as Partial<RunArgs>;
      })
      .parseAsync();
    return captured;
  } catch {
    return null;
  }
}

const TABLE: string[][] = [
  ['--', 'node', 'app.js'],
  ['--', 'node', 'app.js', '--port', '3000', '-x', '0755'],
  ['-f', '.env', '--', 'node'],
  ['-f', 'a.env', 'b.env', '--', 'node'],
  ['--file', 'a.env', '--file=b.env', '--', 'node'],
  ['--override', '--pristine', '--mask', '--flatten', '--', 'cmd'],
  ['--require', 'A,B', '--require', 'C', '--', 'cmd'],
  ['--require', 'A', 'B', '--example', '.env.example', '--', 'cmd'],
  ['--format', 'yaml', '-f', 'x.yaml', '--', 'cmd'],
  ['--format=json', '--', 'cmd'],
  ['--config', 'other/.sops.yaml', '--', 'cmd'],
  ['--config=c.yaml', '-f', 'a', '--', 'cmd', '--help'],
];

const FALLBACKS: string[][] = [
  ['--help'],
  ['-h', '--', 'node'],
  ['--version'],
  ['--bogus', '--', 'node'],
  ['node', 'app.js'],
  ['--'],
  ['--format', 'toml', '--', 'cmd'],
  ['--no-override', '--', 'cmd'],
  ['--override=false', '--', 'cmd'],
  ['--example', '--', 'cmd'],
  ['--example', 'a', '--example', 'b', '--', 'cmd'],
  ['-fx.env', '--', 'cmd'],
];

describe('run argv: fast path and yargs agree', () => {
  for (const argv of TABLE) {
    it(argv.join(' '), async () => {
      const fast = parseRunArgv(argv);
      expect(fast).not.toBeNull();
      const slow = await viaYargs(argv);
      expect(slow).not.toBeNull();
      for (const key of Object.keys(fast as RunArgs) as Array<keyof RunArgs>) {
        expect((fast as RunArgs)[key], key).toEqual(slow?.[key]);
      }
    });
  }
  for (const argv of FALLBACKS) {
    it(`falls back to yargs: ${argv.join(' ')}`, () => {
      expect(parseRunArgv(argv)).toBeNull();
    });
  }
});
