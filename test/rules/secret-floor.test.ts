/** The floor for secrets and the commented-out assignment detector (issue 12, item 8). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clearCommentSecrets, commentAssignment, isCommentedSecret } from '../../src/rules/comment-secrets.js';
import { COMMON_WORDS, isSecretLike, MIN_SECRET_LENGTH } from '../../src/rules/secret-floor.js';
import { dotenvFormat } from '../../src/formats/dotenv.js';
import { yamlFormat } from '../../src/formats/yaml.js';
import { cli, isolatedEnv, tempDir } from '../helpers/cli.js';
import { enc, handmadeYaml } from '../helpers/handmade-sops.js';
import { makeIdentity } from '../helpers/keys.js';

describe('the floor for secrets', () => {
  it.each([
    ['hunter2', true],
    ['s3cr3t-token', true],
    ['correcthorsebatterystaple', true],
    ['postgres://u:p@db/app', true],
    ['ghp_16C7e42F292c6912E7710c838347Ae178B4a', true],
    ['1234567a', true], // not purely numeric
    ['0x1F2E3D4C', true], // hex is not "purely numeric"
    ['abc', false], // short
    ['abcde', false], // one below the minimum
    ['  abcde  ', false], // trimmed first
    ['3000', false],
    ['1234567890123', false], // purely numeric, however long
    ['-1.5', false],
    ['1_000_000', false],
    ['3,14159', false],
    ['true', false],
    ['FALSE', false],
    ['yes', false],
    ['Off', false],
    ['production', false],
    ['Staging', false],
    ['localhost', false],
    ['DEBUG', false],
    ['undefined', false],
    ['', false],
    ['ключ-секрет', true], // code points, not bytes
    ['日本語', false], // 3 code points
  ])('%j → %s', (value, expected) => {
    expect(isSecretLike(value)).toBe(expected);
  });

  it('the minimum length is 6 and every listed common word is below the floor', () => {
    expect(MIN_SECRET_LENGTH).toBe(6);
    expect(isSecretLike('abcdef')).toBe(true);
    for (const word of COMMON_WORDS) expect(isSecretLike(word.toUpperCase())).toBe(false);
  });
});

describe('commented-out assignments', () => {
  it.each([
    [' OLD_PASSWORD=hunter2', { key: 'OLD_PASSWORD', value: 'hunter2' }],
    ['OLD_PASSWORD=hunter2 # rotated in May', { key: 'OLD_PASSWORD', value: 'hunter2' }],
    [' export TOKEN="two words"', { key: 'TOKEN', value: 'two words' }],
    [" KEY = 'quoted'", { key: 'KEY', value: 'quoted' }],
    ['#  password: hunter2', { key: 'password', value: 'hunter2' }],
    [' db.password: s3cret!', { key: 'db.password', value: 's3cret!' }],
    [' PORT=3000', { key: 'PORT', value: '3000' }],
    [' TODO: fix this later', null], // prose: blanks inside an unquoted value
    [' see https://example.com', null],
    [' KEY=', null],
    [' KEY="unclosed', null],
    [' 1KEY=value', null],
    ['just words', null],
    [' http://x', null],
  ])('%j', (text, expected) => {
    expect(commentAssignment(text)).toEqual(expected);
  });

  it('only values above the floor count, and never ciphertext', () => {
    expect(isCommentedSecret(' OLD_PASSWORD=hunter2')).toEqual({ key: 'OLD_PASSWORD', value: 'hunter2' });
    expect(isCommentedSecret(' PORT=3000')).toBeNull();
    expect(isCommentedSecret(' NODE_ENV=production')).toBeNull();
    expect(isCommentedSecret(' DEBUG=true')).toBeNull();
    expect(isCommentedSecret(` OLD=${enc('str', 'OLD:', 'x')}`)).toBeNull();
  });

  it('finds them in every comment of a document, with their lines, never returning a value', () => {
    const env = '# settings\n# OLD_PASSWORD=hunter2\nPORT=3000\n# PORT=4000\nA=1 # TOKEN=abcdefgh\n';
    expect(clearCommentSecrets(dotenvFormat.parse(env, '.env').docs, env)).toEqual([
      { key: 'OLD_PASSWORD', line: 2 },
      { key: 'TOKEN', line: 5 },
    ]);
    const yaml = 'db:\n  # password: hunter2\n  password: x\nhosts:\n  - a\n  # - token: abcdefgh\n';
    expect(clearCommentSecrets(yamlFormat.parse(yaml, 'f.yaml').docs)).toEqual([
      { key: 'password', line: 2 },
      { key: 'token', line: 6 },
    ]);
  });
});

describe('encrypt warns about a commented-out secret left in clear', () => {
  it('a plaintext .env: the line and the key, never the value; not for # PORT=3000', async () => {
    const dir = tempDir();
    const id = await makeIdentity(dir);
    writeFileSync(join(dir, '.env'), '# OLD_PASSWORD=hunter2\n# PORT=3000\nPASSWORD=new-one\n');
    const result = await cli(['encrypt', '.env', '--age', id.recipient], { cwd: dir, env: isolatedEnv(dir) });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: \.env:1: a comment assigns OLD_PASSWORD a value that looks like a secret/);
    expect(result.stderr).not.toMatch(/PORT/);
    expect(result.stderr).not.toContain('hunter2');
  });

  it('a sops file with a commented-out secret added by hand next to a new value', async () => {
    const dir = tempDir();
    const id = await makeIdentity(dir);
    const body = `# token: tok-abcdef123\nname: ${enc('str', 'name:', 'svc')}\nadded: by-hand\n`;
    writeFileSync(join(dir, 'c.yaml'), await handmadeYaml(body, { recipient: id.recipient, macInput: ['svc'] }));
    const result = await cli(['encrypt', 'c.yaml'], { cwd: dir, env: isolatedEnv(dir, { SOPS_AGE_KEY_FILE: id.file }) });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/c\.yaml:1: a comment assigns token a value that looks like a secret/);
    expect(result.stderr).toMatch(/encrypted 1 new value in c\.yaml: added/);
    expect(result.stderr).not.toContain('tok-abcdef123');
  });

  it('no warning when the comments are encrypted (a comment-regex rule covering them)', async () => {
    const dir = tempDir();
    const id = await makeIdentity(dir);
    writeFileSync(join(dir, 'c.yaml'), '# sops:enc\n# OLD_PASSWORD=hunter2\nkey: v\n');
    const result = await cli(['encrypt', 'c.yaml', '--age', id.recipient, '--encrypted-comment-regex', 'sops:enc'], { cwd: dir, env: isolatedEnv(dir) });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/warning/);
  });
});
