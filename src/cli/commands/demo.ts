/**
 * `envseal demo`: the whole story in a throwaway folder with a throwaway identity — keygen,
 * encrypt a sample .env, show the text you would commit, run a child that lists the
 * variables it received (values masked). Everything is deleted afterwards.
 */
import { join } from 'node:path';
import { InternalError } from '../../errors.js';
import type { Io, Output } from '../../io/io.js';
import { defineCommand } from './define.js';

const SAMPLE_ENV = `# Database: the app reads DATABASE_URL
DATABASE_URL=postgres://app:correct-horse-battery@db.internal:5432/app
API_KEY="sk_live_51HqLyjWDarjtT1zdp7dc"

# Comments and names stay readable, so diffs stay reviewable
PORT=8080
`;

const SAMPLE_APP = `const names = ['DATABASE_URL', 'API_KEY', 'PORT'];
for (const name of names) {
  const value = process.env[name];
  const shown = value === undefined ? '(missing)' : value.slice(0, 3) + '…' + ' (' + value.length + ' characters)';
  console.log('  app.js sees ' + name.padEnd(12) + ' = ' + shown);
}
`;

export const demoCommand = defineCommand({
  command: 'demo',
  describe: 'show the whole story in a throwaway folder (nothing of yours is touched)',
  examples: [['$0 demo', 'keygen, encrypt, commit, run — in a temporary folder']],
  async handler(env) {
    const { io } = env;
    const out = (text: string): void => io.stdout.write(`${text}\n`);
    const folder = await io.fs.privateFolder(join(io.privateTempRoot, 'envseal-demo-'));
    const dir = folder.path;
    try {
      const keyFile = join(dir, 'throwaway-identity.txt');
      const demoIo = throwawayIo(io, dir, keyFile);
      out(`envseal demo — working in a throwaway folder: ${dir}\n`);

      out('$ envseal keygen                # once per person: an age identity');
      const keygen = captured(demoIo);
      await expectOk(env.main(['keygen', '--out', keyFile], keygen.io), keygen);
      const recipient = keygen.stdout().trim();
      out(`${recipient}\n  (the identity itself stays in ${keyFile})\n`);

      await io.fs.writeFileAtomic(join(dir, '.env'), SAMPLE_ENV, { mode: 0o600 });
      out('$ cat .env                      # a plaintext .env, as people keep it today');
      out(`${indent(SAMPLE_ENV)}\n`);

      out('$ envseal encrypt .env --age <recipient>');
      const encrypt = captured(demoIo);
      await expectOk(env.main(['encrypt', '.env', '--age', recipient], encrypt.io), encrypt);
      out(`${encrypt.stderr().trim()}\n`);

      const sealed = Buffer.from(await io.fs.readFile(join(dir, '.env'))).toString('utf8');
      out('$ cat .env                      # what you commit: names and comments readable, values sealed');
      out(indent(sealed.replace(/(ENC\[AES256_GCM,data:.{8})[^\n]*/g, '$1…]').replace(/(BEGIN AGE ENCRYPTED FILE-----\\n.{16})[^\n]*/g, '$1…')));
      out('  (values shortened here; the file is a real sops file that sops itself decrypts)\n');

      await io.fs.writeFileAtomic(join(dir, 'app.js'), SAMPLE_APP, { mode: 0o644 });
      out('$ envseal run -- node app.js    # decrypts into the child\'s environment only');
      const run = captured(demoIo, io.stdout);
      await expectOk(env.main(['run', '--mask', '--', io.execPath, 'app.js'], run.io), run);
      out('\nNothing was written in plain text. Next: `envseal keygen` for real, then `envseal encrypt .env`.');
    } finally {
      await folder.remove();
    }
  },
});

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** The user's Io, moved into the throwaway folder with only the throwaway identity in sight. */
function throwawayIo(io: Io, dir: string, keyFile: string): Io {
  const env: Record<string, string | undefined> = { ...io.env, SOPS_AGE_KEY_FILE: keyFile, XDG_CONFIG_HOME: dir, HOME: dir };
  delete env['SOPS_AGE_KEY'];
  delete env['SOPS_AGE_KEY_CMD'];
  delete env['SOPS_AGE_RECIPIENTS'];
  delete env['SOPS_CONFIG'];
  for (const name of ['DATABASE_URL', 'API_KEY', 'PORT']) delete env[name];
  return { ...io, cwd: dir, env };
}

interface Captured {
  readonly io: Io;
  stdout(): string;
  stderr(): string;
}

function captured(io: Io, passStdout?: Output): Captured {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void, isTTY: boolean): Output => ({
    isTTY,
    write: (data) => append(typeof data === 'string' ? data : Buffer.from(data).toString('utf8')),
  });
  return {
    io: {
      ...io,
      stdout: passStdout ?? sink((s) => (out += s), false),
      stderr: sink((s) => (err += s), false),
    },
    stdout: () => out,
    stderr: () => err,
  };
}

async function expectOk(code: Promise<number>, step: Captured): Promise<void> {
  if ((await code) !== 0) throw new InternalError(`demo step failed: ${step.stderr().trim()}`);
}
