import {
  contentSummary,
  getRunDetail,
  listRuns,
  openVault,
  type ContentTypeSummary,
  type RunDetail,
  type RunListRow,
} from '../store/index.js';

/** One backed-up item: its columns and its JSON, parsed. */
export interface BackupItem {
  type: string;
  id: string;
  name: string | null;
  folderId: string | null;
  ownerId: string | null;
  updatedAt: string | null;
  /** In Looker's trash when it was backed up. */
  deleted: boolean;
  /** SHA-256 of the canonical JSON. */
  hash: string;
  content: unknown;
}

/** A backup file opened for reading; it is never written through this object. */
export interface Backup {
  readonly path: string;
  /** Runs, newest first (what `lookervault status` lists). */
  runs(options?: { limit?: number }): RunListRow[];
  /** One run in detail, or undefined. */
  run(id: number): RunDetail | undefined;
  /** Per content type: items, trashed items, bytes. */
  contents(): ContentTypeSummary[];
  /** One item, or undefined when the backup does not hold it. */
  item(type: string, id: string): BackupItem | undefined;
  /** Every item of a type, in id order, read one at a time. */
  items(type: string): IterableIterator<BackupItem>;
  close(): void;
}

interface ItemRow {
  content_type: string;
  id: string;
  name: string | null;
  folder_id: string | null;
  owner_id: string | null;
  updated_at: string | null;
  deleted: number;
  content_hash: string;
  content_json: string;
}

const ITEM_COLUMNS =
  'content_type, id, name, folder_id, owner_id, updated_at, deleted, content_hash, content_json';

/** Opens a lookervault backup read-only. Throws a DatabaseError for a file that is not one. */
export function openBackup(path: string): Backup {
  const vault = openVault(path, { readonly: true });
  const byId = vault.db.prepare<[string, string], ItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM content_items WHERE content_type = ? AND id = ?`,
  );
  const byType = vault.db.prepare<[string], ItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM content_items WHERE content_type = ? ORDER BY id`,
  );
  return {
    path: vault.path,
    runs: (options = {}) => listRuns(vault, options),
    run: (id) => getRunDetail(vault, id),
    contents: () => contentSummary(vault),
    item: (type, id) => {
      const row = byId.get(type, id);
      return row === undefined ? undefined : toItem(row);
    },
    *items(type) {
      for (const row of byType.iterate(type)) yield toItem(row);
    },
    close: () => {
      vault.close();
    },
  };
}

function toItem(row: ItemRow): BackupItem {
  return {
    type: row.content_type,
    id: row.id,
    name: row.name,
    folderId: row.folder_id,
    ownerId: row.owner_id,
    updatedAt: row.updated_at,
    deleted: row.deleted === 1,
    hash: row.content_hash,
    content: JSON.parse(row.content_json) as unknown,
  };
}
