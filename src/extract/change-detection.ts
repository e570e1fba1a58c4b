import type { ContentTypeSpec } from '../looker/registry.js';
import type { ItemProblem, StoredFingerprint } from '../store/index.js';

/**
 * Incremental runs: which listed items changed since their stored version. An item is taken as
 * unchanged only when the backup holds it and the listing shows the same `updated_at` (present),
 * trash state, folder and title; anything else (new, moved, renamed, trashed or restored, or a
 * listing entry that does not parse) is fetched in full. Pure.
 */
export interface ChangeClassification {
  /** Unchanged: recorded as seen by the run, not fetched. */
  seen: string[];
  /** New or changed: fetched in full. */
  changed: string[];
  /** Listed without a usable id. */
  problems: ItemProblem[];
}

export function classifyListed(
  spec: ContentTypeSpec,
  listed: readonly unknown[],
  stored: ReadonlyMap<string, StoredFingerprint>,
): ChangeClassification {
  const result: ChangeClassification = { seen: [], changed: [], problems: [] };
  for (const entry of listed) {
    const parsed = spec.parseItem(entry);
    if (!parsed.ok) {
      if (parsed.id === undefined) result.problems.push({ error: parsed.error });
      else result.changed.push(parsed.id);
      continue;
    }
    const previous = stored.get(parsed.id);
    const unchanged =
      previous !== undefined &&
      parsed.updatedAt !== null &&
      parsed.updatedAt === previous.updatedAt &&
      parsed.deleted === previous.trashed &&
      parsed.folderId === previous.folderId &&
      parsed.name === previous.name;
    (unchanged ? result.seen : result.changed).push(parsed.id);
  }
  return result;
}

/** Ids of a listing page, for the fingerprint lookup. */
export function idsOfListed(spec: ContentTypeSpec, listed: readonly unknown[]): string[] {
  return listed.flatMap((entry) => {
    const parsed = spec.parseItem(entry);
    return parsed.ok ? [parsed.id] : [];
  });
}
