import type { ContentType } from '../../../src/content-types.js';
import type {
  ExtractEvent,
  ExtractEventListener,
  ProgressSnapshot,
  ProgressSource,
  TypeProgress,
} from '../../../src/engine/events.js';
import type { ProgressStream } from '../../../src/progress/stream.js';
import { SUMMARY_SCHEMA_VERSION, type RunSummary } from '../../../src/engine/run-summary.js';

export function typeProgress(
  type: ContentType,
  overrides: Partial<TypeProgress> = {},
): TypeProgress {
  return {
    type,
    state: 'pending',
    stored: 0,
    new: 0,
    changed: 0,
    unchanged: 0,
    invalid: 0,
    pagesDone: 0,
    pagesFailed: 0,
    pagesInFlight: 0,
    expected: null,
    itemsPerSecond: 0,
    ...overrides,
  };
}

export function snapshot(overrides: Partial<ProgressSnapshot> = {}): ProgressSnapshot {
  return {
    runId: 12,
    elapsedMs: 42_000,
    workers: { active: 8, total: 8, detail: [] },
    items: { stored: 12_345, perSecond: 1_234 },
    requests: {
      total: 40_000,
      perSecond: 1_310,
      inFlight: 8,
      latencyMs: { p50: 120, p95: 480, p99: 1_200 },
    },
    rateLimit: { hits: 3, pausedMs: 2_000, pausedUntil: null, allowedRatePerSecond: 40 },
    retries: 2,
    failures: { pages: 0, items: 0 },
    writerQueue: { depth: 3, capacity: 64 },
    types: [
      typeProgress('dashboard', {
        state: 'listing',
        stored: 4_200,
        expected: 10_000,
        itemsPerSecond: 1_000,
      }),
      typeProgress('look', { state: 'listing', stored: 900, itemsPerSecond: 300 }),
      typeProgress('folder', { state: 'done', stored: 3_000, expected: 3_000, new: 3_000 }),
      typeProgress('explore', { state: 'waiting' }),
      typeProgress('user'),
    ],
    ...overrides,
  };
}

/** A ProgressSource whose snapshot the test sets and whose events the test emits. */
export class FakeSource implements ProgressSource {
  current: ProgressSnapshot;
  private readonly listeners = new Set<ExtractEventListener>();

  constructor(initial: ProgressSnapshot = snapshot()) {
    this.current = initial;
  }

  snapshot(): ProgressSnapshot {
    return this.current;
  }

  onEvent(listener: ExtractEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ExtractEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}

/** A stream that records what is written; a terminal when `isTTY` is set. */
export class FakeStream implements ProgressStream {
  readonly chunks: string[] = [];
  isTTY: boolean;
  columns: number | undefined;
  rows: number | undefined;

  constructor(options: { isTTY?: boolean; columns?: number; rows?: number } = {}) {
    this.isTTY = options.isTTY ?? false;
    this.columns = options.columns;
    this.rows = options.rows;
  }

  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }

  get text(): string {
    return this.chunks.join('');
  }

  get lines(): string[] {
    return this.text.split('\n').filter((line) => line !== '');
  }
}

export function summary(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    runId: 12,
    status: 'partial',
    resumed: false,
    resumable: false,
    startedAt: '2025-05-01T10:00:00.000Z',
    endedAt: '2025-05-01T10:04:12.000Z',
    durationMs: 252_000,
    baseUrl: 'https://looker.example.com',
    dbPath: '/backups/looker.db',
    dbSizeBytes: 327_155_712,
    incremental: [],
    workers: 8,
    items: { dashboard: 10_000, look: 9_500 },
    types: {
      look: {
        state: 'done',
        stored: 9_500,
        new: 9_400,
        changed: 60,
        unchanged: 40,
        failed: 3,
        pagesFailed: 1,
      },
      dashboard: {
        state: 'done',
        stored: 10_000,
        new: 9_800,
        changed: 150,
        unchanged: 50,
        failed: 0,
        pagesFailed: 0,
      },
    },
    totals: { stored: 19_500, new: 19_200, changed: 210, unchanged: 90, failed: 3 },
    itemsPerSecond: 77.4,
    requests: 24_100,
    requestsPerItem: 1.24,
    utilization: 0.864,
    latencyMs: { p50: 120, p95: 480, p99: 1_234 },
    rateLimited: 37,
    rateLimitPausedMs: 62_000,
    finalRatePerSecond: 40,
    finalConcurrencyCap: null,
    retries: 52,
    failedPages: 1,
    failedItems: 3,
    failures: [
      { type: 'look', unitKey: 'offset=4200', itemId: null, error: '500 Internal Server Error' },
      { type: 'look', unitKey: 'offset=5000', itemId: '77', error: 'missing required field "id"' },
    ],
    peakRssBytes: 190_840_832,
    listings: {
      dashboard: { source: 'listing', reason: null, fields: null, probes: 102, mismatches: 0 },
    },
    ...overrides,
  };
}
