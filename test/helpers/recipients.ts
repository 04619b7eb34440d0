/**
 * Deterministic recipients and identities for tests that need only well-formed strings
 * (no key material: nothing here can open a file). `n` picks the bytes, so tests are repeatable.
 */
import { bech32Encode } from '../../src/keys/bech32.js';
import type { Recipient } from '../../src/keys/recipient.js';

export function fakeRecipient(n: number): Recipient {
  return bech32Encode('age', new Uint8Array(32).fill(n)) as Recipient;
}

/** A well-formed age identity string (upper case, as age writes it). */
export function fakeIdentity(n: number): string {
  return bech32Encode('age-secret-key-', new Uint8Array(32).fill(n)).toUpperCase();
}
