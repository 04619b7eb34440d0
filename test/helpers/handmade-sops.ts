/**
 * Hand-written sops files for tests, built the way sops builds them (sops-format.md §2, §5,
 * §6) with node:crypto and age-encryption, sharing no code with envseal. A test writes the
 * document text itself, with `enc(...)` calls where sops puts ciphertext, and states the MAC
 * input explicitly: the list of plaintext values sops hashes, in walk order. That list is
 * the claim under test, written from sops's walk (sops.go) rather than computed by envseal.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { Encrypter, armor } from 'age-encryption';

/** A fixed data key: tests open files with it directly (open-with-key.ts) or through age. */
export const HANDMADE_KEY = Buffer.alloc(32, 0x5a);

/** `ENC[AES256_GCM,...]` of `plaintext` with a random 32-byte IV, as aes/cipher.go writes it. */
export function enc(type: string, aad: string, plaintext: string | Uint8Array, key: Uint8Array = HANDMADE_KEY): string {
  const iv = randomBytes(32);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${tag.toString('base64')},type:${type}]`;
}

/** SHA-512 over the values, upper-case hex (§5), optionally seeded for mac_only_encrypted. */
export function macHex(values: ReadonlyArray<string | Uint8Array>, macOnlyEncrypted = false): string {
  const hash = createHash('sha512');
  if (macOnlyEncrypted) hash.update(createHash('sha256').update('sops').digest());
  for (const v of values) hash.update(v);
  return hash.digest('hex').toUpperCase();
}

export interface HandmadeOptions {
  /** The plaintext values sops hashes, in walk order. */
  readonly macInput: ReadonlyArray<string | Uint8Array>;
  readonly recipient: string;
  readonly lastModified?: string;
  readonly version?: string;
  /** Extra metadata lines (YAML, indented by 4), e.g. `    encrypted_regex: ^x$`. */
  readonly extra?: string;
  readonly key?: Uint8Array;
  readonly macOnlyEncrypted?: boolean;
}

async function wrappedKey(recipient: string, key: Uint8Array): Promise<string> {
  const e = new Encrypter();
  e.addRecipient(recipient);
  return armor.encode(await e.encrypt(key));
}

/** The `sops:` block of a YAML file (sops 3.13 layout, indent 4), appended to `body`. */
export async function handmadeYaml(body: string, options: HandmadeOptions): Promise<string> {
  const key = options.key ?? HANDMADE_KEY;
  const lastModified = options.lastModified ?? '2025-01-02T03:04:05Z';
  const mac = enc('str', lastModified, macHex(options.macInput, options.macOnlyEncrypted), key);
  const armored = (await wrappedKey(options.recipient, key)).trimEnd().split('\n').map((l) => `            ${l}`).join('\n');
  const rule = options.extra ?? '    unencrypted_suffix: _unencrypted';
  return (
    `${body}sops:\n    age:\n        - recipient: ${options.recipient}\n          enc: |\n${armored}\n` +
    `    lastmodified: "${lastModified}"\n    mac: ${mac}\n` +
    (options.macOnlyEncrypted === true ? '    mac_only_encrypted: true\n' : '') +
    `${rule}\n    version: ${options.version ?? '3.13.3'}\n`
  );
}
