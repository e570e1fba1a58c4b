import { scopeSummary } from './scope.js';
import type { ContentType } from '../content-types.js';
import type { LookervaultError } from '../errors.js';
import {
  SUMMARY_SCHEMA_VERSION,
  type ListingDecision,
  type RunSummary,
  type TypeSummary,
} from '../engine/run-summary.js';
import type { Vault } from '../store/index.js';
import type { LimiterSnapshot } from '../engine/gate.js';
import { peakRssBytes, type RequestMetricsSnapshot } from '../engine/metrics.js';
import type { TypeState } from '../engine/states.js';
import type { ProgressState } from './progress-state.js';
import type { PreparedRun, RunLedger } from './run-ledger.js';

export interface SummaryInput {
  run: PreparedRun;
  status: RunSummary['status'];
  typeStates: Map<ContentType, TypeState>;
  ledger: RunLedger;
  vault: Vault;
  progress: ProgressState;
  metrics: RequestMetricsSnapshot;
  limiter: LimiterSnapshot;
  workers: number;
  startedAt: number;
  endedAt: number;
  maxFailures: number;
  /** Where items of types with whole listings came from. */
  listings: Partial<Record<ContentType, ListingDecision>>;
  error?: LookervaultError;
}

/** Assembles the run summary from the engine's counters and what the database holds. */
export function buildSummary(input: SummaryInput): RunSummary {
  const { run, ledger, progress, metrics, limiter } = input;
  const durationMs = Math.max(0, input.endedAt - input.startedAt);
  const storedByType = ledger.countsByType(run.runId);
  const failedByType = ledger.failuresByType(run.runId);
  const deletedByType = ledger.deletedByType(run.runId);
  const items: Partial<Record<ContentType, number>> = {};
  const types: Partial<Record<ContentType, TypeSummary>> = {};
  const totals = { stored: 0, new: 0, changed: 0, unchanged: 0, failed: 0 };
  let written = 0;
  for (const type of run.types) {
    const counters = progress.counters.get(type);
    const stored = storedByType.get(type) ?? 0;
    const failures = failedByType.get(type) ?? { items: 0, pages: 0 };
    const typeSummary: TypeSummary = {
      state: input.typeStates.get(type) ?? 'pending',
      stored,
      new: counters?.new ?? 0,
      changed: counters?.changed ?? 0,
      unchanged: counters?.unchanged ?? 0,
      failed: failures.items,
      pagesFailed: failures.pages,
      deleted: deletedByType.get(type) ?? 0,
    };
    items[type] = stored;
    types[type] = typeSummary;
    totals.stored += stored;
    totals.new += typeSummary.new;
    totals.changed += typeSummary.changed;
    totals.unchanged += typeSummary.unchanged;
    totals.failed += typeSummary.failed;
    written += typeSummary.new + typeSummary.changed + typeSummary.unchanged;
  }
  const failedPages = [...failedByType.values()].reduce((sum, f) => sum + f.pages, 0);
  const seconds = durationMs / 1000;
  const resumable = input.status === 'interrupted' || input.status === 'failed';
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    runId: run.runId,
    status: input.status,
    resumed: run.resumed,
    resumable,
    startedAt: new Date(input.startedAt).toISOString(),
    endedAt: new Date(input.endedAt).toISOString(),
    durationMs: Math.round(durationMs),
    baseUrl: run.baseUrl,
    dbPath: input.vault.path,
    dbSizeBytes: input.vault.fileSizeBytes(),
    incremental: run.types.filter((type) => run.incremental.has(type)),
    ...(run.scope ? { scope: scopeSummary(run.scope) } : {}),
    workers: input.workers,
    items,
    types,
    totals,
    itemsPerSecond: seconds > 0 ? round(written / seconds, 1) : 0,
    requests: metrics.requests,
    requestsPerItem: written > 0 ? round(metrics.requests / written, 3) : 0,
    utilization: durationMs > 0 ? round(metrics.busyMs / (input.workers * durationMs), 3) : 0,
    latencyMs: {
      p50: round(metrics.latencyMs.p50, 1),
      p95: round(metrics.latencyMs.p95, 1),
      p99: round(metrics.latencyMs.p99, 1),
    },
    rateLimited: limiter.rateLimitedCount,
    rateLimitPausedMs: Math.round(limiter.pausedTotalMs),
    finalRatePerSecond:
      limiter.allowedRatePerSecond === null ? null : round(limiter.allowedRatePerSecond, 2),
    finalConcurrencyCap: limiter.concurrencyCap,
    retries: metrics.retries,
    failedPages,
    failedItems: totals.failed,
    failures: ledger.firstFailures(run.runId, input.maxFailures),
    peakRssBytes: peakRssBytes(),
    ...(Object.keys(input.listings).length > 0 ? { listings: input.listings } : {}),
    ...(input.error ? { error: { code: input.error.code, message: input.error.message } } : {}),
  };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
