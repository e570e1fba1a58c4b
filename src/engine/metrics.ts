import { monotonicNow } from './backoff.js';

/**
 * Request counters for the progress display and the run summary, kept in one place (like
 * rclone's accounting/stats.go) and rendered elsewhere. Everything here is plain arithmetic on
 * an injectable clock: no timers, no I/O, bounded memory however long the run.
 */

/** How a request ended, as the request runner classifies it. */
export type RequestOutcome =
  | 'ok'
  /** 404: the item is gone; the caller decides (usually not a failure). */
  | 'not_found'
  | 'rate_limited'
  /** Worth a retry: 5xx, reset, timeout, garbled response. */
  | 'transient'
  /** Any other failure: auth, 4xx, unreachable. */
  | 'error'
  /** The caller's AbortSignal fired while the request was in flight. */
  | 'aborted';

export interface OperationCounts {
  requests: number;
  ok: number;
  notFound: number;
  rateLimited: number;
  transient: number;
  errors: number;
  aborted: number;
  retries: number;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface RequestMetricsSnapshot {
  /** Requests started (every attempt, retries included). */
  requests: number;
  /** Requests started and not yet finished. */
  inFlight: number;
  /** Most requests ever in flight at once. */
  peakInFlight: number;
  byOperation: Record<string, OperationCounts>;
  /** Latency of finished requests (aborted ones excluded), in ms. */
  latencyMs: LatencySummary;
  /**
   * Σ over requests of the time each spent in flight (unfinished ones up to now), in ms: the
   * integral of `inFlight` over time. Worker utilization = busyMs ÷ (workers × wall time).
   */
  busyMs: number;
  /** Retries of transient failures (rate-limited re-sends are counted in `rateLimited`). */
  retries: number;
  rateLimited: number;
  transient: number;
  notFound: number;
  errors: number;
  aborted: number;
  /** Requests started per second over the meter's recent window. */
  requestsPerSecond: number;
}

export interface RequestMetricsOptions {
  /** Clock in ms; use the limiter's. @default monotonicNow */
  now?: () => number;
  /** Window of the live requests/s meter, in ms. @default 5000 */
  rateWindowMs?: number;
}

/** Counters of every request the engine sends. One instance per run. */
export class RequestMetrics {
  private readonly now: () => number;
  private readonly operations = new Map<string, OperationCounts>();
  private readonly latency = new LatencyHistogram();
  private readonly starts: RateMeter;
  private requests = 0;
  private inFlight = 0;
  private peakInFlight = 0;
  private busyClosedMs = 0;
  private lastChangeAt = 0;
  private retries = 0;

  constructor(options: RequestMetricsOptions = {}) {
    this.now = options.now ?? monotonicNow;
    this.starts = new RateMeter({ windowMs: options.rateWindowMs ?? 5000, now: this.now });
  }

  requestStarted(operation: string): void {
    const at = this.now();
    this.advanceBusy(at);
    this.requests += 1;
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    this.counts(operation).requests += 1;
    this.starts.add(1, at);
  }

  requestFinished(operation: string, latencyMs: number, outcome: RequestOutcome): void {
    this.advanceBusy(this.now());
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (outcome !== 'aborted') this.latency.record(latencyMs);
    const counts = this.counts(operation);
    switch (outcome) {
      case 'ok':
        counts.ok += 1;
        break;
      case 'not_found':
        counts.notFound += 1;
        break;
      case 'rate_limited':
        counts.rateLimited += 1;
        break;
      case 'transient':
        counts.transient += 1;
        break;
      case 'error':
        counts.errors += 1;
        break;
      case 'aborted':
        counts.aborted += 1;
        break;
    }
  }

  /** A transient failure of `operation` will be sent again. */
  retried(operation: string): void {
    this.retries += 1;
    this.counts(operation).retries += 1;
  }

  snapshot(): RequestMetricsSnapshot {
    const at = this.now();
    const byOperation: Record<string, OperationCounts> = {};
    const total = emptyCounts();
    for (const [operation, counts] of this.operations) {
      byOperation[operation] = { ...counts };
      for (const key of Object.keys(total) as (keyof OperationCounts)[]) total[key] += counts[key];
    }
    return {
      requests: this.requests,
      inFlight: this.inFlight,
      peakInFlight: this.peakInFlight,
      byOperation,
      latencyMs: this.latency.summary(),
      busyMs: this.busyClosedMs + this.inFlight * Math.max(0, at - this.lastChangeAt),
      retries: this.retries,
      rateLimited: total.rateLimited,
      transient: total.transient,
      notFound: total.notFound,
      errors: total.errors,
      aborted: total.aborted,
      requestsPerSecond: this.starts.ratePerSecond(at),
    };
  }

  /** Accumulates inFlight × elapsed up to `at`, so busyMs is exactly Σ time in flight. */
  private advanceBusy(at: number): void {
    if (this.inFlight > 0) this.busyClosedMs += this.inFlight * Math.max(0, at - this.lastChangeAt);
    this.lastChangeAt = at;
  }

  private counts(operation: string): OperationCounts {
    let counts = this.operations.get(operation);
    if (counts === undefined) {
      counts = emptyCounts();
      this.operations.set(operation, counts);
    }
    return counts;
  }
}

function emptyCounts(): OperationCounts {
  return {
    requests: 0,
    ok: 0,
    notFound: 0,
    rateLimited: 0,
    transient: 0,
    errors: 0,
    aborted: 0,
    retries: 0,
  };
}

export interface RateMeterOptions {
  /** Length of the sliding window, in ms (minimum 1). @default 5000 */
  windowMs?: number;
  /** Slots the window is divided into; more slots slide more smoothly (minimum 2). @default 20 */
  slots?: number;
  /** Clock in ms; also marks the meter's start, so early rates are not diluted. @default monotonicNow */
  now?: () => number;
}

/**
 * Events per second over the last `windowMs` (items/s, requests/s), in fixed memory: the window
 * is a ring of slots, and the rate divides the events in the slots still inside the window by
 * the time those slots cover (never more than the time since the meter was created, so the
 * first seconds of a run are not under-reported).
 */
export class RateMeter {
  private readonly now: () => number;
  private readonly slotMs: number;
  private readonly counts: number[];
  private readonly slotIds: number[];
  private readonly createdAt: number;
  private total = 0;

  constructor(options: RateMeterOptions = {}) {
    this.now = options.now ?? monotonicNow;
    const windowMs = Math.max(1, options.windowMs ?? 5000);
    const slots = Math.max(2, Math.floor(options.slots ?? 20));
    this.slotMs = windowMs / slots;
    this.counts = new Array<number>(slots).fill(0);
    this.slotIds = new Array<number>(slots).fill(-Infinity);
    this.createdAt = this.now();
  }

  /** Counts `n` events at `at` (default: now). Events older than the window are ignored. */
  add(n: number, at: number = this.now()): void {
    this.total += n;
    const id = Math.floor(at / this.slotMs);
    const index = this.indexOf(id);
    if (this.slotIds[index] === id) {
      this.counts[index] = (this.counts[index] ?? 0) + n;
    } else if ((this.slotIds[index] ?? -Infinity) < id) {
      this.slotIds[index] = id;
      this.counts[index] = n;
    }
  }

  /** Events per second over the window ending at `at` (default: now). */
  ratePerSecond(at: number = this.now()): number {
    const { count, coveredMs } = this.sample(at);
    return coveredMs <= 0 ? 0 : (count * 1000) / coveredMs;
  }

  /** The events inside the window ending at `at`, and the time (ms) the window covers. */
  sample(at: number = this.now()): { count: number; coveredMs: number } {
    const current = Math.floor(at / this.slotMs);
    const oldest = current - this.counts.length + 1;
    let count = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const id = this.slotIds[i] ?? -Infinity;
      if (id >= oldest && id <= current) count += this.counts[i] ?? 0;
    }
    const coveredFrom = Math.max(oldest * this.slotMs, this.createdAt);
    return { count, coveredMs: Math.max(0, at - coveredFrom) };
  }

  /** Every event ever added. */
  get count(): number {
    return this.total;
  }

  private indexOf(id: number): number {
    const slots = this.counts.length;
    return ((id % slots) + slots) % slots;
  }
}

export interface LatencyHistogramOptions {
  /**
   * Relative width of a bucket: percentiles are within about half of it of the exact value.
   * @default 0.02 (2 % buckets, ≈1 % error)
   */
  precision?: number;
  /** Values at or below this (ms) share the first bucket. @default 0.01 */
  minValue?: number;
}

/**
 * Latency distribution in bounded memory: logarithmic buckets of constant relative width, so
 * a percentile is accurate to about `precision / 2` whatever the scale (0.01 ms to hours fits
 * in ~1,200 counters). Exact count, min and max are kept beside.
 */
export class LatencyHistogram {
  private readonly logBase: number;
  private readonly minValue: number;
  private readonly buckets: number[] = [];
  private total = 0;
  private sum = 0;
  private minSeen = Infinity;
  private maxSeen = -Infinity;

  constructor(options: LatencyHistogramOptions = {}) {
    const precision = options.precision ?? 0.02;
    if (!(precision > 0)) throw new RangeError('LatencyHistogram precision must be > 0');
    this.logBase = Math.log1p(precision);
    this.minValue = options.minValue ?? 0.01;
  }

  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const index = this.indexOf(ms);
    while (this.buckets.length <= index) this.buckets.push(0);
    this.buckets[index] = (this.buckets[index] ?? 0) + 1;
    this.total += 1;
    this.sum += ms;
    this.minSeen = Math.min(this.minSeen, ms);
    this.maxSeen = Math.max(this.maxSeen, ms);
  }

  get count(): number {
    return this.total;
  }

  /** The value below which `p` percent of the recorded values fall (0 when empty). */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i] ?? 0;
      if (seen >= rank) {
        return Math.min(this.maxSeen, Math.max(this.minSeen, this.representative(i)));
      }
    }
    return this.maxSeen;
  }

  summary(): LatencySummary {
    return {
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: this.total === 0 ? 0 : this.maxSeen,
      mean: this.total === 0 ? 0 : this.sum / this.total,
    };
  }

  private indexOf(ms: number): number {
    if (ms <= this.minValue) return 0;
    return Math.ceil(Math.log(ms / this.minValue) / this.logBase);
  }

  /** Geometric middle of bucket i, which covers (min·b^(i-1), min·b^i]. */
  private representative(index: number): number {
    if (index === 0) return this.minValue;
    return this.minValue * Math.exp((index - 0.5) * this.logBase);
  }
}

/** Peak resident set size of this process, in bytes (`maxRSS` is reported in KiB). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
