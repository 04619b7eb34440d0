/**
 * encrypt / decrypt through main(argv, io) against a temporary folder: the dotenv corpus
 * round trip, tampering, wrong identities, no churn, and failed writes.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlainDotenv } from '../../src/formats/dotenv-plain.js';
import { nodeFs, realWriteSteps } from '../../src/io/fs.js';
import type { MapNode } from '../../src/tree.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { DOTENV_CORPUS } from '../helpers/dotenv-corpus.js';
import { makeIdentity, type TestIdentity } from '../helpers/keys.js';

const require = createRequire(import.meta.url);
const dotenv = require('dotenv') as { parse(text: string): Record<string, string> };

const CANARY = 'canary-7f3a9c-do-not-leak';

function skeleton(doc: MapNode): string[] {
  return doc.items.map((i) => (i.kind === 'entry' ? `key ${i.key}` : i.kind === 'comment' ? `#${i.text}` : 'blank'));
}

async function setup(text: string): Promise<{ dir: string; id: TestIdentity; env: Record<string, string | undefined> }> {
  const dir = tempDir();
  const id = await makeIdentity(dir);
  writeFileSync(join(dir, '.env'), text);
  return { dir, id, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file }) };
}

describe('the dotenv corpus through encrypt and decrypt', () => {
  for (const c of DOTENV_CORPUS) {
    it(c.name, async () => {
      const { dir, id, env } = await setup(c.text);
      const enc = await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env });
      if (c.ours !== undefined && 'error' in c.ours) {
        expect(enc.code).toBe(6);
        expect(enc.stderr).toMatch(c.ours.error as RegExp);
        expect(enc.stderr).toMatch(/\(\.env:\d+\)/);
        expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(c.text);
        return;
      }
      expect(enc.code).toBe(0);
      const sealed = readFileSync(join(dir, '.env'), 'utf8');
      for (const value of Object.values(dotenv.parse(c.text))) if (value.length > 3) expect(sealed).not.toContain(value);
      const dec = await cli(['decrypt', '.env'], { cwd: dir, env });
      expect(dec.code).toBe(0);
      const expected = c.agrees ? dotenv.parse(c.text) : c.ours;
      expect(dotenv.parse(dec.stdout)).toEqual(expected);
      expect(skeleton(parsePlainDotenv(dec.stdout, 'out'))).toEqual(skeleton(parsePlainDotenv(c.text, 'in')));
    });
  }
});

describe('tampering is detected (exit 5, file named, nothing leaked)', () => {
  const PLAIN = `# app\nTOKEN=${CANARY}\nOTHER=second-value-here\nPORT_unencrypted=8080\n`;

  async function sealed(): Promise<{ dir: string; env: Record<string, string | undefined>; text: string }> {
    const { dir, id, env } = await setup(PLAIN);
    expect((await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
    return { dir, env, text: readFileSync(join(dir, '.env'), 'utf8') };
  }

  async function expectRejected(dir: string, env: Record<string, string | undefined>, text: string): Promise<void> {
    writeFileSync(join(dir, '.env'), text);
    const result = await cli(['decrypt', '.env'], { cwd: dir, env });
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('.env');
    expect(result.stdout + result.stderr).not.toContain(CANARY);
    expect(result.stdout).toBe('');
  }

  it('flipping any single character of an encrypted value', async () => {
    const { dir, env, text } = await sealed();
    const line = text.split('\n').find((l) => l.startsWith('TOKEN=')) as string;
    const value = line.slice('TOKEN='.length);
    for (let i = 0; i < value.length; i++) {
      const ch = value[i] === 'A' ? 'B' : 'A';
      await expectRejected(dir, env, text.replace(line, `TOKEN=${value.slice(0, i)}${ch}${value.slice(i + 1)}`));
    }
  });

  it('swapping two values, deleting a key, changing a clear value', async () => {
    const { dir, env, text } = await sealed();
    const lines = text.split('\n');
    const token = lines.findIndex((l) => l.startsWith('TOKEN='));
    const other = lines.findIndex((l) => l.startsWith('OTHER='));
    const swapped = [...lines];
    swapped[token] = `TOKEN=${(lines[other] as string).slice(6)}`;
    swapped[other] = `OTHER=${(lines[token] as string).slice(6)}`;
    await expectRejected(dir, env, swapped.join('\n'));
    await expectRejected(dir, env, lines.filter((_, i) => i !== other).join('\n'));
    await expectRejected(dir, env, text.replace('PORT_unencrypted=8080', 'PORT_unencrypted=9090'));
  });

  it('editing mac or lastmodified', async () => {
    const { dir, env, text } = await sealed();
    await expectRejected(dir, env, text.replace(/sops_lastmodified=(\d{4})/, (_, y: string) => `sops_lastmodified=${Number(y) + 1}`));
    await expectRejected(dir, env, text.replace(/(sops_mac=ENC\[AES256_GCM,data:)(.)/, (_, p: string, ch: string) => `${p}${ch === 'A' ? 'B' : 'A'}`));
    await expectRejected(dir, env, text.replace(/^sops_mac=.*\n/m, ''));
  });

  it('--ignore-mac reads a file whose MAC fails, and says so on stderr', async () => {
    const { dir, env, text } = await sealed();
    writeFileSync(join(dir, '.env'), text.replace('PORT_unencrypted=8080', 'PORT_unencrypted=9090'));
    const result = await cli(['decrypt', '.env', '--ignore-mac'], { cwd: dir, env });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/integrity check skipped/);
    expect(dotenv.parse(result.stdout)).toMatchObject({ TOKEN: CANARY, PORT_unencrypted: '9090' });
  });
});

describe('decrypt outputs', () => {
  it('--output writes a 0600 file (even over an existing one); --in-place on purpose; not both', async () => {
    const { dir, id, env } = await setup('A=alpha\n');
    await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env });
    writeFileSync(join(dir, 'plain.env'), 'old', { mode: 0o644 });
    expect((await cli(['decrypt', '.env', '--output', 'plain.env'], { cwd: dir, env })).code).toBe(0);
    expect(readFileSync(join(dir, 'plain.env'), 'utf8')).toBe('A=alpha\n');
    expect(statSync(join(dir, 'plain.env')).mode & 0o777).toBe(0o600);
    expect((await cli(['decrypt', '.env', '-o', 'x.env', '-i'], { cwd: dir, env })).code).toBe(2);
    const inPlace = await cli(['decrypt', '.env', '--in-place'], { cwd: dir, env });
    expect(inPlace.stderr).toMatch(/is now PLAINTEXT/);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('A=alpha\n');
  });
});

describe('identities', () => {
  it('a wrong identity exits 4 and lists every place it looked', async () => {
    const { dir, id } = await setup(`TOKEN=${CANARY}\n`);
    expect((await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env: isolatedEnv(dir) })).code).toBe(0);
    const stranger = await makeIdentity(dir, 'stranger');
    const result = await cli(['decrypt', '.env'], { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: stranger.file }) });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('.env');
    for (const place of ['SOPS_AGE_KEY: not set', `SOPS_AGE_KEY_FILE=${stranger.file}: 1 identity`, 'SOPS_AGE_KEY_CMD: not set', 'sops/age/keys.txt: no such file']) {
      expect(result.stderr).toContain(place);
    }
    expect(result.stderr).toContain(id.recipient);
    expect(result.stdout + result.stderr).not.toContain(CANARY);
  });

  it('finds identities in SOPS_AGE_KEY (several per line) and the default keys file', async () => {
    const { dir, id } = await setup('A=secret-a\n');
    await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env: isolatedEnv(dir) });
    const other = await makeIdentity(dir, 'other');
    const inline = await cli(['decrypt', '.env'], { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY: `${other.identity} ${id.identity}` }) });
    expect(inline.stdout).toBe('A=secret-a\n');
    const keygen = await cli(['keygen'], { cwd: dir, env: isolatedEnv(dir) });
    expect(keygen.code).toBe(0);
    const keysFile = join(dir, '.home', '.config', 'sops', 'age', 'keys.txt');
    writeFileSync(keysFile, `${readFileSync(keysFile, 'utf8')}${id.identity}\n`);
    const viaDefault = await cli(['decrypt', '.env'], { cwd: dir, env: isolatedEnv(dir) });
    expect(viaDefault.stdout).toBe('A=secret-a\n');
  });
});

describe('no churn', () => {
  it('encrypting an encrypted file changes no byte', async () => {
    const { dir, id, env } = await setup('A=1\nB=2\n');
    await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env });
    const before = readFileSync(join(dir, '.env'));
    const again = await cli(['encrypt', '.env'], { cwd: dir, env });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already encrypted; nothing to do/);
    expect(readFileSync(join(dir, '.env')).equals(before)).toBe(true);
  });

  it('--age on an encrypted file: the same recipients go on as before; others are refused, naming team add and updatekeys', async () => {
    const { dir, id, env } = await setup('A=1\nB=2\n');
    const other = await makeIdentity(dir, 'other');
    expect((await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
    const before = readFileSync(join(dir, '.env'));
    const same = await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env });
    expect([same.code, same.stderr]).toEqual([0, 'envseal: .env is already encrypted; nothing to do\n']);
    const added = await cli(['encrypt', '.env', '--age', id.recipient, '--age', other.recipient], { cwd: dir, env });
    expect(added.code).toBe(2);
    expect(added.stderr).toMatch(/^envseal: \.env is already encrypted, and --age adds 1 recipient; encrypt --age only chooses the recipients of a new file/);
    expect(added.stderr).toMatch(/hint: to add a reader: envseal team add NAME RECIPIENT .*envseal updatekeys \.env/);
    const replaced = await cli(['encrypt', '.env', '--age', other.recipient], { cwd: dir, env });
    expect(replaced.stderr).toMatch(/--age adds 1 recipient and leaves out 1 recipient it has/);
    expect(readFileSync(join(dir, '.env')).equals(before)).toBe(true);
    writeFileSync(join(dir, '.env'), `${readFileSync(join(dir, '.env'), 'utf8')}C=3\n`);
    const adopted = await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env });
    expect(adopted.stderr).toMatch(/encrypted 1 new value in \.env: C/);
  });

  it('a line added by hand: only that line, lastmodified and mac change', async () => {
    const { dir, id, env } = await setup('# head\nA=alpha\nB=beta\n');
    await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env });
    const before = readFileSync(join(dir, '.env'), 'utf8').split('\n');
    const withLine = [...before];
    withLine.splice(3, 0, 'export NEW="hand added value"');
    writeFileSync(join(dir, '.env'), withLine.join('\n'));
    const result = await cli(['encrypt', '.env'], { cwd: dir, env, now: new Date(Date.now() + 5000) });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/encrypted 1 new value.*NEW/);
    const after = readFileSync(join(dir, '.env'), 'utf8').split('\n');
    expect(after).toHaveLength(withLine.length);
    const changed = after.flatMap((line, i) => (line === withLine[i] ? [] : [line.split('=')[0]]));
    expect(changed).toEqual(['NEW', 'sops_lastmodified', 'sops_mac']);
    expect(after[3]).toMatch(/^NEW=ENC\[/);
    const dec = await cli(['decrypt', '.env'], { cwd: dir, env });
    expect(dotenv.parse(dec.stdout)).toEqual({ A: 'alpha', B: 'beta', NEW: 'hand added value' });
  });
});

describe('key types envseal cannot use', () => {
  it('are kept unchanged when the data key is kept', async () => {
    const { dir, id, env } = await setup('A=alpha\n');
    await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env });
    const pgpLines =
      'sops_pgp__list_0__map_created_at=2026-05-22T20:15:26Z\n' +
      'sops_pgp__list_0__map_enc=-----BEGIN PGP MESSAGE-----\\n\\nwcBMAyUpShfNkFB\\n=5coz\\n-----END PGP MESSAGE-----\n' +
      'sops_pgp__list_0__map_fp=FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\n';
    const text = readFileSync(join(dir, '.env'), 'utf8').replace(/(sops_mac=.*\n)/, `$1${pgpLines}`);
    writeFileSync(join(dir, '.env'), text.replace('A=', 'B=hand added\nA='));
    expect((await cli(['encrypt', '.env'], { cwd: dir, env })).code).toBe(0);
    const after = readFileSync(join(dir, '.env'), 'utf8');
    expect(after).toContain(pgpLines);
    expect((await cli(['decrypt', '.env'], { cwd: dir, env })).stdout).toBe('B=hand added\nA=alpha\n');
  });
});

describe('a failed write leaves the original byte-identical (exit 7)', () => {
  it('with a rename that fails (fault injected at the I/O seam), no temporary file left', async () => {
    const { dir, id, env } = await setup(`TOKEN=${CANARY}\n`);
    const original = readFileSync(join(dir, '.env'));
    const failing = nodeFs({ steps: { ...realWriteSteps, rename: async () => Promise.reject(Object.assign(new Error('boom'), { code: 'EACCES' })) } });
    const result = await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env, fs: failing });
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/cannot write: permission denied \(\.env\)/);
    expect(result.stderr).toMatch(/\nhint: envseal writes a new file next to the old one and renames it into place, so it needs to write in \S+; the original is unchanged\n/);
    expect(readFileSync(join(dir, '.env')).equals(original)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('in a folder that cannot be written (immutable, or read-only when not root)', async () => {
    const { dir, id, env } = await setup(`TOKEN=${CANARY}\n`);
    const original = readFileSync(join(dir, '.env'));
    const locked = lockFolder(dir);
    if (locked === null) return expect.soft(true, 'no way to make a folder read-only here; covered by the injected fault above').toBe(true);
    try {
      const result = await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env });
      expect(result.code).toBe(7);
      expect(result.stderr).toContain('.env');
      expect(result.stdout + result.stderr).not.toContain(CANARY);
    } finally {
      locked();
    }
    expect(readFileSync(join(dir, '.env')).equals(original)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});

/** Makes `dir` unwritable; returns the undo, or null when this machine cannot. */
function lockFolder(dir: string): (() => void) | null {
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    return () => execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
  } catch {
    if (process.getuid?.() === 0) return null;
    execFileSync('chmod', ['0555', dir]);
    return () => execFileSync('chmod', ['0755', dir]);
  }
}
