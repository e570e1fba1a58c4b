import { UsageError } from '../errors.js';
import { snapshotHolds } from './snapshots.js';
import { toDatabaseError } from './sqlite-errors.js';
import type { Vault } from './vault.js';

/**
 * `list`: the items of a snapshot (or the items deleted in Looker that the backup still holds),
 * filtered in SQL by type, owner, title, change, trash; folders are resolved to paths from the
 * snapshot's own folders (a few thousand at most), and a folder filter (with its subfolders on
 * request) becomes a list of folder ids.
 */

export interface ListQuery {
  snapshotId: number;
  types: readonly string[];
  /** Folder ids (already expanded to subfolders when asked). */
  folderIds?: readonly string[];
  /** Owner ids (an email is resolved to ids by the caller). */
  ownerIds?: readonly string[];
  /** Shell-style pattern (`*`, `?`, `[…]`), matched case-insensitively against the title. */
  title?: string;
  /**
   * Only items changed at or after this time (ISO 8601, UTC): their `updated_at` where the type
   * has one, else when the backup first saw their current version …
   */
  changedSinceTime?: string;
  /** … or after this snapshot. */
  changedSinceSnapshot?: number;
  /** Only items in Looker's trash. */
  trashed?: boolean;
  /** Items deleted in Looker (their last known version) instead of the snapshot's. */
  deleted?: boolean;
  limit?: number;
}

export interface ListedItem {
  type: string;
  id: string;
  title: string | null;
  folderId: string | null;
  ownerId: string | null;
  updatedAt: string | null;
  size: number;
  state: 'live' | 'trashed' | 'deleted';
  /** The snapshot (run) where this version first appeared. */
  since: number;
}

export function listItems(vault: Vault, query: ListQuery): ListedItem[] {
  return [...iterateItems(vault, query)];
}

/** The same items one by one, as SQLite returns them (memory stays flat for any number). */
export function* iterateItems(vault: Vault, query: ListQuery): Generator<ListedItem> {
  const where: string[] = ['v.content_type IN (SELECT value FROM json_each(@types))'];
  const params: Record<string, string | number> = { types: JSON.stringify(query.types) };
  if (query.deleted === true) {
    // Deleted in Looker as of the snapshot: the last version ended 'deleted' at or before it.
    where.push(`v.ended = 'deleted' AND v.to_run <= @snapshot AND NOT EXISTS (
      SELECT 1 FROM item_versions n WHERE n.content_type = v.content_type
         AND n.item_id = v.item_id AND n.from_run >= v.to_run AND n.from_run <= @snapshot)`);
    params.snapshot = query.snapshotId;
  } else {
    where.push(snapshotHolds(query.snapshotId));
  }
  if (query.folderIds !== undefined) {
    where.push('v.folder_id IN (SELECT value FROM json_each(@folders))');
    params.folders = JSON.stringify(query.folderIds);
  }
  if (query.ownerIds !== undefined) {
    where.push('v.owner_id IN (SELECT value FROM json_each(@owners))');
    params.owners = JSON.stringify(query.ownerIds);
  }
  if (query.title !== undefined) {
    where.push('lower(v.name) GLOB @title');
    params.title = query.title.toLowerCase();
  }
  if (query.changedSinceTime !== undefined) {
    // Looker's timestamps are UTC ("…+00:00"); compared to the second.
    where.push('substr(coalesce(v.updated_at, v.from_at), 1, 19) >= substr(@since, 1, 19)');
    params.since = query.changedSinceTime;
  }
  if (query.changedSinceSnapshot !== undefined) {
    where.push('v.from_run > @sinceRun');
    params.sinceRun = query.changedSinceSnapshot;
  }
  if (query.trashed === true) where.push('v.trashed = 1');
  const limit =
    query.limit === undefined ? '' : `LIMIT ${String(Math.max(0, Math.floor(query.limit)))}`;
  let rows;
  try {
    rows = vault.db
      .prepare<
        Record<string, string | number>,
        {
          type: string;
          id: string;
          name: string | null;
          folder_id: string | null;
          owner_id: string | null;
          updated_at: string | null;
          size: number;
          trashed: number;
          ended: string | null;
          from_run: number;
        }
      >(
        `SELECT v.content_type AS type, v.item_id AS id, v.name, v.folder_id, v.owner_id,
                v.updated_at, c.size, v.trashed, v.ended, v.from_run
           FROM item_versions v JOIN contents c ON c.id = v.content_id
          WHERE ${where.join(' AND ')}
          ORDER BY v.content_type, length(v.item_id), v.item_id ${limit}`,
      )
      .iterate(params);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw toDatabaseError(error, `Could not read \`${vault.path}\``);
  }
  for (const row of rows) {
    yield {
      type: row.type,
      id: row.id,
      title: row.name,
      folderId: row.folder_id,
      ownerId: row.owner_id,
      updatedAt: row.updated_at,
      size: row.size,
      state: query.deleted === true ? 'deleted' : row.trashed === 1 ? 'trashed' : 'live',
      since: row.from_run,
    };
  }
}

export interface FolderNode {
  id: string;
  name: string;
  parentId: string | null;
}

/** The folders a snapshot holds (id, name, parent), for paths and folder filters. */
export function snapshotFolders(vault: Vault, snapshotId: number): FolderNode[] {
  try {
    return vault.db
      .prepare<[], { id: string; name: string | null; parent_id: string | null }>(
        `SELECT v.item_id AS id, v.name, v.folder_id AS parent_id FROM item_versions v
          WHERE v.content_type = 'folder' AND ${snapshotHolds(snapshotId)}`,
      )
      .all()
      .map((row) => ({ id: row.id, name: row.name ?? '', parentId: row.parent_id }));
  } catch (error) {
    throw toDatabaseError(error, `Could not read \`${vault.path}\``);
  }
}

/** Ids of the backed-up users with this email (case-insensitive), newest versions. */
export function userIdsByEmail(vault: Vault, email: string): string[] {
  try {
    return vault.db
      .prepare<[string], string>(
        `SELECT DISTINCT v.item_id FROM item_versions v JOIN contents c ON c.id = v.content_id
          WHERE v.content_type = 'user' AND v.to_run IS NULL
            AND lower(json_extract(c.json, '$.email')) = lower(?)`,
      )
      .pluck()
      .all(email);
  } catch (error) {
    throw toDatabaseError(error, `Could not read \`${vault.path}\``);
  }
}
