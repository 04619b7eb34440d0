/**
 * AES-256-GCM behind one small interface, so the value cipher does not care which
 * implementation runs. sops uses a 32-byte nonce (sops-format.md §2.1); both
 * implementations accept any nonce of 8 bytes or more.
 *
 * `nodeGcm` (OpenSSL, AES-NI) is the one envseal uses: it is 5-20x faster than the pure-JS
 * one, which matters for 10,000-value files. `nobleGcm` (@noble/ciphers, audited) is kept
 * as the reference (`aes-gcm-noble.ts`) the tests compare it against, vector by vector. It
 * lives in its own module so that loading the CLI does not pay for importing it.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { abytes } from './assert.js';

export const TAG_LENGTH = 16;

export interface Gcm {
  /** Returns ciphertext ‖ 16-byte tag. */
  seal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Throws when authentication fails. */
  open(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): Uint8Array;
}

/** One KeyObject per data key: importing the raw key for each of 10,000 values shows in a profile. */
const keyObjects = new WeakMap<Uint8Array, KeyObject>();

function keyObject(key: Uint8Array): KeyObject {
  let object = keyObjects.get(key);
  if (object === undefined) {
    object = createSecretKey(key);
    keyObjects.set(key, object);
  }
  return object;
}

export const nodeGcm: Gcm = {
  seal(key, iv, aad, plaintext) {
    checkKeyAndIv(key, iv);
    const cipher = createCipheriv('aes-256-gcm', keyObject(key), iv, { authTagLength: TAG_LENGTH });
    cipher.setAAD(aad);
    const head = cipher.update(plaintext);
    const tail = cipher.final();
    const tag = cipher.getAuthTag();
    const out = new Uint8Array(head.length + tail.length + tag.length);
    out.set(head, 0);
    out.set(tail, head.length);
    out.set(tag, head.length + tail.length);
    return out;
  },
  open(key, iv, aad, data, tag) {
    checkKeyAndIv(key, iv);
    abytes(tag, 'tag', { length: TAG_LENGTH });
    const decipher = createDecipheriv('aes-256-gcm', keyObject(key), iv, { authTagLength: TAG_LENGTH });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const head = decipher.update(data);
    const tail = decipher.final(); // throws "Unsupported state or unable to authenticate data"
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  },
};

/** AES-256 takes a 32-byte key; GCM needs a nonce of at least 8 bytes (sops uses 32). */
function checkKeyAndIv(key: Uint8Array, iv: Uint8Array): void {
  abytes(key, 'key', { length: 32 });
  abytes(iv, 'iv', { min: 8 });
}
