/**
 * Shamir secret sharing over GF(2^8) with the AES polynomial 0x11B, as sops uses it for
 * several key groups (sops-format.md §9). A share is the 32 y-values followed by one byte
 * holding x. Group i (0-based) gets x = i + 1.
 */
import { randomBytes } from 'node:crypto';
import { aint } from './assert.js';

const EXP = new Uint8Array(510);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    // multiply by the generator 3: x * 2 (reduced by 0x11B) xor x
    const doubled = ((x << 1) ^ (x & 0x80 ? 0x11b : 0)) & 0xff;
    x = doubled ^ x;
  }
  for (let i = 255; i < 510; i++) EXP[i] = EXP[i - 255] as number;
}

function mul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return EXP[(LOG[a] as number) + (LOG[b] as number)] as number;
}

function div(a: number, b: number): number {
  if (b === 0) throw new RangeError('shamir: division by zero');
  if (a === 0) return 0;
  return EXP[((LOG[a] as number) + 255 - (LOG[b] as number)) % 255] as number;
}

/** Splits `secret` into `parts` shares, any `threshold` of which recover it. */
export function split(secret: Uint8Array, parts: number, threshold: number): Uint8Array[] {
  aint(parts, 'parts', 2, 255);
  aint(threshold, 'threshold', 2, parts);
  const shares = Array.from({ length: parts }, (_, i) => {
    const share = new Uint8Array(secret.length + 1);
    share[secret.length] = i + 1;
    return share;
  });
  for (let byte = 0; byte < secret.length; byte++) {
    const coefficients = new Uint8Array(randomBytes(threshold));
    coefficients[0] = secret[byte] as number;
    for (const share of shares) {
      const x = share[secret.length] as number;
      let y = 0;
      for (let c = threshold - 1; c >= 0; c--) y = mul(y, x) ^ (coefficients[c] as number);
      share[byte] = y;
    }
  }
  return shares;
}

/**
 * Recovers the secret from shares by Lagrange interpolation at x = 0. Shares come from files:
 * the caller turns a RangeError here (too few, unequal lengths, a repeated x) into "damaged".
 */
export function combine(shares: readonly Uint8Array[]): Uint8Array {
  if (shares.length < 2) throw new RangeError('shamir: need at least two shares');
  const length = (shares[0] as Uint8Array).length;
  if (shares.some((s) => s.length !== length) || length < 2) throw new RangeError('shamir: shares differ in length');
  const xs = shares.map((s) => s[length - 1] as number);
  if (new Set(xs).size !== xs.length) throw new RangeError('shamir: duplicate share');
  const secret = new Uint8Array(length - 1);
  for (let byte = 0; byte < length - 1; byte++) {
    let value = 0;
    shares.forEach((share, i) => {
      let basis = 1;
      xs.forEach((xj, j) => {
        if (j !== i) basis = mul(basis, div(xj, xj ^ (xs[i] as number)));
      });
      value ^= mul(share[byte] as number, basis);
    });
    secret[byte] = value;
  }
  return secret;
}
