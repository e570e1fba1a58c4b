/**
 * The simulator's counters (what `GET /__sim/stats` returns) and the bounded request log.
 * Service times go into a log-bucketed histogram (buckets 2% wide), so percentiles cost no
 * memory per request.
 */
import type { RequestLogEntry, SimStats } from './types.js';

const BUCKET_GROWTH = 1.02;
const LOG_GROWTH = Math.log(BUCKET_GROWTH);
const MIN_MS = 0.001;
const BUCKETS = 1400;

class Histogram {
  private readonly buckets = new Uint32Array(BUCKETS);
  count = 0;
  sum = 0;

  record(ms: number): void {
    this.count++;
    this.sum += ms;
    const b =
      ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH));
    this.buckets[b] = (this.buckets[b] ?? 0) + 1;
  }

  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(p * this.count);
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.buckets[b] ?? 0;
      if (seen >= rank) return round(MIN_MS * Math.pow(BUCKET_GROWTH, b));
    }
    return round(MIN_MS * Math.pow(BUCKET_GROWTH, BUCKETS - 1));
  }

  reset(): void {
    this.buckets.fill(0);
    this.count = 0;
    this.sum = 0;
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export class StatsRecorder {
  total = 0;
  readonly byOperation = new Map<string, number>();
  readonly byStatus = new Map<string, number>();
  logins = 0;
  failedLogins = 0;
  logouts = 0;
  unauthorized = 0;
  rateLimited = 0;
  readonly faults = { serverError: 0, reset: 0, hang: 0, malformed: 0, scripted: 0 };
  inFlight = 0;
  peakConcurrency = 0;
  bytesSent = 0;
  retryAfterViolations = 0;
  readonly pageRequests = new Map<string, number>();
  private readonly serviceTime = new Histogram();

  arrive(operationId: string): void {
    this.total++;
    bump(this.byOperation, operationId);
    this.inFlight++;
    if (this.inFlight > this.peakConcurrency) this.peakConcurrency = this.inFlight;
  }

  /** The request got an answer (or the client went away): no longer in flight. */
  leave(): void {
    this.inFlight--;
  }

  answered(status: number, serviceMs: number | undefined): void {
    bump(this.byStatus, String(status));
    if (status === 401) this.unauthorized++;
    if (status === 429) this.rateLimited++;
    if (serviceMs !== undefined) this.serviceTime.record(serviceMs);
  }

  page(key: string): void {
    bump(this.pageRequests, key);
  }

  snapshot(mutations: number): SimStats {
    return {
      requests: {
        total: this.total,
        byOperation: Object.fromEntries(this.byOperation),
        byStatus: Object.fromEntries(this.byStatus),
      },
      logins: this.logins,
      failedLogins: this.failedLogins,
      logouts: this.logouts,
      unauthorized: this.unauthorized,
      rateLimited: this.rateLimited,
      faults: { ...this.faults },
      inFlight: this.inFlight,
      peakConcurrency: this.peakConcurrency,
      bytesSent: this.bytesSent,
      serviceTimeMs: {
        count: this.serviceTime.count,
        sum: round(this.serviceTime.sum),
        p50: this.serviceTime.percentile(0.5),
        p95: this.serviceTime.percentile(0.95),
        p99: this.serviceTime.percentile(0.99),
      },
      retryAfterViolations: this.retryAfterViolations,
      pageRequests: Object.fromEntries(this.pageRequests),
      mutations,
    };
  }

  /** Zeroes the counters; requests still open stay counted in inFlight (and the new peak). */
  reset(): void {
    this.total = 0;
    this.byOperation.clear();
    this.byStatus.clear();
    this.logins = 0;
    this.failedLogins = 0;
    this.logouts = 0;
    this.unauthorized = 0;
    this.rateLimited = 0;
    this.faults.serverError = 0;
    this.faults.reset = 0;
    this.faults.hang = 0;
    this.faults.malformed = 0;
    this.faults.scripted = 0;
    this.peakConcurrency = this.inFlight;
    this.bytesSent = 0;
    this.retryAfterViolations = 0;
    this.pageRequests.clear();
    this.serviceTime.reset();
  }
}

/** The most recent `limit` requests, in a ring. */
export class RequestLog {
  private readonly ring: RequestLogEntry[] = [];
  private next = 0;
  private seq = 0;

  constructor(private readonly limit: number) {}

  add(entry: Omit<RequestLogEntry, 'seq' | 'status'>): RequestLogEntry {
    const full: RequestLogEntry = { ...entry, seq: ++this.seq, status: 'aborted' };
    if (this.ring.length < this.limit) this.ring.push(full);
    else this.ring[this.next] = full;
    this.next = (this.next + 1) % this.limit;
    return full;
  }

  entries(): RequestLogEntry[] {
    if (this.ring.length < this.limit) return this.ring.map((e) => ({ ...e }));
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)].map((e) => ({ ...e }));
  }

  clear(): void {
    this.ring.length = 0;
    this.next = 0;
  }
}
