/** YAML (placeholder until the YAML format lands): reads the metadata block only. */
import { parseAllDocuments } from 'yaml';
import { ParseError } from '../errors.js';
import type { RawValue } from '../metadata/model.js';
import type { Format } from './format.js';

export const yamlFormat: Format = {
  name: 'yaml',
  parse(text) {
    const docs = parseAllDocuments(text);
    const first = Array.isArray(docs) ? docs[0] : undefined;
    const js = first?.toJS() as Record<string, RawValue> | undefined;
    return { format: 'yaml', docs: [], metadata: js?.['sops'] };
  },
  emitEncrypted(_docs, _meta, _original, file: string) {
    throw new ParseError('YAML files are not supported yet', { file });
  },
  emitPlain(_docs, _original, file) {
    throw new ParseError('YAML files are not supported yet', { file });
  },
};
