/** The reference AES-256-GCM (@noble/ciphers). See `aes-gcm.ts` for why it is not the default. */
import { gcm } from '@noble/ciphers/aes.js';
import type { Gcm } from './aes-gcm.js';

export const nobleGcm: Gcm = {
  seal: (key, iv, aad, plaintext) => gcm(key, iv, aad).encrypt(plaintext),
  open: (key, iv, aad, sealed) => gcm(key, iv, aad).decrypt(sealed),
};
