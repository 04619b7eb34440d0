/**
 * The yaml package, loaded on first use. It costs ~35 ms to import, and most runs never need
 * it (`envseal run` on a .env file). It is CommonJS, so a synchronous `require` works, which
 * the synchronous `config()` needs; the CLI bundle keeps it external for the same reason.
 */
import { createRequire } from 'node:module';

let loaded: typeof import('yaml') | undefined;

export function yamlLib(): typeof import('yaml') {
  loaded ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return loaded;
}

/** What the yaml package's error codes mean, in words that quote nothing from the file. */
const YAML_PROBLEMS: Readonly<Record<string, string>> = {
  BAD_INDENT: 'the indentation does not fit',
  DUPLICATE_KEY: 'a key is defined twice',
  MISSING_CHAR: 'a closing quote or bracket is missing',
  MULTILINE_IMPLICIT_KEY: 'a key runs over several lines',
  UNEXPECTED_TOKEN: 'something unexpected is there',
  BLOCK_AS_IMPLICIT_KEY: 'a block is used as a key',
  BAD_SCALAR_START: 'a value starts with a reserved character',
  TAB_AS_INDENT: 'a tab is used for indentation',
  MULTIPLE_DOCS: 'there are several documents',
  MULTIPLE_ANCHORS: 'a node has two anchors',
  MULTIPLE_TAGS: 'a node has two tags',
  BAD_ALIAS: 'an alias is malformed',
  IMPOSSIBLE: 'the structure is invalid',
};

/** A yaml error code in words (the library's own message may quote the line, which may hold a secret). */
export function yamlProblem(code: string): string {
  return `${code}: ${YAML_PROBLEMS[code] ?? 'see the YAML there'}`;
}
