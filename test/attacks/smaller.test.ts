/** The security review's smaller findings (issue 11, item 8), each run as the attacker or the unlucky user would. */
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { makeIdentity } from '../helpers/keys.js';
import { BIN } from '../helpers/paths.js';

describe('run does not hand envseal\'s identities to the command', () => {
  it('SOPS_AGE_KEY, _FILE, _CMD and the SSH key variables are not in the child\'s environment', async () => {
    const dir = tempDir();
    const id = await makeIdentity(dir);
    writeFileSync(join(dir, '.env'), 'APP=value\n');
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file, SOPS_AGE_KEY: id.identity, SOPS_AGE_KEY_CMD: 'false', SOPS_AGE_SSH_PRIVATE_KEY_FILE: '/x', SOPS_AGE_SSH_PRIVATE_KEY_CMD: 'y', KEEP_ME: 'yes' });
    expect((await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
    const dump = "require('fs').writeFileSync('env.json', JSON.stringify(process.env))";
    const r = await cli(['run', '--', process.execPath, '-e', dump], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    const seen = JSON.parse(readFileSync(join(dir, 'env.json'), 'utf8')) as Record<string, string>;
    expect(seen['APP']).toBe('value');
    expect(seen['KEEP_ME']).toBe('yes');
    for (const name of ['SOPS_AGE_KEY', 'SOPS_AGE_KEY_FILE', 'SOPS_AGE_KEY_CMD', 'SOPS_AGE_SSH_PRIVATE_KEY_FILE', 'SOPS_AGE_SSH_PRIVATE_KEY_CMD']) {
      expect(seen[name], name).toBeUndefined();
    }
    expect(JSON.stringify(seen)).not.toContain(id.identity);
  });
});

describe('plaintext written on purpose, and new files', () => {
  it('decrypt --in-place leaves the plaintext 0600, whatever the file was', async () => {
    const dir = tempDir();
    const id = await makeIdentity(dir);
    writeFileSync(join(dir, '.env'), 'S=secret\n', { mode: 0o644 });
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file });
    expect((await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
    chmodSync(join(dir, '.env'), 0o644);
    expect((await cli(['decrypt', '.env', '--in-place'], { cwd: dir, env })).code).toBe(0);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('S=secret\n');
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
  });

  it('a new file follows the umask (a real process, umask 077)', async () => {
    const dir = tempDir();
    const id = await makeIdentity(dir);
    const r = spawnSync('sh', ['-c', `umask 077 && "${process.execPath}" "${BIN}" set NEW value -f new.env --age ${id.recipient}`], { cwd: dir, env: { PATH: process.env['PATH'], HOME: join(dir, '.home') }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(join(dir, 'new.env')).mode & 0o777).toBe(0o600);
  });
});

describe('control characters from files and labels never reach the terminal raw', () => {
  it('a key name with an escape sequence is shown escaped in errors and warnings', async () => {
    const dir = tempDir();
    const id = await makeIdentity(dir);
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file });
    writeFileSync(join(dir, 'c.yaml'), 'ok: 1\n');
    expect((await cli(['encrypt', 'c.yaml', '--age', id.recipient], { cwd: dir, env })).code).toBe(0);
    const text = readFileSync(join(dir, 'c.yaml'), 'utf8');
    // A file whose label carries a terminal escape (anyone with write access can put one there).
    writeFileSync(join(dir, 'c.yaml'), text.replace(`recipient: ${id.recipient}`, `recipient: "evil\\e]0;pwned\\a\\e[2J"`));
    const r = await cli(['get', 'ok', '-f', 'c.yaml'], { cwd: dir, env });
    expect(r.stderr).toContain('\\u001b');
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    const missing = await cli(['get', 'k\u001b[2Jey', '-f', 'c.yaml'], { cwd: dir, env });
    expect(missing.code).toBe(3);
    expect(missing.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });
});

describe('a .sops.yaml planted above the project', () => {
  it.skipIf(process.getuid?.() !== 0)('one another user owns, or everyone can write, does not choose the recipients', async () => {
    const shared = tempDir(); // like /tmp: the victim works in a folder below it, outside git and HOME
    chmodSync(shared, 0o1777);
    const victim = await makeIdentity(shared, 'victim');
    const attacker = await makeIdentity(shared, 'attacker');
    const planted = join(shared, '.sops.yaml');
    writeFileSync(planted, `creation_rules:\n  - age: ${attacker.recipient}\n`);
    chownSync(planted, 65534, 65534);
    const project = join(shared, 'project');
    mkdirSync(project);
    writeFileSync(join(project, '.env'), 'S=secret\n');
    const env = isolatedEnv(project, { SOPS_AGE_RECIPIENTS: undefined });
    const r = await cli(['encrypt', '.env'], { cwd: project, env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`ignored ${planted}: it is outside this project and belongs to another user`);
    expect(readFileSync(join(project, '.env'), 'utf8')).toBe('S=secret\n');
    // World-writable, even when owned by the user: also ignored.
    chownSync(planted, 0, 0);
    chmodSync(planted, 0o666);
    const again = await cli(['encrypt', '.env'], { cwd: project, env });
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('others can change it');
    // Inside the project's git work tree a .sops.yaml is trusted whoever wrote it (CI, containers).
    spawnSync('git', ['init', '-q', project]);
    writeFileSync(join(project, '.sops.yaml'), `creation_rules:\n  - age: ${victim.recipient}\n`);
    chownSync(join(project, '.sops.yaml'), 65534, 65534);
    const inRepo = await cli(['encrypt', '.env'], { cwd: project, env });
    expect(inRepo.code, inRepo.stderr).toBe(0);
    expect(readFileSync(join(project, '.env'), 'utf8')).toContain(victim.recipient);
  });
});

describe('YAML that would quote a secret or blow up', () => {
  it('a parse error says the code and the line, never the text of the line', async () => {
    const dir = tempDir();
    const id = await makeIdentity(dir);
    const env = isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file });
    const broken = [
      'a: 1\nb: [unclosed "s3cret-one\nc: 2\n',
      'a: 1\npassword: "s3cret-two\n',
      'a:\n  b: s3cret-three\n c: d\n',
      'k: @s3cret-four\n',
      'a: 1\n\ts3cret-five: x\n',
      '? [s3cret-six\n: v\n',
      'a: 1\n] s3cret-seven\n',
      'password: |s3cret-eight\n',
    ];
    for (const [i, text] of broken.entries()) {
      writeFileSync(join(dir, `b${i}.yaml`), text);
      const r = await cli(['encrypt', `b${i}.yaml`, '--age', id.recipient], { cwd: dir, env });
      expect(r.code, text).toBe(6);
      expect(r.stderr, text).toMatch(/invalid YAML at line \d+/);
      expect(r.stderr, text).not.toMatch(/s3cret/);
    }
  });

  it('an alias bomb (each alias multiplying the last) stops with exit 6 instead of eating memory', async () => {
    const dir = tempDir();
    const id = await makeIdentity(dir);
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const name of 'bcdefgh') levels.push(`${name}: &${name} [${Array(9).fill(`*${String.fromCharCode(name.charCodeAt(0) - 1)}`).join(',')}]`);
    writeFileSync(join(dir, 'bomb.yaml'), `${levels.join('\n')}\n`);
    expect(Buffer.byteLength(readFileSync(join(dir, 'bomb.yaml')))).toBeLessThan(500);
    const r = await cli(['encrypt', 'bomb.yaml', '--age', id.recipient], { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file }) });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/aliases expand to more than 1,000,000 values/);
  });
});
