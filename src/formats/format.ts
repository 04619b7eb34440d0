/**
 * The contract every file format meets. A format turns text into the neutral tree
 * (documents plus the raw `sops` block) and back; it knows nothing about cryptography.
 *
 * Round-trip contract: `emitEncrypted(parse(t).docs, metadataOf(t), parse(t))` gives back
 * `t` byte for byte for every file the format itself wrote (and for sops's own output of
 * that format, metadata layout aside). `emitPlain` writes text that, parsed again as
 * plaintext, yields the same documents.
 *
 * Errors: a format throws {@link ParseError} with file and line for text it cannot read,
 * and for trees it cannot represent (a nested value in dotenv, say), naming the key.
 */
import type { RawMap, RawValue } from '../metadata/model.js';
import type { StoreOptions } from '../store-options.js';
import type { MapNode } from '../tree.js';

export type { StoreOptions };

export type FormatName = 'dotenv' | 'yaml' | 'json';
export const FORMAT_NAMES: readonly FormatName[] = ['dotenv', 'yaml', 'json'];

export interface ParsedFile {
  readonly format: FormatName;
  /** The documents (YAML may hold several), with the `sops` block taken out. */
  readonly docs: MapNode[];
  /** The raw `sops` block, or undefined when the file is not (yet) a sops file. */
  readonly metadata: RawValue | undefined;
  /** Format-private state that lets `emit*` keep the original layout. */
  readonly layout?: unknown;
}

export interface WarningSink {
  (message: string): void;
}

export interface Format {
  readonly name: FormatName;
  parse(text: string, file: string, warn?: WarningSink): ParsedFile;
  /** Writes a sops file: the documents with the metadata block added as sops places it. */
  emitEncrypted(docs: readonly MapNode[], metadata: RawMap, original: ParsedFile | undefined, file: string, store?: StoreOptions): string;
  /** Writes plaintext for people and loaders (decrypt output). */
  emitPlain(docs: readonly MapNode[], original: ParsedFile | undefined, file: string, store?: StoreOptions): string;
}
