/** The library from a packed install: npm pack, install the tarball into a new project, use it. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdentity, type TestIdentity } from '../helpers/keys.js';
import { BIN, REPO } from '../helpers/paths.js';

let project: string;
let id: TestIdentity;

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'envseal-lib-'));
  execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', project], { cwd: REPO, stdio: 'ignore' });
  const tarball = readdirSync(project).find((f) => f.endsWith('.tgz')) as string;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', join(project, tarball), '--prefer-offline', '--no-audit', '--no-fund', '--silent'], { cwd: project, stdio: 'ignore' });
  id = await makeIdentity(project);
  writeFileSync(join(project, '.env'), 'FROM_LIBRARY=it works\n');
  writeFileSync(join(project, 'extra.yaml'), 'nested:\n  value: deep\n');
  for (const file of ['.env', 'extra.yaml']) execFileSync(process.execPath, [BIN, 'encrypt', file, '--age', id.recipient], { cwd: project, stdio: 'ignore' });
}, 120_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

function node(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, {
    cwd: project,
    env: { PATH: process.env['PATH'] ?? '', HOME: join(project, '.home'), SOPS_AGE_KEY_FILE: id.file, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('envseal as an installed package', () => {
  it('config() fills process.env synchronously', () => {
    writeFileSync(join(project, 'app.mjs'), "import { config } from 'envseal';\nconst { parsed } = config({ path: ['.env', 'extra.yaml'], flatten: true });\nconsole.log(process.env.FROM_LIBRARY, process.env.NESTED_VALUE, Object.keys(parsed).length);\n");
    expect(node(['app.mjs'])).toMatchObject({ code: 0, stdout: 'it works deep 2\n' });
  });

  it('node --import envseal/config injects .env with no code change', () => {
    writeFileSync(join(project, 'plain.mjs'), 'console.log(process.env.FROM_LIBRARY);\n');
    expect(node(['--import', 'envseal/config', 'plain.mjs'])).toMatchObject({ code: 0, stdout: 'it works\n' });
    const denied = node(['--import', 'envseal/config', 'plain.mjs'], { SOPS_AGE_KEY_FILE: '/nonexistent' });
    expect(denied.code).toBe(4);
    expect(denied.stderr).toMatch(/^envseal: no age identity found to open the file \(\.env\)/);
  });

  it('load(), decryptFile() and EnvsealError from CommonJS-free ESM, with types', () => {
    writeFileSync(
      join(project, 'use.mts'),
      [
        "import { load, decryptFile, EnvsealError, type LoadOptions } from 'envseal';",
        "const options: LoadOptions = { path: '.env' };",
        'const values: Record<string, string> = await load(options);',
        "const { text } = await decryptFile('.env');",
        "try { await load({ path: 'missing.env' }); } catch (err) { if (err instanceof EnvsealError) console.log(err.code, err.exitCode); }",
        'console.log(values.FROM_LIBRARY, JSON.stringify(text));',
        '',
      ].join('\n'),
    );
    const tsc = spawnSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', 'use.mts'], { cwd: project, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    writeFileSync(join(project, 'use.mjs'), "import { load, decryptFile, EnvsealError } from 'envseal';\nconst values = await load({ path: '.env' });\nconst { text } = await decryptFile('.env');\ntry { await load({ path: 'missing.env' }); } catch (err) { if (err instanceof EnvsealError) console.log(err.code, err.exitCode); }\nconsole.log(values.FROM_LIBRARY, JSON.stringify(text));\n");
    expect(node(['use.mjs'])).toMatchObject({ code: 0, stdout: 'IO 7\nit works "FROM_LIBRARY=it works\\n"\n' });
  });
});
