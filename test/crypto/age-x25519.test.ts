/**
 * The built-in X25519 age opener, against the age binary and the age-encryption package:
 * it opens what they write, and refuses every kind of malformed file that age-encryption
 * refuses (files made here with age-encryption, then damaged; the C2SP vectors are in
 * test/vectors/age-cctv.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decrypter, Encrypter, armor, generateHybridIdentity, generateIdentity, identityToRecipient } from 'age-encryption';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openAgeFile, openAge, x25519Identity, type X25519Identity } from '../../src/crypto/age-x25519.js';
import { tempDir } from '../helpers/cli.js';

describe('opening age files with X25519 identities, without age-encryption', () => {
  it('derives the same recipient as age-encryption (and age-keygen -y)', async () => {
    for (let i = 0; i < 5; i++) {
      const id = await generateIdentity();
      expect(x25519Identity(id)?.recipient).toBe(await identityToRecipient(id));
    }
    const dir = tempDir();
    const file = join(dir, 'k');
    execFileSync('age-keygen', ['-o', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    const identity = /AGE-SECRET-KEY-1\S+/.exec(text)?.[0] as string;
    expect(x25519Identity(identity)?.recipient).toBe(execFileSync('age-keygen', ['-y', file], { encoding: 'utf8' }).trim());
  });

  it('opens files written by the age binary, for one of several recipients, any size', () => {
    const dir = tempDir();
    const keys = ['a', 'b'].map((n) => {
      const file = join(dir, n);
      execFileSync('age-keygen', ['-o', file], { stdio: 'ignore' });
      return { file, identity: /AGE-SECRET-KEY-1\S+/.exec(readFileSync(file, 'utf8'))?.[0] as string, recipient: execFileSync('age-keygen', ['-y', file], { encoding: 'utf8' }).trim() };
    });
    for (const size of [0, 1, 32, 33, 65536, 65537, 200_000]) {
      const plain = randomBytes(size);
      writeFileSync(join(dir, 'plain'), plain);
      const armored = execFileSync('age', ['-a', '-r', keys[0]?.recipient as string, '-r', keys[1]?.recipient as string, join(dir, 'plain')], { encoding: 'utf8' });
      const opened = openAge(armored, [x25519Identity(keys[1]?.identity as string)!]);
      expect(opened).toEqual({ ok: true, plaintext: plain });
    }
  });

  it('opens what age-encryption writes, and nothing else', async () => {
    const mine = await generateIdentity();
    const other = await generateIdentity();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 100 }), async (plain) => {
        const e = new Encrypter();
        e.addRecipient(await identityToRecipient(mine));
        const armored = armor.encode(await e.encrypt(plain));
        expect(openAge(armored, [x25519Identity(mine)!])).toEqual({ ok: true, plaintext: Buffer.from(plain) });
        expect(openAge(armored, [x25519Identity(other)!])).toEqual({ ok: false, reason: 'no-match' });
      }),
      { numRuns: 30 },
    );
  });

  it('refuses a damaged file (every single-character change)', async () => {
    const id = await generateIdentity();
    const e = new Encrypter();
    e.addRecipient(await identityToRecipient(id));
    const armored = armor.encode(await e.encrypt(randomBytes(32)));
    const key = x25519Identity(id)!;
    const body = armored.split('\n').slice(1, -2).join('\n');
    for (let i = 0; i < body.length; i++) {
      if (body[i] === '\n') continue;
      const changed = body.slice(0, i) + (body[i] === 'A' ? 'B' : 'A') + body.slice(i + 1);
      const text = armored.replace(body, changed);
      // Null ("not mine") when the change hits the stanza type; a failure otherwise.
      expect(openAge(text, [key])?.ok ?? false).toBe(false);
    }
    expect(x25519Identity('AGE-SECRET-KEY-PQ-1XYZ')).toBeNull();
  });
});

/** A file made by age-encryption, cut into header lines (without the MAC line) and payload. */
interface Made {
  readonly key: X25519Identity;
  readonly identity: string;
  readonly lines: readonly string[];
  readonly payload: Buffer;
  readonly fileKey: Buffer;
  readonly plain: Buffer;
}

async function made(plainLength = 40): Promise<Made> {
  const identity = await generateIdentity();
  const plain = randomBytes(plainLength);
  const e = new Encrypter();
  e.addRecipient(await identityToRecipient(identity));
  const file = Buffer.from(await e.encrypt(plain));
  const macLine = file.indexOf('\n--- ') + 1;
  const headerEnd = file.indexOf('\n', macLine) + 1;
  const d = new Decrypter();
  d.addIdentity(identity);
  const fileKey = Buffer.from(await d.decryptHeader(file.subarray(0, headerEnd)));
  const lines = file.subarray(0, macLine - 1).toString('latin1').split('\n');
  return { key: x25519Identity(identity)!, identity, lines, payload: file.subarray(headerEnd), fileKey, plain };
}

const unpadded = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '');

/**
 * The file with these header lines and a MAC recomputed with the file key, so that a
 * malformed header cannot hide behind a MAC failure: only the parser can refuse it.
 */
function rebuild(m: Made, lines: readonly string[], mac = (b64: string) => b64): Buffer {
  const covered = `${lines.join('\n')}\n---`;
  const hmacKey = Buffer.from(hkdfSync('sha256', m.fileKey, Buffer.alloc(0), 'header', 32));
  const tag = createHmac('sha256', hmacKey).update(covered, 'latin1').digest();
  return Buffer.concat([Buffer.from(`${covered} ${mac(unpadded(tag))}\n`, 'latin1'), m.payload]);
}

/** Same bytes, other text: sets the unused low bits of the last base64 character. */
function nonCanonical(b64: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const last = alphabet.indexOf(b64.at(-1) as string);
  const changed = b64.slice(0, -1) + alphabet[last | 1];
  expect(Buffer.from(changed, 'base64')).toEqual(Buffer.from(b64, 'base64'));
  expect(changed).not.toBe(b64);
  return changed;
}

async function ageEncryptionOpens(m: Made, file: Uint8Array | string): Promise<boolean> {
  const d = new Decrypter();
  d.addIdentity(m.identity);
  try {
    await d.decrypt(typeof file === 'string' ? armor.decode(file) : file);
    return true;
  } catch {
    return false;
  }
}

type Mutation = (lines: string[], m: Made) => string[];
const share = (m: Made) => (m.lines[1] as string).split(' ')[2] as string;
const body = (m: Made) => m.lines[2] as string;

describe('the built-in reader is as strict as age-encryption (files made by it, then damaged)', () => {
  it('a rebuilt but unchanged file opens in both (the harness itself)', async () => {
    const m = await made();
    const file = rebuild(m, m.lines);
    expect(openAgeFile(file, [m.key])).toEqual({ ok: true, plaintext: m.plain });
    expect(await ageEncryptionOpens(m, file)).toBe(true);
  });

  const malformed: Array<[string, Mutation]> = [
    ['non-canonical base64 in the X25519 stanza body', (l, m) => [l[0]!, l[1]!, nonCanonical(body(m))]],
    ['non-canonical base64 in the X25519 share', (l, m) => [l[0]!, `-> X25519 ${nonCanonical(share(m))}`, l[2]!]],
    ['padding in a stanza body', (l) => [...l, '-> grease', 'AA==']],
    ['an invalid character in a stanza body', (l) => [...l, '-> grease', 'AA.A']],
    ['a body line longer than 64 columns', (l) => [...l, '-> grease', 'A'.repeat(68)]],
    ['a stanza that ends on a full line (no final short line)', (l) => [...l, '-> grease', 'A'.repeat(64)]],
    ['an empty argument', (l) => [...l, '-> grease  x', '']],
    ['a stanza line without arguments', (l) => [...l, '->', '']],
    ['a control character in a stanza line', (l) => [...l, '-> grease\tx', '']],
    ['a CR at the end of a header line', (l) => [l[0]!, `${l[1]!}\r`, l[2]!]],
    ['a non-ASCII byte in an argument', (l) => [...l, '-> grease é', '']],
    ['another version line', (l) => ['age-encryption.org/v2', ...l.slice(1)]],
    ['an X25519 stanza with an extra argument', (l) => [l[0]!, `${l[1]!} extra`, l[2]!]],
    ['an X25519 stanza without its share', (l) => [l[0]!, '-> X25519', l[2]!]],
    ['a 31-byte share', (l, m) => [l[0]!, `-> X25519 ${unpadded(Buffer.from(share(m), 'base64').subarray(0, 31))}`, l[2]!]],
    ['a 33-byte share', (l, m) => [l[0]!, `-> X25519 ${unpadded(Buffer.concat([Buffer.from(share(m), 'base64'), Buffer.alloc(1)]))}`, l[2]!]],
    ['a low-order share (all-zero shared secret)', (l) => [l[0]!, `-> X25519 ${unpadded(Buffer.alloc(32))}`, l[2]!]],
    ['a 33-byte stanza body', (l, m) => [l[0]!, l[1]!, unpadded(Buffer.concat([Buffer.from(body(m), 'base64'), Buffer.alloc(1)]))]],
    // Before the fix such a stanza was skipped and the next one opened the file.
    ['a malformed X25519 stanza before ours', (l) => [l[0]!, '-> X25519 AAAA extra', 'AAAA', l[1]!, l[2]!]],
  ];

  it.each(malformed)('%s: a header failure in both', async (_name, mutate) => {
    const m = await made();
    const file = rebuild(m, mutate([...m.lines], m));
    expect(openAgeFile(file, [m.key])).toEqual({ ok: false, reason: 'header' });
    expect(await ageEncryptionOpens(m, file)).toBe(false);
  });

  it.each([
    ['non-canonical', nonCanonical],
    ['truncated', (mac: string) => mac.slice(0, 40)],
    ['padded', (mac: string) => `${mac}=`],
    ['followed by a space', (mac: string) => `${mac} `],
  ])('a %s header MAC: a header failure in both', async (_name, mangle) => {
    const m = await made();
    const file = rebuild(m, m.lines, mangle);
    expect(openAgeFile(file, [m.key])).toEqual({ ok: false, reason: 'header' });
    expect(await ageEncryptionOpens(m, file)).toBe(false);
  });

  it.each([
    ['a foreign stanza with odd but valid arguments and an empty body', (l: string[]) => [...l, '-> grease !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ 0', '']],
    ['a foreign stanza with a 64-column line and a final line', (l: string[]) => [...l, '-> grease', 'A'.repeat(64), 'AAA']],
    ['a lower-case "x25519" stanza (not ours, ignored)', (l: string[]) => [l[0]!, '-> x25519 AAAA extra', 'AAAA', ...l.slice(1)]],
    // age-encryption stops at the first stanza that opens; so do we.
    ['a malformed X25519 stanza after ours', (l: string[]) => [...l, '-> X25519 AAAA extra', 'AAAA']],
  ])('%s: opens in both', async (_name, mutate) => {
    const m = await made();
    const file = rebuild(m, mutate([...m.lines]));
    expect(openAgeFile(file, [m.key])).toEqual({ ok: true, plaintext: m.plain });
    expect(await ageEncryptionOpens(m, file)).toBe(true);
  });

  it('a wrong MAC and a damaged payload are told apart from a malformed header', async () => {
    const m = await made();
    const flipped = rebuild(m, m.lines, (mac) => unpadded(Buffer.from(mac, 'base64').map((b, i) => (i === 0 ? b ^ 1 : b))));
    expect(openAgeFile(flipped, [m.key])).toEqual({ ok: false, reason: 'hmac' });
    const file = rebuild(m, m.lines);
    file[file.length - 1] = (file.at(-1) as number) ^ 1;
    expect(openAgeFile(file, [m.key])).toEqual({ ok: false, reason: 'payload' });
    // The payload starts after "\n--- " and the 43-character MAC line; its nonce is cut short.
    const shortNonce = file.subarray(0, file.indexOf('\n---') + 49 + 10);
    expect(openAgeFile(shortNonce, [m.key])).toEqual({ ok: false, reason: 'header' });
    expect(await ageEncryptionOpens(m, flipped)).toBe(false);
    expect(await ageEncryptionOpens(m, file)).toBe(false);
    expect(await ageEncryptionOpens(m, shortNonce)).toBe(false);
  });

  it('no identity of ours: "no match"; no X25519 stanza at all: null ("not mine")', async () => {
    const m = await made();
    const other = x25519Identity(await generateIdentity())!;
    expect(openAgeFile(rebuild(m, m.lines), [other])).toEqual({ ok: false, reason: 'no-match' });
    const pq = await generateHybridIdentity();
    const e = new Encrypter();
    e.addRecipient(await identityToRecipient(pq));
    const hybrid = Buffer.from(await e.encrypt(m.plain));
    expect(openAgeFile(hybrid, [m.key])).toBeNull();
    expect(openAge(armor.encode(hybrid), [m.key])).toBeNull();
    // A malformed header is not "not mine": every reader refuses it.
    expect(openAgeFile(Buffer.from('age-encryption.org/v1\n-> grease\nAA==\n--- x\n'), [m.key])).toEqual({ ok: false, reason: 'header' });
  });
});

describe('ASCII armor, as strict as age-encryption', () => {
  /** An armored file whose last line ends with padding (so padding can be damaged). */
  async function armored(): Promise<{ m: Made; text: string }> {
    const m = await made(41);
    const text = armor.encode(rebuild(m, m.lines));
    const lines = text.trimEnd().split('\n');
    expect(lines.at(-2)).toMatch(/=$/);
    return { m, text };
  }
  const lines = (text: string) => text.trimEnd().split('\n');

  it.each([
    ['an empty line before the end line', (l: string[]) => [...l.slice(0, -1), '', l.at(-1)!]],
    ['an empty line after the begin line', (l: string[]) => [l[0]!, '', ...l.slice(1)]],
    ['a line longer than 64 columns', (l: string[]) => [l[0]!, l[1]! + l[2]!, ...l.slice(3)]],
    ['short lines in the middle', (l: string[]) => [l[0]!, l[1]!.slice(0, 60), l[1]!.slice(60), ...l.slice(2)]],
    ['missing padding', (l: string[]) => [...l.slice(0, -2), l.at(-2)!.replace(/=+$/, ''), l.at(-1)!]],
    ['non-canonical padding bits', (l: string[]) => [...l.slice(0, -2), nonCanonical(l.at(-2)!.replace(/=+$/, '')) + l.at(-2)!.match(/=+$/)![0], l.at(-1)!]],
    ['a space at the end of a line', (l: string[]) => [l[0]!, `${l[1]!} `, ...l.slice(2)]],
    ['a space at the start of a line', (l: string[]) => [l[0]!, ` ${l[1]!}`, ...l.slice(2)]],
    ['a lower-case label', (l: string[]) => [l[0]!.toLowerCase(), ...l.slice(1)]],
    ['another label', (l: string[]) => [l[0]!.replace('AGE', 'PGP'), ...l.slice(1)]],
    ['no end line', (l: string[]) => l.slice(0, -1)],
    ['a header line inside', (l: string[]) => [l[0]!, 'Version: 1', '', ...l.slice(1)]],
    ['garbage after the end line', (l: string[]) => [...l, 'garbage']],
  ])('%s: an armor failure in both', async (_name, mutate) => {
    const { m, text } = await armored();
    const damaged = `${mutate(lines(text)).join('\n')}\n`;
    expect(openAge(damaged, [m.key])).toEqual({ ok: false, reason: 'armor' });
    expect(await ageEncryptionOpens(m, damaged)).toBe(false);
  });

  it('an empty line after a full last line: an armor failure in both', async () => {
    const m = await made(40);
    const l = lines(armor.encode(rebuild(m, m.lines)));
    expect(l.at(-2)).toHaveLength(64);
    const damaged = `${[...l.slice(0, -1), '', l.at(-1)!].join('\n')}\n`;
    expect(openAge(damaged, [m.key])).toEqual({ ok: false, reason: 'armor' });
    expect(await ageEncryptionOpens(m, damaged)).toBe(false);
  });

  it.each([
    ['CRLF line ends', (t: string) => t.replaceAll('\n', '\r\n')],
    ['whitespace around the block', (t: string) => ` \n\t${t}\n  \n`],
    ['no final line end', (t: string) => t.trimEnd()],
  ])('%s: opens in both', async (_name, change) => {
    const { m, text } = await armored();
    const changed = change(text);
    expect(openAge(changed, [m.key])).toEqual({ ok: true, plaintext: m.plain });
    expect(await ageEncryptionOpens(m, changed)).toBe(true);
  });
});
