/** Parsing identities from key files, variables and command output (src/keys/identity.ts). */
import { describe, expect, it } from 'vitest';
import { bech32Encode } from '../../src/keys/bech32.js';
import { isEncryptedIdentityFile, parseIdentities, parseIdentity } from '../../src/keys/identity.js';
import { fakeIdentity, fakeRecipient } from '../helpers/recipients.js';

describe('identities', () => {
  it('accepts X25519 and post-quantum keys of 32 bytes, in either case, and returns them upper case', () => {
    const key = fakeIdentity(1);
    expect(parseIdentity(key)).toBe(key);
    expect(parseIdentity(key.toLowerCase())).toBe(key);
    const pq = bech32Encode('age-secret-key-pq-', new Uint8Array(32).fill(2)).toUpperCase();
    expect(parseIdentity(pq)).toBe(pq);
  });

  it('refuses other lengths, other kinds, and recipients', () => {
    expect(parseIdentity(bech32Encode('age-secret-key-', new Uint8Array(31)).toUpperCase())).toBeNull();
    expect(parseIdentity(bech32Encode('age-plugin-yubikey-', new Uint8Array(32)).toUpperCase())).toBeNull();
    expect(parseIdentity(fakeRecipient(1))).toBeNull();
    expect(parseIdentity(`${fakeIdentity(1).slice(0, -1)}Q`)).toBeNull();
  });

  it('reads several per line, skips comments and blank lines, and names problems by line without the text', () => {
    const a = fakeIdentity(1);
    const b = fakeIdentity(2);
    const text = `# created: today\r\n${a}  ${b}\n\n   # indented comment\nAGE-PLUGIN-YUBIKEY-1QQQ\nsecret-looking-garbage\n`;
    const parsed = parseIdentities(text);
    expect(parsed.identities).toEqual([a, b]);
    expect(parsed.problems).toEqual(['line 5: age plugin identities are not supported', 'line 6: not an age identity']);
  });

  it('tells a passphrase-protected key file (binary or armored) from a plain one', () => {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(isEncryptedIdentityFile(enc('age-encryption.org/v1\n-> scrypt …'))).toBe(true);
    expect(isEncryptedIdentityFile(enc('\n-----BEGIN AGE ENCRYPTED FILE-----\nYWdl…'))).toBe(true);
    expect(isEncryptedIdentityFile(enc(`# created: today\n${fakeIdentity(1)}\n`))).toBe(false);
    expect(isEncryptedIdentityFile(enc(`# age-encryption.org/v1\n`))).toBe(false);
  });
});
