import { chmodSync, closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { openDatabase, type SqlDatabase } from './sqlite.js';
import { DatabaseError } from '../errors.js';
import { configureWriteConnection, DEFAULT_BUSY_TIMEOUT_MS } from './connection.js';
import { APP_NAME, APPLICATION_ID, migrate, PAGE_SIZE, SCHEMA_VERSION } from './schema.js';
import { errorCode, toDatabaseError } from './sqlite-errors.js';

/**
 * Opening the backup file: create it (when allowed) or check it is a lookervault backup this
 * version understands, bring an older schema up to date, and configure the connection. Every
 * way this can fail is a DatabaseError naming the file, and a file that is not ours, or is
 * newer than us, is left exactly as it was (it is inspected before anything is written).
 */

export interface OpenVaultOptions {
  /** Open for reading only: nothing is written, an older schema is refused. @default false */
  readonly?: boolean;
  /** Create the file and its schema if the file does not exist (or is empty). @default false */
  create?: boolean;
  /** Recorded in `meta` when this open creates or upgrades the file. @default 'unknown' */
  toolVersion?: string;
  /** How long to wait for another process's write lock, in ms (minimum 0). @default 5000 */
  busyTimeoutMs?: number;
}

export interface IntegrityReport {
  ok: boolean;
  /** What `PRAGMA integrity_check` (or `quick_check`) and `foreign_key_check` found. */
  problems: string[];
}

export interface Vault {
  /** Absolute path of the database file. */
  readonly path: string;
  /** The better-sqlite3 connection, for readers. Writes go through RunStore and VaultWriter. */
  readonly db: SqlDatabase;
  readonly readonly: boolean;
  readonly schemaVersion: number;
  /** Whether this open created the file (or initialised an empty one). */
  readonly created: boolean;
  /** Size of the database file plus its write-ahead log, in bytes. */
  fileSizeBytes(): number;
  integrityCheck(options?: { quick?: boolean }): IntegrityReport;
  /** Closes the connection (idempotent). The last connection to close folds the WAL back in. */
  close(): void;
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** The database header is 100 bytes; `application_id` is the big-endian integer at 68. */
const SQLITE_HEADER_BYTES = 100;
const APPLICATION_ID_OFFSET = 68;

const NOT_OURS_HINT =
  'Pass --db with the path of a lookervault backup, or a new file name to create one.';

/**
 * Creates the backup file readable by its owner only (0600, whatever the umask): it holds the
 * instance's content. SQLite gives its -wal and -shm files the same mode. An existing file's
 * mode is left alone.
 */
function createPrivateFile(absolute: string, shown: string): void {
  try {
    closeSync(openSync(absolute, 'wx', 0o600));
    chmodSync(absolute, 0o600);
  } catch (error) {
    throw toDatabaseError(error, `Cannot create ${shown}`);
  }
}

export function openVault(filePath: string, options: OpenVaultOptions = {}): Vault {
  const absolute = path.resolve(filePath);
  const readonly = options.readonly ?? false;
  const create = (options.create ?? false) && !readonly;
  const shown = `\`${absolute}\``;
  refuseCompanionFile(absolute, shown);

  const existing = statOrUndefined(absolute, shown);
  const isEmpty = existing !== undefined && existing.size === 0;
  if (existing === undefined) {
    if (!create) {
      throw new DatabaseError(`${shown} does not exist`, {
        hint: readonly
          ? 'Pass --db with the path of an existing backup (run `lookervault extract` to make one).'
          : 'Check the --db path, or run `lookervault extract` to create a backup there.',
      });
    }
    checkParentDirectory(absolute);
    createPrivateFile(absolute, shown);
  } else {
    checkRegularFile(existing, shown);
    if (!isEmpty) {
      const applicationId = checkSqliteHeader(absolute, shown);
      // Opening for writing can change a file (SQLite folds a leftover WAL into it and deletes
      // it when the last connection closes): a file whose header does not say it is ours is
      // identified read-only first. The header can lag behind a WAL not yet checkpointed, so a
      // mismatch alone does not prove the file foreign.
      if (!readonly && applicationId !== APPLICATION_ID) identifyReadOnly(absolute, shown);
    }
  }

  let db: SqlDatabase;
  try {
    db = openDatabase(absolute, { readonly, fileMustExist: true });
  } catch (error) {
    throw toDatabaseError(error, `Cannot open ${shown}`);
  }

  const toolVersion = options.toolVersion ?? 'unknown';
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS}`);
    const found = readSchemaVersion(db, shown);
    if (found > SCHEMA_VERSION) {
      throw new DatabaseError(
        `${shown} was written by a newer lookervault (schema version ${found}; this version understands up to ${SCHEMA_VERSION})`,
        {
          hint: 'Upgrade lookervault (npm install -g lookervault@latest), or use the version that wrote it.',
        },
      );
    }
    if (found === 0 && !create) {
      throw new DatabaseError(`${shown} is an empty database, not a lookervault backup`, {
        hint: 'Run `lookervault extract` to fill it, or pass --db with the path of a backup.',
      });
    }
    if (readonly) {
      if (found < SCHEMA_VERSION) {
        throw new DatabaseError(
          `${shown} uses an older schema (version ${found}) that must be upgraded before it can be read`,
          { hint: 'Run `lookervault extract` (or any command that writes) once to upgrade it.' },
        );
      }
      return new SqliteVault(absolute, db, true, found, false);
    }
    if (found === 0) db.pragma(`page_size = ${PAGE_SIZE}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      throw new DatabaseError(`Cannot use ${shown} in write-ahead-log mode (got ${String(mode)})`, {
        hint: 'Put the database on a local file system (WAL does not work on network shares).',
      });
    }
    configureWriteConnection(db, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
    const version = found === SCHEMA_VERSION ? found : upgrade(db, shown, toolVersion);
    return new SqliteVault(absolute, db, false, version, found === 0);
  } catch (error) {
    // A file this open created or initialised is left as it is: with no tables (the schema is
    // created in one transaction) it is initialised by the next open, and deleting it could
    // pull it from under another process initialising it at the same moment.
    db.close();
    throw toDatabaseError(error, `Cannot use ${shown}`);
  }
}

/** Migrates inside one write transaction, re-reading the version once the lock is held. */
function upgrade(db: SqlDatabase, shown: string, toolVersion: string): number {
  return db
    .transaction(() => {
      const version = readSchemaVersion(db, shown);
      if (version < SCHEMA_VERSION) {
        migrate(db, version, { now: new Date().toISOString(), toolVersion });
      }
      return SCHEMA_VERSION;
    })
    .immediate();
}

/**
 * 0 for a database without tables; the `meta.schema_version` of a lookervault backup; a
 * DatabaseError for anything else. Only reads.
 */
function readSchemaVersion(db: SqlDatabase, shown: string): number {
  let tables: string[];
  try {
    tables = db
      .prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table'")
      .pluck()
      .all();
  } catch (error) {
    if (errorCode(error) === 'SQLITE_NOTADB') {
      throw new DatabaseError(`${shown} is not a SQLite database (file is not a database)`, {
        hint: NOT_OURS_HINT,
      });
    }
    throw error;
  }
  if (tables.length === 0) return 0;
  const notOurs = (why: string): DatabaseError =>
    new DatabaseError(`${shown} is a SQLite database but not a lookervault backup (${why})`, {
      hint: NOT_OURS_HINT,
    });
  if (!tables.includes('meta')) throw notOurs('it has no meta table');
  let rows: { key: string; value: unknown }[];
  try {
    rows = db
      .prepare<[], { key: string; value: unknown }>(
        "SELECT key, value FROM meta WHERE key IN ('app', 'schema_version')",
      )
      .all();
  } catch {
    throw notOurs('its meta table has another shape');
  }
  const meta = new Map(rows.map((row) => [row.key, row.value]));
  if (meta.get('app') !== APP_NAME) throw notOurs('meta.app is not lookervault');
  const raw = meta.get('schema_version');
  const version = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new DatabaseError(
      `${shown} has a damaged meta table (schema_version is ${String(raw)})`,
      {
        hint: 'Restore the file from a copy, or start a new backup in a new file.',
      },
    );
  }
  return version;
}

function statOrUndefined(absolute: string, shown: string): Stats | undefined {
  try {
    return statSync(absolute);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') {
      throw new DatabaseError(
        `${shown} is not a usable path: part of it is a file, not a directory`,
        {
          hint: 'Pass --db with a path inside an existing directory.',
        },
      );
    }
    throw toDatabaseError(error, `Cannot read ${shown}`);
  }
}

function checkParentDirectory(absolute: string): void {
  const parent = path.dirname(absolute);
  let stats: Stats;
  try {
    stats = statSync(parent);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new DatabaseError(
        `Cannot create \`${absolute}\`: directory \`${parent}\` does not exist`,
        {
          hint: 'Create the directory first, or pass --db with a path in an existing directory.',
        },
      );
    }
    throw toDatabaseError(error, `Cannot create \`${absolute}\``);
  }
  if (!stats.isDirectory()) {
    throw new DatabaseError(`Cannot create \`${absolute}\`: \`${parent}\` is not a directory`, {
      hint: 'Pass --db with a path inside an existing directory.',
    });
  }
}

function checkRegularFile(stats: Stats, shown: string): void {
  if (stats.isDirectory()) {
    throw new DatabaseError(`${shown} is a directory, not a database file`, {
      hint: `Pass --db with a file path, e.g. --db ${path.join(shown.slice(1, -1), 'looker.db')}`,
    });
  }
  if (!stats.isFile()) {
    throw new DatabaseError(`${shown} is not a regular file`, { hint: NOT_OURS_HINT });
  }
}

/** Reads the first 16 bytes without SQLite, so a foreign file is never opened as a database. */
/** SQLite's own files beside a database: never a backup themselves. */
function refuseCompanionFile(absolute: string, shown: string): void {
  const match = /^(.*)-(wal|shm|journal)$/.exec(absolute);
  if (!match) return;
  const what = { wal: 'write-ahead log', shm: 'shared-memory index', journal: 'rollback journal' }[
    match[2] as 'wal' | 'shm' | 'journal'
  ];
  throw new DatabaseError(`${shown} is SQLite's ${what} of another file, not a backup`, {
    hint: `Pass --db with the database itself (${path.basename(match[1] ?? '')}); lookervault never opens these companions.`,
  });
}

/** Opens the file read-only to read its meta: throws (changing nothing) if it is not ours. */
function identifyReadOnly(absolute: string, shown: string): void {
  let db: SqlDatabase;
  try {
    db = openDatabase(absolute, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw toDatabaseError(error, `Cannot open ${shown}`);
  }
  try {
    readSchemaVersion(db, shown);
  } finally {
    db.close();
  }
}

/** Checks the SQLite magic; returns the header's `application_id`. */
function checkSqliteHeader(absolute: string, shown: string): number {
  const header = Buffer.alloc(SQLITE_HEADER_BYTES);
  let read: number;
  try {
    const fd = openSync(absolute, 'r');
    try {
      read = readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw toDatabaseError(error, `Cannot read ${shown}`);
  }
  if (
    read < SQLITE_HEADER.length ||
    !header.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER)
  ) {
    throw new DatabaseError(`${shown} is not a SQLite database (file is not a database)`, {
      hint: NOT_OURS_HINT,
    });
  }
  return read >= SQLITE_HEADER_BYTES ? header.readUInt32BE(APPLICATION_ID_OFFSET) : 0;
}

class SqliteVault implements Vault {
  constructor(
    readonly path: string,
    readonly db: SqlDatabase,
    readonly readonly: boolean,
    readonly schemaVersion: number,
    readonly created: boolean,
  ) {}

  fileSizeBytes(): number {
    let total = 0;
    for (const file of [this.path, `${this.path}-wal`]) {
      try {
        total += statSync(file).size;
      } catch {
        // No WAL file (closed cleanly, or never written).
      }
    }
    return total;
  }

  integrityCheck(options: { quick?: boolean } = {}): IntegrityReport {
    try {
      const pragma = options.quick ? 'quick_check' : 'integrity_check';
      const results = this.db.pragma(pragma, { simple: false }) as Record<string, unknown>[];
      const problems = results
        .map((row) => String(Object.values(row)[0]))
        .filter((message) => message !== 'ok');
      const orphans = this.db.pragma('foreign_key_check') as {
        table: string;
        rowid: number | null;
        parent: string;
      }[];
      for (const orphan of orphans) {
        const row =
          orphan.rowid === null ? `a ${orphan.table} row` : `${orphan.table} row ${orphan.rowid}`;
        problems.push(`${row} refers to a missing ${orphan.parent} row`);
      }
      return { ok: problems.length === 0, problems };
    } catch (error) {
      throw toDatabaseError(error, `Cannot check \`${this.path}\``);
    }
  }

  close(): void {
    if (!this.db.open) return;
    try {
      this.db.close();
    } catch (error) {
      throw toDatabaseError(error, `Cannot close \`${this.path}\``);
    }
  }
}
