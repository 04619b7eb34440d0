/**
 * What `envseal status` reports per sops file: its format, recipients (named from the
 * roster), whether the user can open it, when it last changed, its rotation debt, and key
 * entries whose labels cannot be trusted.
 */
import { unwrapDataKey } from '../crypto/data-key.js';
import type { EnvsealError } from '../errors.js';
import { allAgeKeys, labelProblems, otherKeyDescriptions } from '../metadata/model.js';
import type { Ctx } from './context.js';
import { outstandingDebt, readExposures } from './exposures.js';
import { identitiesFor } from './identities.js';
import { metadataOf } from './open.js';
import { loadTeam, relativeTo, sopsFiles } from './repository.js';
import { workTreeRoot } from './git.js';
import { isSealed, lastChanges, valuesOf, versions, type LastChange } from './history.js';
import { expiryState } from './team.js';

export interface StatusRow {
  readonly file: string;
  readonly format: string;
  /** Each key entry: its recipient (or label, when it does not parse) and roster name. */
  readonly recipients: ReadonlyArray<{ readonly recipient: string; readonly name: string | null }>;
  readonly otherKeys: string[];
  readonly canDecrypt: boolean;
  readonly lastModified: string;
  /** `unsure`: null when the value is known to be the one the member saw, else why envseal cannot tell. */
  readonly debt: ReadonlyArray<{ readonly key: string; readonly member: string; readonly removed: string; readonly unsure: string | null }>;
  /** Labels that do not parse, are not canonical, or repeat. */
  readonly labelProblems: string[];
}

/** One secret of the inventory: where it is, who can read it, when it last changed, its debt. */
export interface SecretRow {
  readonly file: string;
  /** `db.password`; `#1 key` for a value of a later YAML document. */
  readonly key: string;
  readonly readers: StatusRow['recipients'];
  /** From git: the commit where the value last changed; `uncommitted`; or null outside git. */
  readonly lastChanged: LastChange | 'uncommitted' | null;
  readonly debt: StatusRow['debt'];
}

export interface Status {
  readonly rows: StatusRow[];
  /** Every encrypted value of those files (the inventory). */
  readonly secrets: SecretRow[];
  readonly problems: EnvsealError[];
  readonly ignored: string[];
  /** Members whose access ends within EXPIRY_WARNING_DAYS (not yet a violation: a warning). */
  readonly expiringSoon: Array<{ name: string; expires: string }>;
}

export async function statusRows(ctx: Ctx, given: readonly string[]): Promise<Status> {
  const team = await loadTeam(ctx);
  const { files, problems, ignored } = await sopsFiles(ctx, team, given);
  const identities = (await identitiesFor(ctx)).identities;
  const debt = await outstandingDebt(ctx, team.root, await readExposures(ctx, team.root));
  const rows = await Promise.all(
    files.map(async (file): Promise<StatusRow> => {
      const meta = metadataOf(file);
      const path = relativeTo(team, file.abs);
      return {
        file: path,
        format: file.format.name,
        recipients: allAgeKeys(meta).map((k) => ({ recipient: k.recipient ?? k.label, name: k.recipient === null ? null : (team.nameOf(k.recipient) ?? null) })),
        otherKeys: otherKeyDescriptions(meta),
        canDecrypt: (await unwrapDataKey(meta, identities)).ok,
        lastModified: meta.lastModified,
        debt: debt.filter((d) => d.file === path).map(({ key, member, removed, unsure }) => ({ key, member, removed, unsure })),
        labelProblems: labelProblems(meta),
      };
    }),
  );
  const inGit = (await workTreeRoot(ctx, team.root)) !== null;
  const secrets = (
    await Promise.all(
      files.map(async (file, i) => {
        const row = rows[i] as StatusRow;
        const current = (await valuesOf(ctx, Buffer.from(file.bytes ?? new Uint8Array()).toString('utf8'), file.format, file.abs)).values ?? new Map();
        const history = inGit ? lastChanges(current, await versions(ctx, team.root, row.file, file.format)) : null;
        return [...current]
          .filter(([, held]) => isSealed(held))
          .map(([key]): SecretRow => ({
            file: row.file,
            key,
            readers: row.recipients,
            lastChanged: history?.get(key) ?? null,
            debt: row.debt.filter((d) => d.key === key || d.key === key.replace(/^#\d+ /, '')),
          }));
      }),
    )
  ).flat();
  const expiringSoon = [...(team.roster.expires ?? [])].filter(([, day]) => expiryState(day, ctx.io.now()) === 'soon').map(([name, expires]) => ({ name, expires }));
  return { rows, secrets, problems, ignored: ignored.map((f) => relativeTo(team, f.abs)), expiringSoon };
}
