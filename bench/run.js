#!/usr/bin/env node
// npm run bench: envseal's speed next to bare node and dotenvx, on this machine, in one run.
//
// Every group of commands is measured side by side: the commands alternate in rounds (with
// hyperfine when it is installed, otherwise with this script's own timer), and each reports
// its median, min and max, and its ratio to bare `node app.js` measured in the same group.
// The table is printed and written to bench/RESULTS.md with the machine's description.
// No test asserts on timings; README "Speed" has the targets, and the table shows them.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Outside the repository: git would hide an ignored folder from `team add`'s file list.
const WORK = join(tmpdir(), 'envseal-bench');
const BIN = join(REPO, 'bin', 'envseal.cjs');
const PRELOAD = join(REPO, 'bin', 'config.cjs');
const DOTENVX = join(REPO, 'node_modules', '@dotenvx', 'dotenvx', 'src', 'cli', 'dotenvx.js');
const NODE = process.execPath;
const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 2 : 3;
const RUNS = QUICK ? 3 : 7;
const DOTENVX_LIMIT_MS = 20_000;

const hasHyperfine = spawnSync('hyperfine', ['--version']).status === 0;

function sh(file, args, options = {}) {
  return execFileSync(file, args, { cwd: WORK, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options });
}

function envseal(args, env = {}) {
  return sh(NODE, [BIN, ...args], { env: { ...process.env, ...env } });
}

/**
 * Wall times (ms) of each command. The commands alternate: each round measures every
 * command once (RUNS runs, after a warm-up), so a slow patch of the machine hits all alike.
 */
function measure(commands) {
  const times = commands.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    commands.forEach((c, i) => times[i].push(...(hasHyperfine ? hyperfineRuns(c) : ownRuns(c))));
  }
  return times.map((t) => {
    const sorted = [...t].sort((a, b) => a - b);
    return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1), runs: sorted.length };
  });
}

function hyperfineRuns(c) {
  const out = join(WORK, 'hyperfine.json');
  const runs = c.runs ?? RUNS;
  const args = ['-N', '--warmup', runs > 1 ? '1' : '0', '--runs', String(runs), '--export-json', out, '--style', 'none'];
  // -N runs commands without a shell, prepare steps included: give those their own.
  if (c.prepare) args.push('--prepare', `sh -c '${c.prepare}'`);
  execFileSync('hyperfine', [...args, c.line], { cwd: c.cwd ?? WORK, env: { ...process.env, ...c.env }, stdio: 'ignore' });
  return JSON.parse(readFileSync(out, 'utf8')).results[0].times.map((t) => t * 1000);
}

function ownRuns(c) {
  const out = [];
  const runs = c.runs ?? RUNS;
  for (let run = runs > 1 ? -1 : 0; run < runs; run++) {
    if (c.prepare) spawnSync('sh', ['-c', c.prepare], { cwd: c.cwd ?? WORK });
    const start = performance.now();
    const r = spawnSync(c.argv[0], c.argv.slice(1), { cwd: c.cwd ?? WORK, env: { ...process.env, ...c.env }, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${c.name} failed with ${r.status}`);
    if (run >= 0) out.push(performance.now() - start);
  }
  return out;
}

function command(name, argv, env = {}, prepare) {
  const quote = (s) => (/^[\w./=:@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return { name, argv, env, prepare, line: argv.map(quote).join(' ') };
}

function envFile(keys) {
  let text = '# benchmark file\n';
  for (let i = 0; i < keys; i++) text += `KEY_${i}=value-${i}-${'x'.repeat(24)}\n`;
  return text;
}

function setup() {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const keyFile = join(WORK, 'bench.key');
  const recipient = envseal(['keygen', '--out', keyFile]).trim();
  // app.js reads one variable (as an app would) and exits; check.js proves the values arrive.
  writeFileSync(join(WORK, 'app.js'), 'globalThis.value = process.env.KEY_1 ?? process.env.SECTION_0_KEY_1;\n');
  writeFileSync(join(WORK, 'check.js'), "if (!(process.env.KEY_1 ?? process.env.SECTION_0_KEY_1 ?? '').startsWith('value-')) process.exit(3);\n");
  const sizes = [10, 100, 1000, 10000];
  for (const n of sizes) {
    writeFileSync(join(WORK, `plain-${n}.env`), envFile(n));
    cpSync(join(WORK, `plain-${n}.env`), join(WORK, `sealed-${n}.env`));
    envseal(['encrypt', `sealed-${n}.env`, '--age', recipient]);
    cpSync(join(WORK, `plain-${n}.env`), join(WORK, `dotenvx-${n}.env`));
    sh(NODE, [DOTENVX, 'encrypt', '-f', `dotenvx-${n}.env`, '--quiet']);
  }
  let yaml = '# about 1,000 values in 100 sections\n';
  for (let s = 0; s < 100; s++) {
    yaml += `section_${s}:\n`;
    for (let k = 0; k < 10; k++) yaml += `  key_${k}: value-${s}-${k}-${'y'.repeat(16)}\n`;
  }
  writeFileSync(join(WORK, 'sealed-1000.yaml'), yaml);
  envseal(['encrypt', 'sealed-1000.yaml', '--age', recipient]);
  // 500 encrypted files under one rule, for team add
  const team = join(WORK, 'team-pristine');
  mkdirSync(join(team, 'services'), { recursive: true });
  writeFileSync(join(team, '.sops.yaml'), `envseal:\n  members:\n    alice: ${recipient}\ncreation_rules:\n  - path_regex: ^services/\n    age:\n      - ${recipient}  # alice\n`);
  for (let i = 0; i < 500; i++) writeFileSync(join(team, 'services', `svc-${i}.env`), `TOKEN=token-${i}\nURL=https://svc-${i}.internal\n`);
  for (let i = 0; i < 500; i += 100) {
    const files = Array.from({ length: 100 }, (_, j) => join('services', `svc-${i + j}.env`));
    sh(NODE, [BIN, 'encrypt', ...files], { cwd: team });
  }
  const bob = envseal(['keygen', '--out', join(WORK, 'bob.key')]).trim();
  return { keyFile, recipient, bob, sizes };
}

/**
 * For `scan`: a repository of 1,000 tracked files, 20 of them encrypted, with a 10-file change
 * staged (what the pre-commit guard reads), and a second one whose history holds 1,000
 * commits on top (written with git fast-import), some of which re-encrypt a secret's file with
 * a new value, so `scan --history` decrypts past versions too. Both are clean: exit 0.
 */
function setupScan(recipient, keyFile) {
  const repo = join(WORK, 'scan-repo');
  const gitIn = (dir, args, input) => execFileSync('git', ['-C', dir, ...args], { input, env: { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com' }, stdio: ['pipe', 'pipe', 'ignore'] });
  mkdirSync(join(repo, 'services'), { recursive: true });
  mkdirSync(join(repo, 'src'), { recursive: true });
  mkdirSync(join(repo, 'config'), { recursive: true });
  writeFileSync(join(repo, '.sops.yaml'), `creation_rules:\n  - path_regex: ^services/\n    age:\n      - ${recipient}\n`);
  for (let i = 0; i < 20; i++) writeFileSync(join(repo, 'services', `svc-${i}.env`), `API_TOKEN=token-${i}-${'t'.repeat(24)}\nDB_PASSWORD=password-${i}-${'p'.repeat(16)}\nDB_HOST=db-${i}.internal\nPORT=${3000 + i}\n`);
  sh(NODE, [BIN, 'encrypt', ...Array.from({ length: 20 }, (_, i) => join('services', `svc-${i}.env`))], { cwd: repo });
  for (let i = 0; i < 900; i++) writeFileSync(join(repo, 'src', `module-${i}.js`), `// module ${i}\nexport function f${i}(x) {\n  return x + ${i};\n}\n`.repeat(10));
  for (let i = 0; i < 79; i++) writeFileSync(join(repo, 'config', `settings-${i}.json`), `${JSON.stringify({ name: `settings-${i}`, retries: i, url: `https://api-${i}.example.com` }, null, 2)}\n`);
  gitIn(repo, ['init', '-q', '-b', 'main']);
  gitIn(repo, ['add', '-A']);
  gitIn(repo, ['commit', '-q', '-m', 'the repository']);
  const tracked = execFileSync('git', ['-C', repo, 'ls-files'], { encoding: 'utf8' }).trim().split('\n').length;
  if (tracked !== 1000) throw new Error(`the scan repository tracks ${tracked} files, not 1,000`);
  const history = join(WORK, 'scan-history');
  cpSync(repo, history, { recursive: true });
  // Ten past versions of one secret's file, each with new values.
  const versions = [];
  for (let v = 0; v < 10; v++) {
    sh(NODE, [BIN, 'set', 'API_TOKEN', `rotated-${v}-${'r'.repeat(24)}`, '-f', join('services', 'svc-0.env')], { cwd: history, env: { ...process.env, SOPS_AGE_KEY_FILE: keyFile } });
    versions.push(readFileSync(join(history, 'services', 'svc-0.env'), 'utf8'));
  }
  let stream = '';
  const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  for (let c = 0; c < 1000; c++) {
    stream += `commit refs/heads/main\ncommitter Bench <bench@example.com> ${1767225600 + c * 60} +0000\n${data(`change ${c}`)}`;
    if (c === 0) stream += 'from refs/heads/main^0\n';
    stream += `M 100644 inline src/module-${c % 900}.js\n${data(`// module ${c % 900}, revision ${c}\nexport const revision = ${c};\n`)}`;
    if (c % 100 === 50) stream += `M 100644 inline services/svc-0.env\n${data(versions[(c / 100) | 0])}`;
  }
  gitIn(history, ['fast-import', '--quiet'], stream);
  gitIn(history, ['reset', '-q', '--hard', 'main']);
  // The 10-file change the guard scans.
  for (let i = 0; i < 10; i++) writeFileSync(join(repo, 'src', `module-${i}.js`), `// module ${i}, changed\nexport const changed = ${i};\n`);
  gitIn(repo, ['add', '-A']);
  return { repo, history };
}

function row(label, stat, base) {
  const ratio = base === undefined ? '' : `${(stat.median / base.median).toFixed(2)}×`;
  return `| ${label} | ${stat.median.toFixed(0)} ms | ${stat.min.toFixed(0)}–${stat.max.toFixed(0)} | ${ratio} |`;
}

function main() {
  if (!existsSync(join(REPO, 'dist', 'bundle'))) throw new Error('build first: npm run build');
  const started = Date.now();
  const { keyFile, recipient, bob, sizes } = setup();
  const scanRepos = setupScan(recipient, keyFile);
  const env = { SOPS_AGE_KEY_FILE: keyFile };
  for (const args of [...sizes.map((n) => ['-f', `sealed-${n}.env`]), ['--flatten', '-f', 'sealed-1000.yaml']]) {
    sh(NODE, [BIN, 'run', ...args, '--', NODE, 'check.js'], { env: { ...process.env, ...env } });
  }
  const lines = [];
  const note = [];
  for (const n of sizes) {
    const cmds = [
      command('node app.js', [NODE, 'app.js']),
      command(`envseal run (${n} keys)`, [NODE, BIN, 'run', '-f', `sealed-${n}.env`, '--', NODE, 'app.js'], env),
      command(`node --import envseal/config (${n} keys)`, [NODE, '--import', PRELOAD, 'app.js'], { ...env, ENVSEAL_FILES: `sealed-${n}.env` }),
    ];
    const probe = performance.now();
    const dotenvxOk = spawnSync(NODE, [DOTENVX, 'run', '-f', `dotenvx-${n}.env`, '--quiet', '--', NODE, 'app.js'], { cwd: WORK, stdio: 'ignore', timeout: DOTENVX_LIMIT_MS });
    const dotenvxMs = performance.now() - probe;
    if (dotenvxOk.status === 0) {
      const c = command(`dotenvx run (${n} keys)`, [NODE, DOTENVX, 'run', '-f', `dotenvx-${n}.env`, '--quiet', '--', NODE, 'app.js']);
      if (dotenvxMs > 2000) c.runs = 1; // slow: one run per round is enough to see it
      cmds.push(c);
    } else {
      note.push(`dotenvx run with ${n} keys: one run took ${(dotenvxMs / 1000).toFixed(1)} s${dotenvxOk.status === 0 ? '' : ' (stopped at the 20 s limit)'}; not repeated.`);
    }
    const stats = measure(cmds);
    lines.push(`| **${n} keys** | | | |`);
    cmds.forEach((c, i) => lines.push(row(c.name, stats[i], i === 0 ? undefined : stats[0])));
    process.stderr.write(`measured ${n} keys\n`);
  }
  {
    const cmds = [
      command('node app.js', [NODE, 'app.js']),
      command('envseal run --flatten (YAML, 1,000 values)', [NODE, BIN, 'run', '--flatten', '-f', 'sealed-1000.yaml', '--', NODE, 'app.js'], env),
    ];
    const stats = measure(cmds);
    lines.push('| **YAML, 1,000 values** | | | |');
    cmds.forEach((c, i) => lines.push(row(c.name, stats[i], i === 0 ? undefined : stats[0])));
  }
  {
    const cmds = [
      command('envseal encrypt (10,000 keys)', [NODE, BIN, 'encrypt', 'work-10000.env', '--age', readFileSync(keyFile, 'utf8').match(/public key: (\S+)/)[1]], env, 'cp plain-10000.env work-10000.env'),
      command('envseal decrypt (10,000 keys)', [NODE, BIN, 'decrypt', 'sealed-10000.env', '--output', 'out-10000.env'], env),
      command('envseal team add (500 files)', [NODE, BIN, 'team', 'add', 'bob', bob], { ...env }, 'rm -rf team && cp -r team-pristine team'),
    ];
    cmds[2].argv = [NODE, BIN, '--config', join(WORK, 'team', '.sops.yaml'), 'team', 'add', 'bob', bob];
    cmds[2].line = cmds[2].argv.join(' ');
    const stats = measure(cmds);
    lines.push('| **writing** | | | |');
    cmds.forEach((c, i) => lines.push(row(c.name, stats[i])));
  }
  {
    const cmds = [
      command('node -e 0', [NODE, '-e', '0']),
      command('envseal scan --staged (1,000 files, 20 encrypted, 10 staged)', [NODE, BIN, 'scan', '--staged'], env),
      command('envseal scan --history (1,000 commits)', [NODE, BIN, 'scan', '--history'], env),
    ];
    cmds[1].cwd = scanRepos.repo;
    cmds[2].cwd = scanRepos.history;
    cmds[2].runs = QUICK ? 1 : 3;
    const stats = measure(cmds);
    lines.push('| **scan** | | | ÷ node -e 0 |');
    cmds.forEach((c, i) => lines.push(row(c.name, stats[i], i === 0 ? undefined : stats[0])));
  }
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, node ${process.version}`;
  const table = [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine}.`,
    `Timer: ${hasHyperfine ? 'hyperfine' : 'bench/run.js (spawnSync)'}; ${ROUNDS} rounds × ${RUNS} runs per command, commands alternating by round; medians, min–max.`,
    `\`app.js\` reads one variable and exits; ratios are to \`node app.js\` measured in the same group.`,
    '',
    '| command | median | min–max | ÷ node app.js |',
    '|---|---|---|---|',
    ...lines,
    '',
    ...note.map((n) => `- ${n}`),
    `- Whole benchmark: ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  ].join('\n');
  process.stdout.write(`${table}\n`);
  writeFileSync(join(REPO, 'bench', 'RESULTS.md'), `# Benchmark results\n\nGenerated by \`npm run bench\`. Targets: README "Speed".\n\n${table}\n`);
  rmSync(WORK, { recursive: true, force: true });
}

main();
