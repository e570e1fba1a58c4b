import type { SqlDatabase } from './sqlite.js';

/**
 * The database schema and its migrations. `meta.schema_version` says which version a file
 * holds; `openVault` applies the migrations after it, in one transaction, and refuses files
 * whose version is newer than `SCHEMA_VERSION`. Users query these tables directly, so every
 * column is documented in docs/store.md: change both together, and never edit a migration that
 * has shipped (add a new one).
 */

/** `meta.app` in every lookervault backup. */
export const APP_NAME = 'lookervault';

/** The schema version this build writes and understands. */
export const SCHEMA_VERSION = 4;

/** `PRAGMA application_id` ("LKVT"): lets `file(1)` and other tools recognise the file. */
export const APPLICATION_ID = 0x4c4b5654;

/**
 * Page size for new files. Items are JSON documents of ~1–50 KB: with 64 KiB pages most fit in
 * their leaf page instead of a chain of 4 KiB overflow pages, which halves the writer's CPU time
 * per item and the number of WAL frames (measured in bench/writer.js). Fixed at creation.
 */
export const PAGE_SIZE = 65_536;

interface Migration {
  /** The version the database has after this migration. */
  version: number;
  up: (db: SqlDatabase) => void;
}

const V1 = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);

CREATE TABLE runs (
  id           INTEGER PRIMARY KEY,
  status       TEXT NOT NULL
               CHECK (status IN ('running', 'interrupted', 'partial', 'success', 'failed')),
  started_at   TEXT NOT NULL,
  ended_at     TEXT,
  types_json   TEXT NOT NULL,
  config_json  TEXT NOT NULL,
  base_url     TEXT NOT NULL,
  tool_version TEXT NOT NULL,
  owner_pid    INTEGER,
  owner_host   TEXT,
  owner_token  TEXT,
  heartbeat_at TEXT,
  resume_count INTEGER NOT NULL DEFAULT 0,
  summary_json TEXT
);

CREATE TABLE run_types (
  run_id          INTEGER NOT NULL REFERENCES runs (id),
  content_type    TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'waiting', 'listing', 'reconciling', 'done', 'failed')),
  end_offset      INTEGER,
  items_stored    INTEGER NOT NULL DEFAULT 0,
  items_new       INTEGER NOT NULL DEFAULT 0,
  items_changed   INTEGER NOT NULL DEFAULT 0,
  items_unchanged INTEGER NOT NULL DEFAULT 0,
  items_invalid   INTEGER NOT NULL DEFAULT 0,
  started_at      TEXT,
  updated_at      TEXT NOT NULL,
  finished_at     TEXT,
  PRIMARY KEY (run_id, content_type)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
  run_id        INTEGER NOT NULL REFERENCES runs (id),
  content_type  TEXT NOT NULL,
  unit_key      TEXT NOT NULL,
  page_offset   INTEGER,
  page_limit    INTEGER,
  raw_count     INTEGER NOT NULL DEFAULT 0,
  item_count    INTEGER NOT NULL DEFAULT 0,
  invalid_count INTEGER NOT NULL DEFAULT 0,
  status        TEXT NOT NULL CHECK (status IN ('done', 'failed')),
  error         TEXT,
  attempts      INTEGER NOT NULL DEFAULT 1,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (run_id, content_type, unit_key)
) WITHOUT ROWID;

CREATE TABLE content_items (
  content_type   TEXT NOT NULL,
  id             TEXT NOT NULL,
  name           TEXT,
  folder_id      TEXT,
  owner_id       TEXT,
  created_at     TEXT,
  updated_at     TEXT,
  deleted        INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  content_hash   TEXT NOT NULL,
  content_size   INTEGER NOT NULL,
  first_seen_run INTEGER NOT NULL REFERENCES runs (id),
  last_seen_run  INTEGER NOT NULL REFERENCES runs (id),
  changed_run    INTEGER NOT NULL REFERENCES runs (id),
  first_seen_at  TEXT NOT NULL,
  last_seen_at   TEXT NOT NULL,
  changed_at     TEXT NOT NULL,
  -- Last, so that reading the columns above never touches the JSON's overflow pages.
  content_json   TEXT NOT NULL,
  UNIQUE (content_type, id)
);
CREATE INDEX content_items_by_folder ON content_items (content_type, folder_id);

CREATE TABLE item_failures (
  id           INTEGER PRIMARY KEY,
  run_id       INTEGER NOT NULL REFERENCES runs (id),
  content_type TEXT NOT NULL,
  unit_key     TEXT NOT NULL,
  item_id      TEXT,
  error        TEXT NOT NULL,
  recorded_at  TEXT NOT NULL
);
CREATE INDEX item_failures_by_unit ON item_failures (run_id, content_type, unit_key);
`;

/**
 * Version 2: point-in-time snapshots. An item's content is stored once per distinct hash in
 * `contents`; `item_versions` holds one row per (item, version) with the half-open interval of
 * runs [from_run, to_run) that held it (to_run NULL: the current version). A finished run is a
 * snapshot: the versions whose interval contains it, for the types it covered. A content is
 * shared by the versions of one item that have its hash (an item's JSON holds its own id, so two
 * items never share one); `contents` has no index on the hash, because a random-key index costs
 * the writer a dirty page per item per transaction (measured: bench/writer.js). `content_items`
 * becomes a view of the current versions with the same columns as before. The representation
 * was chosen by measurement (docs/store.md): intervals grow with changes only, where
 * per-snapshot membership grows with items × snapshots.
 */
const V2 = `
CREATE TABLE contents (
  id   INTEGER PRIMARY KEY,
  hash TEXT NOT NULL,
  size INTEGER NOT NULL,
  -- Last, so that reading the hash never touches the JSON's overflow pages.
  json TEXT NOT NULL
);

CREATE TABLE item_versions (
  id             INTEGER PRIMARY KEY,
  content_type   TEXT NOT NULL,
  item_id        TEXT NOT NULL,
  content_id     INTEGER NOT NULL REFERENCES contents (id),
  content_hash   TEXT NOT NULL,
  name           TEXT,
  folder_id      TEXT,
  owner_id       TEXT,
  created_at     TEXT,
  updated_at     TEXT,
  trashed        INTEGER NOT NULL DEFAULT 0 CHECK (trashed IN (0, 1)),
  from_run       INTEGER NOT NULL,
  to_run         INTEGER,
  ended          TEXT CHECK (ended IN ('changed', 'deleted')),
  from_at        TEXT NOT NULL,
  to_at          TEXT,
  last_seen_run  INTEGER NOT NULL,
  last_seen_at   TEXT NOT NULL,
  first_seen_run INTEGER NOT NULL,
  first_seen_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX item_versions_by_item ON item_versions (content_type, item_id, from_run);
CREATE INDEX item_versions_current_by_folder ON item_versions (content_type, folder_id)
  WHERE to_run IS NULL;


ALTER TABLE runs ADD COLUMN forgotten_at TEXT;
ALTER TABLE run_types ADD COLUMN items_deleted INTEGER NOT NULL DEFAULT 0;

INSERT INTO contents (hash, size, json)
  SELECT content_hash, max(content_size), max(content_json) FROM content_items GROUP BY content_hash;
INSERT INTO item_versions (content_type, item_id, content_id, content_hash, name, folder_id,
    owner_id, created_at, updated_at, trashed, from_run, to_run, from_at, to_at, last_seen_run,
    last_seen_at, first_seen_run, first_seen_at)
  SELECT i.content_type, i.id, c.id, c.hash, i.name, i.folder_id, i.owner_id, i.created_at,
         i.updated_at, i.deleted, i.changed_run, NULL, i.changed_at, NULL, i.last_seen_run,
         i.last_seen_at, i.first_seen_run, i.first_seen_at
    FROM content_items i JOIN contents c ON c.hash = i.content_hash;
DROP TABLE content_items;

-- Version 1 kept no history: only the newest finished run's content is known, so it is the
-- file's first snapshot and the runs before it are kept as a log, not as snapshots.
UPDATE runs SET forgotten_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
 WHERE status IN ('success', 'partial')
   AND id < (SELECT max(id) FROM runs WHERE status IN ('success', 'partial'));

CREATE VIEW content_items AS
SELECT v.content_type, v.item_id AS id, v.name, v.folder_id, v.owner_id, v.created_at,
       v.updated_at, v.trashed AS deleted, v.content_hash, c.size AS content_size,
       v.first_seen_run, v.last_seen_run, v.from_run AS changed_run, v.first_seen_at,
       v.last_seen_at, v.from_at AS changed_at, c.json AS content_json
  FROM item_versions v JOIN contents c ON c.id = v.content_id
 WHERE v.to_run IS NULL;
`;

/**
 * Version 3: restores. A restore is a run too (`runs.kind = 'restore'`, never a snapshot);
 * `id_map` remembers which item of a target instance stands for which backed-up item, so a
 * second restore updates instead of duplicating; `restore_items` is each restore's plan and
 * journal (the intent recorded before every create, the outcome after).
 */
const V3 = `
ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'extract';

CREATE TABLE id_map (
  source_instance TEXT NOT NULL,
  content_type    TEXT NOT NULL,
  source_id       TEXT NOT NULL,
  target_instance TEXT NOT NULL,
  target_id       TEXT NOT NULL,
  target_created_at TEXT,
  run_id          INTEGER NOT NULL REFERENCES runs (id),
  recorded_at     TEXT NOT NULL,
  PRIMARY KEY (source_instance, content_type, source_id, target_instance)
) WITHOUT ROWID;

CREATE TABLE restore_items (
  run_id       INTEGER NOT NULL REFERENCES runs (id),
  content_type TEXT NOT NULL,
  source_id    TEXT NOT NULL,
  title        TEXT,
  action       TEXT NOT NULL,
  reason       TEXT NOT NULL,
  status       TEXT NOT NULL,
  target_id    TEXT,
  stable_key   TEXT,
  error        TEXT,
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (run_id, content_type, source_id)
);
`;

/**
 * Version 4: folder-scoped runs. Such a run sees only part of its types, so its snapshot is not
 * "every version whose interval contains the run": it holds the items of its scoped types
 * (listed in its config, `$.scope.types`) that it saw, recorded here; its other types as usual.
 */
const V4 = `
CREATE TABLE run_scope_items (
  run_id       INTEGER NOT NULL REFERENCES runs (id),
  content_type TEXT NOT NULL,
  item_id      TEXT NOT NULL,
  PRIMARY KEY (run_id, content_type, item_id)
) WITHOUT ROWID;
`;

/** Ordered; `MIGRATIONS[i].version === i + 1`. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: (db) => {
      db.exec(V1);
      db.pragma(`application_id = ${APPLICATION_ID}`);
    },
  },
  { version: 2, up: (db) => db.exec(V2) },
  { version: 3, up: (db) => db.exec(V3) },
  { version: 4, up: (db) => db.exec(V4) },
];

/**
 * Brings a database at `fromVersion` (0: empty) to `SCHEMA_VERSION`. The caller holds a write
 * transaction, so a failure leaves the file as it was.
 */
export function migrate(db: SqlDatabase, fromVersion: number, meta: MetaWrite): void {
  for (const migration of MIGRATIONS) {
    if (migration.version > fromVersion) migration.up(db);
  }
  const setMeta = db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  if (fromVersion === 0) {
    setMeta.run('app', APP_NAME);
    setMeta.run('created_at', meta.now);
    setMeta.run('created_by', meta.toolVersion);
  } else if (fromVersion < SCHEMA_VERSION) {
    setMeta.run('migrated_at', meta.now);
    setMeta.run('migrated_by', meta.toolVersion);
  }
  setMeta.run('schema_version', String(SCHEMA_VERSION));
}

export interface MetaWrite {
  now: string;
  toolVersion: string;
}
