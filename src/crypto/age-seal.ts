/**
 * Writing age files with Node's own crypto, for X25519 and SSH recipients: the file key
 * wrapped in one stanza per recipient, the header MAC, and a one-chunk STREAM payload
 * (age-encryption.org/v1). Wrapping a data key is what encrypt, set of a new file, team add,
 * rotate and the merge driver do for every file; doing it here spares them loading the
 * age-encryption package (its ESM build and its pure-JS curve) each time. Post-quantum
 * recipients still go through age-encryption (data-key.ts).
 *
 * The output is checked the other way round by the `age` binary, by age-encryption and by
 * our reader (age-x25519.ts) in the tests.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { bech32Decode } from '../keys/bech32.js';
import { chachaSeal, hkdf, unpadded, x25519, x25519Ephemeral } from './age-x25519.js';

const VERSION_LINE = 'age-encryption.org/v1';
const X25519_INFO = 'age-encryption.org/v1/X25519';
const FILE_KEY_LENGTH = 16;
const NONCE_LENGTH = 16;
/** The payload is written as one chunk: a data key or a Shamir share is far below 64 KiB. */
const MAX_ONE_CHUNK = 64 * 1024;

/** One recipient's stanza: its arguments (the type first) and its body. */
export interface SealedStanza {
  readonly args: readonly string[];
  readonly body: Uint8Array;
}

/** Makes a recipient's stanza for a file key. */
export type StanzaMaker = (fileKey: Uint8Array) => SealedStanza;

/** The stanza maker for an `age1…` X25519 recipient; null for any other recipient. */
export function x25519Stanza(recipient: string): StanzaMaker | null {
  const decoded = bech32Decode(recipient);
  if (decoded === null || decoded.hrp !== 'age' || decoded.data.length !== 32) return null;
  const theirs = Buffer.from(decoded.data);
  return (fileKey) => {
    const { privateKey: ephemeral, share } = x25519Ephemeral();
    const shared = x25519(ephemeral, theirs);
    // A recipient of small order gives an all-zero secret; age refuses to encrypt to it.
    if (shared === null) throw new RangeError('X25519 recipient of small order');
    const wrapKey = hkdf(shared, Buffer.concat([share, theirs]), X25519_INFO);
    return { args: ['X25519', unpadded(share)], body: chachaSeal(wrapKey, Buffer.alloc(12), fileKey) };
  };
}

/** An armored age file holding `plaintext` for every stanza maker. */
export function sealAge(plaintext: Uint8Array, makers: readonly StanzaMaker[]): string {
  if (makers.length === 0) throw new RangeError('an age file needs at least one recipient');
  if (plaintext.length > MAX_ONE_CHUNK) throw new RangeError('sealAge writes one payload chunk (at most 64 KiB)');
  const fileKey = randomBytes(FILE_KEY_LENGTH);
  let header = `${VERSION_LINE}\n`;
  for (const make of makers) {
    const { args, body } = make(fileKey);
    header += `-> ${args.join(' ')}\n${bodyLines(body)}`;
  }
  header += '---';
  const mac = createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header')).update(header).digest();
  const nonce = randomBytes(NONCE_LENGTH);
  const lastChunk = Buffer.alloc(12);
  lastChunk[11] = 1;
  const payload = chachaSeal(hkdf(fileKey, nonce, 'payload'), lastChunk, plaintext);
  return armor(Buffer.concat([Buffer.from(`${header} ${unpadded(mac)}\n`, 'latin1'), nonce, payload]));
}

/** A stanza body: unpadded base64 in 64-column lines, the last one shorter (empty if need be). */
function bodyLines(body: Uint8Array): string {
  const text = unpadded(Buffer.from(body));
  let out = '';
  for (let at = 0; at <= text.length; at += 64) out += `${text.slice(at, at + 64)}\n`;
  return out;
}

function armor(file: Buffer): string {
  const b64 = file.toString('base64');
  let body = '';
  for (let at = 0; at < b64.length; at += 64) body += `${b64.slice(at, at + 64)}\n`;
  return `-----BEGIN AGE ENCRYPTED FILE-----\n${body}-----END AGE ENCRYPTED FILE-----\n`;
}
