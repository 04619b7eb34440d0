/**
 * The dotenv format. A file with sops metadata lines is read in the encrypted dialect
 * (sops's rules); any other file in the plaintext dialect (dotenv's rules). See
 * docs/dotenv.md for why there are two.
 */
import { ParseError } from '../errors.js';
import type { MapNode } from '../tree.js';
import { emitPlainDotenv, parsePlainDotenv } from './dotenv-plain.js';
import { emitSopsDotenvData, flattenMetadata, hasSopsMetadata, parseSopsDotenv } from './dotenv-sops.js';
import type { Format } from './format.js';
import { scalarToText } from './scalar-text.js';

export const dotenvFormat: Format = {
  name: 'dotenv',
  parse(text, file, warn) {
    if (hasSopsMetadata(text)) {
      const { doc, metadata } = parseSopsDotenv(text, file);
      return { format: 'dotenv', docs: [doc], metadata, layout: 'sops' };
    }
    return { format: 'dotenv', docs: [parsePlainDotenv(text, file, warn)], metadata: undefined, layout: 'plain' };
  },
  emitEncrypted(docs, metadata, _original, file) {
    return emitSopsDotenvData(singleDoc(docs, file), file) + flattenMetadata(metadata);
  },
  emitPlain(docs, _original, file) {
    return emitPlainDotenv(singleDoc(docs, file), file, (_key, value) => scalarToText(value));
  },
};

function singleDoc(docs: readonly MapNode[], file: string): MapNode {
  if (docs.length !== 1) {
    throw new ParseError(`a .env file holds one document, not ${docs.length}`, { file, hint: 'choose --format yaml' });
  }
  return docs[0] as MapNode;
}
