/**
 * Secrecy of `envseal scan` (issue 15): it reads every secret of the project to look for it,
 * and prints reports about exactly those values. Here every value carries the canary and is
 * leaked on purpose — in clear, encoded, in a plaintext .env, in a damaged file, in a file
 * that does not parse, in history — and no report (text, JSON, SARIF, the baseline), no
 * summary and no debug output shows any of it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, isolatedEnv } from '../helpers/cli.js';
import { git } from '../helpers/git.js';
import { CANARY, copyProject, pristineProject, type Project } from '../helpers/project.js';

let pristine: Project;

beforeAll(async () => {
  pristine = await pristineProject();
}, 60_000);

describe('scan never shows a value', () => {
  it('in any report, in any mode, with ENVSEAL_DEBUG=1 too', async () => {
    const p = copyProject(pristine);
    git(p.dir, ['init', '-q']);
    git(p.dir, ['add', '-A']);
    git(p.dir, ['commit', '-q', '-m', 'project']);
    const leaks: Record<string, string> = {
      'src/a.js': `const a = "${CANARY}-api-key";\nconst b = "${Buffer.from(`${CANARY}-token`).toString('base64')}";\nconst c = "${encodeURIComponent(`postgres://u:${CANARY}-pw@db/app`)}";\n`,
      '.env.production': `TOKEN=${CANARY}-plain\n`,
      'broken.env': `API_KEY=ENC[AES256_GCM,data:${CANARY},iv:x,tag:y,type:str]\n`,
      'app/conflict.yaml': `<<<<<<< ours\npassword: ${CANARY}-mine\n=======\npassword: ENC[AES256_GCM,data:abc]\n>>>>>>> theirs\n`,
    };
    for (const [file, text] of Object.entries(leaks)) {
      mkdirSync(dirname(join(p.dir, file)), { recursive: true });
      writeFileSync(join(p.dir, file), text);
    }
    const env = readFileSync(join(p.dir, 'app', '.env'), 'utf8');
    writeFileSync(join(p.dir, 'app', '.env'), `# OLD_KEY=${CANARY}-old\n${env}`);
    git(p.dir, ['add', '-A']);
    git(p.dir, ['commit', '-q', '--no-verify', '-m', 'leaks']);
    for (const args of [[], ['--staged'], ['--history'], ['--format', 'json'], ['--format', 'sarif'], ['--history', '--format', 'sarif'], ['--update-baseline'], ['--history', '--update-baseline']]) {
      for (const debug of [undefined, '1']) {
        if (args.includes('--staged')) {
          writeFileSync(join(p.dir, 'src', 'staged.js'), `x = "${CANARY}-nested";\n`);
          git(p.dir, ['add', 'src/staged.js']);
        }
        const r = await cli(['scan', ...args], { cwd: p.dir, env: isolatedEnv(p.dir, { SOPS_AGE_KEY_FILE: p.alice.file, ENVSEAL_DEBUG: debug }) });
        expect([0, 8], `${args.join(' ')}: ${r.stderr}`).toContain(r.code);
        expect(r.stdout, args.join(' ')).not.toContain(CANARY);
        expect(r.stderr, args.join(' ')).not.toContain(CANARY);
      }
    }
    expect(readFileSync(join(p.dir, '.envseal-baseline.json'), 'utf8')).not.toContain(CANARY);
    // Everything above was found: the leaks were real.
    rmSync(join(p.dir, '.envseal-baseline.json'));
    const r = await cli(['scan', '--format', 'json'], { cwd: p.dir, env: isolatedEnv(p.dir, { SOPS_AGE_KEY_FILE: p.alice.file }) });
    const found = (JSON.parse(r.stdout) as { findings: Array<{ file: string; rule: string }> }).findings.map((f) => `${f.rule} ${f.file}`);
    expect(found).toEqual([
      'unencrypted-dotenv .env.production',
      'commented-secret app/.env',
      'damaged-sops-file app/conflict.yaml',
      'unencrypted-dotenv app/new.env',
      'damaged-sops-file broken.env',
      'known-secret src/a.js',
      'known-secret src/a.js',
      'known-secret src/a.js',
      'known-secret src/staged.js',
    ]);
  });
});
