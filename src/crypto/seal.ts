/**
 * Sealing and opening whole documents: applies the encryption rule to every leaf,
 * encrypts or decrypts it with the data key and its path as AAD, and computes the MAC
 * over the plaintext (sops.go Tree.Encrypt / Tree.Decrypt). Pure given the key.
 */
import { randomBytes } from 'node:crypto';
import { IntegrityError } from '../errors.js';
import { aadFor, mapLeaves, type Comment, type Leaf, type LeafContext, type MapNode, type Place, type Scalar } from '../tree.js';
import { asBuffer, b64encode, decryptEnc, encryptText, IV_LENGTH, looksEncrypted, parseEnc } from './enc-value.js';
import { MacBuilder } from './mac.js';
import { compileRule, type EncryptionRule } from '../rules/rules.js';
import { isUtf8 } from 'node:buffer';
import { scalarFromText, scalarText, utf8 } from '../formats/go-scalars.js';
import type { IvStash } from './stash.js';

export interface SealPolicy {
  readonly rule: EncryptionRule;
  readonly macOnlyEncrypted: boolean;
  /**
   * Whether comments the rule covers are encrypted. sops encrypts them; envseal keeps
   * comments readable unless the file already had encrypted comments or its rule is a
   * comment regex (README "Comments").
   */
  readonly encryptComments: boolean;
}

export interface SealResult {
  readonly docs: MapNode[];
  /** The MAC as 128 upper-case hex characters (not yet encrypted). */
  readonly macHex: string;
  /** How many values were written as ENC[...] (empty values excluded). */
  readonly encryptedCount: number;
}

export function sealDocuments(
  docs: readonly MapNode[],
  key: Uint8Array,
  policy: SealPolicy,
  stash: IvStash,
): SealResult {
  const shouldEncrypt = compileRule(policy.rule);
  const mac = new MacBuilder(policy.macOnlyEncrypted);
  const ivs = new IvGuard();
  let encryptedCount = 0;
  const seal = (leaf: Leaf, ctx: LeafContext, doc: number): Leaf => {
    const encrypted = shouldEncrypt(ctx);
    const at: Where = { doc, place: ctx.place, aad: aadFor(ctx.path) };
    if (leaf.kind === 'comment') {
      if (!encrypted || !policy.encryptComments || leaf.text === '') return leaf;
      const sealed = encryptLeaf(key, stash, ivs, at, 'comment', leaf.text);
      // In a list, sops keeps what its cipher returns: a string item, not a comment line.
      return ctx.inList ? { kind: 'str', value: sealed, src: leaf.src } : { ...leaf, text: sealed };
    }
    const { type, text } = scalarText(leaf);
    if (!policy.macOnlyEncrypted || encrypted) addToMac(mac, leaf, text);
    if (!encrypted) return leaf;
    if (text === '') return { kind: 'str', value: '', src: leaf.src };
    encryptedCount += 1;
    const sealed = leaf.kind === 'bytes' ? encryptRaw(key, stash, ivs, at, leaf.value) : encryptLeaf(key, stash, ivs, at, type, text);
    return { kind: 'str', value: sealed, src: leaf.src };
  };
  const sealed = docs.map((doc, index) => mapLeaves(doc, (leaf, ctx) => seal(leaf, ctx, index)));
  return { docs: sealed, macHex: mac.hex(), encryptedCount };
}

/** Where a leaf is: its document, its place in it (the stash key), and its AAD. */
interface Where {
  readonly doc: number;
  readonly place: readonly Place[];
  readonly aad: string;
}

/**
 * No IV is used twice under one data key with a different message (AES-GCM nonce reuse gives
 * away the XOR of the plaintexts and the authentication key). Sealing draws a fresh IV
 * whenever a stashed one is already taken; opening refuses a file in which one IV carries two
 * different ciphertexts (the same value twice, as sops's own IV cache can write, is harmless).
 */
class IvGuard {
  /** By IV: what it carried (empty for a fresh seal), as the AAD and the stored ENC value. */
  readonly #seen = new Map<string, { readonly aad: string; readonly sealed: string }>();

  /** The IV to seal with: the stashed one unless another leaf already used it. */
  fresh(stashed: Uint8Array | undefined): Uint8Array {
    const iv = stashed !== undefined && !this.#seen.has(b64encode(stashed)) ? stashed : new Uint8Array(randomBytes(IV_LENGTH));
    this.#seen.set(b64encode(iv), FRESH);
    return iv;
  }

  /** Records an opened value's IV; false when the IV already carried something else. */
  opened(iv: Uint8Array, aad: string, sealed: string): boolean {
    const id = b64encode(iv);
    const before = this.#seen.get(id);
    this.#seen.set(id, { aad, sealed });
    // The same ciphertext under the same AAD is the same message, whatever its type says.
    return before === undefined || (before.aad === aad && withoutType(before.sealed) === withoutType(sealed));
  }
}

const FRESH = { aad: '', sealed: '' };

/** Only compared when two values share an IV, so a 10,000-value file builds no copies. */
function withoutType(sealed: string): string {
  return sealed.replace(/,type:[^\]]*\]$/, '');
}

function encryptLeaf(key: Uint8Array, stash: IvStash, ivs: IvGuard, at: Where, type: string, text: string): string {
  const iv = ivs.fresh(stash.lookup(at.doc, at.place, type, text));
  return encryptText(key, iv, at.aad, type, utf8(text));
}

/**
 * Raw bytes (not UTF-8) as a `type:str` value, as sops stores a Go string. Their IV is
 * remembered under a stash type no sops value has, so it never serves a different message.
 */
function encryptRaw(key: Uint8Array, stash: IvStash, ivs: IvGuard, at: Where, raw: Uint8Array): string {
  const iv = ivs.fresh(stash.lookup(at.doc, at.place, RAW_STASH_TYPE, b64encode(raw)));
  return encryptText(key, iv, at.aad, 'str', raw);
}

const RAW_STASH_TYPE = 'str-raw';

export interface OpenOptions {
  /**
   * What to do with a leaf the rule says is encrypted but that holds plaintext (a line
   * added to a sealed file by hand): `reject` it as tampering, or `collect` it so
   * `encrypt` can seal it. Collected leaves are left out of the MAC.
   */
  readonly plaintextLeaves: 'reject' | 'collect';
}

export interface OpenResult {
  readonly docs: MapNode[];
  readonly macHex: string;
  /** Paths of collected plaintext leaves (see {@link OpenOptions}). */
  readonly plaintextPaths: readonly (readonly string[])[];
  /** Whether any comment was stored encrypted (then re-sealing encrypts comments too). */
  readonly hadEncryptedComments: boolean;
}

/**
 * Decrypts every value the rule says is encrypted and computes the MAC. `stash` records
 * each IV for a later re-encryption; pass null when nothing will be written (run, get).
 */
export function openDocuments(
  docs: readonly MapNode[],
  key: Uint8Array,
  policy: Pick<SealPolicy, 'rule' | 'macOnlyEncrypted'>,
  stash: IvStash | null,
  options: OpenOptions = { plaintextLeaves: 'reject' },
): OpenResult {
  const shouldEncrypt = compileRule(policy.rule);
  const mac = new MacBuilder(policy.macOnlyEncrypted);
  const plaintextPaths: string[][] = [];
  const ivs = new IvGuard();
  let hadEncryptedComments = false;
  const open = (leaf: Leaf, ctx: LeafContext, doc: number): Leaf => {
    const encrypted = shouldEncrypt(ctx);
    const at: Where = { doc, place: ctx.place, aad: aadFor(ctx.path) };
    if (leaf.kind === 'comment') {
      if (!encrypted) return leaf;
      const opened = openComment(leaf, key, stash, ivs, at);
      if (opened !== leaf) hadEncryptedComments = true;
      return opened;
    }
    if (!encrypted) {
      if (!policy.macOnlyEncrypted) addToMac(mac, leaf, scalarText(leaf).text);
      return leaf;
    }
    if (leaf.kind === 'str' && leaf.value === '') return leaf;
    if (leaf.kind !== 'str' || !looksEncrypted(leaf.value)) {
      if (options.plaintextLeaves === 'collect') {
        plaintextPaths.push([...ctx.path]);
        return leaf;
      }
      throw new IntegrityError(`value of ${describePath(ctx.path)} should be encrypted but is not`, {
        hint: 'someone edited the file by hand: run `envseal encrypt` on it to seal new values, or restore it from git',
      });
    }
    const opened = openScalar(leaf.value, key, stash, ivs, at, ctx.path, ctx.inList);
    if (opened.kind === 'comment') {
      // An encrypted comment stored as a list item: it becomes a comment again and, like
      // every comment, stays out of the MAC (sops 3.13.1 and 3.13.3; see openScalar).
      hadEncryptedComments = true;
      return { kind: 'comment', text: opened.text, src: leaf.src };
    }
    const { value, raw } = opened;
    // A string hashes as its decrypted bytes (as Go's string does, valid UTF-8 or not);
    // other types as Go formats the parsed value (`007` as an int hashes as `7`).
    if (value.kind === 'str') mac.add(raw);
    else addToMac(mac, value, scalarText(value).text);
    return leaf.src === undefined ? value : ({ ...value, src: leaf.src } as Scalar);
  };
  const opened = docs.map((doc, index) => mapLeaves(doc, (leaf, ctx) => open(leaf, ctx, index)));
  return { docs: opened, macHex: mac.hex(), plaintextPaths, hadEncryptedComments };
}

function addToMac(mac: MacBuilder, leaf: Scalar, text: string): void {
  if (leaf.kind === 'bytes') mac.add(leaf.value);
  else mac.addText(text);
}

type OpenedScalar = { kind: 'value'; value: Scalar; raw: Uint8Array } | { kind: 'comment'; text: string };

/**
 * Decrypts one stored value. Inside a list, `type:comment` gives a comment back: sops's
 * list walk stores an encrypted comment as a string item, and its cipher turns it into a
 * comment again on decryption. Whether such an item enters the MAC does not depend on the
 * file's `version`: sops 3.13.2 alone hashed it when decrypting (getsops/sops#2243, fixed by
 * #2245), while every version leaves comments out when encrypting, so the stored MAC never
 * includes it — files stamped 3.13.2 included.
 */
function openScalar(stored: string, key: Uint8Array, stash: IvStash | null, ivs: IvGuard, at: Where, path: readonly string[], inList: boolean): OpenedScalar {
  const { aad } = at;
  const parsed = parseEnc(stored);
  if (!parsed.ok) {
    throw new IntegrityError(`value of ${describePath(path)} is damaged: ${parsed.reason}`, {
      hint: 'the file was changed outside envseal; restore it from git',
    });
  }
  if (!ivs.opened(parsed.value.iv, aad, stored)) throw reusedIv(path);
  let raw: Uint8Array;
  try {
    raw = decryptEnc(key, parsed.value, aad);
  } catch {
    throw new IntegrityError(`value of ${describePath(path)} failed authentication (changed, moved or swapped)`, {
      hint: 'the file was changed outside envseal; restore it from git',
    });
  }
  const text = asBuffer(raw).toString('utf8');
  if (parsed.value.type === 'comment' && inList) {
    if (stash !== null && isUtf8(raw)) stash.remember(at.doc, at.place, 'comment', text, parsed.value.iv);
    return { kind: 'comment', text };
  }
  const scalar = scalarFromText(parsed.value.type, text, raw);
  if (scalar === null && parsed.value.type === 'comment') {
    throw new IntegrityError(`value of ${describePath(path)} is an encrypted comment, which sops writes only as a list item`);
  }
  if (scalar === null) {
    throw new IntegrityError(`value of ${describePath(path)} has type "${parsed.value.type}" but its content does not parse as one`);
  }
  // Remember the IV under the exact decrypted text: a re-encryption reuses it only for
  // byte-identical plaintext (same type bytes, same AAD), never for a different message.
  // Plaintext that is not valid UTF-8 is kept as raw bytes (a `bytes` leaf) and stashed under
  // its own key (see encryptRaw).
  if (stash !== null && isUtf8(raw)) {
    stash.remember(at.doc, at.place, parsed.value.type === 'int64' ? 'int' : parsed.value.type, text, parsed.value.iv);
  } else if (stash !== null && parsed.value.type === 'str') {
    stash.remember(at.doc, at.place, RAW_STASH_TYPE, b64encode(raw), parsed.value.iv);
  }
  return { kind: 'value', value: scalar, raw };
}

/** A comment that fails to decrypt is kept as written (sops assumes an older, unencrypted comment). */
function openComment(leaf: Comment, key: Uint8Array, stash: IvStash | null, ivs: IvGuard, at: Where): Comment {
  if (!looksEncrypted(leaf.text)) return leaf;
  const parsed = parseEnc(leaf.text);
  if (!parsed.ok || parsed.value.type !== 'comment') return leaf;
  if (!ivs.opened(parsed.value.iv, at.aad, leaf.text)) throw reusedIv(['(a comment)']);
  try {
    const raw = decryptEnc(key, parsed.value, at.aad);
    const text = Buffer.from(raw).toString('utf8');
    if (stash !== null && isUtf8(raw)) stash.remember(at.doc, at.place, 'comment', text, parsed.value.iv);
    return { ...leaf, text };
  } catch {
    return leaf;
  }
}

function reusedIv(path: readonly string[]): IntegrityError {
  return new IntegrityError(`value of ${describePath(path)} reuses the IV of another value with a different ciphertext`, {
    hint: 'no sops or envseal writes that: the file was tampered with; restore it from git',
  });
}

/** A key path for messages: `db.password`, or `(top level)` for the document itself. */
export function describePath(path: readonly string[]): string {
  return path.length === 0 ? '(top level)' : JSON.stringify(path.join('.'));
}
