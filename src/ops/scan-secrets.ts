/**
 * What `scan` knows that no other scanner does: the team's real secret values. Each sops file
 * is examined once — parsed, its data key unwrapped with the user's identities, its values
 * decrypted and its MAC checked — which tells at the same time whether it is damaged and which
 * values to look for elsewhere (each in its forms: rules/secret-forms.ts; only values above
 * the floor: rules/secret-floor.ts; values a rule keeps in clear are not secrets).
 *
 * Identities are passed in: the pre-commit guard finds them without any prompt
 * (ops/identities.ts). Data keys are remembered by the wrapped entries they came from, so
 * the many versions of a file in history that share a data key cost one unwrap.
 */
import { unwrapDataKey, type AnyIdentity, type UnwrapResult } from '../crypto/data-key.js';
import { EnvsealError } from '../errors.js';
import { detectFormat } from '../formats/index.js';
import { scalarText } from '../formats/go-scalars.js';
import { parseMetadata } from '../metadata/codec.js';
import type { Metadata } from '../metadata/model.js';
import { isSecretLike } from '../rules/secret-floor.js';
import { formsOf, NeedleIndex } from '../rules/secret-forms.js';
import { leavesOf } from '../tree-path.js';
import { isScalar, type MapNode } from '../tree.js';
import { valuePrint } from './baseline.js';
import type { Ctx } from './context.js';
import type { SecretOwner } from './scan-findings.js';
import { keyName } from './history.js';
import { loadedFromBytes, type LoadedFile } from './load.js';
import { decryptWithKey } from './open.js';
import { pooled } from './batch.js';
import { repoPath, repositoryFiles } from './repository.js';

/** Every sops file holds at least this (its MAC is always encrypted). */
export const SEALED_MARK = 'ENC[AES256_GCM,';

/** One decrypted value of a file that was stored encrypted. */
export interface SealedValue {
  readonly key: string;
  readonly value: string;
}

export type SopsState =
  /** Not a sops file: no metadata and no encrypted value. */
  | { readonly kind: 'plain' }
  /** A sops file none of the identities opens. */
  | { readonly kind: 'locked' }
  /** Opened; `damage` says what is wrong with it, if anything (a MAC that does not match). */
  | { readonly kind: 'opened'; readonly values: readonly SealedValue[]; readonly dataKey: Uint8Array; readonly damage: string | null }
  /** Cannot be what it claims: encrypted values without metadata, a sops block that does not parse, a value that fails authentication. */
  | { readonly kind: 'damaged'; readonly damage: string; readonly line?: number | undefined };

/**
 * Data keys unwrapped with a fixed set of identities, remembered by the entries they came
 * from. X25519 identities are read once (not once per file: each read derives a public key).
 */
export class Keyring {
  private readonly cache = new Map<string, Promise<UnwrapResult>>();

  constructor(readonly identities: readonly AnyIdentity[]) {}

  unwrap(metadata: Metadata): Promise<UnwrapResult> {
    const id = JSON.stringify([metadata.shamirThreshold, metadata.keyGroups.map((g) => g.age.map((k) => k.enc))]);
    let found = this.cache.get(id);
    if (found === undefined) {
      // unwrapDataKey tries the built-in X25519/SSH reader first, importing nothing for it.
      found = unwrapDataKey(metadata, this.identities);
      this.cache.set(id, found);
    }
    return found;
  }
}

/**
 * Examines one text of a file named `display`: plain (also any name that is not dotenv, YAML
 * or JSON), locked, opened or damaged. Warnings (labels, an ignored MAC) are not printed: the scan reports.
 */
export async function examineText(ctx: Ctx, keyring: Keyring, display: string, abs: string, bytes: Uint8Array): Promise<{ state: SopsState; loaded: LoadedFile | null }> {
  const text = Buffer.from(bytes).toString('utf8');
  // Only dotenv, YAML and JSON files can be sops files envseal reads (source code that mentions ENC[ is text).
  if (detectFormat(display) === null || !text.includes('ENC[')) return { state: { kind: 'plain' }, loaded: null };
  const quiet: Ctx = { ...ctx, warn: () => undefined };
  let loaded: LoadedFile;
  try {
    loaded = loadedFromBytes(quiet, display, abs, bytes);
  } catch (err) {
    if (!text.includes(SEALED_MARK)) return { state: { kind: 'plain' }, loaded: null };
    const line = err instanceof EnvsealError ? err.line : undefined;
    return { state: { kind: 'damaged', damage: `holds encrypted values but does not parse${err instanceof EnvsealError ? ` (${err.message})` : ''}`, line }, loaded: null };
  }
  if (loaded.parsed.metadata === undefined) {
    const sealed = loaded.parsed.docs.some((doc) => leavesOf(doc).some(({ node }) => node.kind === 'str' && node.value.startsWith(SEALED_MARK)));
    return { state: sealed ? { kind: 'damaged', damage: 'holds encrypted values but no sops metadata (it was cut off or removed)' } : { kind: 'plain' }, loaded };
  }
  let metadata: Metadata;
  try {
    metadata = parseMetadata(loaded.parsed.metadata, abs);
  } catch (err) {
    return { state: { kind: 'damaged', damage: `its sops metadata does not parse${err instanceof EnvsealError ? ` (${err.message})` : ''}` }, loaded };
  }
  const key = await keyring.unwrap(metadata);
  if (!key.ok) return { state: key.reason === 'damaged' ? { kind: 'damaged', damage: 'a wrapped data key is damaged' } : { kind: 'locked' }, loaded };
  try {
    const opened = decryptWithKey(quiet, loaded, metadata, key.dataKey, { readOnly: true, ignoreMac: true });
    const damage = opened.macValid ? null : 'its MAC does not match its values (changed outside envseal and sops)';
    return { state: { kind: 'opened', values: sealedValues(loaded.parsed.docs, opened.docs), dataKey: key.dataKey, damage }, loaded };
  } catch (err) {
    if (err instanceof EnvsealError) return { state: { kind: 'damaged', damage: err.message }, loaded };
    throw err;
  }
}

/** The values that were stored encrypted, decrypted, as text (`db.password` → its text). */
function sealedValues(stored: readonly MapNode[], opened: readonly MapNode[]): SealedValue[] {
  const out: SealedValue[] = [];
  stored.forEach((doc, d) => {
    const plain = leavesOf(opened[d] as MapNode);
    leavesOf(doc).forEach(({ path, node }, i) => {
      if (node.kind !== 'str' || !node.value.startsWith('ENC[')) return;
      const twin = plain[i]?.node;
      if (twin === undefined || !isScalar(twin) || twin.kind === 'bytes') return;
      out.push({ key: keyName(d, path), value: scalarText(twin).text });
    });
  });
  return out;
}

/** The needles for the values above the floor of one version of a secret's file. */
export function addSecrets(index: NeedleIndex<SecretOwner>, seen: Set<string>, from: { readonly file: string; readonly values: readonly SealedValue[]; readonly dataKey: Uint8Array; readonly past: boolean }): void {
  for (const { key, value } of from.values) {
    if (!isSecretLike(value)) continue;
    let owner: SecretOwner | null = null;
    for (const { form, text } of formsOf(value)) {
      if (seen.has(text)) continue; // first owner wins: current values are added before past ones
      seen.add(text);
      owner ??= { file: from.file, key, past: from.past, print: valuePrint(from.dataKey, from.file, key, value) };
      index.add({ text, form, owner });
    }
  }
}

/** A text of a file, examined. */
export interface Examined {
  /** Relative to the top of the work tree. */
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly state: SopsState;
  readonly loaded: LoadedFile | null;
}

/** The repository's sops files as they are in the working tree, examined. */
export interface KnownSecrets {
  readonly index: NeedleIndex<SecretOwner>;
  /** Texts already added (so later sources do not add a value twice). */
  readonly seen: Set<string>;
  /** abs → what the file is, for files that hold anything encrypted. */
  readonly examined: Map<string, Examined>;
}

/**
 * Every sops file of the work tree `root` (what git would commit, plus files git ignores by
 * name: an encrypted `.env` listed in .gitignore holds the team's secrets too), examined.
 */
export async function knownSecrets(ctx: Ctx, keyring: Keyring, root: string): Promise<KnownSecrets> {
  const { files } = await repositoryFiles(ctx, root);
  const index = new NeedleIndex<SecretOwner>();
  const seen = new Set<string>();
  const examined: KnownSecrets['examined'] = new Map();
  const results = await pooled(files, 8, async (abs) => {
    let bytes: Uint8Array;
    try {
      bytes = await ctx.io.fs.readFile(abs);
    } catch {
      return null; // deleted meanwhile, or not readable: not a source of values
    }
    const file = repoPath(root, abs);
    return { abs, file, bytes, ...(await examineText(ctx, keyring, file, abs, bytes)) };
  });
  for (const r of results) {
    if (r === null || r.state.kind === 'plain') continue;
    examined.set(r.abs, { file: r.file, bytes: r.bytes, state: r.state, loaded: r.loaded });
    const { state } = r;
    if (state.kind === 'opened') addSecrets(index, seen, { file: r.file, values: state.values, dataKey: state.dataKey, past: false });
  }
  return { index, seen, examined };
}
