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

export async function statusRows(ctx: Ctx, given: readonly string[]): Promise<{ rows: StatusRow[]; problems: EnvsealError[]; ignored: string[] }> {
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
  return { rows, problems, ignored: ignored.map((f) => relativeTo(team, f.abs)) };
}
