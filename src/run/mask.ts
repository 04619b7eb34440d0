/**
 * `run --mask`: the child's output passes through here and every secret value is replaced
 * by `****`, also when a value arrives split across writes. Only the shortest tail that
 * could still be the start of a secret is held back, so ordinary output (a prompt, say)
 * is never delayed.
 */
import type { Readable } from 'node:stream';
import type { Output } from '../io/io.js';

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
      if (start >= cut) break;
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
