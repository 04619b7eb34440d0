/**
 * An SSH private key found by identity discovery, opened only when needed: when a file to
 * open has a stanza with this key's tag (age's EncryptedSSHIdentity does the same), so a
 * user whose age key opens the file is never asked for an SSH passphrase. It is opened at
 * most once per command; a passphrase is asked for on the terminal (up to three tries, as
 * ssh does), never taken from argv.
 */
import { isEncrypted, type SshKeyFile } from '../keys/ssh-key-file.js';
import type { SshPublicKey } from '../keys/ssh-key.js';
import { parseRecipient, type Recipient } from '../keys/recipient.js';
import { sshAgeIdentity } from './age-ssh.js';
import type { AgeIdentity } from './age-x25519.js';
import { openSshKeyFile, type SshOpen } from './ssh-private.js';

/** Asks for a passphrase (hidden); null when there is no terminal. */
export type AskPassphrase = (question: string) => Promise<string | null>;

const TRIES = 3;

export class SshIdentity {
  readonly kind = 'ssh';
  #opened: AgeIdentity | null = null;
  #opening: Promise<AgeIdentity | null> | null = null;
  #outcome: string | null = null;

  /**
   * @param source where it was found (`~/.ssh/id_ed25519`, `SOPS_AGE_SSH_PRIVATE_KEY_FILE=…`)
   * @param file the key file, read as far as it goes without a passphrase
   * @param publicKey the key it holds (from the file, or the `.pub` file next to it)
   * @param ask how to ask for its passphrase; null where nothing may be asked (config())
   */
  constructor(
    readonly source: string,
    readonly file: SshKeyFile,
    readonly publicKey: SshPublicKey,
    private readonly ask: AskPassphrase | null,
  ) {}

  get recipient(): Recipient {
    const parsed = parseRecipient(this.publicKey.text);
    if (!parsed.ok) throw new TypeError(`SshIdentity: ${parsed.reason}`); // checked when the key was read
    return parsed.recipient;
  }

  /** Whether opening it needs a passphrase. */
  get locked(): boolean {
    return isEncrypted(this.file);
  }

  /** What happened when it was opened, when that did not work (for the "no identity" error). */
  get outcome(): string | null {
    return this.#outcome;
  }

  /** Opened without asking: null when it needs a passphrase (or does not open). */
  openNow(): AgeIdentity | null {
    if (this.#opened !== null || this.#outcome !== null) return this.#opened;
    if (this.locked) {
      if (this.ask === null) this.#outcome = 'protected by a passphrase; synchronous loading cannot ask for it (use the CLI or await load())';
      return null;
    }
    return this.settle(openSshKeyFile(this.file, null, this.publicKey));
  }

  /** Opened, asking for the passphrase when it needs one; null when it cannot be. */
  open(): Promise<AgeIdentity | null> {
    if (!this.locked || this.ask === null) return Promise.resolve(this.openNow());
    this.#opening ??= this.unlock(this.ask);
    return this.#opening;
  }

  private async unlock(ask: AskPassphrase): Promise<AgeIdentity | null> {
    for (let attempt = 1; attempt <= TRIES; attempt++) {
      const passphrase = await ask(`Passphrase for ${this.source}: `);
      if (passphrase === null) {
        this.#outcome = 'protected by a passphrase, and there is no terminal to ask for it';
        return null;
      }
      const result = openSshKeyFile(this.file, passphrase, this.publicKey);
      if (result.ok || result.passphrase !== true || attempt === TRIES) return this.settle(result);
    }
    return null;
  }

  private settle(result: SshOpen): AgeIdentity | null {
    if (!result.ok) {
      this.#outcome = result.reason;
      return null;
    }
    this.#opened = sshAgeIdentity(result.key);
    return this.#opened;
  }
}
