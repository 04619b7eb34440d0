/**
 * Ciphertext is never plaintext. A file with no sops metadata is read as plaintext, so a
 * sops file whose metadata was cut off (a bad merge, a truncation, `sops_*` lines deleted)
 * would hand its `ENC[AES256_GCM,…]` strings to the program as values, and `encrypt` would
 * seal them a second time; a dotenvx file (`encrypted:…` values, `DOTENV_PUBLIC_KEY`) the
 * same. Every command loads files through ops/load.ts, which asks this module first, so
 * `run`, `get`, `config()`, `decrypt` and `encrypt` all refuse such a file, saying what it is:
 * exit 5 for the damaged sops file (its integrity is gone), 6 for a dotenvx file (a format
 * envseal reads only through `envseal import`).
 */
import { IntegrityError, ParseError } from '../errors.js';
import type { ParsedFile } from '../formats/format.js';
import { printable } from '../text.js';
import type { ListNode, MapNode, Node } from '../tree.js';

export type StrayCiphertext =
  | { readonly kind: 'sops'; readonly key: string; readonly line: number | undefined }
  | { readonly kind: 'dotenvx'; readonly key: string; readonly line: number | undefined };

/** What sops writes for every encrypted value. */
const SOPS_VALUE = 'ENC[AES256_GCM,';
/**
 * What dotenvx writes for an encrypted value: `encrypted:` and the base64 of an ECIES
 * message, at least 97 bytes (65-byte ephemeral key, 16-byte nonce, 16-byte tag), so 132
 * characters; a shorter `encrypted:yes` is somebody's plain word.
 */
const DOTENVX_VALUE = /^encrypted:[A-Za-z0-9+/]{130,}={0,2}$/;
/** dotenvx's public key entry: `DOTENV_PUBLIC_KEY`, or `DOTENV_PUBLIC_KEY_PRODUCTION` for `.env.production`. */
export const DOTENVX_PUBLIC_KEY = /^DOTENV_PUBLIC_KEY(?:_[A-Za-z0-9_]+)?$/;

/** The first value that is someone's ciphertext in a file without sops metadata; null when none (or the file has metadata). */
export function strayCiphertext(parsed: ParsedFile): StrayCiphertext | null {
  if (parsed.metadata !== undefined) return null;
  let dotenvx: StrayCiphertext | null = null;
  for (const doc of parsed.docs) {
    const found = inMap(doc);
    if (found?.kind === 'sops') return found;
    dotenvx ??= found;
  }
  return dotenvx;
}

/** Throws for a file {@link strayCiphertext} finds something in. */
export function refuseStrayCiphertext(parsed: ParsedFile, file: string, display: string): void {
  const found = strayCiphertext(parsed);
  if (found === null) return;
  const key = printable(found.key);
  if (found.kind === 'sops') {
    throw new IntegrityError(`a damaged sops file: it holds encrypted values (ENC[AES256_GCM,…], the first is ${key}) but no sops metadata (cut off by a bad merge or a truncation?); envseal will not use ciphertext as values or encrypt it again`, {
      file,
      line: found.line,
      hint: `restore the whole file from git (git log -p -- ${display}, then git checkout REV -- ${display})`,
    });
  }
  const what = DOTENVX_PUBLIC_KEY.test(found.key) ? `${key}` : `encrypted:… values, the first is ${key}`;
  throw new ParseError(`a dotenvx-encrypted file (${what}); envseal will not use ciphertext as values or encrypt it again`, {
    file,
    line: found.line,
    hint: `make it a sops file with envseal import ${display} (it reads the private key from .env.keys), or decrypt it with dotenvx first`,
  });
}

function inMap(node: MapNode): StrayCiphertext | null {
  let dotenvx: StrayCiphertext | null = null;
  for (const item of node.items) {
    if (item.kind !== 'entry') continue;
    if (dotenvx === null && DOTENVX_PUBLIC_KEY.test(item.key)) dotenvx = { kind: 'dotenvx', key: item.key, line: item.line };
    const found = inNode(item.value, item.key, item.line);
    if (found?.kind === 'sops') return found;
    dotenvx ??= found;
  }
  return dotenvx;
}

function inList(node: ListNode, key: string, line: number | undefined): StrayCiphertext | null {
  let dotenvx: StrayCiphertext | null = null;
  for (const item of node.items) {
    if (item.kind === 'comment') continue;
    const found = inNode(item, key, line);
    if (found?.kind === 'sops') return found;
    dotenvx ??= found;
  }
  return dotenvx;
}

function inNode(node: Node, key: string, line: number | undefined): StrayCiphertext | null {
  switch (node.kind) {
    case 'map':
      return inMap(node);
    case 'list':
      return inList(node, key, line);
    case 'str':
      if (node.value.startsWith(SOPS_VALUE)) return { kind: 'sops', key, line };
      return DOTENVX_VALUE.test(node.value) ? { kind: 'dotenvx', key, line } : null;
    default:
      return null;
  }
}
