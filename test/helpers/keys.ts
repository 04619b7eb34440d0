import { generateIdentity, identityToRecipient } from 'age-encryption';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestIdentity {
  readonly identity: string;
  readonly recipient: string;
  /** A key file holding the identity (written into `dir`). */
  readonly file: string;
}

/** A throwaway identity written to `<dir>/<name>.key` (test-only). */
export async function makeIdentity(dir: string, name = 'test-identity'): Promise<TestIdentity> {
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  const file = join(dir, `${name}.key`);
  writeFileSync(file, `# test-only identity\n${identity}\n`, { mode: 0o600 });
  return { identity, recipient, file };
}
