/**
 * `envseal get [KEY] [-f FILE]`: one value, raw, then a newline (maps and lists print as JSON).
 * Without KEY, every value: `KEY=value` lines for a .env (quoted as dotenv reads them back),
 * JSON for YAML and JSON files, JSON for any file with --json.
 */
import { formatNamed } from '../../formats/index.js';
import { jsonValueText } from '../../formats/json.js';
import { scalarToText } from '../../formats/scalar-text.js';
import { getAllValues, getValue } from '../../ops/values.js';
import type { MapNode } from '../../tree.js';
import { defineCommand } from './define.js';
import { ctxFor } from './env.js';
import { fileOption, inputFormatOption, jsonOption } from './options.js';

export const getCommand = defineCommand({
  command: 'get [key]',
  describe: 'print one decrypted value (or all of them)',
  positionals: { key: { type: 'string', describe: 'KEY, db.password or ["db"]["password"]; none: every value' } },
  options: { file: fileOption, 'input-format': inputFormatOption, json: jsonOption },
  examples: [
    ['$0 get DATABASE_URL', 'print one value of .env'],
    ['$0 get db.password -f secrets.yaml', 'a nested value of a YAML file'],
    ['$0 get --json', 'every value of .env as JSON'],
  ],
  async handler(env, args) {
    const ctx = ctxFor(env, args.config);
    if (args.key === undefined) {
      const { doc, format } = await getAllValues(ctx, args.file, args.inputFormat);
      const entries: MapNode = { kind: 'map', items: doc.items.filter((i) => i.kind === 'entry') };
      env.io.stdout.write(!args.json && format === 'dotenv' ? formatNamed('dotenv').emitPlain([entries], undefined, args.file) : `${jsonValueText(entries, args.file)}\n`);
      return;
    }
    const value = await getValue(ctx, args.file, args.key, args.inputFormat);
    const text = value.kind === 'map' || value.kind === 'list' || args.json ? jsonValueText(value, args.file) : value.kind === 'null' ? '' : scalarToText(value);
    env.io.stdout.write(`${text}\n`);
  },
});
