/** The format of the file git hands `envseal git textconv`. */
import { describe, expect, it } from 'vitest';
import { textconvFormat } from '../../src/cli/commands/git.js';

describe('textconvFormat', () => {
  it('reads the name git started from: newer git keeps it (git-blob-XXXXXX/.env.production), older git prefixes XXXXXX_', () => {
    expect(textconvFormat('/tmp/git-blob-a1B2c3/.env.production')).toBe('dotenv');
    expect(textconvFormat('/tmp/a1B2c3_.env.production')).toBe('dotenv');
    expect(textconvFormat('/tmp/a1B2c3_app.yaml')).toBe('yaml');
    expect(textconvFormat('config/settings.json')).toBe('json');
    expect(textconvFormat('/tmp/a1B2c3_README.md')).toBeNull();
  });
});
