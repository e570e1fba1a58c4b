import { defaultOwnerEnvironment, isOwnerAlive } from './owner.js';
import type { OwnerEnvironment } from './owner.js';
import {
  countItemFailures,
  readFailedUnits,
  readItemFailures,
  readLatestRunId,
  readRun,
  readRuns,
  readTypeStates,
} from './queries.js';
import { readRestoreItems, type RestoreItemRow } from './restore-journal.js';
import { toDatabaseError } from './sqlite-errors.js';
import { RESUMABLE_STATUSES } from './types.js';
import type {
  FailedUnitRecord,
  ItemCounts,
  ItemFailureRecord,
  RunRecord,
  RunStatus,
  TypeStateRecord,
} from './types.js';
import type { Vault } from './vault.js';

/**
 * What `lookervault status` shows, read from a vault (read-only is enough): recent runs with
 * counts, durations and whether they can be resumed, one run in detail, and what the backup
 * holds. Nothing here writes: a run whose owner died is reported as interrupted without
 * changing its row (the next extract does that).
 */

export interface RunCounts extends ItemCounts {
  pagesDone: number;
  pagesFailed: number;
  itemFailures: number;
}

export interface RunOwnerInfo {
  pid: number | null;
  hostname: string | null;
  heartbeatAt: string | null;
  /** Whether that process is still working on the run. */
  alive: boolean;
}

export interface RunListRow {
  id: number;
  /** `extract`, or `restore` (its counts: items written, and items failed or skipped). */
  kind: 'extract' | 'restore';
  /** As the user should read it: a `running` run whose owner died shows as `interrupted`. */
  status: RunStatus;
  /** As stored in the file. */
  storedStatus: RunStatus;
  startedAt: string;
  endedAt: string | null;
  /** Wall time from start to end (or to now while running, or to the last heartbeat of a dead owner). */
  durationMs: number | null;
  types: string[];
  baseUrl: string;
  toolVersion: string;
  resumeCount: number;
  counts: RunCounts;
  /** The next `extract` would resume this run. */
  resumable: boolean;
  /** The process that holds the run, while it is running. */
  owner: RunOwnerInfo | null;
}

export interface RunDetail extends RunListRow {
  config: Record<string, unknown>;
  summary: unknown;
  typeStates: TypeStateRecord[];
  failedPages: FailedUnitRecord[];
  /** The first `failureLimit` item failures; `counts.itemFailures` has the total. */
  itemFailures: ItemFailureRecord[];
  /** A restore's items that failed or were skipped (the first `failureLimit`). */
  restoreFailures: RestoreItemRow[];
}

export interface ReaderOptions {
  /** Clock, identity and liveness check (tests override them). */
  env?: Partial<OwnerEnvironment>;
}

export interface ContentTypeSummary {
  type: string;
  items: number;
  /** Items soft-deleted in Looker (in its trash). */
  deleted: number;
  /** Total size of the stored JSON, in bytes. */
  bytes: number;
  lastSeenAt: string | null;
}

/** The most recent runs first. */
export function listRuns(
  vault: Vault,
  options: ReaderOptions & { limit?: number } = {},
): RunListRow[] {
  return read(vault, () => {
    const env = defaultOwnerEnvironment(options.env);
    const latest = readLatestRunId(vault.db);
    return readRuns(vault.db, options.limit ?? 20).map((run) => summarize(vault, run, latest, env));
  });
}

/** One run with per-type progress, failed pages and item failures; undefined if no such run. */
export function getRunDetail(
  vault: Vault,
  runId: number,
  options: ReaderOptions & { failureLimit?: number } = {},
): RunDetail | undefined {
  return read(vault, () => {
    const run = readRun(vault.db, runId);
    if (!run) return undefined;
    const env = defaultOwnerEnvironment(options.env);
    const limit = options.failureLimit ?? 50;
    return {
      ...summarize(vault, run, readLatestRunId(vault.db), env),
      config: run.config,
      summary: run.summary,
      typeStates: readTypeStates(vault.db, runId),
      failedPages: readFailedUnits(vault.db, runId, limit),
      itemFailures: readItemFailures(vault.db, runId, limit),
      restoreFailures:
        run.kind === 'restore'
          ? readRestoreItems(vault, runId)
              .filter((row) => row.status === 'failed' || row.status === 'skipped')
              .slice(0, limit)
          : [],
    };
  });
}

/** Whether the next `extract` would resume `runId` (it must be the latest run). */
export function isRunResumable(vault: Vault, runId: number, options: ReaderOptions = {}): boolean {
  return read(vault, () => {
    const run = readRun(vault.db, runId);
    if (!run) return false;
    const env = defaultOwnerEnvironment(options.env);
    return summarize(vault, run, readLatestRunId(vault.db), env).resumable;
  });
}

/** Per content type: how many items the backup holds and how large they are. */
export function contentSummary(vault: Vault): ContentTypeSummary[] {
  return read(vault, () =>
    vault.db
      .prepare<
        [],
        { type: string; items: number; deleted: number; bytes: number; lastSeenAt: string | null }
      >(
        `SELECT content_type AS type, count(*) AS items, sum(deleted) AS deleted,
                sum(content_size) AS bytes, max(last_seen_at) AS lastSeenAt
           FROM content_items GROUP BY content_type ORDER BY content_type`,
      )
      .all(),
  );
}

function summarize(
  vault: Vault,
  run: RunRecord,
  latestId: number | undefined,
  env: OwnerEnvironment,
): RunListRow {
  const alive = run.status === 'running' && isOwnerAlive(run, env);
  const status: RunStatus = run.status === 'running' && !alive ? 'interrupted' : run.status;
  const started = Date.parse(run.startedAt);
  let end: number | null = null;
  if (run.endedAt !== null) end = Date.parse(run.endedAt);
  else if (alive) end = env.now();
  else if (run.heartbeatAt !== null) end = Date.parse(run.heartbeatAt);
  const durationMs =
    end !== null && Number.isFinite(end) && Number.isFinite(started)
      ? Math.max(0, end - started)
      : null;
  return {
    id: run.id,
    kind: run.kind,
    status,
    storedStatus: run.status,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    durationMs,
    types: run.types,
    baseUrl: run.baseUrl,
    toolVersion: run.toolVersion,
    resumeCount: run.resumeCount,
    counts: run.kind === 'restore' ? restoreCounts(vault, run.id) : runCounts(vault, run.id),
    resumable: run.id === latestId && RESUMABLE_STATUSES.includes(status),
    owner:
      run.status === 'running'
        ? { pid: run.ownerPid, hostname: run.ownerHost, heartbeatAt: run.heartbeatAt, alive }
        : null,
  };
}

function runCounts(vault: Vault, runId: number): RunCounts {
  const items = vault.db
    .prepare<[number], ItemCounts>(
      `SELECT coalesce(sum(items_stored), 0) AS stored, coalesce(sum(items_new), 0) AS new,
              coalesce(sum(items_changed), 0) AS changed,
              coalesce(sum(items_unchanged), 0) AS unchanged,
              coalesce(sum(items_invalid), 0) AS invalid
         FROM run_types WHERE run_id = ?`,
    )
    .get(runId) ?? { stored: 0, new: 0, changed: 0, unchanged: 0, invalid: 0 };
  const pages = vault.db
    .prepare<[number], { done: number; failed: number }>(
      `SELECT coalesce(sum(status = 'done'), 0) AS done, coalesce(sum(status = 'failed'), 0) AS failed
         FROM checkpoints WHERE run_id = ?`,
    )
    .get(runId) ?? { done: 0, failed: 0 };
  return {
    ...items,
    pagesDone: pages.done,
    pagesFailed: pages.failed,
    itemFailures: countItemFailures(vault.db, runId),
  };
}

/** A restore's counts: items it wrote (`stored`: created, updated, undeleted, copied) and items it failed or skipped. */
function restoreCounts(vault: Vault, runId: number): RunCounts {
  const row = vault.db
    .prepare<
      [number],
      { written: number; created: number; updated: number; skipped: number; failed: number }
    >(
      `SELECT coalesce(sum(status = 'done' AND action <> 'skip'), 0) AS written,
              coalesce(sum(status = 'done' AND action IN ('create', 'copy')), 0) AS created,
              coalesce(sum(status = 'done' AND action IN ('update', 'undelete')), 0) AS updated,
              coalesce(sum(status = 'done' AND action = 'skip'), 0) AS skipped,
              coalesce(sum(status IN ('failed', 'skipped')), 0) AS failed
         FROM restore_items WHERE run_id = ?`,
    )
    .get(runId) ?? { written: 0, created: 0, updated: 0, skipped: 0, failed: 0 };
  return {
    stored: row.written,
    new: row.created,
    changed: row.updated,
    unchanged: row.skipped,
    invalid: 0,
    pagesDone: 0,
    pagesFailed: 0,
    itemFailures: row.failed,
  };
}

function read<T>(vault: Vault, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw toDatabaseError(error, `Could not read \`${vault.path}\``);
  }
}
