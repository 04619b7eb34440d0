/**
 * go-yaml v3 typing edges (issue 12, item 4): envseal must read every plain scalar, quoted
 * scalar and tag as sops (go-yaml, Go's strconv and time packages) does, or a value kept in
 * clear hashes differently and sops rejects the file. Expectations come from go-yaml's
 * resolve.go and scannerc.go and Go's strconv.ParseFloat / time.Parse rules.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDocuments, sealDocuments } from '../../src/crypto/seal.js';
import { IvStash } from '../../src/crypto/stash.js';
import { parseEnc } from '../../src/crypto/enc-value.js';
import { goBase64, goQuotedValue } from '../../src/formats/yaml/go-text.js';
import { parseYamlTimestamp, readYamlTimestamp, resolvePlain } from '../../src/formats/yaml/scalars.js';
import { yamlFormat } from '../../src/formats/yaml.js';
import { DEFAULT_RULE } from '../../src/rules/rules.js';
import type { Entry, MapNode } from '../../src/tree.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { enc, HANDMADE_KEY, handmadeYaml, macHex } from '../helpers/handmade-sops.js';
import { makeIdentity } from '../helpers/keys.js';
import { openWithKey, toPlain } from '../helpers/open-with-key.js';

const valueOf = (text: string): unknown => {
  const entry = yamlFormat.parse(text, 'f.yaml').docs[0]?.items.find((i): i is Entry => i.kind === 'entry');
  const v = entry?.value;
  return v === undefined ? undefined : 'value' in v ? [v.kind, v.value] : [v.kind];
};

async function project(): Promise<{ dir: string; env: Record<string, string | undefined>; recipient: string }> {
  const dir = tempDir();
  const id = await makeIdentity(dir);
  return { dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file }), recipient: id.recipient };
}

describe('floats: Go ParseFloat takes underscores between digits', () => {
  it.each([
    ['.1_0', ['float', 0.1]],
    ['.5e1_0', ['float', 5e9]],
    ['-.2_5', ['float', -0.25]], // '-' hint: underscores removed, then the float rule
    ['1_0.5', ['float', 10.5]],
    ['._1', ['str', '._1']],
    ['.1__0', ['str', '.1__0']],
    ['.5_', ['str', '.5_']],
    ['.5_e3', ['str', '.5_e3']],
    ['.', ['str', '.']],
  ])('%s', (text, expected) => {
    const r = resolvePlain(text);
    expect('value' in r ? [r.kind, r.value] : [r.kind]).toEqual(expected);
  });
});

describe('timestamps: Go time.Parse with go-yaml layouts', () => {
  it.each([
    ['2024-01-01T12:30:45,5Z', '2024-01-01T12:30:45.5Z'], // a comma before the fraction
    ['2024-01-01  12:30:45', '2024-01-01T12:30:45Z'], // a run of spaces matches the layout's one
    ['2024-01-01 12:30:45,250', '2024-01-01T12:30:45.25Z'],
    ['2024-1-2t3:4:5Z', '2024-01-02T03:04:05Z'],
    ['2024-01-01T12:30:45.1234567891Z', '2024-01-01T12:30:45.123456789Z'], // digits past nine dropped
    ['2024-01-01T12:30:45+05:60', '2024-01-01T12:30:45+06:00'], // Go allows minute 60
    ['2024-01-01T12:30:45+00:00', '2024-01-01T12:30:45Z'],
    ['2024-01-01T12:30:45-00:00', '2024-01-01T12:30:45Z'],
    ['2024-01-01T12:30:45-05:30', '2024-01-01T12:30:45-05:30'],
  ])('%s → %s', (text, expected) => {
    expect(parseYamlTimestamp(text)).toBe(expected);
    expect(valueOf(`k: ${text}\n`)).toEqual(['time', expected]);
  });

  it.each(['2024-01-01 \t12:30:45', '2024-01-01T12:30:45z', '2024-01-01T24:00:00Z', '2024-01-01T12:30:45+25:00', '2024-01-01T12:30:45+05:61', '2024-01-01T12:30', '2024-02-30', '2024-01-01 12:30:45Z'])(
    '%j is not a timestamp: a string',
    (text) => {
      expect(parseYamlTimestamp(text)).toBeNull();
      expect(valueOf(`k: ${JSON.stringify(text).slice(1, -1).includes('\\t') ? `"${text}"` : text}\n`)).toEqual(['str', text]);
    },
  );

  it('an offset of 24 hours is a timestamp Go cannot write back: refused, as sops cannot store it', () => {
    expect(readYamlTimestamp('2024-01-01T12:30:45+24:00')).toEqual({ kind: 'unstorable-time' });
    expect(readYamlTimestamp('2024-01-01T12:30:45-23:60')).toEqual({ kind: 'unstorable-time' });
    expect(() => yamlFormat.parse('a: 1\nk: 2024-01-01T12:30:45+24:00\n', 'f.yaml')).toThrow(/line 2.*24 hours/);
    expect(() => yamlFormat.parse('k: !!timestamp 2024-01-01T12:30:45+24:00\n', 'f.yaml')).toThrow(/24 hours/);
    expect(valueOf('k: "2024-01-01T12:30:45+24:00"\n')).toEqual(['str', '2024-01-01T12:30:45+24:00']);
  });
});

describe('line breaks YAML 1.1 knows and YAML 1.2 does not (NEL, LS, PS)', () => {
  it('inside quotes: a raw NEL folds to a space, a raw LS/PS stays, blanks around a break go', () => {
    expect(valueOf('k: "a\u0085b"\n')).toEqual(['str', 'a b']);
    expect(valueOf("k: 'a\u0085b'\n")).toEqual(['str', 'a b']);
    expect(valueOf('k: "a\u2028b"\n')).toEqual(['str', 'a\u2028b']);
    expect(valueOf("k: 'a\u2028    b'\n")).toEqual(['str', 'a\u2028b']);
    expect(valueOf('k: "a  \u2029\n  b"\n')).toEqual(['str', 'a\u2029\nb']);
    expect(goQuotedValue('"x\\\ny"')).toBe('xy');
    expect(goQuotedValue('"x\\u00e9\\N"')).toBe('xé\u0085');
    expect(goQuotedValue("'it''s'")).toBe("it's");
  });

  it('in an unquoted value, a block scalar or a comment: refused (go-yaml ends the token there)', () => {
    expect(() => yamlFormat.parse('k: a\u2028b\n', 'f.yaml')).toThrow(/line 1.*U\+2028/);
    expect(() => yamlFormat.parse('k: |\n  a\u0085b\n', 'f.yaml')).toThrow(/block scalar/);
    expect(() => yamlFormat.parse('# note\u2028x: 1\nk: v\n', 'f.yaml')).toThrow(/comment/);
  });

  it('a sops-written clear string with LS (single-quoted, the break then indentation) verifies', async () => {
    const { dir, env, recipient } = await project();
    // go-yaml's emitter writes "a<LS>b" nested at indent 4 as 'a<LS>    b'; it reads back as a<LS>b.
    const body = `parent:\n    k_unencrypted: 'a\u2028    b'\n    secret: ${enc('str', 'parent:secret:', 'x')}\n`;
    writeFileSync(join(dir, 's.yaml'), await handmadeYaml(body, { recipient, macInput: ['a\u2028b', 'x'] }));
    const dec = await cli(['decrypt', 's.yaml'], { cwd: dir, env });
    expect(dec.stderr).toBe('');
    expect(dec.code).toBe(0);
    expect((await cli(['set', 'parent.secret', 'y', '-f', 's.yaml'], { cwd: dir, env })).code).toBe(0);
    expect(readFileSync(join(dir, 's.yaml'), 'utf8')).toContain("k_unencrypted: 'a\u2028    b'\n");
  });

  it('a NEL in double quotes hashes as a space', async () => {
    const { dir, env, recipient } = await project();
    const body = `k_unencrypted: "a\u0085b"\nsecret: ${enc('str', 'secret:', 'x')}\n`;
    writeFileSync(join(dir, 's.yaml'), await handmadeYaml(body, { recipient, macInput: ['a b', 'x'] }));
    expect((await cli(['get', 'k_unencrypted', '-f', 's.yaml'], { cwd: dir, env })).stdout).toBe('a b\n');
  });

  it('envseal writes LS, PS and NEL escaped inside double quotes, in place and in full', async () => {
    const { dir, env, recipient } = await project();
    writeFileSync(join(dir, 'p.yaml'), 'k_unencrypted: x\nl: y\n');
    expect((await cli(['encrypt', 'p.yaml', '--age', recipient], { cwd: dir, env })).code).toBe(0);
    expect((await cli(['set', 'k_unencrypted', 'a\u2028b\u0085c', '-f', 'p.yaml'], { cwd: dir, env })).code).toBe(0);
    expect(readFileSync(join(dir, 'p.yaml'), 'utf8')).toContain('k_unencrypted: "a\\Lb\\x85c"\n');
    const doc = yamlFormat.parse('k: "a\\Lb\\Pc\\Nd"\n', 'f.yaml').docs[0] as MapNode;
    expect(yamlFormat.emitPlain([doc], undefined, 'f.yaml')).toBe('k: "a\\Lb\\Pc\\x85d"\n');
  });

  it('the escape \\/ is refused, as go-yaml refuses it; an escaped backslash before / is fine', () => {
    expect(() => yamlFormat.parse('k: "a\\/b"\n', 'f.yaml')).toThrow(/line 1.*escape \\\//);
    expect(valueOf('k: "a\\\\/b"\n')).toEqual(['str', 'a\\/b']);
  });
});

describe('!!binary as go-yaml decodes it', () => {
  it('standard padded base64; only \\r and \\n are skipped', () => {
    expect(valueOf('k: !!binary aGVsbG8=\n')).toEqual(['str', 'hello']);
    expect(valueOf('k: !!binary |\n  aGVs\n  bG8=\n')).toEqual(['str', 'hello']);
    expect(() => yamlFormat.parse('k: !!binary aGVsbG8\n', 'f.yaml')).toThrow(/line 1.*!!binary/);
    expect(() => yamlFormat.parse('k: !!binary "aGVs bG8="\n', 'f.yaml')).toThrow(/!!binary/);
    expect(() => yamlFormat.parse('k: !!binary aGVs*G8=\n', 'f.yaml')).toThrow(/!!binary/);
    expect(goBase64('aGVs\r\nbG8=')).toEqual(new Uint8Array(Buffer.from('hello')));
  });

  it('bytes that are not UTF-8 are sealed as type:str with the raw bytes (MAC too), and open back to them', () => {
    const doc = yamlFormat.parse('k: !!binary //79\n', 'f.yaml').docs[0] as MapNode;
    expect(doc.items[0]).toMatchObject({ value: { kind: 'bytes', value: new Uint8Array([0xff, 0xfe, 0xfd]) } });
    const policy = { rule: DEFAULT_RULE, macOnlyEncrypted: false, encryptComments: false };
    const stash = new IvStash();
    const sealed = sealDocuments([doc], HANDMADE_KEY, policy, stash);
    const stored = ((sealed.docs[0] as MapNode).items[0] as Entry).value as { value: string };
    const parsed = parseEnc(stored.value);
    expect(parsed.ok && parsed.value.type).toBe('str');
    expect(sealed.macHex).toBe(macHex([new Uint8Array([0xff, 0xfe, 0xfd])]));
    const reopenStash = new IvStash();
    const opened = openDocuments(sealed.docs, HANDMADE_KEY, policy, reopenStash);
    expect((opened.docs[0] as MapNode).items[0]).toMatchObject({ value: { kind: 'bytes', value: new Uint8Array([0xff, 0xfe, 0xfd]) } });
    // Re-sealed unchanged: the same ciphertext (its IV was remembered under the raw bytes).
    const again = sealDocuments(opened.docs, HANDMADE_KEY, policy, reopenStash);
    expect(((again.docs[0] as MapNode).items[0] as Entry).value).toMatchObject({ value: stored.value });
    expect(yamlFormat.emitPlain(opened.docs, undefined, 'f.yaml')).toBe('k: !!binary //79\n');
  });

  it('a sops file holding such a value (type:str, raw bytes) opens to the bytes with the MAC verified', async () => {
    const dir = tempDir();
    const raw = new Uint8Array([0x80, 0x81, 0x41]);
    const body = `k: ${enc('str', 'k:', raw)}\n`;
    writeFileSync(join(dir, 'b.yaml'), await handmadeYaml(body, { recipient: (await makeIdentity(dir)).recipient, macInput: [raw] }));
    const opened = openWithKey(join(dir, 'b.yaml'), HANDMADE_KEY);
    expect(opened.macOk).toBe(true);
    expect(opened.docs[0]?.items[0]).toMatchObject({ value: { kind: 'bytes', value: raw } });
    expect(toPlain(opened.docs[0] as MapNode)).toEqual({ k: Buffer.from(raw).toString('utf8') });
  });
});
