/**
 * Opening a file synchronously, for `config()` (which, like dotenv's, does not return a
 * promise). Same checks as the async path: MAC verified, every value authenticated. Only
 * X25519 identities can be used here (post-quantum ones, passphrase-protected key files
 * and prompts need the async `load()`).
 */
import { x25519Identity } from '../crypto/age-x25519.js';
import { unwrapDataKeySync } from '../crypto/data-key.js';
import { toIoError } from '../errors.js';
import { formatFor, type Format } from '../formats/index.js';
import { findIdentitiesSync, type SyncKeySourceHost } from '../keys/discovery.js';
import { parseMetadata } from '../metadata/codec.js';
import { allAgeKeys } from '../metadata/model.js';
import type { MapNode } from '../tree.js';
import { decryptVerified, macError, unwrapError } from './open-common.js';

export interface SyncWorld extends SyncKeySourceHost {
  readonly cwd: string;
  resolve(path: string): string;
  warn(message: string): void;
}

export interface OpenedSync {
  readonly format: Format;
  /** The documents as stored (ENC values): tells which values were secret. */
  readonly stored: MapNode[];
  readonly docs: MapNode[];
  readonly encrypted: boolean;
}

export function openFileSync(world: SyncWorld, display: string, formatOverride?: string): OpenedSync {
  const format = formatFor(display, formatOverride);
  const abs = world.resolve(display);
  let bytes: Uint8Array;
  try {
    bytes = world.readFileSync(abs);
  } catch (err) {
    throw toIoError(err, 'read', abs);
  }
  const parsed = format.parse(Buffer.from(bytes).toString('utf8'), abs, world.warn);
  if (parsed.metadata === undefined) return { format, stored: parsed.docs, docs: parsed.docs, encrypted: false };
  const metadata = parseMetadata(parsed.metadata, abs);
  const discovery = findIdentitiesSync(world, { recipientHint: allAgeKeys(metadata)[0]?.recipient });
  for (const warning of discovery.warnings) world.warn(warning);
  const x25519 = discovery.identities.flatMap((id) => x25519Identity(id) ?? []);
  const result = unwrapDataKeySync(metadata, x25519);
  if (!result.ok) throw unwrapError(abs, metadata, discovery, result);
  const opened = decryptVerified(abs, parsed.docs, result.dataKey, metadata, null);
  if (opened.macProblem !== null) throw macError(abs, opened.macProblem);
  return { format, stored: parsed.docs, docs: opened.docs, encrypted: true };
}
