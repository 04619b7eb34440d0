/**
 * age files written with Node's crypto (age-seal.ts) open in the `age` binary, in
 * age-encryption and in our own reader, for one recipient and several; and data keys wrapped
 * by wrapForRecipients still open after the switch from age-encryption.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decrypter, armor, generateHybridIdentity, generateIdentity, identityToRecipient } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { sealAge, x25519Stanza, type StanzaMaker } from '../../src/crypto/age-seal.js';
import { openAge, x25519Identity } from '../../src/crypto/age-x25519.js';
import { unwrapDataKey, wrapForRecipients } from '../../src/crypto/data-key.js';
import { parseIdentities } from '../../src/keys/identity.js';
import { parseRecipient, type Recipient } from '../../src/keys/recipient.js';
import { suiteDir } from '../helpers/cli.js';

async function person(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
}

const maker = (recipient: string): StanzaMaker => {
  const made = x25519Stanza(recipient);
  if (made === null) throw new Error('not an X25519 recipient');
  return made;
};

describe('sealAge', () => {
  it('one and three X25519 recipients: the age binary, age-encryption and our reader each open it for every one', async () => {
    const dir = suiteDir('envseal-age-seal-');
    const people = [await person(), await person(), await person()];
    for (const group of [people.slice(0, 1), people]) {
      const secret = randomBytes(32);
      const armored = sealAge(secret, group.map((p) => maker(p.recipient)));
      expect(armored).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END AGE ENCRYPTED FILE-----\n$/);
      for (const [i, p] of group.entries()) {
        const keyFile = join(dir, `key-${i}.txt`);
        writeFileSync(keyFile, `${p.identity}\n`);
        expect(execFileSync('age', ['-d', '-i', keyFile], { input: armored }).equals(secret)).toBe(true);
        const d = new Decrypter();
        d.addIdentity(p.identity);
        expect(Buffer.from(await d.decrypt(armor.decode(armored))).equals(secret)).toBe(true);
        const ours = openAge(armored, [x25519Identity(p.identity) as NonNullable<ReturnType<typeof x25519Identity>>]);
        expect(ours?.ok && ours.plaintext.equals(secret)).toBe(true);
      }
      const stranger = await person();
      expect(openAge(armored, [x25519Identity(stranger.identity) as NonNullable<ReturnType<typeof x25519Identity>>])).toEqual({ ok: false, reason: 'no-match' });
    }
  });

  it('takes only age1 X25519 recipients; refuses no recipient', () => {
    expect(x25519Stanza('age1pq1' + 'q'.repeat(50))).toBeNull();
    expect(x25519Stanza('ssh-ed25519 AAAA')).toBeNull();
    expect(() => sealAge(new Uint8Array(32), [])).toThrow(RangeError);
  });

  it('wrapForRecipients: data keys for X25519 recipients open with their identities; none for none', async () => {
    const [a, b] = [await person(), await person()];
    const recipients = [a, b].map((p) => {
      const parsed = parseRecipient(p.recipient);
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.recipient;
    }) as Recipient[];
    const dataKey = randomBytes(32);
    const entries = await wrapForRecipients(dataKey, recipients);
    expect(entries.map((e) => e.recipient)).toEqual(recipients);
    for (const p of [a, b]) {
      const opened = await unwrapDataKey({ keyGroups: [{ age: entries, others: {} }], shamirThreshold: 0 }, parseIdentities(p.identity).identities);
      expect(opened.ok && Buffer.from(opened.dataKey).equals(dataKey)).toBe(true);
    }
    expect(await wrapForRecipients(dataKey, [])).toEqual([]);
  });

  it('wrapForRecipients: a post-quantum recipient beside an X25519 one still goes through age-encryption, and both open', async () => {
    const classic = await person();
    const pqIdentity = await generateHybridIdentity();
    const pq = { identity: pqIdentity, recipient: await identityToRecipient(pqIdentity) };
    expect(pq.recipient).toMatch(/^age1pq1/);
    const recipients = [classic, pq].map((p) => {
      const parsed = parseRecipient(p.recipient);
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.recipient;
    });
    const dataKey = randomBytes(32);
    const entries = await wrapForRecipients(dataKey, recipients);
    for (const p of [classic, pq]) {
      const opened = await unwrapDataKey({ keyGroups: [{ age: entries, others: {} }], shamirThreshold: 0 }, parseIdentities(p.identity).identities);
      expect(opened.ok && Buffer.from(opened.dataKey).equals(dataKey), p.recipient.slice(0, 8)).toBe(true);
    }
  });
});
