/**
 * `.sops.yaml` with YAML anchors, aliases and `<<` merges (issue 12, item 3): read as sops's
 * loader reads them (go-yaml decoding into structs), and kept when `team add`/`team rm` edit
 * the file. Real configs use them: the Flux test config in ../shared does.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addMemberText, removeMemberText, selectRules } from '../../src/config/edit.js';
import { ruleFor } from '../../src/config/rules.js';
import { parseConfig } from '../../src/config/schema.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity } from '../helpers/keys.js';
import { itWithShared, SOPS_FIXTURES } from '../helpers/paths.js';

const A = 'age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr';
const B = 'age19j4d6v9j7rx5fs629fu387qz4zmlpsqjexa4s08tkfrrmfdl5cwqjlaupd';
const C = 'age13runq29jhy9kfpaegczrzttykerswh0qprq59msgd754yermtfmsa3hwg2';

const ages = (text: string): string[][][] => parseConfig(text, '/r/.sops.yaml').creationRules.map((r) => r.groups.map((g) => [...g.age]));

const CONFIG = `keys:
  - &alice ${A}
  - &bob ${B}
common: &common
  encrypted_regex: ^secret$
creation_rules:
  - path_regex: ^a/
    age: &team
      - *alice
      - *bob
  - path_regex: ^b/
    age: *team
  - path_regex: ^c/
    <<: *common
    age: *alice
  - path_regex: ^d/
    key_groups:
      - age: *team
`;

describe('reading (what sops sees)', () => {
  const flux = join(SOPS_FIXTURES, 'upstream', 'flux', '.sops.yaml');
  itWithShared('the Flux test config: aliased age, pgp and encrypted_regex, key groups of aliases', flux, () => {
    const config = parseConfig(readFileSync(flux, 'utf8'), '/repo/.sops.yaml');
    const R = 'age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29';
    expect(config.creationRules.map((r) => r.groups.map((g) => ({ age: g.age, other: g.otherKeys })))).toEqual([
      [{ age: [], other: ['pgp: 35C1A64CD7FC0AB6EB66756B2445463C3234ECE1'] }],
      [{ age: [R], other: [] }],
      [{ age: [R], other: [] }],
      [{ age: [R], other: [] }],
      [
        { age: [R], other: [] },
        { age: [], other: ['pgp: 35C1A64CD7FC0AB6EB66756B2445463C3234ECE1'] },
      ],
    ]);
    expect(config.creationRules[2]?.rule).toEqual({ field: 'encrypted_regex', value: '^(data|stringData)$' });
    expect(ruleFor(config, '/repo/secrets/x.yaml')?.index).toBe(2);
  });

  it('aliases of lists, of list items and of scalars, and `<<` merges, as sops reads them', () => {
    expect(ages(CONFIG)).toEqual([[[A, B]], [[A, B]], [[A]], [[A, B]]]);
    const rules = parseConfig(CONFIG, '/r/.sops.yaml').creationRules;
    expect(rules[2]?.rule).toEqual({ field: 'encrypted_regex', value: '^secret$' });
    expect(rules[0]?.rule).toBeNull();
    // A map's own keys win over merged ones; among several merged maps the first wins.
    const merged = `x: &x {encrypted_regex: one, age: ${A}}\ny: &y {encrypted_regex: two, age: ${B}}\ncreation_rules:\n  - <<: [*x, *y]\n  - <<: [*y, *x]\n    age: ${C}\n`;
    const m = parseConfig(merged, '/r/.sops.yaml').creationRules;
    expect(m.map((r) => [r.rule?.value, r.groups[0]?.age])).toEqual([
      ['one', [A]],
      ['two', [C]],
    ]);
    expect(selectRules(CONFIG, '/r/.sops.yaml', ['^b/'])).toEqual([1]);
  });
});

describe('editing keeps anchors and aliases', () => {
  it('team add to every rule: the shared list grows once, every alias stays', () => {
    const out = addMemberText(CONFIG, '/r/.sops.yaml', 'carol', C, [0, 1, 2, 3]);
    expect(ages(out)).toEqual([[[A, B, C]], [[A, B, C]], [[A, C]], [[A, B, C]]]);
    expect(out).toContain('age: &team\n      - *alice\n      - *bob\n      - ' + C + ' # carol\n');
    expect(out).toContain('    age: *team\n');
    expect(out).toContain('    <<: *common\n');
    expect(out).toContain('      - age: *team\n');
    expect(out.split(C).length - 1).toBe(3); // the roster, the shared list, rule c's own list
  });

  it('team add to one rule that holds the anchor: the rules left alone keep what they had', () => {
    const out = addMemberText(CONFIG, '/r/.sops.yaml', 'carol', C, [0]);
    expect(ages(out)).toEqual([[[A, B, C]], [[A, B]], [[A]], [[A, B]]]);
    expect(out).toContain('*alice'); // item aliases survive in the copies
  });

  it('team add to one rule that refers to the shared list: it gets its own list', () => {
    const out = addMemberText(CONFIG, '/r/.sops.yaml', 'carol', C, [1]);
    expect(ages(out)).toEqual([[[A, B]], [[A, B, C]], [[A]], [[A, B]]]);
    expect(out).toContain('age: &team\n      - *alice\n      - *bob\n');
  });

  it('a recipient that comes from a `<<` merge: a rule chosen alone gets its own age', () => {
    const text = `defaults: &defaults\n  age: ${A}\ncreation_rules:\n  - path_regex: x\n    <<: *defaults\n  - path_regex: y\n    <<: *defaults\n`;
    expect(ages(addMemberText(text, '/r/.sops.yaml', 'carol', C, [0]))).toEqual([[[A, C]], [[A]]]);
    const all = addMemberText(text, '/r/.sops.yaml', 'carol', C, [0, 1]);
    expect(ages(all)).toEqual([[[A, C]], [[A, C]]]);
    expect(all).toContain(`  age: ${A},${C}\n`);
  });

  it('team rm: aliases naming the member go, with the roster entry they pointed at', () => {
    const text = `envseal:\n  members:\n    alice: &alice ${A}\n    bob: &bob ${B}\ncreation_rules:\n  - age: &team\n      - *alice\n      - *bob\n  - age: *team\n  - key_groups:\n      - age: [*bob]\n`;
    const out = removeMemberText(text, '/r/.sops.yaml', 'bob', B);
    expect(ages(out)).toEqual([[[A]], [[A]], [[]]]);
    expect(out).not.toContain(B);
    expect(out).toContain('  - age: *team\n');
  });
});

describe('editing the Flux test config', () => {
  const flux = join(SOPS_FIXTURES, 'upstream', 'flux', '.sops.yaml');
  const R = 'age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29';
  itWithShared('team add to every rule, then to one: anchors stay, each rule gets exactly what was asked', flux, () => {
    const text = readFileSync(flux, 'utf8');
    const all = addMemberText(text, '/r/.sops.yaml', 'carol', C, [0, 1, 2, 3, 4]);
    expect(ages(all)).toEqual([[[C]], [[R, C]], [[R, C]], [[R, C]], [[R, C], []]]);
    for (const kept of ['&encrypted_regex', '*encrypted_regex', '&pgp', '*pgp', '&age', '*age']) expect(all).toContain(kept);
    expect(parseConfig(all, '/r/.sops.yaml').creationRules[2]?.rule).toEqual({ field: 'encrypted_regex', value: '^(data|stringData)$' });
    const one = addMemberText(text, '/r/.sops.yaml', 'carol', C, [1]);
    expect(ages(one)).toEqual([[[]], [[R, C]], [[R]], [[R]], [[R], []]]);
    expect(ages(removeMemberText(all, '/r/.sops.yaml', 'carol', C))).toEqual(ages(text));
  });
});

describe('team add through the CLI on an anchored config', () => {
  it('adds the member to every rule and writes a config sops reads the same way', async () => {
    const dir = tempDir();
    const alice = await makeIdentity(dir, 'alice');
    const carol = await makeIdentity(dir, 'carol');
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, '.sops.yaml'), `x-keys:\n  - &alice ${alice.recipient}\ncreation_rules:\n  - path_regex: ^a/\n    age: &team [*alice]\n  - age: *team\n`);
    writeFileSync(join(dir, 'a', '.env'), 'A=1\n');
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: alice.file });
    expect((await cli(['encrypt', 'a/.env'], { cwd: dir, env })).code).toBe(0);
    const add = await cli(['team', 'add', 'carol', carol.recipient], { cwd: dir, env });
    expect(add.stderr).not.toMatch(/error/);
    expect(add.code).toBe(0);
    const text = readFileSync(join(dir, '.sops.yaml'), 'utf8');
    expect(text).toContain('*team');
    expect(ages(text)).toEqual([[[alice.recipient, carol.recipient]], [[alice.recipient, carol.recipient]]]);
    const get = await cli(['get', 'A', '-f', 'a/.env'], { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: carol.file }) });
    expect(get.stdout).toBe('1\n');
  });
});
