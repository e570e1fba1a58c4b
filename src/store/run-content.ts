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
      `SELECT content_type, count(*) AS n FROM content_items WHERE last_seen_run = ?
        GROUP BY content_type`,
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
