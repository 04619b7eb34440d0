/** Picking the creation rule for a file (src/config/rules.ts); parsing is in config.test.ts. */
import { describe, expect, it } from 'vitest';
import { configRelativePath, ruleFor } from '../../src/config/rules.js';
import { parseConfig } from '../../src/config/schema.js';
import { fakeRecipient } from '../helpers/recipients.js';

describe('creation rule choice', () => {
  it('matches the path relative to the config folder, with / separators on Windows too', () => {
    expect(configRelativePath('/repo/.sops.yaml', '/repo/app/.env')).toBe('app/.env');
    expect(configRelativePath('/repo/.sops.yaml', '/repository/app/.env')).toBe('/repository/app/.env');
    expect(configRelativePath('C:\\repo\\.sops.yaml', 'C:\\repo\\app\\.env', '\\')).toBe('app/.env');
  });

  it('takes the first rule that matches anywhere in the path, or that has no path_regex', () => {
    const config = parseConfig(
      `creation_rules:\n  - path_regex: ^prod/\n    age: ${fakeRecipient(1)}\n  - path_regex: \\.yaml$\n    age: ${fakeRecipient(2)}\n  - age: ${fakeRecipient(3)}\n`,
      '/repo/.sops.yaml',
    );
    expect(ruleFor(config, '/repo/prod/a.yaml')?.index).toBe(0);
    expect(ruleFor(config, '/repo/dev/prod/a.yaml')?.index).toBe(1); // ^ anchors at the config folder
    expect(ruleFor(config, '/repo/dev/a.env')?.index).toBe(2);
    const noCatchAll = parseConfig(`creation_rules:\n  - path_regex: ^prod/\n    age: ${fakeRecipient(1)}\n`, '/repo/.sops.yaml');
    expect(ruleFor(noCatchAll, '/repo/dev/a.env')).toBeNull();
  });
});
