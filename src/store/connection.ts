import { openDatabase, type SqlDatabase } from './sqlite.js';

/**
 * Settings every writing connection uses (the main connection of a writable Vault and the
 * writer thread's). WAL lets readers (`status`, `list`, a sqlite3 shell) read while the writer
 * writes; synchronous=NORMAL in WAL mode never corrupts the file on a crash or power loss, it
 * can only lose the last transactions before a power loss, which resume fetches again.
 */

/** How long a connection waits for another's write lock before failing. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/**
 * SQLite's page cache per connection (the default is 2 MiB). Writes are upserts by primary key:
 * only index pages are worth caching, and every connection's cache counts in the RSS.
 */
const CACHE_BYTES = 8 * 1024 * 1024;

/** Checkpoint the WAL into the database file once it holds about this much. */
const WAL_CHECKPOINT_BYTES = 32 * 1024 * 1024;

/** After a checkpoint, truncate a WAL file larger than this instead of keeping it. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export function configureWriteConnection(db: SqlDatabase, busyTimeoutMs: number): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = ${-Math.floor(CACHE_BYTES / 1024)}`);
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.pragma(`wal_autocheckpoint = ${Math.max(16, Math.floor(WAL_CHECKPOINT_BYTES / pageSize))}`);
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
}

/** A second writing connection to an existing, already-initialised vault (the writer thread's). */
export function openWriterConnection(path: string, busyTimeoutMs: number): SqlDatabase {
  const db = openDatabase(path, { fileMustExist: true });
  try {
    configureWriteConnection(db, busyTimeoutMs);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
