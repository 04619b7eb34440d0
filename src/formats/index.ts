/**
 * Choosing the format of a file: `--format` when given, otherwise the name. `.yaml`/`.yml`
 * is YAML, `.json` JSON, and `.env`, `.env.*` and `*.env` dotenv. (sops itself calls
 * `.env.production` binary; the README shows `sops --input-type dotenv` for those.)
 */
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import { dotenvFormat } from './dotenv.js';
import { FORMAT_NAMES, type Format, type FormatName } from './format.js';
import { jsonFormat } from './json.js';
import { yamlFormat } from './yaml.js';

const FORMATS: Readonly<Record<FormatName, Format>> = { dotenv: dotenvFormat, yaml: yamlFormat, json: jsonFormat };

export function formatNamed(name: FormatName): Format {
  return FORMATS[name];
}

export function detectFormat(path: string): FormatName | null {
  const name = basename(path);
  if (/\.ya?ml$/i.test(name)) return 'yaml';
  if (/\.json$/i.test(name)) return 'json';
  if (name === '.env' || name.startsWith('.env.') || name.endsWith('.env')) return 'dotenv';
  return null;
}

export function formatFor(path: string, override?: string): Format {
  if (override !== undefined) {
    if (!(FORMAT_NAMES as readonly string[]).includes(override)) {
      throw new UsageError(`unknown format "${override}" (choose dotenv, yaml or json)`);
    }
    return FORMATS[override as FormatName];
  }
  const detected = detectFormat(path);
  if (detected === null) {
    throw new UsageError(`cannot tell the format of ${path} from its name`, {
      file: path,
      hint: 'pass --format dotenv, yaml or json',
    });
  }
  return FORMATS[detected];
}

export type { Format, FormatName };
