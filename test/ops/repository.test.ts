/** The repository: its config, roster, and the files git would commit (src/ops/repository.ts). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { labelled, loadTeam, repoPath, repositoryFiles, ruleTarget, sopsFiles } from '../../src/ops/repository.js';
import { tempDir } from '../helpers/cli.js';
import type { TestIdentity } from '../helpers/keys.js';
import { actingAs, people, sealedFile } from '../helpers/ops.js';
import { fakeRecipient } from '../helpers/recipients.js';

let alice: TestIdentity;
beforeAll(async () => {
  ({ alice } = await people());
});

/** A folder with files of every kind repositoryFiles must tell apart. */
function tree(): string {
  const dir = tempDir();
  for (const d of ['app', 'node_modules/pkg', 'ignored', '.git-like']) mkdirSync(join(dir, d), { recursive: true });
  for (const f of ['app/.env', 'app/.env.production', 'app/config.yml', 'app/data.json', 'app/notes.txt', 'node_modules/pkg/package.json', 'ignored/secret.env', '.sops.yaml', '.envseal-exposures.yaml', '.git-like/x.yaml']) {
    writeFileSync(join(dir, f), '');
  }
  return dir;
}

const listed = async (dir: string, env?: Record<string, string>) => (await repositoryFiles(actingAs(dir, null, { env }).ctx, dir)).files.map((f) => repoPath(dir, f));

describe('repositoryFiles', () => {
  it('without git: every file of a known format below the folder, skipping node_modules and the two envseal lists', async () => {
    const dir = tree();
    const expected = ['.git-like/x.yaml', 'app/.env', 'app/.env.production', 'app/config.yml', 'app/data.json', 'ignored/secret.env'];
    expect(await listed(dir)).toEqual(expected);
    expect(await listed(dir, { PATH: join(dir, 'no-bin') })).toEqual(expected); // git not installed
  });

  it('in a git repository: tracked and untracked files that are not ignored', async () => {
    const dir = tree();
    execFileSync('git', ['init', '-q', dir]);
    writeFileSync(join(dir, '.gitignore'), 'ignored/\nnode_modules/\n');
    expect(await listed(dir)).toEqual(['.git-like/x.yaml', 'app/.env', 'app/.env.production', 'app/config.yml', 'app/data.json']);
    execFileSync('git', ['-C', dir, 'add', '-f', 'ignored/secret.env', 'app/.env']); // tracked although ignored
    writeFileSync(join(dir, '.gitignore'), 'ignored/\n'); // node_modules no longer ignored: git would commit it
    expect(await listed(dir)).toEqual(['.git-like/x.yaml', 'app/.env', 'app/.env.production', 'app/config.yml', 'app/data.json', 'ignored/secret.env', 'node_modules/pkg/package.json']);
  });

  it('files git ignores one by one (the Node default `.env`) are listed too, and said to be ignored; ignored folders are not entered', async () => {
    const dir = tree();
    execFileSync('git', ['init', '-q', dir]);
    writeFileSync(join(dir, '.gitignore'), 'ignored/\nnode_modules/\n.env\n');
    const found = await repositoryFiles(actingAs(dir, null).ctx, dir);
    expect(found.files.map((f) => repoPath(dir, f))).toEqual(['.git-like/x.yaml', 'app/.env', 'app/.env.production', 'app/config.yml', 'app/data.json']);
    expect([...found.ignored].map((f) => repoPath(dir, f))).toEqual(['app/.env']);
  });
});

describe('the team as repository-wide commands see it', () => {
  it('without a .sops.yaml: rooted in the current folder, no config, an empty roster', async () => {
    const dir = tempDir();
    const team = await loadTeam(actingAs(dir, null).ctx);
    expect(team).toMatchObject({ root: dir, configPath: join(dir, '.sops.yaml'), text: null, bytes: null, config: null });
    expect(team.roster.members.size).toBe(0);
    expect(ruleTarget(team.config, join(dir, '.env'))).toBeNull();
  });

  it("names recipients from the roster; a rule's recipients are the file's target", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.sops.yaml'), `envseal:\n  members:\n    alice: ${fakeRecipient(1)}\ncreation_rules:\n  - path_regex: ^app/\n    shamir_threshold: 2\n    key_groups:\n      - age: [${fakeRecipient(1)}]\n      - age: [${fakeRecipient(2)}]\n      - age: [${fakeRecipient(3)}]\n`);
    mkdirSync(join(dir, 'app', 'deeper'), { recursive: true });
    const team = await loadTeam(actingAs(join(dir, 'app', 'deeper'), null).ctx);
    expect(team.root).toBe(dir);
    expect(labelled(team, fakeRecipient(1))).toBe(`alice (${fakeRecipient(1).slice(0, 16)}…)`);
    expect(labelled(team, fakeRecipient(2))).toBe(fakeRecipient(2));
    expect(ruleTarget(team.config, join(dir, 'app', '.env'))).toEqual({ groups: [[fakeRecipient(1)], [fakeRecipient(2)], [fakeRecipient(3)]], threshold: 2 });
    expect(ruleTarget(team.config, join(dir, 'other.env'))).toBeNull();
  });

  it('sopsFiles keeps only files with sops metadata; given files that do not load are problems', async () => {
    const dir = tempDir();
    await sealedFile(dir, 'a.env', 'A=1\n', [alice.recipient]);
    writeFileSync(join(dir, 'plain.env'), 'A=1\n');
    writeFileSync(join(dir, 'broken.json'), '{');
    const { ctx } = actingAs(dir, null);
    const team = await loadTeam(ctx);
    expect((await sopsFiles(ctx, team, [])).files.map((f) => f.display)).toEqual(['a.env']);
    const given = await sopsFiles(ctx, team, ['plain.env', 'broken.json', 'a.env']);
    expect(given.files.map((f) => f.display)).toEqual(['a.env']);
    expect(given.problems.map((p) => p.exitCode)).toEqual([6]);
  });
});
