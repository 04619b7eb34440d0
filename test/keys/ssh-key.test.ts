/**
 * SSH public keys as recipients (src/keys/ssh-key.ts, recipient.ts): the .pub lines
 * ssh-keygen writes parse, compare without their comment, and keep the checks age makes;
 * the Ed25519 → X25519 conversion agrees with the one derived from the private key.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ed25519ToX25519 } from '../../src/keys/curve25519.js';
import { isCanonicalLabel, parseRecipient, recipientId, sameRecipient, shortRecipient, sshKeyOf, type Recipient } from '../../src/keys/recipient.js';
import { ed25519Blob, parseSshPublicKey, sshKeyTag } from '../../src/keys/ssh-key.js';
import { labelProblems } from '../../src/metadata/model.js';
import { suiteDir } from '../helpers/cli.js';
import { makeSshKey, NO_SSH_KEYGEN } from '../helpers/ssh-keys.js';

const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** A fresh Ed25519 key pair from node: the raw public key and the seed. */
function ed25519Pair(): { pub: Buffer; seed: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    pub: Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url'),
    seed: Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url'),
  };
}

function line(type: string, blob: Buffer, comment = ''): string {
  return `${type} ${blob.toString('base64')}${comment === '' ? '' : ` ${comment}`}`;
}

describe('Ed25519 → X25519', () => {
  it('agrees with the X25519 key of SHA-512(seed), for 200 keys', () => {
    for (let i = 0; i < 200; i++) {
      const { pub, seed } = ed25519Pair();
      const scalar = createHash('sha512').update(seed).digest().subarray(0, 32);
      const x = createPublicKey(createPrivateKey({ key: Buffer.concat([PKCS8_X25519, scalar]), format: 'der', type: 'pkcs8' })).export({ format: 'jwk' }).x as string;
      expect(ed25519ToX25519(pub)).toEqual(Buffer.from(x, 'base64url'));
    }
  });

  it('refuses what is not a point, and the points of small order', () => {
    // y = 2 is not on the curve (x² would not be a square); y = 1 is the neutral element,
    // y = −1 (p − 1) has order 2: age cannot encrypt to either.
    const le = (n: bigint): Buffer => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();
    const p = (1n << 255n) - 19n;
    expect(ed25519ToX25519(le(2n))).toBeNull();
    expect(ed25519ToX25519(le(1n))).toBeNull();
    expect(ed25519ToX25519(le(p - 1n))).toBeNull();
    expect(ed25519ToX25519(Buffer.alloc(31))).toBeNull();
  });
});

describe('SSH public keys', () => {
  it('parse from type, key and comment; the canonical form drops the comment', () => {
    const { pub } = ed25519Pair();
    const blob = ed25519Blob(pub);
    const parsed = parseSshPublicKey(`  ${line('ssh-ed25519', blob, 'alice@laptop  ')}\n`);
    expect(parsed).toMatchObject({ ok: true, comment: 'alice@laptop', key: { type: 'ssh-ed25519', text: line('ssh-ed25519', blob), tag: sshKeyTag(blob) } });
    expect(sshKeyTag(blob)).toMatch(/^[A-Za-z0-9+/]{6}$/);
  });

  it('refuse damaged and foreign keys, naming why', () => {
    const { pub } = ed25519Pair();
    const blob = ed25519Blob(pub);
    const b64 = blob.toString('base64');
    const cases: Array<[string, RegExp]> = [
      ['ssh-ed25519', /type key \[comment\]/],
      [`ssh-ed25519 ${b64.slice(0, -8)}`, /not base64|damaged/],
      [`ssh-ed25519 ${b64}!`, /not base64/],
      [`ssh-rsa ${b64}`, /says it is ssh-ed25519/],
      [`ecdsa-sha2-nistp256 ${b64}`, /age takes ssh-ed25519 and ssh-rsa/],
      [`ssh-ed25519 ${Buffer.concat([blob, Buffer.from([0])]).toString('base64')}`, /damaged/],
      [`ssh-ed25519 ${ed25519Blob(Buffer.alloc(32)).toString('base64')}`, /not a point|small/],
    ];
    for (const [text, reason] of cases) expect(parseSshPublicKey(text), text).toMatchObject({ ok: false, reason });
  });
});

describe('SSH public keys, fuzzed', () => {
  it('any blob after ssh-ed25519 / ssh-rsa, and any damage to a real key, parses or says why: never an exception', () => {
    const { pub } = ed25519Pair();
    const real = ed25519Blob(pub);
    fc.assert(
      fc.property(fc.constantFrom('ssh-ed25519', 'ssh-rsa'), fc.uint8Array({ maxLength: 600 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (type, random, at, byte) => {
        const damaged = Buffer.from(real);
        damaged[at % damaged.length] = byte;
        for (const blob of [Buffer.from(random), damaged, damaged.subarray(0, at % damaged.length)]) {
          const parsed = parseSshPublicKey(line(type, blob));
          expect(typeof parsed.ok).toBe('boolean');
          expect(typeof parseRecipient(line(type, blob)).ok).toBe('boolean');
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe.skipIf(NO_SSH_KEYGEN !== null)(`SSH recipients from ssh-keygen${NO_SSH_KEYGEN === null ? '' : ` (skipped: ${NO_SSH_KEYGEN})`}`, () => {
  const dir = suiteDir('envseal-sshkey-');
  const ed = makeSshKey(dir, 'ed', { comment: 'alice@laptop' });
  const rsa = makeSshKey(dir, 'rsa', { type: 'rsa', bits: 3072 });

  it('ssh-ed25519 and ssh-rsa .pub lines are recipients, compared without their comment', () => {
    for (const key of [ed, rsa]) {
      const parsed = parseRecipient(key.pub);
      expect(parsed).toEqual({ ok: true, recipient: key.recipient });
      expect(sameRecipient(key.pub, `${key.recipient} someone-else`)).toBe(true);
      expect(sshKeyOf(key.recipient as Recipient)?.text).toBe(key.recipient);
    }
    expect(sameRecipient(ed.pub, rsa.pub)).toBe(false);
  });

  it('a label as sops writes it (with the comment) is canonical; other spellings are not', () => {
    const r = ed.recipient as Recipient;
    expect(isCanonicalLabel(r, r)).toBe(true);
    expect(isCanonicalLabel(ed.pub, r)).toBe(true);
    expect(isCanonicalLabel(`${r}  two-spaces`, r)).toBe(false);
    expect(isCanonicalLabel(`${r} tab\there`, r)).toBe(false);
    expect(isCanonicalLabel(r.replace(' ', '  '), r)).toBe(false);
    const entry = (label: string) => ({ label, recipient: r, enc: '' });
    expect(labelProblems({ keyGroups: [{ age: [entry(ed.pub)], others: {} }] })).toEqual([]);
    expect(labelProblems({ keyGroups: [{ age: [entry(ed.pub), entry(r)], others: {} }] })).toEqual([expect.stringMatching(/two key entries are labelled/)]);
  });

  it('RSA keys shorter than 2048 bits are refused, as age refuses them', () => {
    const small = makeSshKey(dir, 'small', { type: 'rsa', bits: 1024 });
    expect(parseRecipient(small.pub)).toMatchObject({ ok: false, reason: /shorter than 2048 bits/ });
  });

  it('a private key pasted as a recipient is refused without being echoed', () => {
    const result = parseRecipient('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----');
    expect(result).toMatchObject({ ok: false, reason: /SSH private key/ });
    expect(JSON.stringify(result)).not.toContain('b3BlbnNz');
  });

  it('shortened for output by the end of the key, and named by a hash', () => {
    const r = ed.recipient as Recipient;
    expect(shortRecipient(r)).toBe(`ssh-ed25519 …${r.slice(-12)}`);
    expect(recipientId(r)).toMatch(/^[0-9a-f]{8}$/);
  });
});
