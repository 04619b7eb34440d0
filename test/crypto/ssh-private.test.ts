/**
 * SSH private key files as ssh-keygen writes them (src/keys/ssh-key-file.ts,
 * src/crypto/ssh-private.ts, src/crypto/bcrypt-pbkdf.ts): every format and cipher opens with
 * its passphrase, to the key of its .pub file; a wrong passphrase, a damaged file and a
 * mismatched .pub are refused without echoing a byte of the key.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bcryptPbkdf, piWords } from '../../src/crypto/bcrypt-pbkdf.js';
import { MAX_BCRYPT_ROUNDS, openSshKeyFile } from '../../src/crypto/ssh-private.js';
import { isEncrypted, readSshKeyFile, type SshKeyFile } from '../../src/keys/ssh-key-file.js';
import { parseSshPublicKey } from '../../src/keys/ssh-key.js';
import { suiteDir } from '../helpers/cli.js';
import { makeSshKey, NO_SSH_KEYGEN, type SshKeyOptions } from '../helpers/ssh-keys.js';

describe('bcrypt_pbkdf', () => {
  it("starts Blowfish from π's hex digits", () => {
    const words = piWords();
    expect(words).toHaveLength(18 + 1024);
    // π = 3.243F6A88 85A308D3 13198A2E …; the S-boxes start at word 18 (D1310BA6) and end with 3AC372E6.
    expect([words[0], words[1], words[2], words[18], words[1041]].map((w) => (w as number).toString(16))).toEqual(['243f6a88', '85a308d3', '13198a2e', 'd1310ba6', '3ac372e6']);
  });

  // Outputs of OpenBSD's algorithm for these inputs (computed with the bcrypt-pbkdf npm port,
  // a line-by-line translation of bcrypt_pbkdf.c), covering one block, interleaved blocks
  // and a length that is not a multiple of the stride.
  const VECTORS: ReadonlyArray<readonly [string, string, number, string]> = [
    ['password', 'salt', 4, '5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9'],
    ['correct horse', '0123456789abcdef', 16, 'a1c2879278f7e16f30578823fd9fb40348ed786a6e23033da5c7a193b7732d71bfa8e1cd182c9aa0d87c3ef53911eb76'],
    ['x', 'y', 1, '8f8a6215af1d2f'],
    ['pw', 'NaCl', 2, '9cf04e3aee4db3f7c642e513f5b5b2149c096816339c19d06eb01adcbf02c07137eee4d1b8bb5fcf3218780d4aa240d3efe4e438080b95f98c207ca52e08bf0c3097c9097b0f73a1e578d0947ced4318'],
  ];
  for (const [passphrase, salt, rounds, hex] of VECTORS) {
    it(`${passphrase} / ${salt} / ${rounds} rounds → ${hex.length / 2} bytes`, () => {
      expect(bcryptPbkdf(Buffer.from(passphrase), Buffer.from(salt), rounds, hex.length / 2).toString('hex')).toBe(hex);
    });
  }

  it('refuses what OpenBSD refuses', () => {
    expect(() => bcryptPbkdf(Buffer.alloc(0), Buffer.from('s'), 1, 16)).toThrow(RangeError);
    expect(() => bcryptPbkdf(Buffer.from('p'), Buffer.alloc(0), 1, 16)).toThrow(RangeError);
    expect(() => bcryptPbkdf(Buffer.from('p'), Buffer.from('s'), 0, 16)).toThrow(RangeError);
    expect(() => bcryptPbkdf(Buffer.from('p'), Buffer.from('s'), 1, 1025)).toThrow(RangeError);
  });
});

function read(file: string): SshKeyFile {
  const result = readSshKeyFile(readFileSync(file));
  if (!result.ok) throw new Error(result.reason);
  return result.file;
}

describe.skipIf(NO_SSH_KEYGEN !== null)(`private key files from ssh-keygen${NO_SSH_KEYGEN === null ? '' : ` (skipped: ${NO_SSH_KEYGEN})`}`, () => {
  const dir = suiteDir('envseal-sshpriv-');
  const formats: ReadonlyArray<[string, SshKeyOptions]> = [
    ['ed25519', {}],
    ['ed25519, aes256-ctr (ssh-keygen\'s default)', { passphrase: 'pass phrase' }],
    ['ed25519, aes256-gcm@openssh.com', { passphrase: 'pass phrase', cipher: 'aes256-gcm@openssh.com' }],
    ['ed25519, aes128-cbc', { passphrase: 'pass phrase', cipher: 'aes128-cbc' }],
    ['rsa 2048', { type: 'rsa', bits: 2048 }],
    ['rsa 3072, aes256-ctr', { type: 'rsa', bits: 3072, passphrase: 'pass phrase' }],
    ['rsa PEM (PKCS#1)', { type: 'rsa', bits: 2048, format: 'PEM' }],
    ['rsa PEM, encrypted (legacy DEK-Info)', { type: 'rsa', bits: 2048, format: 'PEM', passphrase: 'pass phrase' }],
    ['rsa PKCS#8, encrypted', { type: 'rsa', bits: 2048, format: 'PKCS8', passphrase: 'pass phrase' }],
  ];

  formats.forEach(([name, options], i) => {
    it(`${name}: opens to the key of its .pub file${options.passphrase === undefined ? '' : ', with its passphrase only'}`, () => {
      const key = makeSshKey(dir, `k${i}`, options);
      const file = read(key.file);
      const pub = parseSshPublicKey(key.pub);
      if (!pub.ok) throw new Error(pub.reason);
      const expected = file.publicKey ?? pub.key;
      expect(expected.text).toBe(key.recipient);
      expect(isEncrypted(file)).toBe(options.passphrase !== undefined);
      const opened = openSshKeyFile(file, options.passphrase ?? null, expected);
      expect(opened).toMatchObject({ ok: true, key: { publicKey: { text: key.recipient } } });
      if (options.passphrase !== undefined) {
        expect(openSshKeyFile(file, null, expected)).toMatchObject({ ok: false, passphrase: true });
        expect(openSshKeyFile(file, 'not it', expected)).toEqual({ ok: false, reason: 'the passphrase did not open it', passphrase: true });
      }
    });
  });

  it('an encrypted PEM file whose .pub is another key is refused', () => {
    const key = makeSshKey(dir, 'pem-mismatch', { type: 'rsa', bits: 2048, format: 'PEM', passphrase: 'pass phrase' });
    const other = makeSshKey(dir, 'pem-other', { type: 'rsa', bits: 2048 });
    const pub = parseSshPublicKey(other.pub);
    if (!pub.ok) throw new Error(pub.reason);
    expect(openSshKeyFile(read(key.file), 'pass phrase', pub.key)).toMatchObject({ ok: false, reason: /does not hold the key of the .pub file/ });
  });

  it('damaged files are refused with a reason that quotes none of their bytes', () => {
    const key = makeSshKey(dir, 'damaged');
    const text = readFileSync(key.file, 'latin1');
    const lines = text.trim().split('\n');
    const body = lines.slice(1, -1).join('');
    const cut = (b64: string): string => [lines[0], ...(b64.match(/.{1,70}/g) ?? []), lines.at(-1)].join('\n');
    const bytes = Buffer.from(body, 'base64');
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 20] = (flipped[flipped.length - 20] as number) ^ 0xff; // inside the private section
    const cases = [
      cut(body.slice(0, 60)),
      cut(flipped.toString('base64')),
      text.replace('-----END OPENSSH PRIVATE KEY-----', ''),
      '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n',
      'not a key at all',
    ];
    for (const damaged of cases) {
      const path = join(dir, 'damaged-copy');
      writeFileSync(path, damaged);
      const outer = readSshKeyFile(readFileSync(path));
      const result = outer.ok ? openSshKeyFile(outer.file, null) : outer;
      expect(result.ok, damaged.slice(0, 60)).toBe(false);
      const reason = JSON.stringify(result);
      for (const chunk of body.match(/.{12}/g) ?? []) expect(reason).not.toContain(chunk);
    }
  });

  it(`more bcrypt rounds than ${MAX_BCRYPT_ROUNDS} are refused with a reason that says how to fix it, before any work`, () => {
    const locked = readFileSync(makeSshKey(dir, 'many-rounds', { passphrase: 'pass phrase', rounds: 1 }).file, 'latin1');
    const bytes = Buffer.from(locked.trim().split('\n').slice(1, -1).join(''), 'base64');
    // kdfoptions: after "bcrypt", a string (length, then salt string, then uint32 rounds).
    const at = bytes.indexOf('bcrypt') + 'bcrypt'.length + 4;
    const saltLength = bytes.readUInt32BE(at);
    bytes.writeUInt32BE(65_536, at + 4 + saltLength);
    const read = readSshKeyFile(Buffer.from(`-----BEGIN OPENSSH PRIVATE KEY-----\n${bytes.toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`));
    if (!read.ok) throw new Error(read.reason);
    const opened = openSshKeyFile(read.file, 'pass phrase');
    expect(opened.ok).toBe(false);
    expect(opened.ok ? '' : opened.reason).toMatch(/asks for 65536 bcrypt rounds; envseal opens keys with at most 1024 \(ssh-keygen -p -a 100/);
  });

  it('any damage to a key file (bytes changed, cut, or added) ends in a reason, never an exception', () => {
    const plain = readFileSync(makeSshKey(dir, 'fuzz-plain', { type: 'rsa', bits: 2048 }).file, 'latin1');
    const locked = readFileSync(makeSshKey(dir, 'fuzz-locked', { passphrase: 'pass phrase', rounds: 1 }).file, 'latin1');
    const body = (text: string): Buffer => Buffer.from(text.trim().split('\n').slice(1, -1).join(''), 'base64');
    const wrap = (bytes: Buffer): string => `-----BEGIN OPENSSH PRIVATE KEY-----\n${bytes.toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`;
    fc.assert(
      fc.property(fc.constantFrom(plain, locked), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'grow'), (text, at, byte, how) => {
        const bytes = body(text);
        const i = at % bytes.length;
        const damaged = how === 'flip' ? Buffer.from(bytes).fill(byte, i, i + 1) : how === 'cut' ? bytes.subarray(0, i) : Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
        const outer = readSshKeyFile(Buffer.from(wrap(damaged)));
        if (outer.ok) openSshKeyFile(outer.file, 'pass phrase');
      }),
      { numRuns: 300 },
    );
  });
});
