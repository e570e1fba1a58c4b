import { RunStore } from './runs.js';
import { toDatabaseError } from './sqlite-errors.js';
import type { Vault } from './vault.js';

/**
 * Forgetting snapshots and pruning what no kept snapshot needs. Both take the run lock, so
 * they never race an extract; each is one transaction, so a crash leaves the file as it was
 * or as it is after the step.
 */

/** Marks snapshots as forgotten: they leave `snapshots`; their data stays until `prune`. */
export function forgetSnapshots(vault: Vault, ids: readonly number[], now: Date): number {
  if (ids.length === 0) return 0;
  return new RunStore(vault).exclusive('forget snapshots in', () => {
    const forget = vault.db.prepare<[string, number]>(
      `UPDATE runs SET forgotten_at = ?
        WHERE id = ? AND status IN ('success', 'partial') AND forgotten_at IS NULL`,
    );
    let changed = 0;
    for (const id of ids) changed += forget.run(now.toISOString(), id).changes;
    return changed;
  });
}

export interface PruneResult {
  /** Versions no kept snapshot held (the current version of every item is always kept). */
  versionsRemoved: number;
  /** Distinct contents no remaining version refers to. */
  contentsRemoved: number;
  /** Bytes of JSON those contents held. */
  contentBytesRemoved: number;
  /** Checkpoints and item failures of forgotten runs. */
  bookkeepingRemoved: number;
  /** File size (with its WAL) before and after, in bytes. */
  fileBytesBefore: number;
  fileBytesAfter: number;
  vacuumed: boolean;
}

export interface PruneOptions {
  /** Count only: remove nothing. */
  dryRun?: boolean;
  /** Rewrite the file afterwards so it shrinks (needs free disk space of about its size). */
  vacuum?: boolean;
}

/** Kept snapshots and the types each covered: what a version must be held by to stay. */
const KEPT_TYPES = `
  SELECT r.id AS run_id, j.value AS content_type
    FROM runs r, json_each(r.types_json) j
   WHERE r.status IN ('success', 'partial') AND r.forgotten_at IS NULL AND r.kind = 'extract'`;

const UNNEEDED_VERSIONS = `
  to_run IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM temp.kept_types k
     WHERE k.content_type = item_versions.content_type
       AND k.run_id >= item_versions.from_run AND k.run_id < item_versions.to_run)`;

const UNREFERENCED_CONTENTS = 'id NOT IN (SELECT content_id FROM item_versions)';

export function prune(vault: Vault, options: PruneOptions = {}): PruneResult {
  const fileBytesBefore = vault.fileSizeBytes();
  const counts = new RunStore(vault).exclusive('prune', () => {
    const db = vault.db;
    db.exec(`DROP TABLE IF EXISTS temp.kept_types;
             CREATE TEMP TABLE kept_types AS ${KEPT_TYPES};
             CREATE INDEX temp.kept_types_by_type ON kept_types (content_type, run_id);`);
    const result = { versions: 0, contents: 0, contentBytes: 0, bookkeeping: 0 };
    if (options.dryRun === true) {
      result.versions =
        db
          .prepare<[], number>(`SELECT count(*) FROM item_versions WHERE ${UNNEEDED_VERSIONS}`)
          .pluck()
          .get() ?? 0;
      const freed = db
        .prepare<[], { n: number; bytes: number | null }>(
          `SELECT count(*) AS n, sum(size) AS bytes FROM contents
            WHERE id NOT IN (SELECT content_id FROM item_versions WHERE NOT (${UNNEEDED_VERSIONS}))`,
        )
        .get();
      result.contents = freed?.n ?? 0;
      result.contentBytes = freed?.bytes ?? 0;
    } else {
      result.versions = db
        .prepare(`DELETE FROM item_versions WHERE ${UNNEEDED_VERSIONS}`)
        .run().changes;
      const freed = db
        .prepare<[], { n: number; bytes: number | null }>(
          `SELECT count(*) AS n, sum(size) AS bytes FROM contents WHERE ${UNREFERENCED_CONTENTS}`,
        )
        .get();
      db.prepare(`DELETE FROM contents WHERE ${UNREFERENCED_CONTENTS}`).run();
      result.contents = freed?.n ?? 0;
      result.contentBytes = freed?.bytes ?? 0;
      const forgotten = 'SELECT id FROM runs WHERE forgotten_at IS NOT NULL';
      result.bookkeeping =
        db.prepare(`DELETE FROM checkpoints WHERE run_id IN (${forgotten})`).run().changes +
        db.prepare(`DELETE FROM item_failures WHERE run_id IN (${forgotten})`).run().changes +
        db.prepare(`DELETE FROM run_scope_items WHERE run_id IN (${forgotten})`).run().changes;
    }
    db.exec('DROP TABLE temp.kept_types');
    return result;
  });
  const vacuum = options.vacuum === true && options.dryRun !== true;
  if (vacuum) {
    try {
      vault.db.exec('VACUUM');
      vault.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (error) {
      throw toDatabaseError(error, `Pruned, but could not VACUUM \`${vault.path}\``);
    }
  }
  return {
    versionsRemoved: counts.versions,
    contentsRemoved: counts.contents,
    contentBytesRemoved: counts.contentBytes,
    bookkeepingRemoved: counts.bookkeeping,
    fileBytesBefore,
    fileBytesAfter: vault.fileSizeBytes(),
    vacuumed: vacuum,
  };
}
