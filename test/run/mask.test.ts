import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MASK, Masker } from '../../src/run/mask.js';

function maskAll(secrets: string[], chunks: string[]): string {
  const m = new Masker(secrets);
  let out = '';
  for (const c of chunks) out += m.push(Buffer.from(c, 'utf8')).toString('utf8');
  return out + m.end().toString('utf8');
}

/** Reference: every occurrence of every secret, overlapping ones merged, each run → MASK. */
function reference(secrets: string[], text: string): string {
  const ranges: Array<[number, number]> = [];
  for (const s of secrets.filter((x) => [...x].length >= 4)) {
    for (let at = text.indexOf(s); at !== -1; at = text.indexOf(s, at + 1)) ranges.push([at, at + s.length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let pos = 0;
  let current: [number, number] | undefined;
  for (const r of ranges) {
    if (current !== undefined && r[0] < current[1]) current[1] = Math.max(current[1], r[1]);
    else {
      if (current !== undefined) {
        out += text.slice(pos, current[0]) + MASK;
        pos = current[1];
      }
      current = [r[0], r[1]];
    }
  }
  if (current !== undefined) {
    out += text.slice(pos, current[0]) + MASK;
    pos = current[1];
  }
  return out + text.slice(pos);
}

describe('masking secret values in a stream', () => {
  it('replaces every value longer than 3 characters, also split across writes', () => {
    const text = 'token=s3cr3t-token and again s3cr3t-token; pin=123';
    expect(maskAll(['s3cr3t-token', '123'], [text])).toBe(`token=${MASK} and again ${MASK}; pin=123`);
    expect(maskAll(['s3cr3t-token'], [...text])).toBe(`token=${MASK} and again ${MASK}; pin=123`);
  });

  it('merges overlapping secrets and never lets a byte of one through', () => {
    expect(maskAll(['abcd', 'cdefgh'], ['xxabcdef', 'ghyy'])).toBe(`xx${MASK}yy`);
    expect(maskAll(['aaaa'], ['aaaaaaaaaa', 'b'])).toBe(`${MASK}b`);
  });

  it('does not hold back output that cannot start a secret', () => {
    const m = new Masker(['secret-value']);
    expect(m.push(Buffer.from('Password: ')).toString()).toBe('Password: ');
    expect(m.push(Buffer.from('sec')).toString()).toBe('');
    expect(m.push(Buffer.from('ond line\n')).toString()).toBe('second line\n');
  });

  it('keeps masking a secret across an empty write that leaves only its tail held back', () => {
    // Found by the property below: "bac\n" written, the "\n" held back (it starts "\naaa"),
    // then an empty write forgot the "\n" was still part of the masked "bac\n".
    const m = new Masker(['\naaa', 'bac\n']);
    const out = [m.push(Buffer.from('bac\n')), m.push(Buffer.alloc(0)), m.end()];
    expect(Buffer.concat(out).toString()).toBe(MASK);
  });

  it('gives the same result however the output is cut', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', 'd', 'é', '\n');
    fc.assert(
      fc.property(
        fc.array(fc.array(alphabet, { minLength: 4, maxLength: 8 }).map((a) => a.join('')), { minLength: 1, maxLength: 4 }),
        fc.array(alphabet, { maxLength: 60 }).map((a) => a.join('')),
        fc.array(fc.nat({ max: 100 }), { maxLength: 10 }),
        (secrets, text, cuts) => {
          const bytes = Buffer.from(text, 'utf8');
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
          const m = new Masker(secrets);
          const parts: Buffer[] = [];
          let last = 0;
          for (const p of [...points, bytes.length]) {
            parts.push(m.push(bytes.subarray(last, p)));
            last = p;
          }
          parts.push(m.end());
          const chunked = Buffer.concat(parts).toString('utf8');
          expect(chunked).toBe(reference(secrets, text));
          for (const s of secrets) expect(chunked).not.toContain(s);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
