/**
 * `decrypt --format shell`: `export KEY='value'` lines a POSIX shell can `eval` or source.
 * Single quotes keep every character literal; a `'` inside is written as `'\''`.
 */
import { ParseError } from '../errors.js';
import type { MapNode } from '../tree.js';
import { scalarToText } from './scalar-text.js';

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function emitShell(docs: readonly MapNode[], file: string): string {
  let out = '';
  for (const doc of docs) {
    for (const item of doc.items) {
      if (item.kind === 'blank') out += '\n';
      else if (item.kind === 'comment') out += `#${item.text.replace(/\n/g, ' ')}\n`;
      else {
        if (!SHELL_NAME.test(item.key)) {
          throw new ParseError(`key ${JSON.stringify(item.key)} is not a valid shell variable name`, { file });
        }
        if (item.value.kind === 'map' || item.value.kind === 'list') {
          throw new ParseError(`key ${item.key} holds a nested value, which a shell variable cannot`, { file });
        }
        const text = item.value.kind === 'null' ? '' : scalarToText(item.value);
        out += `export ${item.key}=${shellQuote(text)}\n`;
      }
    }
  }
  return out;
}
