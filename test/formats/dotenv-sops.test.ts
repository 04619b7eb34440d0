import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitSopsDotenvData, flattenMetadata, parseSopsDotenv } from '../../src/formats/dotenv-sops.js';
import { dotenvFormat } from '../../src/formats/dotenv.js';
import { metadataToRaw, parseMetadata } from '../../src/metadata/codec.js';
import type { RawMap } from '../../src/metadata/model.js';
import { AGE_FIXTURES, describeWithShared, PGP_FIXTURES } from '../helpers/paths.js';

describe('encrypted dotenv (sops dialect)', () => {
  it('splits at the first =, keeps everything verbatim, decodes only \\n', () => {
    const { doc } = parseSopsDotenv('a b =  "q" \nx=1=2\ny=line\\nbreak\n#c\n\nsops_version=3.13.3\n', 'f.env');
    expect(doc.items).toEqual([
      { kind: 'entry', key: 'a b ', value: { kind: 'str', value: '  "q" ' }, line: 1 },
      { kind: 'entry', key: 'x', value: { kind: 'str', value: '1=2' }, line: 2 },
      { kind: 'entry', key: 'y', value: { kind: 'str', value: 'line\nbreak' }, line: 3 },
      { kind: 'comment', text: 'c' },
      { kind: 'blank' },
    ]);
  });

  it('refuses broken metadata with the line', () => {
    expect(() => parseSopsDotenv('sops_version=1\nsops_age__list_1__map_enc=x\n', 'f.env')).toThrow(/incomplete list/);
    expect(() => parseSopsDotenv('sops_version=1\nsops_mac=x\nsops_mac__map_a=y\n', 'f.env')).toThrow(/type mismatch/);
    expect(() => parseSopsDotenv('sops_version=1\n   \n', 'f.env')).toThrow(/line 2 has no "="/);
  });

  it('refuses clear values sops would read differently, naming the key', () => {
    const doc = (value: string) => ({ kind: 'map' as const, items: [{ kind: 'entry' as const, key: 'K_unencrypted', value: { kind: 'str' as const, value } }] });
    expect(() => emitSopsDotenvData(doc('a\\nb'), 'f.env')).toThrow(/K_unencrypted.*literal "\\n"/);
    expect(() => emitSopsDotenvData(doc(' padded'), 'f.env')).toThrow(/K_unencrypted.*whitespace/);
    expect(emitSopsDotenvData(doc('two\nlines'), 'f.env')).toBe('K_unencrypted=two\\nlines\n');
    const sopsKey = { kind: 'map' as const, items: [{ kind: 'entry' as const, key: 'sops_x', value: { kind: 'str' as const, value: '1' } }] };
    expect(() => emitSopsDotenvData(sopsKey, 'f.env')).toThrow(/sops_x.*reserves/);
  });
});

describeWithShared('encrypted dotenv written by sops', () => {
  const fixture = (): string => readFileSync(join(AGE_FIXTURES, 'humphd-sops-age', 'secret.enc.env'), 'utf8');

  it('rebuilds the flattened metadata of a real file and flattens it back in tree order', () => {
    const text = fixture();
    const { metadata } = parseSopsDotenv(text, 'f.env');
    const meta = parseMetadata(metadata, 'f.env');
    const lines = text.split('\n').filter((l) => l.startsWith('sops_'));
    // sops 3.8.1 wrote recipient after enc per entry... our 3.13 layout sorts keys: enc, recipient
    const ours = flattenMetadata(metadataToRaw(meta)).trimEnd().split('\n');
    expect([...ours].sort()).toEqual([...lines].sort());
    expect(ours.indexOf('sops_age__list_0__map_recipient=age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr')).toBe(
      ours.findIndex((l) => l.startsWith('sops_age__list_0__map_enc=')) + 1,
    );
  });

  it('re-emits a sops-written file byte for byte from its own metadata', () => {
    const text = fixture();
    const parsed = dotenvFormat.parse(text, 'f.env');
    const raw = parsed.metadata as RawMap;
    expect(dotenvFormat.emitEncrypted(parsed.docs, raw, parsed, 'f.env')).toBe(text);
  });

  it('reads the PGP fixture with a trailing-space key and 3.13.1 metadata', () => {
    const text = readFileSync(join(PGP_FIXTURES, 'format.enc.env'), 'utf8');
    const parsed = dotenvFormat.parse(text, 'f.env');
    expect(parsed.docs[0]?.items[0]).toMatchObject({ kind: 'entry', key: 'foo ' });
    expect(dotenvFormat.emitEncrypted(parsed.docs, metadataToRaw(parseMetadata(parsed.metadata, 'f')), parsed, 'f.env')).toBe(text);
  });
});
