import type { ContentType } from '../content-types.js';
import type {
  ProgressSnapshot,
  TypeCost,
  TypeProgress,
  WorkerActivity,
  WorkerProgress,
} from '../engine/events.js';
import type { PageCommitResult } from '../store/index.js';
import type { OffsetCoordinator, TypeListingProgress } from './coordinator.js';
import type { LimiterSnapshot } from '../engine/gate.js';
import { RateMeter, type RequestMetricsSnapshot } from '../engine/metrics.js';
import type { RequestCosts, TagCost } from '../engine/request-costs.js';

const ITEMS_RATE_WINDOW_MS = 10_000;

/** Per-type counters of one process's share of a run. */
export interface TypeCounters {
  /** Items of this type the run held when this process started (earlier attempts). */
  storedBefore: number;
  stored: number;
  new: number;
  changed: number;
  unchanged: number;
  invalid: number;
  /** Items that could not be fetched (detail failures), counted once per page attempt. */
  unfetched: number;
  meter: RateMeter;
  /** Items whose content has arrived (before the writer stores them), for their cost. */
  received: number;
  receivedMeter: RateMeter;
  /** The writer's time on this type's pages, ms, and the items they held. */
  writeMs: number;
  written: number;
}

/**
 * The engine's live counters in one place (rclone's accounting/stats.go, in spirit): the
 * orchestrator updates them, `snapshot()` readers poll them. No I/O, no printing.
 */
export class ProgressState {
  readonly counters = new Map<ContentType, TypeCounters>();
  readonly workers: WorkerProgress[];
  /** Items arrive a page at a time, after hydration: a long window keeps the rate steady. */
  readonly itemsMeter = new RateMeter({ windowMs: ITEMS_RATE_WINDOW_MS });

  constructor(
    types: readonly ContentType[],
    workerCount: number,
    storedBefore: Map<ContentType, number>,
  ) {
    for (const type of types) {
      this.counters.set(type, {
        storedBefore: storedBefore.get(type) ?? 0,
        stored: 0,
        new: 0,
        changed: 0,
        unchanged: 0,
        invalid: 0,
        unfetched: 0,
        meter: new RateMeter({ windowMs: ITEMS_RATE_WINDOW_MS }),
        received: 0,
        receivedMeter: new RateMeter({ windowMs: ITEMS_RATE_WINDOW_MS }),
        writeMs: 0,
        written: 0,
      });
    }
    this.workers = Array.from({ length: workerCount }, (_, id) => ({
      id: id + 1,
      activity: 'idle',
      detail: '',
      failures: 0,
    }));
  }

  committed(results: readonly PageCommitResult[]): void {
    for (const result of results) {
      const counters = this.counters.get(result.type as ContentType);
      if (!counters) continue;
      counters.stored += result.new + result.changed + result.unchanged;
      counters.new += result.new;
      counters.changed += result.changed;
      counters.unchanged += result.unchanged;
      counters.invalid += result.invalid;
      counters.meter.add(result.stored);
      if (result.writeMs !== undefined && result.stored > 0) {
        counters.writeMs += result.writeMs;
        counters.written += result.stored;
      }
      this.itemsMeter.add(result.stored);
    }
  }

  /**
   * `count` items of `type` arrived in full (a page of whole objects, detail answers, items a
   * change listing shows unchanged): what the type's requests so far have paid for.
   */
  received(type: ContentType, count: number): void {
    const counters = this.counters.get(type);
    if (!counters || count <= 0) return;
    counters.received += count;
    counters.receivedMeter.add(count);
  }

  worker(id: number, activity: WorkerActivity, detail = ''): void {
    const worker = this.workers[id - 1];
    if (!worker) return;
    worker.activity = activity;
    worker.detail = detail;
  }

  workerFailed(id: number): void {
    const worker = this.workers[id - 1];
    if (worker) worker.failures += 1;
  }

  typeProgress(
    type: ContentType,
    listing: TypeListingProgress,
    costs?: Pick<RequestCosts, 'cost'>,
  ): TypeProgress {
    const counters = this.counters.get(type);
    const stored = (counters?.storedBefore ?? 0) + (counters?.stored ?? 0);
    const cost =
      counters && costs && listing.expected !== null
        ? typeCost(counters, Math.max(listing.expected, stored), costs.cost(type))
        : undefined;
    return {
      type,
      state: listing.state,
      stored,
      new: counters?.new ?? 0,
      changed: counters?.changed ?? 0,
      unchanged: counters?.unchanged ?? 0,
      invalid: counters?.invalid ?? 0,
      pagesDone: listing.pagesDone,
      pagesFailed: listing.pagesFailed,
      pagesInFlight: listing.pagesInFlight,
      expected: listing.expected === null ? null : Math.max(listing.expected, stored),
      itemsPerSecond: counters?.meter.ratePerSecond() ?? 0,
      ...(cost ? { cost } : {}),
    };
  }

  totalStored(): number {
    let total = 0;
    for (const counters of this.counters.values()) total += counters.storedBefore + counters.stored;
    return total;
  }

  activeWorkers(): number {
    return this.workers.filter((worker) => worker.activity !== 'idle' && worker.activity !== 'done')
      .length;
  }
}

/**
 * The cost of a type's remaining items, per item fetched over the last 10 s (so a type's cost
 * follows the server as it slows or speeds up), else over the run; undefined until some item
 * has arrived. Items fetched but not stored yet are paid for: they are not left.
 */
function typeCost(counters: TypeCounters, expected: number, tag: TagCost): TypeCost | undefined {
  const recentItems = counters.receivedMeter.sample().count;
  const [slotMs, requests, items] =
    recentItems > 0 && tag.recent.requests > 0
      ? [tag.recent.slotMs, tag.recent.requests, recentItems]
      : [tag.slotMs, tag.requests, counters.received];
  if (items <= 0 || requests <= 0) return undefined;
  const stored = counters.storedBefore + counters.stored;
  const fetched = counters.storedBefore + Math.max(counters.stored, counters.received);
  return {
    itemsLeft: Math.max(0, expected - fetched),
    itemsToStore: Math.max(0, expected - stored),
    slotMsPerItem: slotMs / items,
    requestsPerItem: requests / items,
    writeMsPerItem: counters.written > 0 ? counters.writeMs / counters.written : 0,
    recentSlotMs: tag.recent.slotMs,
  };
}

/** What a progress snapshot is made of; `run` is absent until the run has started. */
export interface SnapshotSources {
  elapsedMs: number;
  workers: number;
  metrics: RequestMetricsSnapshot;
  limiter: LimiterSnapshot;
  /** Slot time per type: absent, the snapshot has no costs and the ETA uses item rates. */
  costs?: Pick<RequestCosts, 'cost' | 'slotsInUse'>;
  run?: {
    runId: number;
    coordinator: Pick<OffsetCoordinator, 'types' | 'progress'>;
    progress: ProgressState;
    writer: { queueDepth: number; capacity: number };
  };
}

/** The one snapshot renderers poll: counters, requests, rate limit, workers, each type. */
/** The request side of a progress snapshot: counters, latency, 429s, the gate's rate. */
export function requestProgress(
  metrics: SnapshotSources['metrics'],
  limiter: SnapshotSources['limiter'],
): Pick<ProgressSnapshot, 'requests' | 'rateLimit' | 'retries'> {
  return {
    requests: {
      total: metrics.requests,
      perSecond: metrics.requestsPerSecond,
      inFlight: metrics.inFlight,
      latencyMs: {
        p50: metrics.latencyMs.p50,
        p95: metrics.latencyMs.p95,
        p99: metrics.latencyMs.p99,
      },
    },
    rateLimit: {
      hits: limiter.rateLimitedCount,
      pausedMs: limiter.pausedTotalMs,
      pausedUntil: limiter.pausedUntil,
      allowedRatePerSecond: limiter.allowedRatePerSecond,
    },
    retries: metrics.retries,
  };
}

export function progressSnapshot(sources: SnapshotSources): ProgressSnapshot {
  const { metrics, limiter, run } = sources;
  const types = run
    ? run.coordinator
        .types()
        .map((type) =>
          run.progress.typeProgress(type, run.coordinator.progress(type), sources.costs),
        )
    : [];
  let invalid = 0;
  let pagesFailed = 0;
  for (const type of types) {
    invalid += type.invalid;
    pagesFailed += type.pagesFailed;
  }
  const progress = run?.progress;
  return {
    runId: run?.runId ?? 0,
    elapsedMs: sources.elapsedMs,
    workers: {
      active: progress?.activeWorkers() ?? 0,
      total: sources.workers,
      detail: progress ? progress.workers.map((worker) => ({ ...worker })) : [],
    },
    items: {
      stored: progress?.totalStored() ?? 0,
      perSecond: progress?.itemsMeter.ratePerSecond() ?? 0,
    },
    ...withSlots(requestProgress(metrics, limiter), sources.costs),
    failures: { pages: pagesFailed, items: invalid },
    writerQueue: { depth: run?.writer.queueDepth ?? 0, capacity: run?.writer.capacity ?? 0 },
    types,
  };
}

function withSlots(
  progress: ReturnType<typeof requestProgress>,
  costs: SnapshotSources['costs'],
): ReturnType<typeof requestProgress> {
  if (costs === undefined) return progress;
  return { ...progress, requests: { ...progress.requests, slotsInUse: costs.slotsInUse() } };
}
