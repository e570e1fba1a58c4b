import { snapshotHolds } from './snapshots.js';
import { toDatabaseError } from './sqlite-errors.js';
import type { Vault } from './vault.js';

/**
 * A restore's records in the backup file: the id mapping between instances (`id_map`) and each
 * restore's plan and journal (`restore_items`). A restore writes little (a row or two per item,
 * against several HTTP requests per item), so its writes are small synchronous transactions on
 * the run's own connection: serialized by the event loop, each committed (WAL) before the next
 * request that depends on it. That order is the crash-safety argument: the intent to create is
 * on disk before the create is sent, and the mapping right after the answer.
 */

export interface SnapshotItem {
  id: string;
  json: string;
  trashed: boolean;
}

/** Every item of a type as a snapshot holds it. */
export function readSnapshotItems(vault: Vault, snapshotId: number, type: string): SnapshotItem[] {
  return read(vault, () =>
    vault.db
      .prepare<[string], { id: string; json: string; trashed: number }>(
        `SELECT v.item_id AS id, c.json, v.trashed
           FROM item_versions v JOIN contents c ON c.id = v.content_id
          WHERE v.content_type = ? AND ${snapshotHolds(snapshotId)}
          ORDER BY v.item_id`,
      )
      .all(type)
      .map((row) => ({ id: row.id, json: row.json, trashed: row.trashed === 1 })),
  );
}

/** Each backed-up user's email, from their newest stored version. */
export function readUserEmails(vault: Vault): Map<string, string> {
  return read(vault, () => {
    const rows = vault.db
      .prepare<[], { id: string; email: string | null }>(
        `SELECT v.item_id AS id, json_extract(c.json, '$.email') AS email
           FROM item_versions v JOIN contents c ON c.id = v.content_id
          WHERE v.content_type = 'user'
            AND v.from_run = (SELECT max(w.from_run) FROM item_versions w
                               WHERE w.content_type = 'user' AND w.item_id = v.item_id)`,
      )
      .all();
    const emails = new Map<string, string>();
    for (const row of rows) if (row.email) emails.set(row.id, row.email.toLowerCase());
    return emails;
  });
}

export interface MappedTarget {
  id: string;
  /** The target item's `created_at` when it was mapped (null: the type has none). */
  createdAt: string | null;
}

/** `type:id` → its target, for one pair of instances. */
export function readIdMap(
  vault: Vault,
  sourceInstance: string,
  targetInstance: string,
): Map<string, MappedTarget> {
  return read(vault, () => {
    const rows = vault.db
      .prepare<
        [string, string],
        { type: string; id: string; target: string; createdAt: string | null }
      >(
        `SELECT content_type AS type, source_id AS id, target_id AS target,
                target_created_at AS createdAt
           FROM id_map WHERE source_instance = ? AND target_instance = ?`,
      )
      .all(sourceInstance, targetInstance);
    return new Map(
      rows.map((row) => [`${row.type}:${row.id}`, { id: row.target, createdAt: row.createdAt }]),
    );
  });
}

export interface RestoreItemRow {
  type: string;
  sourceId: string;
  title: string | null;
  action: string;
  reason: string;
  status: string;
  targetId: string | null;
  error: string | null;
}

/** The journal of one restore run, in plan order. */
export function readRestoreItems(vault: Vault, runId: number): RestoreItemRow[] {
  return read(vault, () =>
    vault.db
      .prepare<[number], RestoreItemRow>(
        `SELECT content_type AS type, source_id AS sourceId, title, action, reason, status,
                target_id AS targetId, error
           FROM restore_items WHERE run_id = ? ORDER BY rowid`,
      )
      .all(runId),
  );
}

/** The newest restore run, if any. */
export function readLatestRestoreRunId(vault: Vault): number | undefined {
  return read(
    vault,
    () =>
      vault.db
        .prepare<[], number>("SELECT max(id) FROM runs WHERE kind = 'restore'")
        .pluck()
        .get() ?? undefined,
  );
}

export interface PlannedRow {
  type: string;
  sourceId: string;
  title: string;
  action: string;
  reason: string;
  targetId: string | null;
  /** The matched target item's `created_at`, when known. */
  targetCreatedAt: string | null;
  stableKey: string | null;
}

/** Writes of one restore run. */
export class RestoreJournal {
  readonly #vault: Vault;
  readonly #runId: number;
  readonly #sourceInstance: string;
  readonly #targetInstance: string;
  readonly #now: () => string;

  constructor(
    vault: Vault,
    runId: number,
    instances: { source: string; target: string },
    now: () => string = () => new Date().toISOString(),
  ) {
    this.#vault = vault;
    this.#runId = runId;
    this.#sourceInstance = instances.source;
    this.#targetInstance = instances.target;
    this.#now = now;
  }

  /** The plan, every item `planned`, and the counterparts it matched (one transaction). */
  recordPlan(rows: readonly PlannedRow[]): void {
    this.#write('record the restore plan in', () => {
      const insert = this.#vault.db.prepare(
        `INSERT INTO restore_items (run_id, content_type, source_id, title, action, reason, status,
                                    target_id, stable_key, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'planned', ?, ?, ?)
         ON CONFLICT (run_id, content_type, source_id) DO UPDATE SET
           action = excluded.action, reason = excluded.reason, status = 'planned',
           target_id = excluded.target_id, stable_key = excluded.stable_key, error = NULL,
           updated_at = excluded.updated_at`,
      );
      const map = this.#vault.db.prepare(
        `INSERT INTO id_map (source_instance, content_type, source_id, target_instance, target_id,
                             target_created_at, run_id, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source_instance, content_type, source_id, target_instance)
         DO UPDATE SET target_id = excluded.target_id,
                       target_created_at = excluded.target_created_at,
                       run_id = excluded.run_id, recorded_at = excluded.recorded_at
         WHERE id_map.target_id <> excluded.target_id
            OR id_map.target_created_at IS NOT excluded.target_created_at`,
      );
      const now = this.#now();
      this.#vault.db.transaction(() => {
        for (const row of rows) {
          // Matched counterparts are remembered as well as created ones.
          if (row.targetId !== null) {
            map.run(
              this.#sourceInstance,
              row.type,
              row.sourceId,
              this.#targetInstance,
              row.targetId,
              row.targetCreatedAt,
              this.#runId,
              now,
            );
          }
          insert.run(
            this.#runId,
            row.type,
            row.sourceId,
            row.title,
            row.action,
            row.reason,
            row.targetId,
            row.stableKey,
            now,
          );
        }
        this.#heartbeat(now);
      })();
    });
  }

  /** Before a create is sent: the intent, with the key the item can be found by afterwards. */
  intend(type: string, sourceId: string, stableKey: string | null): void {
    this.#update(type, sourceId, 'creating', { stableKey });
  }

  /**
   * The item exists in the target as `targetId`: the mapping, for later restores, and the
   * journal (still `writing` until `done`: a dashboard's tiles come after its mapping).
   */
  mapped(type: string, sourceId: string, targetId: string, createdAt: string | null): void {
    this.#write('record an id mapping in', () => {
      const now = this.#now();
      this.#vault.db.transaction(() => {
        this.#vault.db
          .prepare(
            `INSERT INTO id_map (source_instance, content_type, source_id, target_instance,
                                 target_id, target_created_at, run_id, recorded_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (source_instance, content_type, source_id, target_instance)
             DO UPDATE SET target_id = excluded.target_id,
                           target_created_at = excluded.target_created_at,
                           run_id = excluded.run_id, recorded_at = excluded.recorded_at`,
          )
          .run(
            this.#sourceInstance,
            type,
            sourceId,
            this.#targetInstance,
            targetId,
            createdAt,
            this.#runId,
            now,
          );
        this.#vault.db
          .prepare(
            `UPDATE restore_items SET status = 'writing', target_id = ?, updated_at = ?
              WHERE run_id = ? AND content_type = ? AND source_id = ?`,
          )
          .run(targetId, now, this.#runId, type, sourceId);
        this.#heartbeat(now);
      })();
    });
  }

  done(type: string, sourceId: string, targetId: string | null): void {
    this.#update(type, sourceId, 'done', { targetId });
  }

  failed(type: string, sourceId: string, error: string): void {
    this.#update(type, sourceId, 'failed', { error });
  }

  skipped(type: string, sourceId: string, why: string): void {
    this.#update(type, sourceId, 'skipped', { error: why });
  }

  #update(
    type: string,
    sourceId: string,
    status: string,
    fields: { stableKey?: string | null; targetId?: string | null; error?: string },
  ): void {
    this.#write('update the restore journal in', () => {
      const now = this.#now();
      this.#vault.db
        .prepare(
          `UPDATE restore_items
              SET status = ?, updated_at = ?,
                  stable_key = CASE WHEN ? THEN ? ELSE stable_key END,
                  target_id = CASE WHEN ? THEN ? ELSE target_id END,
                  error = ?
            WHERE run_id = ? AND content_type = ? AND source_id = ?`,
        )
        .run(
          status,
          now,
          fields.stableKey === undefined ? 0 : 1,
          fields.stableKey ?? null,
          fields.targetId === undefined ? 0 : 1,
          fields.targetId ?? null,
          fields.error ?? null,
          this.#runId,
          type,
          sourceId,
        );
      this.#heartbeat(now);
    });
  }

  /** Tells other processes the run's owner is still at work (between item writes). */
  heartbeat(): void {
    this.#write('refresh the run heartbeat in', () => {
      this.#heartbeat(this.#now());
    });
  }

  #heartbeat(now: string): void {
    this.#vault.db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id = ?').run(now, this.#runId);
  }

  #write(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      throw toDatabaseError(error, `Could not ${what} \`${this.#vault.path}\``);
    }
  }
}

function read<T>(vault: Vault, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw toDatabaseError(error, `Could not read \`${vault.path}\``);
  }
}
