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
    if (override === 'ini' || override === 'binary') throw unsupportedStore(override, undefined);
    if (!(FORMAT_NAMES as readonly string[]).includes(override)) {
      throw new UsageError(`unknown format "${override}" (choose dotenv, yaml or json)`);
    }
    return FORMATS[override as FormatName];
  }
  const detected = detectFormat(path);
  if (detected === null) throw unsupportedStore(/\.ini$/i.test(basename(path)) ? 'ini' : 'binary', path);
  return FORMATS[detected];
}

/**
 * sops reads `.ini` files with its INI store and every name it does not know as a binary
 * file (the whole content is one value); envseal has neither store, and says so.
 */
function unsupportedStore(store: 'ini' | 'binary', path: string | undefined): UsageError {
  const what =
    store === 'ini'
      ? `${path ?? 'the file'} is an INI file, and envseal does not support sops's INI store`
      : path === undefined
        ? "envseal does not support sops's binary store"
        : `sops would store ${path} whole, as a binary file (its store for names it does not know), which envseal does not support`;
  return new UsageError(what, {
    file: path,
    hint: store === 'ini' ? 'keep the values in a dotenv, YAML or JSON file, or use sops for INI files' : 'if it is dotenv, YAML or JSON text, pass --input-format dotenv, yaml or json',
  });
}

export type { Format, FormatName };
