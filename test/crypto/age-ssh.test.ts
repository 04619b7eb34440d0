/**
 * age's ssh-ed25519 and ssh-rsa stanzas (src/crypto/age-ssh.ts), against the real tools:
 * data keys envseal wraps for an SSH key open with `age -d -i KEY`, data keys the age CLI
 * wraps for an SSH key open with envseal, and a passphrase is asked for only when a stanza
 * carries the key's tag.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MALFORMED, dearmor, openAge, openAgeFile, type Stanza } from '../../src/crypto/age-x25519.js';
import { sshAgeIdentity, wrapForSshKey } from '../../src/crypto/age-ssh.js';
import { unwrapDataKey, wrapForRecipients } from '../../src/crypto/data-key.js';
import { SshIdentity } from '../../src/crypto/ssh-identity.js';
import { openSshKeyFile, type SshPrivateKey } from '../../src/crypto/ssh-private.js';
import { parseRecipient, type Recipient } from '../../src/keys/recipient.js';
import { readSshKeyFile } from '../../src/keys/ssh-key-file.js';
import { parseSshPublicKey } from '../../src/keys/ssh-key.js';
import type { AgeKey } from '../../src/metadata/model.js';
import { suiteDir } from '../helpers/cli.js';
import { makeSshKey, NO_SSH_KEYGEN, type TestSshKey } from '../helpers/ssh-keys.js';

function recipientOf(key: TestSshKey): Recipient {
  const parsed = parseRecipient(key.pub);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.recipient;
}

function identityOf(key: TestSshKey, ask: ((q: string) => Promise<string | null>) | null = null): SshIdentity {
  const read = readSshKeyFile(readFileSync(key.file));
  if (!read.ok) throw new Error(read.reason);
  const pub = parseSshPublicKey(key.pub);
  if (!pub.ok) throw new Error(pub.reason);
  return new SshIdentity(key.file, read.file, read.file.publicKey ?? pub.key, ask);
}

/** An unprotected key file, opened. */
function openedKey(key: TestSshKey): SshPrivateKey {
  const read = readSshKeyFile(readFileSync(key.file));
  if (!read.ok) throw new Error(read.reason);
  const opened = openSshKeyFile(read.file, null);
  if (!opened.ok) throw new Error(opened.reason);
  return opened.key;
}

function metaFor(enc: string, label: string): { keyGroups: Array<{ age: AgeKey[]; others: {} }>; shamirThreshold: number } {
  const parsed = parseRecipient(label);
  return { keyGroups: [{ age: [{ label, recipient: parsed.ok ? parsed.recipient : null, enc }], others: {} }], shamirThreshold: 0 };
}

/** The data key an unwrap found, as bytes to compare (or the failure). */
function keyOf(result: Awaited<ReturnType<typeof unwrapDataKey>>): Buffer | typeof result {
  return result.ok ? Buffer.from(result.dataKey) : result;
}

/** `age -d -i KEY`: what the age binary makes of an armored file. */
function ageDecrypt(armored: string, keyFile: string): Buffer {
  return execFileSync('age', ['-d', '-i', keyFile], { input: armored });
}

describe.skipIf(NO_SSH_KEYGEN !== null)(`SSH stanzas against the age binary${NO_SSH_KEYGEN === null ? '' : ` (skipped: ${NO_SSH_KEYGEN})`}`, () => {
  const dir = suiteDir('envseal-ssh-');
  const ed = makeSshKey(dir, 'id_ed25519');
  const rsa = makeSshKey(dir, 'id_rsa', { type: 'rsa', bits: 2048 });

  for (const [name, key] of [['ssh-ed25519', ed], ['ssh-rsa', rsa]] as const) {
    it(`${name}: a data key envseal wraps opens with age -d -i, and one age wraps opens with envseal`, async () => {
      const dataKey = randomBytes(32);
      const [entry] = await wrapForRecipients(dataKey, [recipientOf(key)]);
      expect(entry?.label).toBe(key.recipient);
      expect(ageDecrypt(entry!.enc, key.file)).toEqual(dataKey);

      const pubFile = join(dir, `${name}.recipient`);
      writeFileSync(pubFile, `${key.pub}\n`);
      const fromAge = execFileSync('age', ['-a', '-R', pubFile], { input: dataKey }).toString('latin1');
      expect(keyOf(await unwrapDataKey(metaFor(fromAge, key.recipient), [identityOf(key)]))).toEqual(dataKey);
    });
  }

  it('the stanzas are age\'s: type, tag, and for ssh-ed25519 the ephemeral share', () => {
    const edKey = parseSshPublicKey(ed.pub);
    const rsaKey = parseSshPublicKey(rsa.pub);
    if (!edKey.ok || !rsaKey.ok) throw new Error('keys');
    const a = wrapForSshKey(edKey.key, randomBytes(16));
    expect(a.args).toEqual(['ssh-ed25519', edKey.key.tag, expect.stringMatching(/^[A-Za-z0-9+/]{43}$/)]);
    expect(a.body).toHaveLength(32);
    const b = wrapForSshKey(rsaKey.key, randomBytes(16));
    expect(b.args).toEqual(['ssh-rsa', rsaKey.key.tag]);
    expect(b.body).toHaveLength(256);
  });

  it('a stanza with another key\'s tag is not ours; a malformed one of our type fails the file', () => {
    const key = openedKey(ed);
    const id = sshAgeIdentity(key);
    const good = wrapForSshKey(key.publicKey, randomBytes(16));
    const stanza = (args: readonly string[], body: Uint8Array = good.body): Stanza => ({ args, body: Buffer.from(body) });
    expect(id.unwrap(stanza(good.args))).toHaveLength(16);
    expect(id.unwrap(stanza(['ssh-ed25519', 'AAAAAA', good.args[2] as string]))).toBeNull();
    expect(id.unwrap(stanza(['ssh-ed25519', good.args[1] as string]))).toBe(MALFORMED);
    expect(id.unwrap(stanza(['ssh-ed25519', 'AAAAAA', 'AAAA']))).toBe(MALFORMED);
    expect(id.unwrap(stanza(good.args, Buffer.from(good.body).fill(0, 0, 1)))).toBe(MALFORMED);
  });

  it('the whole file: a changed header MAC fails, a file for another key is no match', async () => {
    const [entry] = await wrapForRecipients(randomBytes(32), [recipientOf(ed)]);
    const mine = sshAgeIdentity(openedKey(ed));
    expect(openAge(entry!.enc, [mine])).toMatchObject({ ok: true });
    const binary = dearmor(entry!.enc) as Buffer;
    const macAt = binary.indexOf('\n--- ') + 5;
    const tampered = Buffer.from(binary);
    tampered[macAt] = tampered[macAt] === 0x41 ? 0x42 : 0x41;
    expect(openAgeFile(tampered, [mine])).toEqual({ ok: false, reason: 'hmac' });
    expect(openAge(entry!.enc, [sshAgeIdentity(openedKey(makeSshKey(dir, 'other')))])).toEqual({ ok: false, reason: 'no-match' });
  });

  it('asks for a passphrase only when an entry carries the key\'s tag, and once', async () => {
    const locked = makeSshKey(dir, 'locked', { passphrase: 'correct horse' });
    const asked: string[] = [];
    const ask = async (q: string) => (asked.push(q), 'correct horse');
    const identity = identityOf(locked, ask);
    const dataKey = randomBytes(32);
    const [forEd] = await wrapForRecipients(dataKey, [recipientOf(ed)]);
    expect(await unwrapDataKey(metaFor(forEd!.enc, ed.recipient), [identity])).toMatchObject({ ok: false, reason: 'no-identity' });
    expect(asked).toEqual([]);
    const [forLocked] = await wrapForRecipients(dataKey, [recipientOf(locked)]);
    expect(keyOf(await unwrapDataKey(metaFor(forLocked!.enc, locked.recipient), [identity]))).toEqual(dataKey);
    expect(await unwrapDataKey(metaFor(forLocked!.enc, locked.recipient), [identity])).toMatchObject({ ok: true });
    expect(asked).toEqual([`Passphrase for ${locked.file}: `]);
  });

  it('a wrong passphrase is asked again (three tries), then named in the outcome; no terminal is said too', async () => {
    const locked = makeSshKey(dir, 'locked2', { passphrase: 'right one' });
    const [entry] = await wrapForRecipients(randomBytes(32), [recipientOf(locked)]);
    const answers = ['wrong', '', 'right one'];
    const ok = identityOf(locked, async () => answers.shift() ?? null);
    expect(await unwrapDataKey(metaFor(entry!.enc, locked.recipient), [ok])).toMatchObject({ ok: true });
    const wrong = identityOf(locked, async () => 'wrong');
    expect(await unwrapDataKey(metaFor(entry!.enc, locked.recipient), [wrong])).toMatchObject({ ok: false, reason: 'no-identity' });
    expect(wrong.outcome).toBe('the passphrase did not open it');
    const noTerminal = identityOf(locked, async () => null);
    await unwrapDataKey(metaFor(entry!.enc, locked.recipient), [noTerminal]);
    expect(noTerminal.outcome).toMatch(/no terminal/);
  });
});
