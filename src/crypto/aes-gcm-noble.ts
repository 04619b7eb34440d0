/** The reference AES-256-GCM (@noble/ciphers). See `aes-gcm.ts` for why it is not the default. */
import { gcm } from '@noble/ciphers/aes.js';
import type { Gcm } from './aes-gcm.js';

export const nobleGcm: Gcm = {
  seal: (key, iv, aad, plaintext) => gcm(key, iv, aad).encrypt(plaintext),
  open: (key, iv, aad, data, tag) => {
    const sealed = new Uint8Array(data.length + tag.length);
    sealed.set(data, 0);
    sealed.set(tag, data.length);
    return gcm(key, iv, aad).decrypt(sealed);
  },
};
