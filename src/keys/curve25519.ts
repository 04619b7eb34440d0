/**
 * An Ed25519 public key as an X25519 public key: the point's Montgomery u-coordinate,
 * u = (1 + y) / (1 − y) mod p (RFC 7748 §4.1). age's ssh-ed25519 recipient type encrypts to
 * that key. Only public values pass through here, so plain BigInt arithmetic (not constant
 * time) is fine; the private half needs no field arithmetic at all (SHA-512 of the seed).
 *
 * Decoding follows the Go edwards25519 package age uses: a y of p or more is reduced, and a
 * y that is not on the curve (no x with x² = (y² − 1) / (d·y² + 1)) is refused. So is a
 * point of small order, to which age cannot encrypt (X25519 with it yields zero).
 */
import { createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';

const P = (1n << 255n) - 19n;
/**
 * The Edwards curve constant d = −121665 / 121666 mod p (RFC 8032 §5.1), written out: working
 * it out took every envseal start half a millisecond.
 */
const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;

function mod(a: bigint): bigint {
  const r = a % P;
  return r < 0n ? r + P : r;
}

function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if ((e & 1n) === 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

/** a⁻¹ mod p (Fermat); 0 for 0, as field inversion libraries define it. */
function inverse(a: bigint): bigint {
  return power(a, P - 2n);
}

/** Little-endian bytes → bigint, and back (32 bytes). */
function fromLittleEndian(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).reverse().toString('hex') || '0'}`);
}

function toLittleEndian(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex').reverse();
}

/** The X25519 public key of an Ed25519 public key (32 bytes), or null when it is not a point. */
export function ed25519ToX25519(publicKey: Uint8Array): Buffer | null {
  if (publicKey.length !== 32) return null;
  const bytes = Buffer.from(publicKey);
  bytes[31] = (bytes[31] as number) & 0x7f; // the sign of x: irrelevant to u
  const y = mod(fromLittleEndian(bytes));
  const y2 = (y * y) % P;
  const x2 = mod((y2 - 1n) * inverse(mod(D * y2 + 1n)));
  const legendre = power(x2, (P - 1n) / 2n);
  if (legendre !== 0n && legendre !== 1n) return null;
  const u = toLittleEndian(mod((1n + y) * inverse(mod(1n - y))));
  return hasSmallOrder(u) ? null : u;
}

const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * Whether X25519 with this u-coordinate gives zero: any clamped scalar is a multiple of the
 * cofactor 8, so it clears exactly the points of small order (OpenSSL then refuses).
 */
function hasSmallOrder(u: Buffer): boolean {
  try {
    const publicKey = createPublicKey({ key: Buffer.concat([SPKI_X25519, u]), format: 'der', type: 'spki' });
    const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, Buffer.alloc(32, 0x55)]), format: 'der', type: 'pkcs8' });
    return diffieHellman({ privateKey, publicKey }).every((b) => b === 0);
  } catch {
    return true;
  }
}
