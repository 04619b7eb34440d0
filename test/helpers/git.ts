/** Git in tests: a command in a repository as a fixed author, at a fixed date, on any machine. */
import { execFileSync } from 'node:child_process';

/** Runs `git -C dir ARGS` as Ada at `date` (author and committer); its stdout, trimmed. Throws when git fails. */
export function git(dir: string, args: readonly string[], date = '2026-01-01T00:00:00Z'): string {
  const who = { GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.com' };
  const env = { ...process.env, ...who, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  return execFileSync('git', ['-C', dir, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}
