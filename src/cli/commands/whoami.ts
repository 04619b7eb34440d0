/**
 * `envseal whoami [--json]`: the recipient of every identity envseal would use, and where each
 * came from (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD, the default keys file, SSH keys), never
 * the secret. It is what you give a teammate for `envseal team add`. Nothing found is exit 4,
 * listing the places looked at.
 */
import { NoIdentityError } from '../../errors.js';
import { whoAmI } from '../../ops/whoami.js';
import { defineCommand } from './define.js';
import { say } from './env.js';
import { jsonOption } from './options.js';

export const whoamiCommand = defineCommand({
  command: 'whoami',
  describe: 'print your recipients (what others encrypt to) and where each identity was found',
  options: { json: jsonOption },
  examples: [
    ['$0 whoami', 'age1…  (from ~/.config/sops/age/keys.txt)'],
    ['$0 whoami --json', '[{"recipient": "age1…", "sources": ["…"]}]'],
  ],
  async handler(env, args) {
    const found = await whoAmI(env.io);
    for (const warning of found.warnings) say(env, `envseal: warning: ${warning}`);
    for (const label of found.locked) say(env, `envseal: note: ${label} is encrypted with a passphrase; whoami does not open it`);
    if (found.recipients.length === 0 && found.locked.length === 0) {
      throw new NoIdentityError('no age identity found', found.tried, [], {
        details: found.tried.map((t) => `looked in ${t}`),
        hint: 'make one with envseal keygen, or point SOPS_AGE_KEY_FILE at your key file',
      });
    }
    if (args.json) {
      env.io.stdout.write(`${JSON.stringify(found.recipients)}\n`);
      return;
    }
    for (const { recipient, sources } of found.recipients) env.io.stdout.write(`${recipient}  (from ${sources.join(', ')})\n`);
  },
});
