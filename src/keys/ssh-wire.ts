/**
 * SSH's wire encoding (RFC 4251 §5), as public key blobs and OpenSSH private key files use
 * it: big-endian uint32s, length-prefixed strings, and mpints (two's complement, minimal).
 * The reader never throws: a read past the end, or an mpint that is not minimal and
 * positive, makes it `broken`, and every later read returns nothing.
 */

export class WireReader {
  #pos = 0;
  #broken = false;

  constructor(private readonly bytes: Uint8Array) {}

  /** Whether a read went past the end or met a malformed value. */
  get broken(): boolean {
    return this.#broken;
  }

  /** Whether every byte was read, and nothing was malformed. */
  get done(): boolean {
    return !this.#broken && this.#pos === this.bytes.length;
  }

  /** The bytes not read yet. */
  rest(): Buffer {
    return Buffer.from(this.bytes.subarray(this.#pos));
  }

  take(length: number): Buffer {
    if (this.#broken || length < 0 || this.#pos + length > this.bytes.length) {
      this.#broken = true;
      return Buffer.alloc(0);
    }
    const out = Buffer.from(this.bytes.subarray(this.#pos, this.#pos + length));
    this.#pos += length;
    return out;
  }

  uint32(): number {
    const b = this.take(4);
    return b.length === 4 ? b.readUInt32BE(0) : 0;
  }

  string(): Buffer {
    return this.take(this.uint32());
  }

  /** A string that must be printable ASCII (a key type, a cipher name). */
  text(): string {
    const b = this.string();
    if (b.some((c) => c < 0x20 || c > 0x7e)) this.#broken = true;
    return b.toString('latin1');
  }

  /** A positive mpint, in its minimal encoding (what OpenSSH writes); 0n when broken. */
  mpint(): bigint {
    const b = this.string();
    if (b.length === 0) return 0n;
    const negative = ((b[0] as number) & 0x80) !== 0;
    const padded = b[0] === 0 && (b.length === 1 || ((b[1] as number) & 0x80) === 0);
    if (negative || padded) {
      this.#broken = true;
      return 0n;
    }
    return BigInt(`0x${b.toString('hex')}`);
  }
}

export function wireString(bytes: Uint8Array | string): Buffer {
  const body = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  return Buffer.concat([length, body]);
}

/** A positive bigint as an mpint (minimal, with a zero byte when the top bit is set). */
export function wireMpint(value: bigint): Buffer {
  if (value === 0n) return wireString(Buffer.alloc(0));
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return wireString(((bytes[0] as number) & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/** A big-endian unsigned bigint from bytes (RSA's n and e in JWK, say). */
export function bigintFrom(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

/** A bigint as big-endian bytes with no leading zero (JWK's base64url integers). */
export function bytesOf(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return Buffer.from(hex, 'hex');
}
