/**
 * `envseal import FILE`: a dotenvx-encrypted .env becomes a sops file. Each `encrypted:` value
 * is opened with the file's private key (dotenvx's places: the DOTENV_PRIVATE_KEY… variable,
 * else `.env.keys` beside the file, or `--keys FILE`), checked against the file's
 * DOTENV_PUBLIC_KEY…, and the plaintext is sealed for the rule's recipients or `--age`, as
 * `encrypt` seals a plaintext file. dotenvx's public key line and banner comments go; other
 * comments, order and plain values stay. Values are taken literally (no `$VAR` expansion, as
 * everywhere in envseal). One turn under the file's lock; nothing is written unless every
 * value opened.
 */
import { basename, dirname, join } from 'node:path';
import { ConfigError, IntegrityError, IoError, UsageError } from '../errors.js';
import { dotenvxPublicKey, openDotenvxValue } from '../crypto/dotenvx.js';
import { parsePlainDotenv } from '../formats/dotenv-plain.js';
import { decodeUtf8 } from '../formats/utf8.js';
import { resolveFromCwd } from '../paths.js';
import type { MapItem, MapNode } from '../tree.js';
import { count, printable } from '../text.js';
import type { Ctx } from './context.js';
import { encryptPlain } from './encrypt.js';
import { registerSopsFile } from './git-setup.js';
import { loadFileAsItIs, type LoadedFile } from './load.js';
import type { PlanFlags } from './plan.js';
import { DOTENVX_PUBLIC_KEY, refuseStrayCiphertext, strayCiphertext } from './stray-ciphertext.js';

export interface ImportFlags extends PlanFlags {
  /** dotenvx's keys file; default `.env.keys` beside the file. */
  readonly keys?: string | undefined;
}

export interface Imported {
  readonly display: string;
  /** The sops file. */
  readonly text: string;
  /** What was done, for the status line. */
  readonly summary: string;
  /** Where the private key came from (a variable's name or the keys file), never the key. */
  readonly keySource: string;
}

export async function importDotenvx(ctx: Ctx, file: string, flags: ImportFlags, options: { write: boolean }): Promise<Imported> {
  const turn = async (): Promise<Imported> => {
    const loaded = await loadFileAsItIs(ctx, file, 'dotenv');
    const result = await converted(ctx, loaded, flags);
    if (options.write) {
      await ctx.io.fs.writeFileAtomic(loaded.abs, result.text, { expected: loaded.bytes });
      await registerSopsFile(ctx, loaded.abs);
    }
    return result;
  };
  return options.write ? ctx.io.fs.withLock(resolveFromCwd(ctx, file), turn) : turn();
}

async function converted(ctx: Ctx, loaded: LoadedFile, flags: ImportFlags): Promise<Imported> {
  if (loaded.parsed.metadata !== undefined) throw new UsageError(`${loaded.display} is already a sops file; there is nothing to import`, { file: loaded.abs });
  const found = strayCiphertext(loaded.parsed);
  if (found?.kind === 'sops') refuseStrayCiphertext(loaded.parsed, loaded.abs, loaded.display);
  if (found === null) throw new UsageError(`${loaded.display} is not a dotenvx-encrypted file (no encrypted: values, no DOTENV_PUBLIC_KEY)`, { file: loaded.abs, hint: `a plaintext file is encrypted with envseal encrypt ${loaded.display}` });
  const doc = loaded.parsed.docs[0] as MapNode;
  const publicEntry = doc.items.find((i) => i.kind === 'entry' && DOTENVX_PUBLIC_KEY.test(i.key));
  const publicKey = publicEntry?.kind === 'entry' && publicEntry.value.kind === 'str' ? publicEntry.value.value : null;
  const keyName = publicEntry?.kind === 'entry' ? publicEntry.key.replace('PUBLIC', 'PRIVATE') : privateKeyNameFor(loaded.display);
  const { keys, source } = await privateKeys(ctx, loaded, keyName, flags.keys);
  const usable = publicKey === null ? keys : keys.filter((k) => dotenvxPublicKey(k) === publicKey.toLowerCase());
  if (usable.length === 0) {
    throw new ConfigError(`${keyName} in ${source} is not the private key of this file's ${publicEntry?.kind === 'entry' ? publicEntry.key : 'public key'}`, {
      file: loaded.abs,
      hint: 'point --keys at the .env.keys that belongs to this file',
    });
  }
  let opened = 0;
  const items: MapItem[] = [];
  for (const item of doc.items) {
    if (item === publicEntry || (item.kind === 'comment' && isBanner(item.text))) continue;
    if (item.kind !== 'entry' || item.value.kind !== 'str' || !item.value.value.startsWith('encrypted:')) {
      items.push(item);
      continue;
    }
    const plain = openWithAny(usable, item.value.value);
    if (plain === null) {
      throw new IntegrityError(`the value of ${printable(item.key)} does not open with ${keyName} from ${source}`, { file: loaded.abs, line: item.line, hint: 'the value was damaged, or was encrypted for another key; nothing was written' });
    }
    items.push({ ...item, value: { kind: 'str', value: decodeUtf8(plain, `the value of ${printable(item.key)}`, { isFile: false }) } });
    opened += 1;
  }
  const plaintext: LoadedFile = { ...loaded, parsed: { ...loaded.parsed, docs: [{ ...doc, items: dropLeadingBlanks(items) }] } };
  const encrypted = await encryptPlain(ctx, plaintext, flags);
  return { display: loaded.display, text: encrypted.text, keySource: source, summary: `imported ${loaded.display} from dotenvx (${count(opened, 'value')} decrypted with ${keyName} from ${source}); ${encrypted.summary}` };
}

/** dotenvx's name for a file's private key: DOTENV_PRIVATE_KEY for `.env`, DOTENV_PRIVATE_KEY_PRODUCTION for `.env.production`. */
function privateKeyNameFor(display: string): string {
  const name = basename(display);
  const environment = name.startsWith('.env.') ? name.slice('.env.'.length) : '';
  return environment === '' ? 'DOTENV_PRIVATE_KEY' : `DOTENV_PRIVATE_KEY_${environment.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The private keys to try (a value may list several, comma-separated, as dotenvx allows), and where they came from. */
async function privateKeys(ctx: Ctx, loaded: LoadedFile, keyName: string, keysFlag: string | undefined): Promise<{ keys: string[]; source: string }> {
  const split = (value: string): string[] => value.split(',').map((k) => k.trim()).filter((k) => k !== '');
  const fromEnv = ctx.io.env[keyName];
  if (fromEnv !== undefined && fromEnv !== '' && keysFlag === undefined) return { keys: split(fromEnv), source: `the ${keyName} variable` };
  const keysFile = keysFlag === undefined ? join(dirname(loaded.abs), '.env.keys') : resolveFromCwd(ctx, keysFlag);
  const shown = keysFlag ?? join(dirname(loaded.display), '.env.keys');
  const stat = await ctx.io.fs.stat(keysFile);
  if (stat === null) {
    throw new IoError(`no private key: ${keyName} is not set and there is no ${shown}`, { file: loaded.abs, hint: `point --keys at dotenvx's keys file, or set ${keyName}` });
  }
  const doc = parsePlainDotenv(decodeUtf8(await ctx.io.fs.readFile(keysFile), keysFile), keysFile);
  const entry = doc.items.find((i) => i.kind === 'entry' && i.key === keyName);
  if (entry?.kind !== 'entry' || entry.value.kind !== 'str' || entry.value.value === '') {
    throw new ConfigError(`${shown} holds no ${keyName}`, { file: keysFile, hint: `point --keys at the keys file that holds ${keyName}, or set ${keyName}` });
  }
  return { keys: split(entry.value.value), source: shown };
}

function openWithAny(keys: readonly string[], value: string): Uint8Array | null {
  for (const key of keys) {
    const plain = openDotenvxValue(key, value);
    if (plain !== null) return plain;
  }
  return null;
}

/** dotenvx's banner: comment lines framed by slashes (`#/---[DOTENV_PUBLIC_KEY]---/`, `#/ public-key encryption … /`). */
function isBanner(text: string): boolean {
  return /^\/.*\/\s*$/.test(text);
}

function dropLeadingBlanks(items: MapItem[]): MapItem[] {
  const first = items.findIndex((i) => i.kind !== 'blank');
  return first <= 0 ? items : items.slice(first);
}
