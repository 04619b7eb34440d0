import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseEnc } from '../../src/crypto/enc-value.js';
import { MAC_ONLY_ENCRYPTED_SEED, macAad } from '../../src/crypto/mac.js';
import { DEFAULT_RULE, type EncryptionRule } from '../../src/rules/rules.js';
import { openDocuments, sealDocuments, type SealPolicy } from '../../src/crypto/seal.js';
import { IvStash } from '../../src/crypto/stash.js';
import { IntegrityError } from '../../src/errors.js';
import type { Entry, MapNode, Node } from '../../src/tree.js';

const key = randomBytes(32);
const policy = (rule: EncryptionRule = DEFAULT_RULE, extra: Partial<SealPolicy> = {}): SealPolicy => ({
  rule,
  macOnlyEncrypted: false,
  encryptComments: true,
  ...extra,
});
const doc = (...items: MapNode['items']): MapNode => ({ kind: 'map', items });
const e = (k: string, value: Node): Entry => ({ kind: 'entry', key: k, value });
const s = (value: string): Node => ({ kind: 'str', value });
const c = (text: string) => ({ kind: 'comment' as const, text });
const valueOf = (d: MapNode, k: string): Node => (d.items.find((i) => i.kind === 'entry' && i.key === k) as Entry).value;
const strOf = (d: MapNode, k: string): string => (valueOf(d, k) as { value: string }).value;

describe('sealing and opening documents', () => {
  const plain = doc(
    e('password', s('hunter2')),
    e('port', { kind: 'int', value: 8080n }),
    e('note_unencrypted', s('visible')),
    e('db', { kind: 'map', items: [e('user', s('admin')), e('hosts', { kind: 'list', items: [s('a'), s('b')] })] }),
    e('empty', s('')),
    e('nothing', { kind: 'null' }),
  );

  it('encrypts by the default suffix rule and opens back to the same tree', () => {
    const sealed = sealDocuments([plain], key, policy(), new IvStash());
    const d = sealed.docs[0] as MapNode;
    expect(strOf(d, 'password')).toMatch(/^ENC\[AES256_GCM,data:.+,iv:.+,tag:.+,type:str\]$/);
    expect(strOf(d, 'port')).toMatch(/type:int\]$/);
    expect(strOf(d, 'note_unencrypted')).toBe('visible');
    expect(strOf(d, 'empty')).toBe('');
    expect(valueOf(d, 'nothing')).toEqual({ kind: 'null' });
    const iv = parseEnc(strOf(d, 'password'));
    expect(iv.ok && iv.value.iv.length).toBe(32);
    const opened = openDocuments(sealed.docs, key, policy(), new IvStash());
    expect(opened.docs[0]).toEqual(plain);
    expect(opened.macHex).toBe(sealed.macHex);
  });

  it('computes the MAC over every leaf in walk order, clear ones too, with no separators', () => {
    const sealed = sealDocuments([plain], key, policy(), new IvStash());
    const expected = createHash('sha512').update('hunter28080visibleadminab').digest('hex').toUpperCase();
    expect(sealed.macHex).toBe(expected);
    const onlyEncrypted = sealDocuments([plain], key, policy(DEFAULT_RULE, { macOnlyEncrypted: true }), new IvStash());
    const seeded = createHash('sha512').update(MAC_ONLY_ENCRYPTED_SEED).update('hunter28080adminab').digest('hex').toUpperCase();
    expect(onlyEncrypted.macHex).toBe(seeded);
  });

  it('binds each value to its path: a value moved to another key fails', () => {
    const sealed = sealDocuments([doc(e('a', s('one')), e('b', s('two')))], key, policy(), new IvStash()).docs[0] as MapNode;
    const swapped = doc(e('a', valueOf(sealed, 'b')), e('b', valueOf(sealed, 'a')));
    expect(() => openDocuments([swapped], key, policy(), new IvStash())).toThrow(IntegrityError);
  });

  it('rejects a tampered value, a plaintext value and a non-string where a value is encrypted', () => {
    const sealed = sealDocuments([doc(e('a', s('one')))], key, policy(), new IvStash()).docs[0] as MapNode;
    const enc = strOf(sealed, 'a');
    const flipped = enc.replace(/data:(.)/, (_, ch: string) => `data:${ch === 'A' ? 'B' : 'A'}`);
    expect(() => openDocuments([doc(e('a', s(flipped)))], key, policy(), new IvStash())).toThrow(/failed authentication/);
    expect(() => openDocuments([doc(e('a', s('plain')))], key, policy(), new IvStash())).toThrow(/should be encrypted/);
    expect(() => openDocuments([doc(e('a', { kind: 'int', value: 1n }))], key, policy(), new IvStash())).toThrow(/should be encrypted/);
    const collected = openDocuments([doc(e('a', s('plain')))], key, policy(), new IvStash(), { plaintextLeaves: 'collect' });
    expect(collected.plaintextPaths).toEqual([['a']]);
  });

  it('accepts only canonical base64, so no other spelling of a value decrypts', () => {
    const sealed = sealDocuments([doc(e('a', s('x')))], key, policy(), new IvStash()).docs[0] as MapNode;
    const enc = strOf(sealed, 'a'); // data is one byte: "XX==", whose second character has 4 unused bits
    const m = /data:(.)(.)==/.exec(enc) as RegExpExecArray;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const i = alphabet.indexOf(m[2] as string);
    const sibling = alphabet[i ^ 1] as string; // same decoded byte, different unused bits
    const respelled = enc.replace(`data:${m[1]}${m[2]}==`, `data:${m[1]}${sibling}==`);
    expect(Buffer.from(respelled.slice(respelled.indexOf('data:') + 5, respelled.indexOf(',iv')), 'base64')).toEqual(
      Buffer.from(enc.slice(enc.indexOf('data:') + 5, enc.indexOf(',iv')), 'base64'),
    );
    expect(parseEnc(respelled)).toMatchObject({ ok: false, reason: /data field is not valid base64/ });
  });

  it('never names the secret in an error', () => {
    const sealed = sealDocuments([doc(e('token', s('canary-4242-secret')))], key, policy(), new IvStash()).docs[0] as MapNode;
    try {
      openDocuments([doc(e('other', valueOf(sealed, 'token')))], key, policy(), new IvStash());
      expect.unreachable();
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('canary');
    }
  });

  it('keeps the exact ciphertext of unchanged values through the IV stash', () => {
    const first = sealDocuments([plain], key, policy(), new IvStash());
    const stash = new IvStash();
    const opened = openDocuments(first.docs, key, policy(), stash);
    const again = sealDocuments(opened.docs, key, policy(), stash);
    expect(again.docs).toEqual(first.docs);
    // A changed value gets a fresh IV; the others stay byte-identical.
    const edited = doc(...(opened.docs[0] as MapNode).items.map((i) => (i.kind === 'entry' && i.key === 'password' ? e('password', s('hunter3')) : i)));
    const changed = sealDocuments([edited], key, policy(), stash).docs[0] as MapNode;
    expect(strOf(changed, 'password')).not.toBe(strOf(first.docs[0] as MapNode, 'password'));
    expect(strOf(changed, 'port')).toBe(strOf(first.docs[0] as MapNode, 'port'));
  });

  it('applies every rule field to the whole path', () => {
    const tree = doc(e('public', { kind: 'map', items: [e('key', s('x'))] }), e('secret_data', s('y')), e('plain', s('z')));
    const encrypted = (rule: EncryptionRule): string[] => {
      const d = sealDocuments([tree], key, policy(rule), new IvStash()).docs[0] as MapNode;
      const out: string[] = [];
      const pub = valueOf(d, 'public') as MapNode;
      if (strOf(pub, 'key').startsWith('ENC[')) out.push('public.key');
      if (strOf(d, 'secret_data').startsWith('ENC[')) out.push('secret_data');
      if (strOf(d, 'plain').startsWith('ENC[')) out.push('plain');
      return out;
    };
    expect(encrypted({ field: 'encrypted_regex', value: '^secret' })).toEqual(['secret_data']);
    expect(encrypted({ field: 'unencrypted_regex', value: '^pub' })).toEqual(['secret_data', 'plain']);
    expect(encrypted({ field: 'encrypted_suffix', value: '_data' })).toEqual(['secret_data']);
    expect(encrypted({ field: 'unencrypted_suffix', value: 'lic' })).toEqual(['secret_data', 'plain']);
  });

  it('follows sops comment-stack semantics for encrypted_comment_regex', () => {
    const rule: EncryptionRule = { field: 'encrypted_comment_regex', value: 'sops:enc' };
    const tree = doc(c(' sops:enc'), c(' about a'), e('a', s('1')), e('b', s('2')), c(' sops:enc'), e('c', { kind: 'map', items: [e('d', s('3'))] }));
    const d = sealDocuments([tree], key, policy(rule), new IvStash()).docs[0] as MapNode;
    const texts = d.items.map((i) => (i.kind === 'comment' ? i.text : i.kind === 'entry' ? (i.value.kind === 'str' ? i.value.value : 'map') : ''));
    expect(texts[0]).toBe(' sops:enc'); // the marker ignores itself
    expect(texts[1]).toMatch(/^ENC\[.*type:comment\]$/);
    expect(texts[2]).toMatch(/^ENC\[/); // a: under the marker
    expect(texts[3]).toBe('2'); // b: the stack was cleared after a
    const nested = valueOf(d, 'c') as MapNode;
    expect(strOf(nested, 'd')).toMatch(/^ENC\[/); // the marker covers the subtree
    const opened = openDocuments([d], key, policy(rule), new IvStash());
    expect(opened.docs[0]).toEqual(tree);
  });

  it('uses lastmodified in Go form as the MAC AAD', () => {
    expect(macAad('2026-08-21T02:55:45Z')).toBe('2026-08-21T02:55:45Z');
    expect(macAad('2026-08-21T02:55:45.123Z')).toBe('2026-08-21T02:55:45Z');
    expect(macAad('2026-08-21T02:55:45+00:00')).toBe('2026-08-21T02:55:45Z');
    expect(macAad('2026-08-21T04:55:45+02:00')).toBe('2026-08-21T04:55:45+02:00');
    expect(macAad('not a time')).toBeNull();
  });
});
