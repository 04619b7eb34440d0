/**
 * bcrypt_pbkdf, the key derivation OpenSSH uses for passphrase-protected private keys
 * (OpenBSD's bcrypt_pbkdf.c, PROTOCOL.key): PBKDF2-like rounds of a bcrypt hash (Blowfish's
 * expensive key schedule over SHA-512 of the passphrase and salt), with the output bytes
 * interleaved across blocks. Node's OpenSSL has no Blowfish in its default provider, so it
 * is written here; it runs only when a protected SSH key has to be opened.
 *
 * Blowfish's initial state is the fractional part of π in hex (18 P-array words, then four
 * 256-word S-boxes). It is computed once, when first needed (Machin's formula on BigInt,
 * ~0.2 s), rather than pasted in as 4 KB of hex.
 */
import { createHash } from 'node:crypto';

const P_WORDS = 18;
const S_WORDS = 4 * 256;
const HASH_BYTES = 32;
const MAGIC = Buffer.from('OxychromaticBlowfishSwatDynamite', 'latin1');

let initial: Uint32Array | null = null;

/** The first 18 + 1024 32-bit words of π's fractional part. */
export function piWords(): Uint32Array {
  if (initial !== null) return initial;
  const words = P_WORDS + S_WORDS;
  const guard = 64n;
  const bits = BigInt(words * 32) + guard;
  const one = 1n << bits;
  // arctan(1/x) in fixed point: x⁻¹ − x⁻³/3 + x⁻⁵/5 − …
  const arctanInverse = (x: bigint): bigint => {
    const x2 = x * x;
    let power = one / x;
    let sum = power;
    for (let n = 3n, sign = -1n; power !== 0n; n += 2n, sign = -sign) {
      power /= x2;
      sum += (sign * power) / n;
    }
    return sum;
  };
  const pi = 16n * arctanInverse(5n) - 4n * arctanInverse(239n);
  const hex = ((pi & (one - 1n)) >> guard).toString(16).padStart(words * 8, '0');
  const out = new Uint32Array(words);
  for (let i = 0; i < words; i++) out[i] = Number.parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  initial = out;
  return out;
}

/** One Blowfish state: P (18 words) followed by the four S-boxes. */
class Blowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array;
  /** The block being enciphered: left and right words. */
  readonly block = new Uint32Array(2);

  constructor() {
    const words = piWords();
    this.p = words.slice(0, P_WORDS);
    this.s = words.slice(P_WORDS);
  }

  private f(x: number): number {
    const s = this.s;
    return ((((s[x >>> 24] as number) + (s[256 + ((x >>> 16) & 0xff)] as number)) ^ (s[512 + ((x >>> 8) & 0xff)] as number)) + (s[768 + (x & 0xff)] as number)) | 0;
  }

  /** Enciphers {@link block} in place (16 rounds). */
  encipher(): void {
    const p = this.p;
    let l = (this.block[0] as number) ^ (p[0] as number);
    let r = this.block[1] as number;
    for (let i = 1; i <= 16; i += 2) {
      r ^= this.f(l) ^ (p[i] as number);
      l ^= this.f(r) ^ (p[i + 1] as number);
    }
    this.block[0] = r ^ (p[17] as number);
    this.block[1] = l;
  }

  /** Refills P and the S-boxes by enciphering the running block, mixing in `data` when given. */
  private refill(data: WordStream | null): void {
    const fill = (into: Uint32Array): void => {
      for (let i = 0; i < into.length; i += 2) {
        if (data !== null) {
          this.block[0] = (this.block[0] as number) ^ data.next();
          this.block[1] = (this.block[1] as number) ^ data.next();
        }
        this.encipher();
        into[i] = this.block[0] as number;
        into[i + 1] = this.block[1] as number;
      }
    };
    this.block.fill(0);
    fill(this.p);
    fill(this.s);
  }

  private xorKey(key: Uint8Array): void {
    const words = new WordStream(key);
    for (let i = 0; i < P_WORDS; i++) this.p[i] = (this.p[i] as number) ^ words.next();
  }

  /** Blowfish_expandstate: the salted key schedule. */
  expand(data: Uint8Array, key: Uint8Array): void {
    this.xorKey(key);
    this.refill(new WordStream(data));
  }

  /** Blowfish_expand0state: the plain key schedule. */
  expand0(key: Uint8Array): void {
    this.xorKey(key);
    this.refill(null);
  }
}

/** Big-endian 32-bit words read from bytes, cycling back to the start at the end. */
class WordStream {
  #pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  next(): number {
    let word = 0;
    for (let i = 0; i < 4; i++) {
      if (this.#pos >= this.bytes.length) this.#pos = 0;
      word = (word << 8) | (this.bytes[this.#pos++] as number);
    }
    return word;
  }
}

function sha512(data: Uint8Array): Buffer {
  return createHash('sha512').update(data).digest();
}

/** bcrypt_hash: 64 rounds of the expensive schedule, then the magic text enciphered 64 times. */
function bcryptHash(sha2pass: Uint8Array, sha2salt: Uint8Array): Buffer {
  const state = new Blowfish();
  state.expand(sha2salt, sha2pass);
  for (let i = 0; i < 64; i++) {
    state.expand0(sha2salt);
    state.expand0(sha2pass);
  }
  const words = new WordStream(MAGIC);
  const data = Array.from({ length: 8 }, () => words.next());
  for (let round = 0; round < 64; round++) {
    for (let i = 0; i < 8; i += 2) {
      state.block[0] = data[i] as number;
      state.block[1] = data[i + 1] as number;
      state.encipher();
      data[i] = state.block[0] as number;
      data[i + 1] = state.block[1] as number;
    }
  }
  const out = Buffer.alloc(HASH_BYTES);
  data.forEach((word, i) => out.writeUInt32LE(word >>> 0, i * 4)); // little-endian, as OpenBSD writes it
  return out;
}

/**
 * Derives `length` bytes from a passphrase and salt. Throws a RangeError for what OpenBSD's
 * function refuses (empty passphrase or salt, no rounds, more than 1 KiB of output).
 */
export function bcryptPbkdf(passphrase: Uint8Array, salt: Uint8Array, rounds: number, length: number): Buffer {
  if (passphrase.length === 0 || salt.length === 0 || rounds < 1 || length < 1 || length > HASH_BYTES * HASH_BYTES || salt.length > 1 << 20) {
    throw new RangeError('bcrypt_pbkdf: bad parameters');
  }
  const stride = Math.ceil(length / HASH_BYTES);
  const perBlock = Math.ceil(length / stride);
  const key = Buffer.alloc(length);
  const sha2pass = sha512(passphrase);
  const countSalt = Buffer.concat([Buffer.from(salt), Buffer.alloc(4)]);
  let left = length;
  for (let count = 1; left > 0; count++) {
    countSalt.writeUInt32BE(count, salt.length);
    let block = bcryptHash(sha2pass, sha512(countSalt));
    const out = Buffer.from(block);
    for (let i = 1; i < rounds; i++) {
      block = bcryptHash(sha2pass, sha512(block));
      for (let j = 0; j < HASH_BYTES; j++) out[j] = (out[j] as number) ^ (block[j] as number);
    }
    let written = 0;
    for (; written < Math.min(perBlock, left); written++) {
      const dest = written * stride + (count - 1);
      if (dest >= length) break;
      key[dest] = out[written] as number;
    }
    left -= written;
  }
  return key;
}
