/**
 * Comments inside YAML lists, as sops stores them (issue 12, items 1 and 2). The inputs are
 * sops files written by hand from sops's list walk (sops.go walkSlice), its cipher
 * (aes/cipher.go) and its YAML store: the MAC input of each is stated in the test.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDocuments, sealDocuments } from '../../src/crypto/seal.js';
import { IvStash } from '../../src/crypto/stash.js';
import { jsonFormat } from '../../src/formats/json.js';
import { yamlFormat } from '../../src/formats/yaml.js';
import type { LoadedFile } from '../../src/ops/load.js';
import { exposedIn } from '../../src/ops/exposures.js';
import { DEFAULT_RULE } from '../../src/rules/rules.js';
import type { MapNode } from '../../src/tree.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { enc, HANDMADE_KEY, handmadeYaml, macHex } from '../helpers/handmade-sops.js';
import { makeIdentity } from '../helpers/keys.js';

async function project(): Promise<{ dir: string; env: Record<string, string | undefined>; recipient: string }> {
  const dir = tempDir();
  const id = await makeIdentity(dir);
  return { dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file }), recipient: id.recipient };
}

describe('a list that ends with a comment (item 2)', () => {
  it('reads as one item and a comment, never a null item', () => {
    const doc = yamlFormat.parse('hosts:\n  - a.example.com\n  # - b.example.com\n', 'f.yaml').docs[0];
    expect(doc?.items[0]).toMatchObject({
      key: 'hosts',
      value: { kind: 'list', items: [{ kind: 'str', value: 'a.example.com' }, { kind: 'comment', text: ' - b.example.com' }] },
    });
    // An explicit `-` with nothing after it is a real null item.
    const nulls = yamlFormat.parse('l:\n  - a\n  -\n', 'f.yaml').docs[0];
    expect(nulls?.items[0]).toMatchObject({ value: { items: [{ kind: 'str' }, { kind: 'null' }] } });
  });

  it('a sops file whose list ends with a clear comment: decrypt, set and encrypt add no item', async () => {
    const { dir, env, recipient } = await project();
    // sops hashes the one host only: comments never enter the MAC, and a null would not either.
    const body = `hosts:\n    - ${enc('str', 'hosts:', 'a.example.com')}\n    # - b.example.com\nport: ${enc('int', 'port:', '8080')}\n`;
    writeFileSync(join(dir, 'c.yaml'), await handmadeYaml(body, { recipient, macInput: ['a.example.com', '8080'] }));
    const dec = await cli(['decrypt', 'c.yaml'], { cwd: dir, env });
    expect(dec.stderr).toBe('');
    expect(dec.stdout).toBe('hosts:\n    - a.example.com\n    # - b.example.com\nport: 8080\n');
    const set = await cli(['set', 'port', '9090', '-f', 'c.yaml'], { cwd: dir, env });
    expect(set.code).toBe(0);
    const after = readFileSync(join(dir, 'c.yaml'), 'utf8');
    expect(after.split('port:')[0]).toBe(body.split('port:')[0]); // the list keeps its bytes
    expect(after).not.toMatch(/null/);
    const again = await cli(['get', 'hosts', '-f', 'c.yaml'], { cwd: dir, env });
    expect(again.stdout).toBe('[\n\t"a.example.com"\n]\n');
  });

  it('encrypting a plaintext list that ends with a comment keeps one item', async () => {
    const { dir, env, recipient } = await project();
    writeFileSync(join(dir, 'p.yaml'), 'hosts:\n  - a.example.com\n  # - b.example.com\n');
    expect((await cli(['encrypt', 'p.yaml', '--age', recipient], { cwd: dir, env })).code).toBe(0);
    const body = readFileSync(join(dir, 'p.yaml'), 'utf8').split('sops:')[0] as string;
    expect(body).toMatch(/^hosts:\n {2}- ENC\[[^\n]+type:str\]\n {2}# - b\.example\.com\n$/);
  });
});

describe('a comment inside a list, as sops stores it encrypted (item 1)', () => {
  // sops 3.13: `items:` / `  # - old@example.com` / `  - real@example.com`, encrypted. The list
  // walk keeps the cipher's string, so the comment is a list item of type comment, under the
  // list's AAD. Comments never enter the MAC: only the real values are hashed.
  const body = (): string =>
    `items:\n    - ${enc('comment', 'items:', ' - old@example.com')}\n    - ${enc('str', 'items:', 'real@example.com')}\nname: ${enc('str', 'name:', 'svc')}\n`;
  const PLAIN = 'items:\n    # - old@example.com\n    - real@example.com\nname: svc\n';

  it.each(['3.13.3', '3.13.2', '3.13.1', '3.10.2'])('opens, decrypts and verifies (file stamped %s)', async (version) => {
    const { dir, env, recipient } = await project();
    writeFileSync(join(dir, 'c.yaml'), await handmadeYaml(body(), { recipient, version, macInput: ['real@example.com', 'svc'] }));
    const dec = await cli(['decrypt', 'c.yaml'], { cwd: dir, env });
    expect(dec.stderr).toBe('');
    expect(dec.code).toBe(0);
    expect(dec.stdout).toBe(PLAIN);
    expect((await cli(['get', 'items', '-f', 'c.yaml'], { cwd: dir, env })).stdout).toBe('[\n\t"real@example.com"\n]\n');
  });

  it('a MAC that includes the comment (what 3.13.2 computed when decrypting) does not verify', async () => {
    const { dir, env, recipient } = await project();
    writeFileSync(join(dir, 'c.yaml'), await handmadeYaml(body(), { recipient, version: '3.13.2', macInput: [' - old@example.com', 'real@example.com', 'svc'] }));
    const dec = await cli(['decrypt', 'c.yaml'], { cwd: dir, env });
    expect(dec.code).toBe(5);
    expect(dec.stderr).toMatch(/MAC mismatch/);
  });

  it('set, encrypt and edit keep the comment item byte for byte', async () => {
    const { dir, env, recipient } = await project();
    const text = await handmadeYaml(body(), { recipient, macInput: ['real@example.com', 'svc'] });
    writeFileSync(join(dir, 'c.yaml'), text);
    const list = (t: string): string => t.split('name:')[0] as string;
    expect((await cli(['encrypt', 'c.yaml'], { cwd: dir, env })).stderr).toMatch(/already encrypted; nothing to do/);
    expect((await cli(['set', 'name', 'other', '-f', 'c.yaml'], { cwd: dir, env })).code).toBe(0);
    const after = readFileSync(join(dir, 'c.yaml'), 'utf8');
    expect(list(after)).toBe(list(text));
    expect((await cli(['decrypt', 'c.yaml'], { cwd: dir, env })).stdout).toBe(PLAIN.replace('svc', 'other'));
  });

  it('edit: a comment added to the list is sealed as sops does, as a list item', async () => {
    const { dir, env, recipient } = await project();
    writeFileSync(join(dir, 'c.yaml'), await handmadeYaml(body(), { recipient, macInput: ['real@example.com', 'svc'] }));
    const runInteractive = async (argv: readonly string[]): Promise<{ code: number; interrupted: boolean }> => {
      const file = argv.at(-1) as string;
      writeFileSync(file, readFileSync(file, 'utf8').replace('    - real@example.com\n', '    - real@example.com\n    # - new@example.com\n'));
      return { code: 0, interrupted: false };
    };
    const edit = await cli(['edit', 'c.yaml'], { cwd: dir, env: { ...env, EDITOR: 'fake-editor' }, runInteractive, stdin: '', now: new Date(Date.now() + 5000) });
    expect(edit.code).toBe(0);
    const after = readFileSync(join(dir, 'c.yaml'), 'utf8');
    const items = after.split('name:')[0]?.split('\n').slice(1, -1) ?? [];
    expect(items.map((l) => l.replace(/data:[^,]+,iv:[^,]+,tag:[^,]+,/, '…,'))).toEqual([
      '    - ENC[AES256_GCM,…,type:comment]',
      '    - ENC[AES256_GCM,…,type:str]',
      '    - ENC[AES256_GCM,…,type:comment]',
    ]);
    expect((await cli(['decrypt', 'c.yaml'], { cwd: dir, env })).stdout).toBe(
      'items:\n    # - old@example.com\n    - real@example.com\n    # - new@example.com\nname: svc\n',
    );
  });

  it('an inline comment on an item comes first, as sops orders it', async () => {
    const { dir, env, recipient } = await project();
    const text = `hosts:\n    - ${enc('comment', 'hosts:', ' primary')}\n    - ${enc('str', 'hosts:', 'a')}\n`;
    writeFileSync(join(dir, 'c.yaml'), await handmadeYaml(text, { recipient, macInput: ['a'] }));
    expect((await cli(['decrypt', 'c.yaml'], { cwd: dir, env })).stdout).toBe('hosts:\n    # primary\n    - a\n');
  });

  it('with encrypted_comment_regex: the opened comment item stays active for the items after it', async () => {
    const { dir, env, recipient } = await project();
    // sops encrypts `# trigger` (a comment before it matches) and `- real` (both comments are
    // active); `# sops:enc` itself stays readable, and `- two` follows a value: in clear.
    const text = `items:\n    # sops:enc\n    - ${enc('comment', 'items:', ' trigger')}\n    - ${enc('str', 'items:', 'real')}\n    - two\nclear: text\n`;
    writeFileSync(join(dir, 'c.yaml'), await handmadeYaml(text, { recipient, macInput: ['real', 'two', 'text'], extra: '    encrypted_comment_regex: sops:enc' }));
    const dec = await cli(['decrypt', 'c.yaml'], { cwd: dir, env });
    expect(dec.stderr).toBe('');
    expect(dec.stdout).toBe('items:\n    # sops:enc\n    # trigger\n    - real\n    - two\nclear: text\n');
  });
});

describe('sealing and opening a list comment (the walk, the cipher, the MAC)', () => {
  const doc: MapNode = {
    kind: 'map',
    items: [
      { kind: 'comment', text: ' top' },
      { kind: 'entry', key: 'items', value: { kind: 'list', items: [{ kind: 'comment', text: ' - old' }, { kind: 'str', value: 'real' }] } },
    ],
  };
  const policy = { rule: DEFAULT_RULE, macOnlyEncrypted: false, encryptComments: true };

  it('a sealed list comment is a string item of type comment under the list AAD; a map comment stays a comment', () => {
    const sealed = sealDocuments([doc], HANDMADE_KEY, policy, new IvStash());
    const [top, entry] = sealed.docs[0]?.items ?? [];
    expect(top).toMatchObject({ kind: 'comment', text: expect.stringMatching(/^ENC\[AES256_GCM,.*type:comment\]$/) });
    const list = entry?.kind === 'entry' && entry.value.kind === 'list' ? entry.value.items : [];
    expect(list[0]).toMatchObject({ kind: 'str', value: expect.stringMatching(/^ENC\[AES256_GCM,.*type:comment\]$/) });
    expect(list[1]).toMatchObject({ kind: 'str', value: expect.stringMatching(/type:str\]$/) });
    expect(sealed.macHex).toBe(macHex(['real']));
    const opened = openDocuments(sealed.docs, HANDMADE_KEY, policy, new IvStash());
    expect(opened.docs[0]).toEqual(doc);
    expect(opened.macHex).toBe(macHex(['real']));
    expect(opened.hadEncryptedComments).toBe(true);
  });

  it('without comment encryption (envseal\'s default) the comment stays a comment line', () => {
    const sealed = sealDocuments([doc], HANDMADE_KEY, { ...policy, encryptComments: false }, new IvStash());
    expect(JSON.stringify(sealed.docs[0])).toContain('{"kind":"comment","text":" - old"}');
  });

  it('an encrypted comment as the value of a map key is refused, naming the key', () => {
    const odd: MapNode = { kind: 'map', items: [{ kind: 'entry', key: 'k', value: { kind: 'str', value: enc('comment', 'k:', 'x') } }] };
    expect(() => openDocuments([odd], HANDMADE_KEY, policy, null)).toThrow(/value of "k" is an encrypted comment/);
  });

  it('JSON (sops converts such a YAML file with --output-type json): the item opens and decrypt drops it as sops does', () => {
    const text = `{\n\t"items": [\n\t\t"${enc('comment', 'items:', ' - old')}",\n\t\t"${enc('str', 'items:', 'real')}"\n\t]\n}\n`;
    const parsed = jsonFormat.parse(text, 'c.json');
    const opened = openDocuments(parsed.docs, HANDMADE_KEY, policy, new IvStash());
    expect(opened.macHex).toBe(macHex(['real']));
    expect(jsonFormat.emitPlain(opened.docs, parsed, 'c.json')).toBe('{\n\t"items": [\n\t\t"real"\n\t]\n}\n');
  });

  it('the exposure list does not count a comment item as a value, nor in the indices after it', async () => {
    const text = `items:\n    - ${enc('comment', 'items:', ' - old')}\n    - ${enc('str', 'items:', 'real')}\n`;
    const loaded = { abs: '/r/c.yaml', parsed: yamlFormat.parse(text, '/r/c.yaml') } as unknown as LoadedFile;
    const { values } = await exposedIn(loaded, null, '/r', []);
    expect(values.map((v) => v.path)).toEqual([['items', 0]]);
  });
});

describe('comments after an indentless nested list, placed as go-yaml places them (item 7)', () => {
  // `l:` / `- a` at the column of the map's keys: go-yaml ends such a list at the next key,
  // so a comment right before that key is the key's head comment (the map's), unless a blank
  // line follows it, which makes it the list's foot. sops encrypts comments under the AAD of
  // the collection they are in: opening them proves where envseal puts them.
  it('a comment directly before the next key is the map\'s; one followed by a blank line is the list\'s', async () => {
    const { dir, env, recipient } = await project();
    const body =
      `m:\n  l:\n  - ${enc('str', 'm:l:', 'a')}\n  #${enc('comment', 'm:l:', ' foot of the list')}\n\n  #${enc('comment', 'm:', ' head of k')}\n  k: ${enc('str', 'm:k:', 'v')}\n` +
      `n:\n  l:\n  - ${enc('str', 'n:l:', 'b')}\n  #${enc('comment', 'n:', ' head of j')}\n  j: ${enc('str', 'n:j:', 'w')}\n`;
    writeFileSync(join(dir, 'c.yaml'), await handmadeYaml(body, { recipient, macInput: ['a', 'v', 'b', 'w'] }));
    const dec = await cli(['decrypt', 'c.yaml'], { cwd: dir, env });
    expect(dec.stderr).toBe('');
    expect(dec.stdout).toBe('m:\n  l:\n  - a\n  # foot of the list\n\n  # head of k\n  k: v\nn:\n  l:\n  - b\n  # head of j\n  j: w\n');
    const doc = yamlFormat.parse(dec.stdout, 'p.yaml').docs[0] as MapNode;
    expect(doc.items[1]).toMatchObject({
      key: 'n',
      value: { items: [{ key: 'l', value: { items: [{ kind: 'str', value: 'b' }] } }, { kind: 'comment', text: ' head of j' }, { key: 'j' }] },
    });
  });
});
