/** Editing .sops.yaml for team commands, comments kept (src/config/edit.ts). */
import { describe, expect, it } from 'vitest';
import { addMemberText, CATCH_ALL_REGEX, newConfigText, removeMemberText, selectRules } from '../../src/config/edit.js';
import { readRoster } from '../../src/config/roster.js';
import { ruleFor } from '../../src/config/rules.js';
import { parseConfig } from '../../src/config/schema.js';
import { fakeRecipient } from '../helpers/recipients.js';

const A = fakeRecipient(1);
const B = fakeRecipient(2);
const C = fakeRecipient(3);
const FILE = '/repo/.sops.yaml';

const CONFIG = `# our rules
envseal:
  members:
    alice: ${A} # the lead
creation_rules:
  # production first
  - path_regex: ^prod/
    age:
      - ${A}  # alice
  - path_regex: ^dev/
    age: ${A}, ${C}
  - path_regex: ^split/
    key_groups:
      - age: [${A}]
      - age: [${C}]
`;

const agesOf = (text: string): string[][] => parseConfig(text, FILE).creationRules.map((r) => r.groups.flatMap((g) => g.age));

describe('selectRules', () => {
  it('names every rule by default, else by 1-based number or exact path_regex', () => {
    expect(selectRules(CONFIG, FILE, [])).toEqual([0, 1, 2]);
    expect(selectRules(CONFIG, FILE, ['2', '^prod/'])).toEqual([1, 0]);
    expect(() => selectRules(CONFIG, FILE, ['4'])).toThrow(/no creation rule number 4/);
    expect(() => selectRules(CONFIG, FILE, ['0'])).toThrow(/no creation rule number 0/);
    expect(() => selectRules(CONFIG, FILE, ['prod'])).toThrow(/no creation rule with path_regex "prod"/);
  });
});

describe('addMemberText', () => {
  it('adds the member to the roster and to the chosen rules only, keeping every comment', () => {
    const text = addMemberText(CONFIG, FILE, 'bob', B, [0, 1, 2]);
    for (const comment of ['# our rules', '# the lead', '# production first', '# alice']) expect(text).toContain(comment);
    expect(text).toMatch(new RegExp(`- ${B} # bob`));
    expect([...readRoster(parseConfig(text, FILE).raw, FILE).members.keys()]).toEqual(['alice', 'bob']);
    // a list gets an item, a comma list a new entry, key groups their first group
    expect(agesOf(text)).toEqual([[A, B], [A, C, B], [A, B, C]]);
    expect(agesOf(addMemberText(CONFIG, FILE, 'bob', B, [1]))).toEqual([[A], [A, C, B], [A, C]]);
  });

  it('does not list a recipient twice, and creates the roster in a config that has none', () => {
    expect(agesOf(addMemberText(CONFIG, FILE, 'alice', A, [0, 1, 2]))).toEqual(agesOf(CONFIG));
    const bare = `creation_rules:\n  - path_regex: x\n`;
    const text = addMemberText(bare, FILE, 'bob', B, [0]);
    expect(text.startsWith('envseal:')).toBe(true);
    expect(agesOf(text)).toEqual([[B]]);
    expect(readRoster(parseConfig(text, FILE).raw, FILE).members.get('bob')).toBe(B);
  });

  it('refuses a config that is not YAML or not a map', () => {
    expect(() => addMemberText('a: [', FILE, 'bob', B, [])).toThrow(/invalid YAML/);
    expect(() => addMemberText('- a\n', FILE, 'bob', B, [])).toThrow(/top level must be a map/);
  });
});

describe('removeMemberText', () => {
  it('removes the member from the roster and from every list, comma list and key group, keeping comments', () => {
    const text = removeMemberText(addMemberText(CONFIG, FILE, 'bob', B, [0, 1, 2]), FILE, 'bob', B);
    expect(agesOf(text)).toEqual(agesOf(CONFIG));
    expect(readRoster(parseConfig(text, FILE).raw, FILE).members.has('bob')).toBe(false);
    expect(text).toContain('# production first');
    expect(text).not.toContain(B);
  });

  it('a recipient outside the roster is removed from the rules, the roster left alone', () => {
    const text = removeMemberText(CONFIG, FILE, undefined, C);
    expect(agesOf(text)).toEqual([[A], [A], [A]]);
    expect(readRoster(parseConfig(text, FILE).raw, FILE).members.get('alice')).toBe(A);
  });
});

describe('newConfigText', () => {
  it('a roster of one and a catch-all rule for dotenv, YAML and JSON files', () => {
    const config = parseConfig(newConfigText('alice', A), FILE);
    expect(readRoster(config.raw, FILE).members.get('alice')).toBe(A);
    expect(config.creationRules[0]?.pathRegex?.source).toBe(CATCH_ALL_REGEX);
    for (const file of ['.env', 'app/.env.production', 'app/prod.env', 'x.yaml', 'x.yml', 'a/b.json']) {
      expect(ruleFor(config, `/repo/${file}`)?.groups[0]?.age, file).toEqual([A]);
    }
    for (const file of ['README.md', 'app/.envrc', 'x.yaml.bak']) expect(ruleFor(config, `/repo/${file}`), file).toBeNull();
  });
});
