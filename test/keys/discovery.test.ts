import { Encrypter, armor, generateHybridIdentity, generateIdentity, identityToRecipient } from 'age-encryption';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultKeysFile, discoverIdentities, unlockKeyFiles, type Discovery } from '../../src/keys/discovery.js';
import type { Host } from '../../src/io/host.js';
import { parseRecipient } from '../../src/keys/recipient.js';
import { splitCommandLine } from '../../src/keys/shell-words.js';
import { cli, isolatedEnv, suiteDir, tempDir } from '../helpers/cli.js';
import { makeSshKey, NO_SSH_KEYGEN } from '../helpers/ssh-keys.js';
import { readFileSync } from 'node:fs';

interface FakeHost extends Partial<Host> {
  files?: Record<string, string | Uint8Array>;
  askPassphrase?: (question: string) => Promise<string | null>;
}

function host(overrides: FakeHost): Host {
  const files = overrides.files ?? {};
  return {
    env: {},
    platform: 'linux',
    homedir: '/home/u',
    uid: null,
    readFileSync: (path) => {
      const f = files[path];
      if (f === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return typeof f === 'string' ? Buffer.from(f) : f;
    },
    fileModeSync: () => 0o600,
    runSync: () => ({ code: 1, stdout: '' }),
    ...overrides,
  };
}

/** Discovery as the CLI does it: the synchronous walk, then passphrase files unlocked. */
function findIdentities(h: FakeHost, options: { recipientHint?: string } = {}): Promise<Discovery> {
  return unlockKeyFiles(discoverIdentities(host(h), options), h.askPassphrase ?? (async () => null));
}

describe('identity discovery', () => {
  it('combines every source, in sops order, and reports each', async () => {
    const [a, b, c, d] = await Promise.all([generateIdentity(), generateIdentity(), generateIdentity(), generateIdentity()]);
    let seenRecipient: string | undefined;
    const found = await findIdentities(
      {
        env: { HOME: '/home/u', SOPS_AGE_KEY: `${a}  ${b}`, SOPS_AGE_KEY_FILE: '/k.txt', SOPS_AGE_KEY_CMD: "get-key --vault 'my vault'" },
        files: { '/k.txt': `# comment\n\n${c}\n`, '/home/u/.config/sops/age/keys.txt': `${d}\n` },
        runSync: (argv, extra) => {
          expect(argv).toEqual(['get-key', '--vault', 'my vault']);
          seenRecipient = extra['SOPS_AGE_RECIPIENT'];
          return { code: 0, stdout: `${a}\n` };
        },
      },
      { recipientHint: 'age1hint' },
    );
    expect(found.identities).toEqual([a, b, c, d]);
    expect(seenRecipient).toBe('age1hint');
    expect(found.tried).toEqual([
      'SOPS_AGE_KEY: 2 identities',
      'SOPS_AGE_KEY_FILE=/k.txt: 1 identity',
      'SOPS_AGE_KEY_CMD (get-key): 1 identity',
      '/home/u/.config/sops/age/keys.txt: 1 identity',
      'SOPS_AGE_SSH_PRIVATE_KEY_FILE: not set',
      'SOPS_AGE_SSH_PRIVATE_KEY_CMD: not set',
      '/home/u/.ssh/id_ed25519: no such file or folder',
      '/home/u/.ssh/id_rsa: no such file or folder',
    ]);
  });

  it('uses XDG_CONFIG_HOME, macOS Application Support and %AppData%', () => {
    expect(defaultKeysFile({ env: { XDG_CONFIG_HOME: '/x' }, platform: 'linux', homedir: '/h' })).toBe('/x/sops/age/keys.txt');
    expect(defaultKeysFile({ env: { HOME: '/Users/u' }, platform: 'darwin', homedir: '/h' })).toBe('/Users/u/Library/Application Support/sops/age/keys.txt');
    expect(defaultKeysFile({ env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, platform: 'win32', homedir: 'C:\\Users\\u' })).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\sops\\age\\keys.txt',
    );
  });

  it('opens a passphrase-protected key file with a passphrase asked on the terminal', async () => {
    const identity = await generateIdentity();
    const e = new Encrypter();
    e.setPassphrase('correct horse');
    e.setScryptWorkFactor(10);
    const protectedFile = armor.encode(await e.encrypt(`${identity}\n`));
    const asked: string[] = [];
    const found = await findIdentities(
      { env: { SOPS_AGE_KEY_FILE: '/p.age' }, files: { '/p.age': protectedFile }, askPassphrase: async (q) => (asked.push(q), 'correct horse') },
    );
    expect(found.identities).toEqual([identity]);
    expect(asked).toEqual(['Passphrase for SOPS_AGE_KEY_FILE=/p.age: ']);
    const wrong = await findIdentities({ env: { SOPS_AGE_KEY_FILE: '/p.age' }, files: { '/p.age': protectedFile }, askPassphrase: async () => 'nope' });
    expect(wrong.identities).toEqual([]);
    expect(wrong.tried[1]).toMatch(/passphrase did not open it/);
    const noTerminal = await findIdentities({ env: { SOPS_AGE_KEY_FILE: '/p.age' }, files: { '/p.age': protectedFile } });
    expect(noTerminal.tried[1]).toMatch(/no terminal/);
  });

  it('warns about key files others can read and never echoes a key', async () => {
    const identity = await generateIdentity();
    const found = await findIdentities({ env: { SOPS_AGE_KEY_FILE: '/k' }, files: { '/k': `${identity}\nAGE-SECRET-KEY-1BROKEN\n` }, fileModeSync: () => 0o644 });
    expect(found.warnings).toEqual(['key file /k can be read by other users; fix it with: chmod 600 /k']);
    expect(found.tried[1]).toBe('SOPS_AGE_KEY_FILE=/k: 1 identity (line 2: not an age identity)');
    expect(JSON.stringify(found.tried)).not.toContain('BROKEN');
  });

  it('splits SOPS_AGE_KEY_CMD like a shell, without one', () => {
    expect(splitCommandLine(`a "b c" 'd e' f\\ g "h\\"i"`)).toEqual(['a', 'b c', 'd e', 'f g', 'h"i']);
    expect(splitCommandLine('a "b')).toBeNull();
  });
});

describe.skipIf(NO_SSH_KEYGEN !== null)(`SSH key discovery${NO_SSH_KEYGEN === null ? '' : ` (skipped: ${NO_SSH_KEYGEN})`}`, () => {
  const dir = suiteDir('envseal-sshdisc-');
  const ed = makeSshKey(dir, 'ed');
  const rsa = makeSshKey(dir, 'rsa', { type: 'rsa', bits: 2048 });
  const pem = makeSshKey(dir, 'pem', { type: 'rsa', bits: 2048, format: 'PEM', passphrase: 'pass phrase' });
  const bytes = (path: string): Uint8Array => readFileSync(path);

  it('finds the key file named by SOPS_AGE_SSH_PRIVATE_KEY_FILE, then ~/.ssh/id_ed25519 and id_rsa, each key once', () => {
    const found = discoverIdentities(
      host({
        env: { HOME: '/home/u', SOPS_AGE_SSH_PRIVATE_KEY_FILE: '/keys/ed' },
        files: { '/keys/ed': bytes(ed.file), '/home/u/.ssh/id_ed25519': bytes(ed.file), '/home/u/.ssh/id_rsa': bytes(rsa.file) },
      }),
    );
    expect(found.identities).toEqual([]);
    expect(found.ssh.map((k) => [k.label, k.publicKey.text])).toEqual([
      ['SOPS_AGE_SSH_PRIVATE_KEY_FILE=/keys/ed', ed.recipient],
      ['/home/u/.ssh/id_rsa', rsa.recipient],
    ]);
    expect(found.tried.slice(4)).toEqual([
      expect.stringMatching(/^SOPS_AGE_SSH_PRIVATE_KEY_FILE=\/keys\/ed: an ssh-ed25519 key \(SHA256:[A-Za-z0-9+/]{43}\)$/),
      'SOPS_AGE_SSH_PRIVATE_KEY_CMD: not set',
      '/home/u/.ssh/id_ed25519: the same key as SOPS_AGE_SSH_PRIVATE_KEY_FILE=/keys/ed',
      expect.stringMatching(/^\/home\/u\/.ssh\/id_rsa: an ssh-rsa key \(SHA256:/),
    ]);
    expect(found.ssh.map((k) => found.tried[k.triedIndex])).toEqual([found.tried[4], found.tried[7]]);
  });

  it('runs SOPS_AGE_SSH_PRIVATE_KEY_CMD with SOPS_AGE_RECIPIENT, and refuses a protected key from it as sops does', () => {
    let seen: string | undefined;
    const found = discoverIdentities(
      host({
        env: { SOPS_AGE_SSH_PRIVATE_KEY_CMD: 'vault read ssh' },
        runSync: (argv, extra) => {
          expect(argv).toEqual(['vault', 'read', 'ssh']);
          seen = extra['SOPS_AGE_RECIPIENT'];
          return { code: 0, stdout: readFileSync(rsa.file, 'utf8') };
        },
      }),
      { recipientHint: 'ssh-rsa AAAAhint' },
    );
    expect(seen).toBe('ssh-rsa AAAAhint');
    expect(found.ssh.map((k) => k.label)).toEqual(['SOPS_AGE_SSH_PRIVATE_KEY_CMD (vault)']);
    const locked = makeSshKey(dir, 'locked-cmd', { passphrase: 'pass phrase' });
    const refused = discoverIdentities(host({ env: { SOPS_AGE_SSH_PRIVATE_KEY_CMD: 'x' }, runSync: () => ({ code: 0, stdout: readFileSync(locked.file, 'utf8') }) }));
    expect(refused.ssh).toEqual([]);
    expect(refused.tried[5]).toMatch(/protected by a passphrase/);
  });

  it('a protected PEM key is known by the .pub next to it; without one it says why', () => {
    const withPub = discoverIdentities(host({ env: { SOPS_AGE_SSH_PRIVATE_KEY_FILE: '/k' }, files: { '/k': bytes(pem.file), '/k.pub': `${pem.pub}\n` } }));
    expect(withPub.ssh.map((k) => k.publicKey.text)).toEqual([pem.recipient]);
    expect(withPub.tried[4]).toMatch(/an ssh-rsa key \(SHA256:.*\), protected by a passphrase \(asked for only to open a file encrypted to it\)$/);
    const without = discoverIdentities(host({ env: { SOPS_AGE_SSH_PRIVATE_KEY_FILE: '/k' }, files: { '/k': bytes(pem.file) } }));
    expect(without.ssh).toEqual([]);
    expect(without.tried[4]).toMatch(/no .pub file next to it/);
  });

  it('warns about an SSH key others can read; Windows looks in %USERPROFILE%\\.ssh', () => {
    const open = discoverIdentities(host({ env: { HOME: '/h' }, files: { '/h/.ssh/id_ed25519': bytes(ed.file) }, fileModeSync: () => 0o644 }));
    expect(open.warnings).toEqual(['key file /h/.ssh/id_ed25519 can be read by other users; fix it with: chmod 600 /h/.ssh/id_ed25519']);
    const windows = discoverIdentities(host({ platform: 'win32', env: { USERPROFILE: 'C:\\Users\\u', APPDATA: 'C:\\A' }, files: { 'C:\\Users\\u\\.ssh\\id_rsa': bytes(rsa.file) } }));
    expect(windows.ssh.map((k) => k.label)).toEqual(['C:\\Users\\u\\.ssh\\id_rsa']);
  });
});

describe('recipients', () => {
  it('accepts X25519 and hybrid post-quantum recipients and names what is wrong with others', async () => {
    const x = await identityToRecipient(await generateIdentity());
    const pq = await identityToRecipient(await generateHybridIdentity());
    expect(parseRecipient(x)).toMatchObject({ ok: true, recipient: x });
    expect(parseRecipient(pq)).toMatchObject({ ok: true });
    expect(parseRecipient(x.slice(0, -1))).toMatchObject({ ok: false, reason: /bech32/ });
    expect(parseRecipient('ssh-ed25519 AAAA')).toMatchObject({ ok: false, reason: /not an SSH key/ });
    expect(parseRecipient('ssh-dss AAAA')).toMatchObject({ ok: false, reason: /age takes ssh-ed25519 and ssh-rsa/ });
    expect(parseRecipient('age1tag1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq')).toMatchObject({ ok: false });
  });

  it('a file encrypted to a post-quantum recipient opens with its identity', async () => {
    const dir = tempDir();
    const keygen = await cli(['keygen', '--pq', '--out', 'pq.key'], { cwd: dir, env: isolatedEnv(dir) });
    writeFileSync(join(dir, '.env'), 'QUANTUM=safe\n');
    expect((await cli(['encrypt', '.env', '--age', keygen.stdout.trim()], { cwd: dir, env: isolatedEnv(dir) })).code).toBe(0);
    const dec = await cli(['decrypt', '.env'], { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: join(dir, 'pq.key') }) });
    expect(dec).toMatchObject({ code: 0, stdout: 'QUANTUM=safe\n' });
  });
});
