/**
 * `run --as-file` in-process (issue 17): the child finds a path in the variable, and at that
 * path a 0600 file in a 0700 folder outside the project, holding exactly the value's bytes;
 * the folder is gone when envseal returns. Kills and the library: test/e2e/run-as-file.test.ts.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity } from '../helpers/keys.js';

/** What the child saw, for each variable: the path, the file's bytes (base64) and modes. */
const REPORT = `
const fs = require('node:fs'), path = require('node:path');
const out = {};
for (const key of process.argv.slice(1)) { // node -e: argv[1] is the first argument
  const p = process.env[key];
  let file = null;
  try {
    file = { bytes: fs.readFileSync(p).toString('base64'), mode: fs.statSync(p).mode & 0o777, dirMode: fs.statSync(path.dirname(p)).mode & 0o777, name: path.basename(p) };
  } catch {}
  out[key] = { path: p, file };
}
fs.writeFileSync(process.env.REPORT_TO, JSON.stringify(out));
`;

interface Seen {
  readonly path: string;
  readonly file: { bytes: string; mode: number; dirMode: number; name: string } | null;
}

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nbm90IGEgcmVhbCBrZXk=\n-----END PRIVATE KEY-----\n';
const JSON_SA = '{"type":"service_account","private_key":"-----BEGIN…\\nx\\n","émoji":"🔑"}';

async function project(): Promise<{ dir: string; shm: string; run: (argv: string[], extra?: Record<string, string>) => Promise<{ code: number; stderr: string; seen: Record<string, Seen> }> }> {
  const dir = tempDir();
  const shm = tempDir('envseal-shm-');
  const id = await makeIdentity(dir);
  // A literal block keeps every line and the final newline: the value is the PEM exactly.
  writeFileSync(join(dir, 'secrets.yaml'), `tls:\n  key: |\n${PEM.split('\n').filter((l) => l !== '').map((l) => `    ${l}`).join('\n')}\n  port: 8443\ngcp_sa: '${JSON_SA}'\n`);
  writeFileSync(join(dir, '.env'), 'API_TOKEN=tok-123\nEMPTY=\n');
  const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file });
  for (const f of ['secrets.yaml', '.env']) expect((await cli(['encrypt', f, '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
  const reportTo = join(dir, 'report.json');
  return {
    dir,
    shm,
    async run(argv, extra = {}) {
      const keys = argv.filter((_, i) => argv[i - 1] === '--as-file').map((a) => a.split('=')[0] as string);
      const r = await cli(['run', ...argv, '--', process.execPath, '-e', REPORT, ...keys], { cwd: dir, env: { ...env, REPORT_TO: reportTo, ...extra }, tempRoot: shm });
      const seen = existsSync(reportTo) ? (JSON.parse(readFileSync(reportTo, 'utf8')) as Record<string, Seen>) : {};
      return { code: r.code, stderr: r.stderr, seen };
    },
  };
}

describe('run --as-file', () => {
  it('YAML multi-line and JSON values, by --flatten names: exact bytes, 0600 in 0700, outside the project, gone afterwards', async () => {
    const p = await project();
    const r = await p.run(['-f', 'secrets.yaml', '--flatten', '--as-file', 'TLS_KEY=key.pem', '--as-file', 'GCP_SA']);
    expect(r.code, r.stderr).toBe(0);
    const key = r.seen['TLS_KEY'] as Seen;
    const sa = r.seen['GCP_SA'] as Seen;
    expect(Buffer.from(key.file?.bytes ?? '', 'base64').toString('utf8')).toBe(PEM);
    expect(Buffer.from(sa.file?.bytes ?? '', 'base64')).toEqual(Buffer.from(JSON_SA, 'utf8'));
    expect(key.file).toMatchObject({ mode: 0o600, dirMode: 0o700, name: 'key.pem' });
    expect(sa.file).toMatchObject({ mode: 0o600, name: 'GCP_SA' });
    for (const seen of [key, sa]) {
      expect(seen.path.startsWith(join(p.shm, `envseal-${process.getuid?.()}`, 'envseal-run-'))).toBe(true);
      expect(seen.path.startsWith(p.dir)).toBe(false);
      expect(existsSync(seen.path)).toBe(false);
    }
    expect(readdirSync(join(p.shm, `envseal-${process.getuid?.()}`))).toEqual([]);
  });

  it('an empty value is an empty file; other values stay variables', async () => {
    const p = await project();
    const r = await p.run(['--as-file', 'EMPTY']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.seen['EMPTY']?.file?.bytes, r.stderr).toBe('');
  });

  it('a key the files do not have stops the run before the command starts (exit 3)', async () => {
    const p = await project();
    const r = await p.run(['--as-file', 'NOPE', '--as-file', 'API_TOKEN']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--as-file: no value for NOPE in the files/);
    expect(r.seen).toEqual({});
    expect(existsSync(join(p.shm, `envseal-${process.getuid?.()}`))).toBe(false);
  });

  it('a variable the environment sets wins, as always, and is passed on as it is (with a warning)', async () => {
    const p = await project();
    const r = await p.run(['--as-file', 'API_TOKEN'], { API_TOKEN: '/ci/provided/path' });
    expect(r.code).toBe(0);
    expect(r.seen['API_TOKEN']?.path).toBe('/ci/provided/path');
    expect(r.stderr).toMatch(/--as-file API_TOKEN: the environment sets it, and wins without --override/);
    const over = await p.run(['--override', '--as-file', 'API_TOKEN'], { API_TOKEN: '/ci/provided/path' });
    expect(Buffer.from(over.seen['API_TOKEN']?.file?.bytes ?? '', 'base64').toString()).toBe('tok-123');
  });

  it('a bad flag is a usage error (exit 2), before anything is decrypted', async () => {
    const p = await project();
    const r = await p.run(['--as-file', 'TLS=../escape.pem']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a file name is one name/);
  });

  it('refuses a temporary folder inside the project (TMPDIR=./tmp), writing nothing', async () => {
    const dir = tempDir();
    const id = await makeIdentity(dir);
    writeFileSync(join(dir, '.env'), 'API_TOKEN=tok-123\n');
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file });
    expect((await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
    mkdirSync(join(dir, 'tmp'));
    const r = await cli(['run', '--as-file', 'API_TOKEN', '--', process.execPath, '-e', '0'], { cwd: dir, env, tempRoot: join(dir, 'tmp') });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/would be inside .* where a file could be committed/);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('the folder is removed also when the command cannot be started (exit 127)', async () => {
    const p = await project();
    const r = await cli(['run', '--as-file', 'API_TOKEN', '--', 'no-such-command-xyz'], { cwd: p.dir, env: isolatedEnv(p.dir, { SOPS_AGE_KEY_FILE: join(p.dir, 'test-identity.key') }), tempRoot: p.shm });
    expect(r.code).toBe(127);
    expect(readdirSync(join(p.shm, `envseal-${process.getuid?.()}`))).toEqual([]);
  });
});
