#!/usr/bin/env node
// npm run bench: envseal's speed next to bare node and dotenvx, on this machine, in one run.
//
// Every group of commands is measured side by side: the commands alternate in rounds (with
// hyperfine when it is installed, otherwise with this script's own timer), so a slow patch
// of a shared machine hits all of them alike. Each command reports min, median and max.
//
// envseal's *added cost* (README "Speed") is counted in Node starts:
//   (t(envseal run -f F -- node app.js) − t(node app.js with F's variables already in its
//    environment, no envseal)) ÷ t(bare node app.js)
// once from the minimum of the runs (noise only ever adds time on a shared machine) and once
// from the medians. The "same environment" baseline is a dash script that `exec env K='v' …
// node app.js`: the child's own cost of a large environment is not envseal's.
// No test asserts on timings; bench/RESULTS.md keeps the table and the method.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
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
// 3 rounds × 7 runs: the minimum is taken over 21 runs (the targets ask for at least 15).
const ROUNDS = QUICK ? 2 : 3;
const RUNS = QUICK ? 3 : 7;
const DOTENVX_LIMIT_MS = 20_000;
const DOTENVX_MAX_KEYS = 1000;

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
  // --sizes=100,10000 measures only those (while working on speed); the table needs 100 and 10000.
  const sizes = process.argv.find((a) => a.startsWith('--sizes='))?.slice(8).split(',').map(Number) ?? [10, 100, 1000, 10000];
  for (const n of [10, 100, 1000, 10000]) {
    writeFileSync(join(WORK, `plain-${n}.env`), envFile(n));
    cpSync(join(WORK, `plain-${n}.env`), join(WORK, `sealed-${n}.env`));
    envseal(['encrypt', `sealed-${n}.env`, '--age', recipient]);
    // dotenvx at 10,000 keys: its encrypt alone takes minutes and one run over 20 s (the README
    // says ~126 s), so it is left out rather than measured once.
    if (!sizes.includes(n) || n > DOTENVX_MAX_KEYS) continue;
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
  for (const n of sizes) writeFileSync(join(WORK, `same-env-${n}.sh`), sameEnvScript(Array.from({ length: n }, (_, i) => [`KEY_${i}`, `value-${i}-${'x'.repeat(24)}`])));
  const yamlNames = [];
  for (let s = 0; s < 100; s++) for (let k = 0; k < 10; k++) yamlNames.push([`SECTION_${s}_KEY_${k}`, `value-${s}-${k}-${'y'.repeat(16)}`]);
  writeFileSync(join(WORK, 'same-env-yaml.sh'), sameEnvScript(yamlNames));
  return { keyFile, recipient, bob, sizes, merge: setupMerge(keyFile) };
}

/** The baseline: the app started by dash with the variables in its environment, no envseal. */
function sameEnvScript(pairs) {
  const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `exec env ${pairs.map(([k, v]) => `${k}=${quote(v)}`).join(' ')} ${NODE} app.js\n`;
}

/** A three-way merge of a 100-key file: each side changed one different value. */
function setupMerge(keyFile) {
  const env = { env: { ...process.env, SOPS_AGE_KEY_FILE: keyFile } };
  cpSync(join(WORK, 'sealed-100.env'), join(WORK, 'merge-base.env'));
  cpSync(join(WORK, 'sealed-100.env'), join(WORK, 'merge-ours-pristine.env'));
  cpSync(join(WORK, 'sealed-100.env'), join(WORK, 'merge-theirs.env'));
  sh(NODE, [BIN, 'set', 'KEY_1', 'ours-changed', '-f', 'merge-ours-pristine.env'], env);
  sh(NODE, [BIN, 'set', 'KEY_2', 'theirs-changed', '-f', 'merge-theirs.env'], env);
  return { base: 'merge-base.env', ours: 'merge-ours.env', oursPristine: 'merge-ours-pristine.env', theirs: 'merge-theirs.env' };
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

const ms = (t) => `${t.toFixed(0)} ms`;
const fixed = (x) => x.toFixed(2);

/** A table row: the command's min, median and max, and a last column the group fills in. */
function row(label, stat, last = '') {
  return `| ${label} | ${ms(stat.min)} | ${ms(stat.median)} | ${ms(stat.max)} | ${last} |`;
}

/** Added cost in Node starts, from the minimums and from the medians (README "Speed"). */
function addedCost(stat, same, bare) {
  return { min: (stat.min - same.min) / bare.min, median: (stat.median - same.median) / bare.median };
}

/** Ratio to a reference command, from the minimums and from the medians. */
function ratio(stat, base) {
  return { min: stat.min / base.min, median: stat.median / base.median };
}

/**
 * One group per file: bare node, node with the file's variables already in its environment
 * (the baseline envseal's cost is counted from), envseal run, the preload, and dotenvx.
 */
function measureRunGroup(label, file, envseal, sameEnvScript, dotenvxFile, note) {
  const bare = command('node app.js', [NODE, 'app.js']);
  const same = command('same environment, no envseal (dash: exec env K=v … node app.js)', ['dash', sameEnvScript]);
  const cmds = [bare, same, command(`envseal run${envseal.flatten ? ' --flatten' : ''}`, [NODE, BIN, 'run', ...(envseal.flatten ? ['--flatten'] : []), '-f', file, '--', NODE, 'app.js'], envseal.env)];
  if (!envseal.flatten) cmds.push(command('node --import envseal/config', [NODE, '--import', PRELOAD, 'app.js'], { ...envseal.env, ENVSEAL_FILES: file }));
  if (dotenvxFile !== undefined) {
    const probe = performance.now();
    const ok = spawnSync(NODE, [DOTENVX, 'run', '-f', dotenvxFile, '--quiet', '--', NODE, 'app.js'], { cwd: WORK, stdio: 'ignore', timeout: DOTENVX_LIMIT_MS });
    const took = performance.now() - probe;
    if (ok.status === 0) {
      const c = command('dotenvx run', [NODE, DOTENVX, 'run', '-f', dotenvxFile, '--quiet', '--', NODE, 'app.js']);
      if (took > 2000) c.runs = 1; // slow: one run per round is enough to see it
      cmds.push(c);
    } else {
      note.push(`dotenvx run, ${label}: one run took ${(took / 1000).toFixed(1)} s (stopped at the ${DOTENVX_LIMIT_MS / 1000} s limit); not repeated.`);
    }
  }
  const stats = measure(cmds);
  const lines = [`| **${label}** | | | | |`];
  const costs = {};
  cmds.forEach((c, i) => {
    if (i < 2) return lines.push(row(c.name, stats[i], i === 1 ? `(baseline: +${ms(stats[1].min - stats[0].min)} for the environment itself)` : ''));
    const cost = addedCost(stats[i], stats[1], stats[0]);
    costs[c.name] = cost;
    lines.push(row(c.name, stats[i], `**${fixed(cost.min)}** · ${fixed(cost.median)}`));
  });
  process.stderr.write(`measured ${label}\n`);
  return { lines, costs, stats: Object.fromEntries(cmds.map((c, i) => [c.name, stats[i]])) };
}

function main() {
  if (!existsSync(join(REPO, 'dist', 'bundle'))) throw new Error('build first: npm run build');
  const started = Date.now();
  const { keyFile, recipient, bob, sizes, merge } = setup();
  const scanRepos = setupScan(recipient, keyFile);
  const env = { SOPS_AGE_KEY_FILE: keyFile };
  for (const args of [...sizes.map((n) => ['-f', `sealed-${n}.env`]), ['--flatten', '-f', 'sealed-1000.yaml']]) {
    sh(NODE, [BIN, 'run', ...args, '--', NODE, 'check.js'], { env: { ...process.env, ...env } });
  }
  // The baselines must really hand the values over, and the merge driver must really merge.
  for (const script of [...sizes.map((n) => `same-env-${n}.sh`), 'same-env-yaml.sh']) {
    writeFileSync(join(WORK, 'check.sh'), readFileSync(join(WORK, script), 'utf8').replace(/ app\.js\n$/, ' check.js\n'));
    sh('dash', ['check.sh']);
  }
  cpSync(join(WORK, merge.oursPristine), join(WORK, merge.ours));
  sh(NODE, [BIN, 'git', 'merge-driver', merge.base, merge.ours, merge.theirs, '.env'], { env: { ...process.env, ...env } });
  const merged = sh(NODE, [BIN, 'decrypt', merge.ours], { env: { ...process.env, ...env } });
  if (!merged.includes('KEY_1=ours-changed') || !merged.includes('KEY_2=theirs-changed')) throw new Error('the merge driver did not merge both changes');
  const lines = [];
  const note = [];
  const results = {};
  for (const n of sizes) {
    const group = measureRunGroup(`${n} keys`, `sealed-${n}.env`, { env }, `same-env-${n}.sh`, n > DOTENVX_MAX_KEYS ? undefined : `dotenvx-${n}.env`, note);
    lines.push(...group.lines);
    results[n] = group;
  }
  const yaml = measureRunGroup('YAML, 1,000 values in 100 sections', 'sealed-1000.yaml', { env, flatten: true }, 'same-env-yaml.sh', undefined, note);
  lines.push(...yaml.lines);
  const writing = [
    command('envseal encrypt (10,000 keys)', [NODE, BIN, 'encrypt', 'work-10000.env', '--age', recipient], env, 'cp plain-10000.env work-10000.env'),
    command('envseal decrypt (10,000 keys)', [NODE, BIN, 'decrypt', 'sealed-10000.env', '--output', 'out-10000.env'], env),
    command('envseal team add (500 files)', [NODE, BIN, '--config', join(WORK, 'team', '.sops.yaml'), 'team', 'add', 'bob', bob], env, 'rm -rf team && cp -r team-pristine team'),
  ];
  const writeStats = measure(writing);
  lines.push('| **writing** | | | | |');
  writing.forEach((c, i) => lines.push(row(c.name, writeStats[i])));
  process.stderr.write('measured writing\n');
  const git = [
    command('node -e 0', [NODE, '-e', '0']),
    command('envseal scan --staged (1,000 files, 20 encrypted, 10 staged)', [NODE, BIN, 'scan', '--staged'], env),
    command('envseal scan --history (1,000 commits)', [NODE, BIN, 'scan', '--history'], env),
    command('envseal git merge-driver (100 keys, one change per side)', [NODE, BIN, 'git', 'merge-driver', merge.base, merge.ours, merge.theirs, '.env'], env, `cp ${merge.oursPristine} ${merge.ours}`),
  ];
  git[1].cwd = scanRepos.repo;
  git[2].cwd = scanRepos.history;
  git[2].runs = QUICK ? 1 : 3;
  const gitStats = measure(git);
  lines.push('| **git** | | | | ÷ node -e 0 (min · median) |');
  git.forEach((c, i) => {
    const r = ratio(gitStats[i], gitStats[0]);
    lines.push(row(c.name, gitStats[i], i === 0 ? '' : `**${fixed(r.min)}** · ${fixed(r.median)}`));
  });
  process.stderr.write('measured git\n');

  const runCost = (n) => results[n]?.costs['envseal run'].min ?? Number.NaN;
  const check = (ok) => (ok ? 'met' : '**not met**');
  const preloadCost = results[100]?.costs['node --import envseal/config'].min ?? Number.NaN;
  const scanRatio = ratio(gitStats[1], gitStats[0]).min;
  const mergeRatio = ratio(gitStats[3], gitStats[0]).min;
  const targets = [
    '| target (README "Speed") | measured (min) | |',
    '|---|---|---|',
    `| envseal run, 100 keys: added cost ≤ 1.5 Node starts | ${fixed(runCost(100))} | ${check(runCost(100) <= 1.5)} |`,
    `| envseal run, 10,000 keys: added cost ≤ 2.0 Node starts | ${fixed(runCost(10000))} | ${check(runCost(10000) <= 2.0)} |`,
    `| node --import envseal/config, 100 keys: added cost ≤ 0.3 Node starts | ${fixed(preloadCost)} | ${check(preloadCost <= 0.3)} |`,
    `| encrypt, 10,000 keys ≤ 1 s | ${ms(writeStats[0].min)} | ${check(writeStats[0].min <= 1000)} |`,
    `| team add over 500 files ≤ 3 s | ${ms(writeStats[2].min)} | ${check(writeStats[2].min <= 3000)} |`,
    `| scan --staged ≤ 3.0 × node -e 0 | ${fixed(scanRatio)} | ${check(scanRatio <= 3.0)} |`,
    `| scan --history over 1,000 commits ≤ 10 s | ${ms(gitStats[2].min)} | ${check(gitStats[2].min <= 10000)} |`,
    `| merge driver, 100 keys ≤ 2.5 × node -e 0 | ${fixed(mergeRatio)} | ${check(mergeRatio <= 2.5)} |`,
  ];
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, node ${process.version}`;
  const runs = `${ROUNDS} rounds × ${RUNS} runs (${ROUNDS * RUNS} in all)`;
  const table = [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine}, load average ${loadavg()[0].toFixed(2)} at the start.`,
    `Timer: ${hasHyperfine ? 'hyperfine' : 'bench/run.js (spawnSync)'}; ${runs} per command, commands alternating by round.`,
    '`app.js` reads one variable and exits. Added cost, in Node starts: (command − same environment) ÷ node app.js,',
    'from the minimums (bold) and from the medians.',
    '',
    ...targets,
    '',
    '| command | min | median | max | added cost, Node starts (min · median) |',
    '|---|---|---|---|---|',
    ...lines,
    '',
    ...note.map((n) => `- ${n}`),
    `- dotenvx is not run at 10,000 keys: encrypting the file takes it minutes, and one run over 20 s.`,
    `- Whole benchmark: ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  ].join('\n');
  process.stdout.write(`${table}\n`);
  const out = process.argv.find((a) => a.startsWith('--out='))?.slice(6);
  if (out !== undefined) writeFileSync(resolve(out), `${table}\n`);
  rmSync(WORK, { recursive: true, force: true });
}

main();
