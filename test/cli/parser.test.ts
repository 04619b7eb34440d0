/** The yargs side: the help's exit-code table and usage errors (src/cli/parser.ts); argv tables are in argv-table.test.ts. */
import { describe, expect, it } from 'vitest';
import { exitCodesEpilogue } from '../../src/cli/parser.js';
import { EXIT_CODES, ExitCode } from '../../src/errors.js';
import { cli, tempDir } from '../helpers/cli.js';

describe('the help epilogue', () => {
  it('lists every exit code of the one table, with its meaning, right-aligned', () => {
    const lines = exitCodesEpilogue().split('\n');
    expect(lines[0]).toBe('Exit codes:');
    expect(lines.slice(1, -1)).toEqual(EXIT_CODES.map((e) => `  ${String(e.code).padStart(3)}  ${e.meaning}`));
    expect(new Set(EXIT_CODES.map((e) => e.code))).toEqual(new Set(Object.values(ExitCode)));
  });

  it('is what --help prints', async () => {
    const r = await cli(['--help'], { cwd: tempDir() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(exitCodesEpilogue());
  });
});

describe('usage errors', () => {
  it('an unknown command suggests the close ones', async () => {
    const r = await cli(['enc', 'x'], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('envseal: unknown command "enc"\nhint: did you mean encrypt? (envseal --help lists the commands)\n');
    const far = await cli(['zzz'], { cwd: tempDir() });
    expect(far.stderr).toBe('envseal: unknown command "zzz"\nhint: envseal --help lists the commands\n');
  });

  it("a missing positional is said in envseal's words, pointing at the command's --help", async () => {
    const r = await cli(['set'], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^envseal: envseal set needs KEY\nhint: envseal set --help/);
  });
});
