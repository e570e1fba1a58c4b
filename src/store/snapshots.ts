import { UsageError } from '../errors.js';
import { toDatabaseError } from './sqlite-errors.js';
import type { Vault } from './vault.js';

/**
 * Reading the backup as snapshots. A finished run (success or partial) that was not forgotten
 * is a snapshot; it holds, for each type it covered, the versions whose interval of runs
 * [from_run, to_run) contains it. Reads only.
 */

export interface SnapshotRecord {
  id: number;
  /** The Looker instance the run backed up. */
  baseUrl: string;
  status: 'success' | 'partial';
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  types: string[];
  /** Items the snapshot holds (trashed ones included). */
  items: number;
  /** Of those, items in Looker's trash. */
  trashed: number;
  new: number;
  changed: number;
  /** Items the run no longer found (deleted in Looker since the previous run). */
  deleted: number;
  /** HTTP requests the run sent (all its attempts), when its summary says. */
  requests: number | null;
  /** Whether the run fetched only what changed (for at least one type). */
  incremental: boolean;
  /** The folders a folder-scoped run backed up; null for the whole instance. */
  scope: SnapshotScope | null;
}

export interface SnapshotScope {
  /** As named with `--folders`. */
  folders: string[];
  recursive: boolean;
  /** Folders in the scope (subfolders included). */
  folderCount: number;
}

/** One (type, id) of a snapshot, with its content hash. */
export interface SnapshotEntry {
  type: string;
  id: string;
  hash: string;
  trashed: boolean;
}

export interface VersionRecord {
  /** The first snapshot (run) holding this version. */
  fromRun: number;
  fromAt: string;
  /** The run that no longer held it (changed or deleted); null while current. */
  toRun: number | null;
  toAt: string | null;
  /** Why the version ended: `changed` (a later version follows), `deleted`, or null (current). */
  ended: 'changed' | 'deleted' | null;
  hash: string;
  size: number;
  name: string | null;
  trashed: boolean;
  updatedAt: string | null;
  lastSeenRun: number;
}

interface SnapshotRow {
  id: number;
  base_url: string;
  status: 'success' | 'partial';
  started_at: string;
  ended_at: string | null;
  types_json: string;
  config_json: string;
  summary_json: string | null;
  new: number;
  changed: number;
  deleted: number;
}

const SNAPSHOT_SELECT = `
  SELECT r.id, r.base_url, r.status, r.started_at, r.ended_at, r.types_json, r.config_json, r.summary_json,
         coalesce(sum(t.items_new), 0) AS new, coalesce(sum(t.items_changed), 0) AS changed,
         coalesce(sum(t.items_deleted), 0) AS deleted
    FROM runs r LEFT JOIN run_types t ON t.run_id = r.id
   WHERE r.status IN ('success', 'partial') AND r.forgotten_at IS NULL AND r.kind = 'extract'`;

/** Snapshots, oldest first. */
export function listSnapshots(vault: Vault): SnapshotRecord[] {
  return read(vault, () => {
    const rows = vault.db
      .prepare<[], SnapshotRow>(`${SNAPSHOT_SELECT} GROUP BY r.id ORDER BY r.id`)
      .all();
    return rows.map((row) => {
      const types = parseStrings(row.types_json);
      const counted = vault.db
        .prepare<[string], { items: number; trashed: number }>(
          `SELECT count(*) AS items, coalesce(sum(v.trashed), 0) AS trashed FROM item_versions v
            WHERE ${snapshotHolds(row.id)} AND v.content_type IN (SELECT value FROM json_each(?))`,
        )
        .get(JSON.stringify(types)) ?? { items: 0, trashed: 0 };
      const summary = parseObject(row.summary_json);
      const config = parseObject(row.config_json);
      const started = Date.parse(row.started_at);
      const ended = row.ended_at === null ? Number.NaN : Date.parse(row.ended_at);
      return {
        id: row.id,
        baseUrl: row.base_url,
        status: row.status,
        startedAt: row.started_at,
        endedAt: row.ended_at,
        durationMs:
          Number.isFinite(started) && Number.isFinite(ended) ? Math.max(0, ended - started) : null,
        types,
        items: counted.items,
        trashed: counted.trashed,
        new: row.new,
        changed: row.changed,
        deleted: row.deleted,
        requests: typeof summary.requests === 'number' ? summary.requests : null,
        incremental: Array.isArray(config.incremental) && config.incremental.length > 0,
        scope: snapshotScope(config.scope),
      };
    });
  });
}

/**
 * SQL: whether snapshot `snapshotId` holds the version row `alias` — its interval of runs
 * contains the snapshot and, for the scoped types of a folder-scoped run, the run saw the item.
 */
export function snapshotHolds(snapshotId: number, alias = 'v'): string {
  if (!Number.isSafeInteger(snapshotId)) throw new RangeError(`Not a snapshot id: ${snapshotId}`);
  const id = String(snapshotId);
  return `(${alias}.from_run <= ${id} AND (${alias}.to_run IS NULL OR ${alias}.to_run > ${id})
    AND (${alias}.content_type NOT IN (SELECT value FROM json_each(coalesce(
           (SELECT json_extract(r.config_json, '$.scope.types') FROM runs r WHERE r.id = ${id}), '[]')))
         OR EXISTS (SELECT 1 FROM run_scope_items s WHERE s.run_id = ${id}
                      AND s.content_type = ${alias}.content_type AND s.item_id = ${alias}.item_id)))`;
}

/** The folders a snapshot covers, from its run's config (null: the whole instance). */
function snapshotScope(value: unknown): SnapshotScope | null {
  if (typeof value !== 'object' || value === null) return null;
  const scope = value as { named?: unknown; recursive?: unknown; folders?: unknown };
  const named = Array.isArray(scope.named)
    ? scope.named.filter((item): item is string => typeof item === 'string')
    : [];
  return {
    folders: named,
    recursive: scope.recursive === true,
    folderCount: Array.isArray(scope.folders) ? scope.folders.length : named.length,
  };
}

/**
 * The snapshot `id`, or the newest when `id` is undefined. Throws a UsageError naming the
 * snapshots there are when it does not exist.
 */
export function resolveSnapshot(vault: Vault, id: number | undefined): SnapshotRecord {
  const snapshots = listSnapshots(vault);
  const found =
    id === undefined ? snapshots.at(-1) : snapshots.find((snapshot) => snapshot.id === id);
  if (found) return found;
  if (snapshots.length === 0) {
    throw new UsageError(`\`${vault.path}\` holds no snapshot yet`, {
      hint: 'A snapshot is made by every `lookervault extract` that finishes.',
    });
  }
  const ids = snapshots.map((snapshot) => snapshot.id);
  throw new UsageError(`There is no snapshot ${String(id)} in \`${vault.path}\``, {
    hint: `Snapshots there: ${describeIds(ids)}. Run \`lookervault snapshots\` to list them.`,
  });
}

/** Every item of a snapshot (optionally of one type), sorted by type and id. */
export function snapshotEntries(vault: Vault, snapshotId: number, type?: string): SnapshotEntry[] {
  const snapshot = resolveSnapshot(vault, snapshotId);
  const types = type === undefined ? snapshot.types : snapshot.types.filter((t) => t === type);
  return read(vault, () =>
    vault.db
      .prepare<[string], { type: string; id: string; hash: string; trashed: number }>(
        `SELECT v.content_type AS type, v.item_id AS id, v.content_hash AS hash, v.trashed
           FROM item_versions v
          WHERE ${snapshotHolds(snapshot.id)}
            AND v.content_type IN (SELECT value FROM json_each(?))
          ORDER BY v.content_type, v.item_id`,
      )
      .all(JSON.stringify(types))
      .map((row) => ({ type: row.type, id: row.id, hash: row.hash, trashed: row.trashed === 1 })),
  );
}

/** Every version of one item, oldest first (empty when the backup never held it). */
export function itemHistory(vault: Vault, type: string, id: string): VersionRecord[] {
  return read(vault, () => {
    const rows = vault.db
      .prepare<
        [string, string],
        {
          from_run: number;
          from_at: string;
          to_run: number | null;
          to_at: string | null;
          hash: string;
          size: number;
          name: string | null;
          trashed: number;
          updated_at: string | null;
          last_seen_run: number;
          ended: 'changed' | 'deleted' | null;
        }
      >(
        `SELECT v.from_run, v.from_at, v.to_run, v.to_at, v.ended, v.content_hash AS hash, c.size, v.name, v.trashed,
                v.updated_at, v.last_seen_run
           FROM item_versions v JOIN contents c ON c.id = v.content_id
          WHERE v.content_type = ? AND v.item_id = ? ORDER BY v.from_run`,
      )
      .all(type, id);
    return rows.map((row) => {
      const ended = row.to_run === null ? null : (row.ended ?? 'changed');
      return {
        fromRun: row.from_run,
        fromAt: row.from_at,
        toRun: row.to_run,
        toAt: row.to_at,
        ended,
        hash: row.hash,
        size: row.size,
        name: row.name,
        trashed: row.trashed === 1,
        updatedAt: row.updated_at,
        lastSeenRun: row.last_seen_run,
      };
    });
  });
}

/**
 * The stored JSON (canonical text) of one item as a snapshot held it, or as the newest version
 * when `snapshotId` is undefined (which may be a version the newest snapshot no longer holds:
 * the item's last known content). Undefined when the item is not there.
 */
export function itemContent(
  vault: Vault,
  type: string,
  id: string,
  snapshotId: number | undefined,
): { json: string; fromRun: number; hash: string } | undefined {
  return read(vault, () => {
    const select = `SELECT c.json, v.from_run AS fromRun, v.content_hash AS hash
                      FROM item_versions v JOIN contents c ON c.id = v.content_id
                     WHERE v.content_type = ? AND v.item_id = ?`;
    if (snapshotId === undefined) {
      return vault.db
        .prepare<[string, string], { json: string; fromRun: number; hash: string }>(
          `${select} ORDER BY v.from_run DESC LIMIT 1`,
        )
        .get(type, id);
    }
    return vault.db
      .prepare<[string, string], { json: string; fromRun: number; hash: string }>(
        `${select} AND ${snapshotHolds(snapshotId)}`,
      )
      .get(type, id);
  });
}

/** "1–3, 7, 9" */
export function describeIds(ids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length;) {
    let j = i;
    while (j + 1 < ids.length && (ids[j + 1] as number) === (ids[j] as number) + 1) j++;
    parts.push(j > i ? `${String(ids[i])}–${String(ids[j])}` : String(ids[i]));
    i = j + 1;
  }
  return parts.join(', ');
}

function parseStrings(json: string): string[] {
  const value = parseJson(json);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function parseObject(json: string | null): Record<string, unknown> {
  const value = json === null ? null : parseJson(json);
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function parseJson(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return null;
  }
}

function read<T>(vault: Vault, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw toDatabaseError(error, `Could not read \`${vault.path}\``);
  }
}

/** What a snapshot recorded of each item of a type: enough to tell a changed item cheaply. */
export interface SnapshotFingerprint {
  updatedAt: string | null;
  trashed: boolean;
}

/** The items of `type` a snapshot holds, with their `updated_at` and trash state. */
export function snapshotFingerprints(
  vault: Vault,
  snapshotId: number,
  type: string,
): Map<string, SnapshotFingerprint> {
  return read(vault, () => {
    const rows = vault.db
      .prepare<[string], { id: string; updated_at: string | null; trashed: number }>(
        `SELECT v.item_id AS id, v.updated_at, v.trashed FROM item_versions v
          WHERE v.content_type = ? AND ${snapshotHolds(snapshotId)}`,
      )
      .all(type);
    return new Map(
      rows.map((row) => [row.id, { updatedAt: row.updated_at, trashed: row.trashed === 1 }]),
    );
  });
}
