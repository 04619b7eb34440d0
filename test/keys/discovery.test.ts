import { Encrypter, armor, generateHybridIdentity, generateIdentity, identityToRecipient } from 'age-encryption';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultKeysFile, discoverIdentities, unlockKeyFiles, type Discovery } from '../../src/keys/discovery.js';
import type { Host } from '../../src/io/host.js';
import { parseRecipient } from '../../src/keys/recipient.js';
import { splitCommandLine } from '../../src/keys/shell-words.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';

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
