/**
 * A check of sops files written in the test from sops-format.md alone, using node:crypto
 * and the `age` binary, sharing no code with envseal: the MAC is recomputed from the
 * decrypted values, and the data key comes from `age -d`.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';

export function ageDecryptDataKey(armored: string, keyFile: string): Buffer {
  return execFileSync('age', ['-d', '-i', keyFile], { input: armored, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function decryptValue(enc: string, key: Buffer, aad: string): { type: string; text: string } {
  const m = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/.exec(enc);
  if (m === null) throw new Error('not an ENC value');
  const iv = Buffer.from(m[2] as string, 'base64');
  if (iv.length !== 32) throw new Error(`iv is ${iv.length} bytes, sops writes 32`);
  const d = createDecipheriv('aes-256-gcm', key, iv);
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(Buffer.from(m[3] as string, 'base64'));
  const text = Buffer.concat([d.update(Buffer.from(m[1] as string, 'base64')), d.final()]).toString('utf8');
  return { type: m[4] as string, text };
}

export interface IndependentDotenv {
  readonly values: Record<string, string>;
  readonly macMatches: boolean;
  readonly meta: Record<string, string>;
}

/** Reads an encrypted .env by sops's rules (§6.5, §7.3) and checks its MAC (§5). */
export function checkSopsDotenv(text: string, keyFile: string): IndependentDotenv {
  const meta: Record<string, string> = {};
  const data: Array<[string, string]> = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const k = line.slice(0, eq);
    const v = line.slice(eq + 1).replace(/\\n/g, '\n');
    if (k.startsWith('sops_')) meta[k.slice(5)] = v;
    else data.push([k, v]);
  }
  const key = ageDecryptDataKey(meta['age__list_0__map_enc'] as string, keyFile);
  const hash = createHash('sha512');
  const values: Record<string, string> = {};
  for (const [k, v] of data) {
    const plain = v === '' ? '' : k.endsWith('_unencrypted') ? v : decryptValue(v, key, `${k}:`).text;
    values[k] = plain;
    hash.update(plain, 'utf8');
  }
  const stored = decryptValue(meta['mac'] as string, key, meta['lastmodified'] as string).text;
  return { values, macMatches: stored === hash.digest('hex').toUpperCase(), meta };
}
