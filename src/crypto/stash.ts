/**
 * The IV stash (sops-format.md §2.4). When a value is decrypted, its IV is remembered
 * under (AAD, type, plaintext). Encrypting the same plaintext at the same place later
 * reuses that IV, so with the same data key the ciphertext is byte-identical: values that
 * did not change do not churn in git diffs.
 *
 * Reusing an IV is safe here because the stash key includes the plaintext: the same
 * (key, IV) pair never encrypts two different messages.
 */
export class IvStash {
  readonly #ivs = new Map<string, Uint8Array>();

  remember(aad: string, type: string, plaintext: string, iv: Uint8Array): void {
    this.#ivs.set(stashKey(aad, type, plaintext), iv);
  }

  lookup(aad: string, type: string, plaintext: string): Uint8Array | undefined {
    return this.#ivs.get(stashKey(aad, type, plaintext));
  }
}

function stashKey(aad: string, type: string, plaintext: string): string {
  return `${aad}\u0000${type}\u0000${plaintext}`;
}
