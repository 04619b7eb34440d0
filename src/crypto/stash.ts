/**
 * The IV stash (sops-format.md §2.4). When a value is decrypted, its IV is remembered under
 * its exact place in its document (document index, map keys and list indices: see
 * `LeafContext.place`), its type and its plaintext. Sealing the same plaintext at the same
 * place later reuses that IV, so with the same data key the ciphertext is byte-identical:
 * values that did not change do not churn in git diffs.
 *
 * Why this is safe: an IV is reused only for the very value decrypted at that place — the
 * same plaintext under the same AAD, so the same (key, IV) pair never encrypts two different
 * messages. Why the place and not just the AAD: sops's AAD leaves out list indices and the
 * document, so a value someone appends to a list or a later document (a guess at a secret,
 * written in plaintext by anyone with write access) would otherwise get the secret's IV when
 * `encrypt` seals it, and come out byte-identical to the secret exactly when the guess is
 * right. The key is structured (JSON of the parts), so no text can stand in for another.
 */
import type { Place } from '../tree.js';

export class IvStash {
  readonly #ivs = new Map<string, Uint8Array>();

  remember(doc: number, place: readonly Place[], type: string, plaintext: string, iv: Uint8Array): void {
    this.#ivs.set(stashKey(doc, place, type, plaintext), iv);
  }

  lookup(doc: number, place: readonly Place[], type: string, plaintext: string): Uint8Array | undefined {
    return this.#ivs.get(stashKey(doc, place, type, plaintext));
  }
}

function stashKey(doc: number, place: readonly Place[], type: string, plaintext: string): string {
  return JSON.stringify([doc, place, type, plaintext]);
}
