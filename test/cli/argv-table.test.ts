/**
 * The argv → arguments table (changesets' habit): every command's flags parse into the
 * arguments its handler receives, through the real parser with the handlers replaced by a
 * recorder. Also: run's fast parser agrees with yargs on everything it accepts.
 */
import { describe, expect, it } from 'vitest';
import { expandAttachedValues, stdinDashes } from '../../src/cli/argv.js';
import { commandName, type AnyCommandDef } from '../../src/cli/commands/define.js';
import type { CommandEnv } from '../../src/cli/commands/env.js';
import { parseRunArgv } from '../../src/cli/commands/run-options.js';
import { parseScanArgv } from '../../src/cli/commands/scan-options.js';
import { main } from '../../src/cli/main.js';
import { buildParser, COMMANDS } from '../../src/cli/parser.js';
import { tempDir, testIo } from '../helpers/cli.js';

interface Parsed {
  readonly command: string;
  readonly args: Record<string, unknown>;
}

async function parse(argv: readonly string[]): Promise<Parsed | Error> {
  const env: CommandEnv = { io: testIo({ cwd: tempDir() }).io, exitCode: 0, main };
  let seen: Parsed | null = null;
  const expanded = stdinDashes(expandAttachedValues(argv));
  try {
    await buildParser(expanded, env, async (name, _def, args) => {
      seen = { command: name.join(' '), args };
    }).parseAsync(expanded);
  } catch (err) {
    return err as Error;
  }
  return seen ?? new Error('no command ran');
}

/** argv, the command it names, and the arguments (a subset) the handler must get. */
const TABLE: ReadonlyArray<readonly [string, string, Record<string, unknown>]> = [
  ['keygen', 'keygen', { pq: false, out: undefined, new: false, json: false }],
  ['keygen --pq --out k.txt --json', 'keygen', { pq: true, out: 'k.txt', json: true }],
  ['keygen --new', 'keygen', { new: true, out: undefined }],
  ['whoami', 'whoami', { json: false }],
  ['whoami --json', 'whoami', { json: true }],
  ['encrypt .env', 'encrypt', { files: ['.env'], stdout: false, age: undefined }],
  ['encrypt a.env b.env --age age1x --age age1y --stdout', 'encrypt', { files: ['a.env', 'b.env'], age: ['age1x', 'age1y'], stdout: true }],
  ['encrypt s.yaml --encrypted-regex ^pass --mac-only-encrypted', 'encrypt', { encryptedRegex: '^pass', macOnlyEncrypted: true }],
  ['encrypt x --format yaml --config c.yaml', 'encrypt', { format: 'yaml', config: 'c.yaml' }],
  ['decrypt .env', 'decrypt', { file: '.env', format: undefined, ignoreMac: false }],
  ['decrypt s.yaml --format json --input-format yaml -o out.json', 'decrypt', { format: 'json', inputFormat: 'yaml', output: 'out.json' }],
  ['decrypt .env -i --ignore-mac', 'decrypt', { inPlace: true, ignoreMac: true }],
  ['decrypt .env -oout.env', 'decrypt', { output: 'out.env' }],
  ['decrypt - --input-format dotenv', 'decrypt', { file: '/dev/stdin', inputFormat: 'dotenv' }],
  ['encrypt - a.env --stdout', 'encrypt', { files: ['/dev/stdin', 'a.env'], stdout: true }],
  ['get KEY', 'get', { key: 'KEY', file: '.env', format: undefined }],
  ['get db.password -f s.yaml', 'get', { key: 'db.password', file: 's.yaml' }],
  ['get API_KEY -f.env.production', 'get', { key: 'API_KEY', file: '.env.production' }],
  ['get K --file=x.json --format json', 'get', { file: 'x.json', format: 'json' }],
  ['set K v', 'set', { key: 'K', value: 'v', file: '.env', show: false, generate: undefined }],
  ['set K -f.env.production', 'set', { key: 'K', value: undefined, file: '.env.production' }],
  ['set S --generate 48 --show --age age1x', 'set', { key: 'S', generate: '48', show: true, age: ['age1x'] }],
  ['set PORT 0755', 'set', { value: '0755' }],
  ['set database.port --json 7777 -f c.yaml', 'set', { key: 'database.port', value: undefined, json: '7777', type: undefined }],
  ['set limits {"a":1} --json', 'set', { key: 'limits', value: '{"a":1}', json: '' }],
  ['set port 7777 --type int', 'set', { value: '7777', type: 'int', json: undefined }],
  ['unset K -f.env.production', 'unset', { key: 'K', file: '.env.production', idempotent: false }],
  ['unset K --idempotent', 'unset', { key: 'K', idempotent: true }],
  ['edit .env --format dotenv', 'edit', { file: '.env', format: 'dotenv', age: undefined, yes: false }],
  ['edit new.yaml --age age1x --yes', 'edit', { file: 'new.yaml', age: ['age1x'], yes: true }],
  ['import .env', 'import', { file: '.env', keys: undefined, age: undefined, stdout: false, yes: false }],
  ['import .env.production --keys ../.env.keys --age age1x --stdout --yes', 'import', { file: '.env.production', keys: '../.env.keys', age: ['age1x'], stdout: true, yes: true }],
  ['status', 'status', { files: [], json: false }],
  ['status a.env b.yaml --json', 'status', { files: ['a.env', 'b.yaml'], json: true }],
  ['scan', 'scan', { paths: [], staged: undefined, history: undefined, format: 'text', output: undefined, baseline: undefined, updateBaseline: false }],
  ['scan --staged', 'scan', { staged: true, history: undefined }],
  ['scan src lib/x.js --format sarif -o out.sarif', 'scan', { paths: ['src', 'lib/x.js'], format: 'sarif', output: 'out.sarif' }],
  ['scan --history --since v1.0 --format json', 'scan', { history: true, since: 'v1.0', format: 'json' }],
  ['scan --baseline ci/accepted.json --update-baseline', 'scan', { baseline: 'ci/accepted.json', updateBaseline: true }],
  ['team ls --json', 'team ls', { json: true }],
  ['team add bob age1x', 'team add', { name: 'bob', recipient: 'age1x', rule: undefined, dryRun: false, yes: false }],
  ['team add bob age1x --rule 1 --rule ^prod/ --dry-run', 'team add', { rule: ['1', '^prod/'], dryRun: true }],
  ['team rm bob --drop-other-keys', 'team rm', { name: 'bob', dryRun: false, dropOtherKeys: true }],
  ['updatekeys', 'updatekeys', { files: [], dryRun: false }],
  ['updatekeys a.env --dry-run', 'updatekeys', { files: ['a.env'], dryRun: true }],
  ['rotate a.env --drop-other-keys', 'rotate', { files: ['a.env'], dropOtherKeys: true, dryRun: false }],
  ['diff', 'diff', { revs: [], values: false, json: false }],
  ['diff HEAD~2 main --values --json', 'diff', { revs: ['HEAD~2', 'main'], values: true, json: true }],
  ['diff HEAD -- a.env conf/s.yaml', 'diff', { revs: ['HEAD'], '--': ['a.env', 'conf/s.yaml'] }],
  ['log', 'log', { key: undefined, file: undefined, json: false }],
  ['log DB_URL -f a.env -f b.env --json', 'log', { key: 'DB_URL', file: ['a.env', 'b.env'], json: true }],
  ['log -f.env.production API_KEY', 'log', { key: 'API_KEY', file: ['.env.production'] }],
  ['demo', 'demo', {}],
  ['completion bash', 'completion', { shell: 'bash' }],
  ['get', 'get', { key: undefined, file: '.env' }],
  ['get --json -f s.yaml', 'get', { key: undefined, json: true, file: 's.yaml' }],
  ['get K --input-format yaml', 'get', { key: 'K', inputFormat: 'yaml', format: 'yaml' }],
  ['git setup', 'git setup', { global: false, diffValues: undefined, hook: true }],
  ['git setup --no-hook', 'git setup', { hook: false }],
  ['git setup --global --diff-values', 'git setup', { global: true, diffValues: true }],
  ['git merge-driver .merge_file_a .merge_file_b .merge_file_c app/.env', 'git merge-driver', { base: '.merge_file_a', ours: '.merge_file_b', theirs: '.merge_file_c', path: 'app/.env' }],
  ['git textconv /tmp/x.env', 'git textconv', { file: '/tmp/x.env' }],
  ['run -- node app.js', 'run', { '--': ['node', 'app.js'], file: undefined, mask: false }],
  ['run -f.env.production -- node', 'run', { file: ['.env.production'], '--': ['node'] }],
  ['run --no-github-mask --mask-keys A -- x', 'run', { githubMask: false, maskKeys: ['A'] }],
  ['run --format yaml -- x', 'run', { inputFormat: 'yaml' }],
  ['run -f a.env -f b.env --mask --require A,B -- cmd -x 0755', 'run', { file: ['a.env', 'b.env'], mask: true, require: ['A,B'], '--': ['cmd', '-x', '0755'] }],
  ['run --as-file TLS_KEY=key.pem --as-file GCP_SA -- cmd', 'run', { asFile: ['TLS_KEY=key.pem', 'GCP_SA'], '--': ['cmd'] }],
];

describe('argv → arguments, every command', () => {
  for (const [line, command, expected] of TABLE) {
    it(line, async () => {
      const parsed = await parse(line.split(' '));
      if (parsed instanceof Error) throw parsed;
      expect(parsed.command).toBe(command);
      for (const [key, value] of Object.entries(expected)) expect(parsed.args[key], key).toEqual(value);
    });
  }

  it('covers every command and sub-command', () => {
    const all = COMMANDS.flatMap((def: AnyCommandDef) => (def.subcommands ?? [def]).map((sub) => (sub === def ? commandName(def) : `${commandName(def)} ${commandName(sub)}`)));
    const covered = new Set(TABLE.map(([, command]) => command));
    expect(all.filter((name) => !covered.has(name))).toEqual([]);
  });

  it('refuses what no command declares', async () => {
    for (const line of ['set', 'bogus', 'decrypt .env --bogus', 'team', 'set K --generate 8 extra arg', 'log K extra', 'diff --bogus', 'completion tcsh', 'decrypt .env --output', 'get K -f', 'scan --staged --history', 'scan --format xml']) {
      expect(await parse(line.split(' ')), line).toBeInstanceOf(Error);
    }
  });

  it('expands exactly the one-letter options that take a value', () => {
    const valueShorts = COMMANDS.flatMap((def) => [...(def.subcommands ?? []), def])
      .flatMap((def) => Object.values(def.options ?? {}))
      .flatMap((o) => (typeof o.alias === 'string' && o.alias.length === 1 && o.type === 'string' ? [o.alias] : []));
    for (const letter of new Set(valueShorts)) expect(expandAttachedValues([`-${letter}x`])).toEqual([`-${letter}`, 'x']);
    expect(expandAttachedValues(['-i'])).toEqual(['-i']);
    expect(expandAttachedValues(['--', '-fx'])).toEqual(['--', '-fx']);
  });
});

/** run's fast path: what it accepts, yargs parses the same way; what it does not, it leaves to yargs. */
const RUN_TABLE: string[][] = [
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
  ['--input-format', 'yaml', '--', 'cmd'],
  ['--mask', '--mask-keys', 'PORT,MODE', '--mask-keys', 'X', '--github-mask', '--', 'cmd'],
  ['--config', 'other/.sops.yaml', '--', 'cmd'],
  ['--config=c.yaml', '-f', 'a', '--', 'cmd', '--help'],
  ['--as-file', 'TLS_KEY', '--', 'cmd'],
  ['--as-file', 'A=a.pem', 'B', '--as-file=C=c.json', '--flatten', '-f', 'x.yaml', '--', 'cmd'],
];

const RUN_FALLBACKS: string[][] = [
  ['--help'],
  ['-h', '--', 'node'],
  ['--version'],
  ['--bogus', '--', 'node'],
  ['node', 'app.js'],
  ['--'],
  ['--format', 'toml', '--', 'cmd'],
  ['--no-override', '--', 'cmd'],
  ['--no-github-mask', '--', 'cmd'],
  ['--format', 'yaml', '--input-format', 'json', '--', 'cmd'],
  ['--override=false', '--', 'cmd'],
  ['--example', '--', 'cmd'],
  ['--example', 'a', '--example', 'b', '--', 'cmd'],
  ['-fx.env', '--', 'cmd'],
  ['--as-file', '--', 'cmd'],
  ['--no-as-file', '--', 'cmd'],
];

/** A fast parser agrees with yargs on every line it accepts, and leaves the others to yargs. */
function fastPathAgrees(command: string, fast: (argv: readonly string[]) => object | null, accepted: readonly string[][], fallbacks: readonly string[][]): void {
  describe(`${command} argv: fast path and yargs agree`, () => {
    for (const argv of accepted) {
      it(`${command} ${argv.join(' ')}`, async () => {
        const parsed = fast(argv);
        expect(parsed).not.toBeNull();
        const slow = await parse([command, ...argv]);
        if (slow instanceof Error) throw slow;
        for (const [key, value] of Object.entries(parsed as object)) expect(value, key).toEqual(slow.args[key]);
      });
    }
    for (const argv of fallbacks) {
      it(`falls back to yargs: ${command} ${argv.join(' ')}`, () => {
        expect(fast(argv)).toBeNull();
      });
    }
  });
}

fastPathAgrees('run', parseRunArgv, RUN_TABLE, RUN_FALLBACKS);

/** scan's fast path (the pre-commit hook's invocation): what it accepts, yargs parses the same way. */
const SCAN_TABLE: string[][] = [
  [],
  ['--staged'],
  ['--staged', '--format', 'json'],
  ['--history', '--since', 'v1.0', '--format=sarif', '-o', 'out.sarif'],
  ['src', 'lib/x.js', '--baseline', 'ci/b.json'],
  ['--update-baseline', '--staged', '--config', 'other/.sops.yaml'],
  ['--output=report.txt', 'src'],
];

const SCAN_FALLBACKS: string[][] = [
  ['--help'],
  ['--staged', '--history'],
  ['--staged', '--staged'],
  ['--format', 'xml'],
  ['--format'],
  ['--no-staged'],
  ['--staged=true'],
  ['-x'],
  ['--output', '--staged'],
];

fastPathAgrees('scan', parseScanArgv, SCAN_TABLE, SCAN_FALLBACKS);
