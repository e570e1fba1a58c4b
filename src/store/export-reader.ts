import { DatabaseError } from '../errors.js';
import { snapshotHolds } from './snapshots.js';
import { toDatabaseError } from './sqlite-errors.js';
import type { Vault } from './vault.js';

/**
 * What `export` reads: every item's metadata first (to lay out the whole tree, and check it,
 * before a file is written), then each content by its id.
 */

export interface ExportRow {
  type: string;
  id: string;
  name: string | null;
  folderId: string | null;
  trashed: boolean;
  hash: string;
  /** Where its JSON is (`contents.id`): read one by one, never sorted with the rows. */
  contentId: number;
  /** A dashboard's slug (its file name). */
  slug: string | null;
  /** A scheduled plan's dashboard and look (a folder scope keeps the plans of its content). */
  dashboardId: string | null;
  lookId: string | null;
}

const ORDER = 'ORDER BY v.content_type, v.item_id';

export function* iterateExportRows(
  vault: Vault,
  snapshotId: number,
  types: readonly string[],
): Generator<ExportRow> {
  let rows;
  try {
    rows = vault.db
      .prepare<
        [string],
        {
          type: string;
          id: string;
          name: string | null;
          folder_id: string | null;
          trashed: number;
          hash: string;
          content_id: number;
          slug: string | null;
          dashboard_id: string | number | null;
          look_id: string | number | null;
        }
      >(
        `SELECT v.content_type AS type, v.item_id AS id, v.name, v.folder_id, v.trashed,
                c.hash, v.content_id,
                CASE v.content_type WHEN 'dashboard' THEN json_extract(c.json, '$.slug') END AS slug,
                CASE v.content_type WHEN 'scheduled_plan' THEN json_extract(c.json, '$.dashboard_id') END AS dashboard_id,
                CASE v.content_type WHEN 'scheduled_plan' THEN json_extract(c.json, '$.look_id') END AS look_id
           FROM item_versions v JOIN contents c ON c.id = v.content_id
          WHERE v.content_type IN (SELECT value FROM json_each(?)) AND ${snapshotHolds(snapshotId)}
          ${ORDER}`,
      )
      .iterate(JSON.stringify(types));
  } catch (error) {
    throw toDatabaseError(error, `Could not read \`${vault.path}\``);
  }
  // One row at a time: a large backup's rows are never all in memory at once.
  for (const row of rows) {
    yield {
      type: row.type,
      id: row.id,
      name: row.name,
      folderId: row.folder_id,
      trashed: row.trashed === 1,
      hash: row.hash,
      contentId: row.content_id,
      slug: typeof row.slug === 'string' && row.slug !== '' ? row.slug : null,
      dashboardId: row.dashboard_id === null ? null : String(row.dashboard_id),
      lookId: row.look_id === null ? null : String(row.look_id),
    };
  }
}

/**
 * Reads one stored content by id. Sorting the rows with their JSON would make SQLite's sorter
 * hold every content at once (hundreds of MB for a large backup); a point lookup per item costs
 * a few microseconds.
 */
export function contentReader(vault: Vault): (contentId: number) => string {
  const statement = vault.db
    .prepare<[number], string>('SELECT json FROM contents WHERE id = ?')
    .pluck();
  return (contentId) => {
    let json: string | undefined;
    try {
      json = statement.get(contentId);
    } catch (error) {
      throw toDatabaseError(error, `Could not read \`${vault.path}\``);
    }
    if (json === undefined) {
      throw new DatabaseError(`Content ${String(contentId)} is missing from \`${vault.path}\``, {
        hint: 'Run `lookervault verify`: the backup file is damaged.',
      });
    }
    return json;
  };
}
