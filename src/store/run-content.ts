import type { Vault } from './vault.js';

/**
 * What the extraction engine reads back about the run it is writing: items it stored (to feed
 * child types and reconciliation), and per-type counts and failures (for the summary). Reads
 * only; the writer still owns every write. Safe beside the writer thanks to WAL.
 */

/** The stored JSON of one item, parsed; undefined when the item is not in the backup. */
export function readStoredItem(vault: Vault, type: string, id: string): unknown {
  const json = vault.db
    .prepare<[string, string], string>(
      'SELECT content_json FROM content_items WHERE content_type = ? AND id = ?',
    )
    .pluck()
    .get(type, id);
  return json === undefined ? undefined : (JSON.parse(json) as unknown);
}

/** Items of each type that `runId` stored or saw unchanged. */
export function countItemsByType(vault: Vault, runId: number): Map<string, number> {
  const rows = vault.db
    .prepare<[number], { content_type: string; n: number }>(
      `SELECT content_type, count(*) AS n FROM item_versions
        WHERE last_seen_run = ? AND to_run IS NULL GROUP BY content_type`,
    )
    .all(runId);
  return new Map(rows.map((row) => [row.content_type, row.n]));
}

export interface TypeFailureCounts {
  /** Units (pages) whose last attempt failed. */
  pages: number;
  /** Distinct items that could not be stored (an item reported twice counts once). */
  items: number;
}

export function countFailuresByType(vault: Vault, runId: number): Map<string, TypeFailureCounts> {
  const counts = new Map<string, TypeFailureCounts>();
  const entry = (type: string): TypeFailureCounts => {
    let found = counts.get(type);
    if (!found) {
      found = { pages: 0, items: 0 };
      counts.set(type, found);
    }
    return found;
  };
  const pages = vault.db
    .prepare<[number], { content_type: string; n: number }>(
      `SELECT content_type, count(*) AS n FROM checkpoints WHERE run_id = ? AND status = 'failed'
        GROUP BY content_type`,
    )
    .all(runId);
  for (const row of pages) entry(row.content_type).pages = row.n;
  const items = vault.db
    .prepare<[number], { content_type: string; n: number }>(
      `SELECT content_type, count(DISTINCT coalesce(item_id, unit_key || '#' || id)) AS n
         FROM item_failures WHERE run_id = ? GROUP BY content_type`,
    )
    .all(runId);
  for (const row of items) entry(row.content_type).items = row.n;
  return counts;
}

/** What a change listing shows of an item, as its current stored version has it. */
export interface StoredFingerprint {
  updatedAt: string | null;
  trashed: boolean;
  folderId: string | null;
  name: string | null;
  /** The run that stored this version. */
  fromRun: number;
}

/** The current versions of those of `ids` the backup holds, by id. */
export function readFingerprints(
  vault: Vault,
  type: string,
  ids: Iterable<string>,
): Map<string, StoredFingerprint> {
  const lookup = vault.db.prepare<
    [string, string],
    {
      updated_at: string | null;
      trashed: number;
      folder_id: string | null;
      name: string | null;
      from_run: number;
    }
  >(
    `SELECT updated_at, trashed, folder_id, name, from_run FROM item_versions
      WHERE content_type = ? AND item_id = ? AND to_run IS NULL`,
  );
  const found = new Map<string, StoredFingerprint>();
  for (const id of ids) {
    const row = lookup.get(type, id);
    if (row === undefined) continue;
    found.set(id, {
      updatedAt: row.updated_at,
      trashed: row.trashed === 1,
      folderId: row.folder_id,
      name: row.name,
      fromRun: row.from_run,
    });
  }
  return found;
}

/**
 * Types some finished run listed completely (state done, no failed page): their stored
 * versions describe the whole instance, so a later run may fetch only what changed.
 */
export function readTypesListedCompletely(vault: Vault): Set<string> {
  const types = vault.db
    .prepare<[], string>(
      `SELECT DISTINCT t.content_type FROM run_types t JOIN runs r ON r.id = t.run_id
        WHERE r.status IN ('success', 'partial') AND r.kind = 'extract' AND t.state = 'done'
          AND t.content_type NOT IN (SELECT value FROM json_each(
                coalesce(json_extract(r.config_json, '$.scope.types'), '[]')))
          AND NOT EXISTS (SELECT 1 FROM checkpoints c WHERE c.run_id = t.run_id
                            AND c.content_type = t.content_type AND c.status = 'failed')`,
    )
    .pluck()
    .all();
  return new Set(types);
}

/** Items each type of `runId` found deleted in Looker (closed in its snapshot). */
export function countDeletedByType(vault: Vault, runId: number): Map<string, number> {
  const rows = vault.db
    .prepare<[number], { content_type: string; n: number }>(
      'SELECT content_type, items_deleted AS n FROM run_types WHERE run_id = ?',
    )
    .all(runId);
  return new Map(rows.map((row) => [row.content_type, row.n]));
}
