import type { SqlDatabase } from './sqlite.js';
import type {
  FailedUnitRecord,
  ItemFailureRecord,
  RunRecord,
  RunStatus,
  TypeState,
  TypeStateRecord,
  UnitRecord,
} from './types.js';

/**
 * Read queries over the run bookkeeping, shared by RunStore (the orchestrator's view) and the
 * status readers. Each maps snake_case rows to the records in types.ts.
 */

interface RunRow {
  id: number;
  kind: string;
  status: RunStatus;
  started_at: string;
  ended_at: string | null;
  types_json: string;
  config_json: string;
  base_url: string;
  tool_version: string;
  owner_pid: number | null;
  owner_host: string | null;
  heartbeat_at: string | null;
  resume_count: number;
  summary_json: string | null;
}

const RUN_COLUMNS = `id, kind, status, started_at, ended_at, types_json, config_json, base_url,
  tool_version, owner_pid, owner_host, heartbeat_at, resume_count, summary_json`;

function parseJson(text: string | null, fallback: unknown): unknown {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback;
  }
}

function toRunRecord(row: RunRow): RunRecord {
  const types = parseJson(row.types_json, []);
  const config = parseJson(row.config_json, {});
  return {
    id: row.id,
    kind: row.kind === 'restore' ? 'restore' : 'extract',
    status: row.status,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    types: Array.isArray(types) ? types.map(String) : [],
    config:
      config !== null && typeof config === 'object' && !Array.isArray(config)
        ? (config as Record<string, unknown>)
        : {},
    baseUrl: row.base_url,
    toolVersion: row.tool_version,
    ownerPid: row.owner_pid,
    ownerHost: row.owner_host,
    heartbeatAt: row.heartbeat_at,
    resumeCount: row.resume_count,
    summary: parseJson(row.summary_json, null),
  };
}

export function readRun(db: SqlDatabase, runId: number): RunRecord | undefined {
  const row = db
    .prepare<[number], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`)
    .get(runId);
  return row && toRunRecord(row);
}

/** Most recent first. */
export function readRuns(db: SqlDatabase, limit: number): RunRecord[] {
  return db
    .prepare<[number], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?`)
    .all(Math.max(0, Math.floor(limit)))
    .map(toRunRecord);
}

/** The latest run of a kind (extractions by default: restores are never resumed by extract). */
export function readLatestRunId(
  db: SqlDatabase,
  kind: 'extract' | 'restore' = 'extract',
): number | undefined {
  return (
    db.prepare<[string], number>('SELECT max(id) FROM runs WHERE kind = ?').pluck().get(kind) ??
    undefined
  );
}

export function readRunningRuns(db: SqlDatabase): RunRecord[] {
  return db
    .prepare<[], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE status = 'running' ORDER BY id`)
    .all()
    .map(toRunRecord);
}

interface TypeStateRow {
  content_type: string;
  state: TypeState;
  end_offset: number | null;
  items_stored: number;
  items_new: number;
  items_changed: number;
  items_unchanged: number;
  items_invalid: number;
  started_at: string | null;
  updated_at: string;
  finished_at: string | null;
  pages_done: number;
  pages_failed: number;
}

/** Per type, in the order the run listed its types (then any other type it wrote). */
export function readTypeStates(db: SqlDatabase, runId: number): TypeStateRecord[] {
  const rows = db
    .prepare<[number, number], TypeStateRow>(
      `SELECT t.content_type, t.state, t.end_offset, t.items_stored, t.items_new, t.items_changed,
              t.items_unchanged, t.items_invalid, t.started_at, t.updated_at, t.finished_at,
              coalesce(c.pages_done, 0) AS pages_done, coalesce(c.pages_failed, 0) AS pages_failed
         FROM run_types t
         LEFT JOIN (SELECT content_type,
                           sum(status = 'done') AS pages_done,
                           sum(status = 'failed') AS pages_failed
                      FROM checkpoints WHERE run_id = ? GROUP BY content_type) c
           ON c.content_type = t.content_type
        WHERE t.run_id = ?`,
    )
    .all(runId, runId);
  const order = readRun(db, runId)?.types ?? [];
  const rank = (type: string): number => {
    const index = order.indexOf(type);
    return index === -1 ? order.length : index;
  };
  return rows
    .map((row) => ({
      type: row.content_type,
      state: row.state,
      endOffset: row.end_offset,
      stored: row.items_stored,
      new: row.items_new,
      changed: row.items_changed,
      unchanged: row.items_unchanged,
      invalid: row.items_invalid,
      pagesDone: row.pages_done,
      pagesFailed: row.pages_failed,
      startedAt: row.started_at,
      updatedAt: row.updated_at,
      finishedAt: row.finished_at,
    }))
    .sort((a, b) => rank(a.type) - rank(b.type) || a.type.localeCompare(b.type));
}

export function readCompletedUnits(db: SqlDatabase, runId: number): UnitRecord[] {
  return db
    .prepare<
      [number],
      {
        content_type: string;
        unit_key: string;
        page_offset: number | null;
        page_limit: number | null;
        item_count: number;
        raw_count: number;
      }
    >(
      `SELECT content_type, unit_key, page_offset, page_limit, item_count, raw_count
         FROM checkpoints WHERE run_id = ? AND status = 'done'
        ORDER BY content_type, page_offset, unit_key`,
    )
    .all(runId)
    .map((row) => ({
      type: row.content_type,
      unitKey: row.unit_key,
      offset: row.page_offset,
      limit: row.page_limit,
      itemCount: row.item_count,
      rawCount: row.raw_count,
    }));
}

export function readFailedUnits(
  db: SqlDatabase,
  runId: number,
  limit = Number.MAX_SAFE_INTEGER,
): FailedUnitRecord[] {
  return db
    .prepare<
      [number, number],
      {
        content_type: string;
        unit_key: string;
        page_offset: number | null;
        page_limit: number | null;
        error: string | null;
        attempts: number;
        updated_at: string;
      }
    >(
      `SELECT content_type, unit_key, page_offset, page_limit, error, attempts, updated_at
         FROM checkpoints WHERE run_id = ? AND status = 'failed'
        ORDER BY content_type, page_offset, unit_key LIMIT ?`,
    )
    .all(runId, limit)
    .map((row) => ({
      type: row.content_type,
      unitKey: row.unit_key,
      offset: row.page_offset,
      limit: row.page_limit,
      error: row.error ?? '',
      attempts: row.attempts,
      updatedAt: row.updated_at,
    }));
}

export function readItemFailures(
  db: SqlDatabase,
  runId: number,
  limit: number,
): ItemFailureRecord[] {
  return db
    .prepare<
      [number, number],
      {
        content_type: string;
        item_id: string | null;
        unit_key: string;
        error: string;
        recorded_at: string;
      }
    >(
      `SELECT content_type, item_id, unit_key, error, recorded_at
         FROM item_failures WHERE run_id = ? ORDER BY id LIMIT ?`,
    )
    .all(runId, Math.max(0, Math.floor(limit)))
    .map((row) => ({
      type: row.content_type,
      itemId: row.item_id,
      unitKey: row.unit_key,
      error: row.error,
      recordedAt: row.recorded_at,
    }));
}

export function countItemFailures(db: SqlDatabase, runId: number): number {
  return (
    db
      .prepare<[number], number>('SELECT count(*) FROM item_failures WHERE run_id = ?')
      .pluck()
      .get(runId) ?? 0
  );
}
