import { generateIdentity, identityToRecipient } from 'age-encryption';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRe2 } from '../../src/rules/re2.js';
import { ruleFor } from '../../src/config/rules.js';
import { parseConfig } from '../../src/config/schema.js';
import { ConfigError } from '../../src/errors.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity } from '../helpers/keys.js';
import { AGE_FIXTURES, describeWithShared } from '../helpers/paths.js';

/** Two recipients made here (any valid ones do). */
const [R1, R2] = await Promise.all([generateIdentity().then(identityToRecipient), generateIdentity().then(identityToRecipient)]);

describe('.sops.yaml', () => {
  it('parses creation rules: comma lists, YAML lists, rule fields, first match wins', () => {
    const config = parseConfig(
      `creation_rules:\n  - path_regex: prod/.*\\.env$\n    age: ${R1}, ${R2}\n    encrypted_regex: ^(password|token)$\n  - age:\n      - ${R2}\n`,
      '/repo/.sops.yaml',
    );
    expect(config.creationRules).toHaveLength(2);
    expect(ruleFor(config, '/repo/prod/app.env')?.groups[0]?.age).toEqual([R1, R2]);
    expect(ruleFor(config, '/repo/prod/app.env')?.rule).toEqual({ field: 'encrypted_regex', value: '^(password|token)$' });
    expect(ruleFor(config, '/repo/dev/app.env')?.index).toBe(1);
    expect(ruleFor(config, '/elsewhere/prod/x.env')?.index).toBe(0); // outside the config folder: the whole path is matched
  });

  it('reads key_groups, and warns about a misspelt path_regexp (sops ignores it: the rule matches everything)', () => {
    const warnings: string[] = [];
    const text = `creation_rules:\n  # one group of two\n  - path_regexp: \\.env$\n    key_groups:\n      - age:\n          - ${R1} # first\n          - ${R2}\n`;
    const config = parseConfig(text, '/r/.sops.yaml', (m) => warnings.push(m));
    expect(config.creationRules[0]?.groups[0]?.age).toEqual([R1, R2]);
    expect(config.creationRules[0]?.pathRegex).toBeNull();
    expect(ruleFor(config, '/r/app.yaml')?.index).toBe(0);
    expect(warnings.join()).toMatch(/path_regexp.*matches every file/);
  });

  it('refuses what sops would refuse, with the line', () => {
    const bad = (text: string): ConfigError => {
      try {
        parseConfig(text, '/r/.sops.yaml');
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('accepted');
    };
    expect(bad(`creation_rules:\n  - age: ${R1}\n    encrypted_regex: a\n    unencrypted_suffix: b\n`).message).toMatch(/more than one/);
    const recipient = bad(`creation_rules:\n  - path_regex: x\n    age: age1notarecipient\n`);
    expect(recipient.message).toMatch(/age recipient that does not parse/);
    expect(recipient.line).toBe(3);
    expect(bad('creation_rules: [\n').exitCode).toBe(3);
    expect(bad(`creation_rules:\n  - path_regex: (?=x)\n`).message).toMatch(/look-around/);
  });

  it('reads RE2-only regex syntax or refuses it (more in test/rules/re2.test.ts)', () => {
    const folded = compileRe2('(?i)^SECRET');
    expect(folded.ok && [folded.regex.test('secret_x'), folded.regex.test('my_secret')]).toEqual([true, false]);
    expect(compileRe2('(?P<n>a)').ok).toBe(true);
    expect(compileRe2('(a)\\1').ok).toBe(false);
  });
});

describe('encrypt with a .sops.yaml', () => {
  it('takes recipients from the nearest config, looked for from the file upwards', async () => {
    const dir = tempDir();
    const id = await makeIdentity(dir);
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', '.sops.yaml'), `creation_rules:\n  - path_regex: \\.env$\n    age: ${id.recipient}\n`);
    writeFileSync(join(dir, 'app', '.env'), 'A=1\n');
    const result = await cli(['encrypt', 'app/.env'], { cwd: dir, env: isolatedEnv(dir) });
    expect(result.code).toBe(0);
    expect(readFileSync(join(dir, 'app', '.env'), 'utf8')).toContain(`sops_age__list_0__map_recipient=${id.recipient}`);
  });

  it('no matching rule, or a rule naming other key types: exit 3 with a hint', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - path_regex: \\.yaml$\n    age: ${R1}\n  - path_regex: pgp\\.env$\n    pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\n`);
    writeFileSync(join(dir, '.env'), 'A=1\n');
    writeFileSync(join(dir, 'pgp.env'), 'A=1\n');
    const none = await cli(['encrypt', '.env'], { cwd: dir, env: isolatedEnv(dir) });
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/no creation rule .* matches \.env/);
    const pgp = await cli(['encrypt', 'pgp.env'], { cwd: dir, env: isolatedEnv(dir) });
    expect(pgp.code).toBe(3);
    expect(pgp.stderr).toMatch(/keys envseal cannot wrap for: pgp: FBC7B9E2/);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('A=1\n');
  });
});

describeWithShared('.sops.yaml written for sops by another project', () => {
  it('the sops-age repository\'s config: key_groups of three, and its misspelt path_regexp warned about', () => {
    const warnings: string[] = [];
    const config = parseConfig(readFileSync(join(AGE_FIXTURES, 'humphd-sops-age', 'dot-sops.yaml'), 'utf8'), '/r/.sops.yaml', (m) => warnings.push(m));
    expect(config.creationRules[0]?.groups[0]?.age).toHaveLength(3);
    expect(config.creationRules[0]?.pathRegex).toBeNull();
    expect(warnings.join()).toMatch(/path_regexp.*matches every file/);
  });
});
