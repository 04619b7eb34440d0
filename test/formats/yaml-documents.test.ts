/**
 * Multi-document YAML as sops reads and writes it (issue 12, items 5 and 7): the metadata
 * block in every document, a `sops` key the user wrote, anchors across documents.
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

/** Two documents, each followed by the same metadata block, as sops writes them. */
async function twoDocs(first: string, second: string, recipient: string, macInput: string[]): Promise<string> {
  const block = await handmadeYaml('', { recipient, macInput });
  return `${first}${block}---\n${second}${block}`;
}

describe('a sops key in a later document (item 5)', () => {
  it('a plaintext file with `sops:` in its second document is refused, naming the line; nothing is written', async () => {
    const { dir, env, recipient } = await project();
    const text = 'a: 1\n---\nb: 2\nsops:\n  mine: keep me\n';
    writeFileSync(join(dir, 'p.yaml'), text);
    const result = await cli(['encrypt', 'p.yaml', '--age', recipient], { cwd: dir, env });
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/document 2 has a top-level key "sops", which sops reserves for its metadata \(.*p\.yaml:4\)/);
    expect(readFileSync(join(dir, 'p.yaml'), 'utf8')).toBe(text);
    expect(() => yamlFormat.parse(text, 'p.yaml')).toThrow(/document 2/);
  });

  it('a sops file has its metadata block in every document: it opens, and a write keeps both blocks', async () => {
    const { dir, env, recipient } = await project();
    const file = await twoDocs(`a: ${enc('str', 'a:', 'one')}\n`, `b: ${enc('str', 'b:', 'two')}\n`, recipient, ['one', 'two']);
    writeFileSync(join(dir, 'm.yaml'), file);
    const dec = await cli(['decrypt', 'm.yaml'], { cwd: dir, env });
    expect(dec.stderr).toBe('');
    expect(dec.stdout).toBe('a: one\n---\nb: two\n');
    expect((await cli(['set', 'a', 'uno', '-f', 'm.yaml'], { cwd: dir, env })).code).toBe(0);
    const after = readFileSync(join(dir, 'm.yaml'), 'utf8');
    expect(after.match(/^sops:$/gm)).toHaveLength(2);
    expect((await cli(['decrypt', 'm.yaml'], { cwd: dir, env })).stdout).toBe('a: uno\n---\nb: two\n');
  });
});
