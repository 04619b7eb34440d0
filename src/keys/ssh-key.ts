/**
 * SSH public keys as age recipients (sops 3.10+, age's ssh-ed25519 and ssh-rsa types): a
 * line of an authorized_keys / `.pub` file, `ssh-ed25519 AAAA… comment`. Its canonical text
 * is the type and the key (`ssh-ed25519 AAAA…`): the comment says nothing about who can
 * open a file, so comparisons ignore it.
 *
 * The checks are age's (agessh.ParseRecipient): an Ed25519 key must be a point of the curve,
 * an RSA key at least 2048 bits with an odd exponent of at most 24 bits (Go's ssh package).
 */
import { createHash } from 'node:crypto';
import { ed25519ToX25519 } from './curve25519.js';
import { WireReader, wireMpint, wireString } from './ssh-wire.js';

export const SSH_KEY_TYPES = ['ssh-ed25519', 'ssh-rsa'] as const;
export type SshKeyType = (typeof SSH_KEY_TYPES)[number];

export interface SshPublicKey {
  readonly type: SshKeyType;
  /** The key in SSH's wire format (what the base64 of a `.pub` line holds). */
  readonly blob: Buffer;
  /** `type base64`: the recipient's canonical text. */
  readonly text: string;
  /** age's stanza tag: the first 4 bytes of SHA-256(blob), base64 without padding. */
  readonly tag: string;
  /** ssh-ed25519: the Ed25519 key (32 bytes) and its X25519 form. */
  readonly ed25519?: { readonly key: Buffer; readonly x25519: Buffer };
  /** ssh-rsa: the modulus and public exponent. */
  readonly rsa?: { readonly n: bigint; readonly e: bigint };
}

export type SshKeyParse = { readonly ok: true; readonly key: SshPublicKey; readonly comment: string } | { readonly ok: false; readonly reason: string };

const MIN_RSA_BITS = 2048;

/** Whether text is meant as an SSH key (then its errors are about SSH keys). */
export function looksLikeSshKey(text: string): boolean {
  return /^ssh-[a-z0-9-]+(@[a-z0-9.-]+)?(\s|$)/i.test(text.trim());
}

/** Parses `type base64 [comment]`: one key, no authorized_keys options. */
export function parseSshPublicKey(input: string): SshKeyParse {
  const text = input.trim();
  const m = /^(\S+)[ \t]+(\S+)(?:[ \t]+([^\r\n]*))?$/.exec(text);
  if (m === null) return fail('an SSH public key is "type key [comment]" on one line, as in a .pub file');
  const [, type, base64, comment] = m as unknown as [string, string, string, string | undefined];
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) {
    return fail(`SSH keys of type ${JSON.stringify(type.slice(0, 40))} cannot be recipients (age takes ssh-ed25519 and ssh-rsa)`);
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return fail('the key is not base64');
  const blob = Buffer.from(base64, 'base64');
  if (blob.toString('base64') !== base64) return fail('the key is not base64 (a truncated copy?)');
  const key = sshPublicKeyFromBlob(blob);
  if (typeof key === 'string') return fail(key);
  if (key.type !== type) return fail(`the key says it is ${key.type}, the line says ${type}`);
  return { ok: true, key, comment: (comment ?? '').trim() };
}

/** A public key from its wire format, checked; a string says why it is not one. */
export function sshPublicKeyFromBlob(blob: Uint8Array): SshPublicKey | string {
  const reader = new WireReader(blob);
  const type = reader.text();
  const base = (t: SshKeyType) => {
    const copy = Buffer.from(blob);
    return { type: t, blob: copy, text: `${t} ${copy.toString('base64')}`, tag: sshKeyTag(copy) };
  };
  if (type === 'ssh-ed25519') {
    const key = reader.string();
    if (!reader.done || key.length !== 32) return 'the Ed25519 key is damaged (a truncated copy?)';
    const x25519 = ed25519ToX25519(key);
    if (x25519 === null) return 'the Ed25519 key is not a point of the curve (or one of small order, which nothing can be encrypted to)';
    return { ...base(type), ed25519: { key, x25519 } };
  }
  if (type === 'ssh-rsa') {
    const e = reader.mpint();
    const n = reader.mpint();
    if (!reader.done) return 'the RSA key is damaged (a truncated copy?)';
    if (e < 3n || e % 2n === 0n || e >= 1n << 24n) return 'the RSA key has an exponent SSH does not accept';
    if (n.toString(2).length < MIN_RSA_BITS) return `the RSA key is shorter than ${MIN_RSA_BITS} bits, which age refuses`;
    return { ...base(type), rsa: { n, e } };
  }
  return reader.broken ? 'it is not an SSH key' : `SSH keys of type ${JSON.stringify(type.slice(0, 40))} cannot be recipients (age takes ssh-ed25519 and ssh-rsa)`;
}

/** The Ed25519 public key blob for a 32-byte key (built when a private key file is opened). */
export function ed25519Blob(key: Uint8Array): Buffer {
  return Buffer.concat([wireString('ssh-ed25519'), wireString(key)]);
}

/** The RSA public key blob for its exponent and modulus. */
export function rsaBlob(e: bigint, n: bigint): Buffer {
  return Buffer.concat([wireString('ssh-rsa'), wireMpint(e), wireMpint(n)]);
}

/** age's tag for a key: which stanza is meant for it, without saying which key it is. */
export function sshKeyTag(blob: Uint8Array): string {
  return createHash('sha256').update(blob).digest().subarray(0, 4).toString('base64').replace(/=+$/, '');
}

/** The fingerprint ssh-keygen -l prints (SHA256:…), to name a key in messages. */
export function sshFingerprint(key: SshPublicKey): string {
  return `SHA256:${createHash('sha256').update(key.blob).digest('base64').replace(/=+$/, '')}`;
}

function fail(reason: string): SshKeyParse {
  return { ok: false, reason };
}
