/**
 * `run --mask`: the child's output passes through here and every secret value is replaced
 * by `****`, also when a value arrives split across writes. Only the shortest tail that
 * could still be the start of a secret is held back, so ordinary output (a prompt, say)
 * is never delayed.
 */
import type { Readable } from 'node:stream';
import type { Output } from '../io/io.js';
import { isSecretLike } from '../rules/secret-floor.js';
import type { EnvValue } from './env.js';

/** Where masked or piped output goes. */
export type Sink = Pick<Output, 'write'>;

export const MASK = '****';

export class Masker {
  readonly #secrets: string[];
  readonly #prefixes = new Set<string>();
  readonly #longest: number;
  /** Text received but not written yet: a tail that may still become a secret. */
  #carry = '';
  /** How many characters at the start of #carry belong to a secret already written as ****. */
  #masking = 0;

  /** Secrets are compared as bytes (latin1 strings of their UTF-8), so any output is safe to scan. */
  constructor(values: Iterable<string>, minLength = 4) {
    const unique = new Set<string>();
    for (const v of values) if ([...v].length >= minLength) unique.add(Buffer.from(v, 'utf8').toString('latin1'));
    this.#secrets = [...unique].sort((a, b) => b.length - a.length);
    this.#longest = this.#secrets[0]?.length ?? 0;
    for (const s of this.#secrets) for (let k = 1; k < s.length; k++) this.#prefixes.add(s.slice(0, k));
  }

  /** Masks a chunk; returns what is safe to write now. */
  push(chunk: Uint8Array): Buffer {
    return this.#emit(this.#carry + Buffer.from(chunk).toString('latin1'), false);
  }

  /** The rest, at end of stream. */
  end(): Buffer {
    return this.#emit(this.#carry, true);
  }

  /**
   * Every occurrence of every secret is masked; overlapping occurrences merge into one
   * `****`. Text up to `cut` is written; the tail after it is kept while it could still be
   * the start of a secret. A masked run that crosses `cut` goes on being suppressed in the
   * next call (#masking), so a secret split across writes never leaks a byte.
   */
  #emit(text: string, final: boolean): Buffer {
    const cut = final ? text.length : text.length - this.#holdback(text);
    const ranges = this.#merged(text);
    let out = '';
    let pos = 0;
    let masking = 0;
    for (const { start, end, continued } of ranges) {
      if (start >= cut) {
        // Nothing written this time (cut at 0): the run being masked stays pending, not forgotten.
        if (continued) masking = end - cut;
        break;
      }
      out += text.slice(pos, start) + (continued ? '' : MASK);
      pos = Math.min(end, cut);
      if (end > cut) masking = end - cut;
    }
    if (pos < cut) out += text.slice(pos, cut);
    this.#carry = text.slice(cut);
    this.#masking = masking;
    return Buffer.from(out, 'latin1');
  }

  /** Occurrences of secrets (plus the run still being masked), merged where they overlap. */
  #merged(text: string): Array<{ start: number; end: number; continued: boolean }> {
    const ranges: Array<[number, number]> = [];
    if (this.#masking > 0) ranges.push([0, this.#masking]);
    for (const secret of this.#secrets) {
      for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + 1)) ranges.push([at, at + secret.length]);
    }
    ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const merged: Array<{ start: number; end: number; continued: boolean }> = [];
    for (const [start, end] of ranges) {
      const last = merged.at(-1);
      if (last !== undefined && start < last.end) last.end = Math.max(last.end, end);
      else merged.push({ start, end, continued: this.#masking > 0 && start === 0 && merged.length === 0 });
    }
    return merged;
  }

  /** Length of the longest tail of `text` that is a proper prefix of some secret. */
  #holdback(text: string): number {
    for (let k = Math.min(this.#longest - 1, text.length); k > 0; k--) {
      if (this.#prefixes.has(text.slice(text.length - k))) return k;
    }
    return 0;
  }
}

/** Pipes a child's stream through a masker into `to`, resolving when the stream ends. */
export function pipeMasked(masker: () => Masker): (from: Readable, to: Sink) => Promise<void> {
  return (from, to) =>
    new Promise((resolve) => {
      const m = masker();
      from.on('data', (chunk: Buffer) => {
        const out = m.push(chunk);
        if (out.length > 0) to.write(out);
      });
      from.on('end', () => {
        const out = m.end();
        if (out.length > 0) to.write(out);
        resolve();
      });
      from.on('error', () => resolve());
    });
}

/** A value to hide, and whether the user named its key (--mask-keys) rather than the floor choosing it. */
export interface MaskedValue {
  readonly value: string;
  readonly forced: boolean;
}

/**
 * What `--mask` and CI masking hide: every value that was encrypted in its file and is above
 * the secret floor (rules/secret-floor.ts: not `3000`, `true`, `production`, nor anything
 * under 6 characters), and every non-empty value of a key in `forcedKeys`. Values a rule
 * keeps in clear are not secrets and are never masked unless forced.
 */
export function valuesToMask(values: ReadonlyMap<string, EnvValue>, forcedKeys: ReadonlySet<string>): MaskedValue[] {
  const out: MaskedValue[] = [];
  for (const [name, { value, secret }] of values) {
    if (forcedKeys.has(name) ? value !== '' : secret && isSecretLike(value)) out.push({ value, forced: forcedKeys.has(name) });
  }
  return out;
}

/**
 * GitHub Actions workflow commands that register the values as secrets, so the runner masks
 * them in the job's log. The runner masks a multi-line value only line by line, so each line
 * is registered on its own (lines under the floor are skipped unless the key was forced: a
 * `}` would otherwise be masked everywhere), escaped as workflow commands require.
 */
export function githubMaskCommands(values: readonly MaskedValue[]): string {
  const lines = new Set<string>();
  for (const { value, forced } of values) {
    for (const raw of value.split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (forced ? line.trim() !== '' : isSecretLike(line)) lines.add(line);
    }
  }
  return [...lines].map((line) => `::add-mask::${escapeWorkflowValue(line)}\n`).join('');
}

/** Workflow command data: `%`, CR and LF escaped (`%25`, `%0D`, `%0A`). */
export function escapeWorkflowValue(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
