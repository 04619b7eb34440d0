/**
 * Comments inside YAML lists, as sops stores them (issue 12, items 1 and 2). The inputs are
 * sops files written by hand from sops's list walk (sops.go walkSlice), its cipher
 * (aes/cipher.go) and its YAML store: the MAC input of each is stated in the test.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { yamlFormat } from '../../src/formats/yaml.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { enc, handmadeYaml } from '../helpers/handmade-sops.js';
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
