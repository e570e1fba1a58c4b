import type { ContentType } from '../content-types.js';
import type { StopReason, TypeState } from './states.js';
import type { RunSummary } from './run-summary.js';

export type { TypeState } from './states.js';

/**
 * What the extraction engine tells the outside world. The engine never prints: it keeps its
 * counters in one snapshot (polled by renderers, like rclone's accounting stats) and emits
 * discrete events for things worth a log line. Renderers (TTY, plain lines, JSON) consume both.
 */

export interface TypeProgress {
  type: ContentType;
  state: TypeState;
  /** Items of this type the run has stored so far (including earlier attempts of a resumed run). */
  stored: number;
  /** Of the items written by this process: new to the backup, changed, identical to the stored copy. */
  new: number;
  changed: number;
  unchanged: number;
  /** Items the server returned that failed validation (recorded, not stored). */
  invalid: number;
  pagesDone: number;
  pagesFailed: number;
  pagesInFlight: number;
  /** How many items the listing holds, once its end is known; null until then. */
  expected: number | null;
  /** Items of this type stored per second over the last few seconds. */
  itemsPerSecond: number;
  /** What the run's time left is estimated from (progress/completion.ts); absent while unknown. */
  cost?: TypeCost;
}

/**
 * What this type's remaining items will cost in request slots, from what its requests took so
 * far (over the last 10 s when it had items in them, else over the run).
 */
export interface TypeCost {
  /** Items still to fetch: the total less those stored or already fetched. */
  itemsLeft: number;
  /** Items still to store: fetched ones wait for the writer. */
  itemsToStore: number;
  /** The writer's time per item stored, ms (0 until a page of it is written). */
  writeMsPerItem: number;
  /** Slot time (a request in flight, gate queueing excluded) per item fetched, ms. */
  slotMsPerItem: number;
  requestsPerItem: number;
  /** Slot time its requests took over the last 10 s: its share of the workers now, ms. */
  recentSlotMs: number;
}

export type WorkerActivity = 'idle' | 'listing' | 'hydrating' | 'writing' | 'reconciling' | 'done';

export interface WorkerProgress {
  id: number;
  activity: WorkerActivity;
  /** What it is on, e.g. "dashboard offset 4200"; empty when idle. */
  detail: string;
  failures: number;
}

export interface ProgressSnapshot {
  runId: number;
  elapsedMs: number;
  workers: { active: number; total: number; detail: WorkerProgress[] };
  items: { stored: number; perSecond: number };
  requests: {
    total: number;
    perSecond: number;
    inFlight: number;
    latencyMs: { p50: number; p95: number; p99: number };
    /** Requests in flight on average over the last 10 s (absent where not measured). */
    slotsInUse?: number;
  };
  rateLimit: {
    /** 429 responses so far. */
    hits: number;
    pausedMs: number;
    /** Epoch ms until which every request waits, when a Retry-After pause holds. */
    pausedUntil: number | null;
    /** The limiter's current rate; null = no limit in force. */
    allowedRatePerSecond: number | null;
  };
  retries: number;
  failures: { pages: number; items: number };
  writerQueue: { depth: number; capacity: number };
  types: TypeProgress[];
}

export interface RunScope {
  /** As named with `--folders`. */
  folders: string[];
  recursive: boolean;
  /** Folders in the scope (subfolders included). */
  folderCount: number;
  /** Types of the run that are not in folders: backed up whole. */
  wholeTypes: ContentType[];
}

export type ExtractEvent =
  | {
      kind: 'run-started';
      runId: number;
      resumed: boolean;
      types: ContentType[];
      workers: number;
      dbPath: string;
      baseUrl: string;
      /** A folder-scoped run's folders, and which of its types are backed up whole. */
      scope?: RunScope;
    }
  | { kind: 'type-state'; type: ContentType; state: TypeState; expected: number | null }
  | { kind: 'page-failed'; type: ContentType; unitKey: string; error: string; attempts: number }
  | { kind: 'item-invalid'; type: ContentType; id: string | null; unitKey: string; error: string }
  | { kind: 'rate-limited'; retryAfterMs: number | null; allowedRatePerSecond: number | null }
  | { kind: 'retry'; operation: string; attempt: number; delayMs: number; error: string }
  | { kind: 'notice'; message: string }
  | { kind: 'stopping'; reason: StopReason }
  | { kind: 'run-finished'; summary: RunSummary };

export type ExtractEventListener = (event: ExtractEvent) => void;

/** What a renderer needs from a running extraction. */
export interface ProgressSource {
  snapshot(): ProgressSnapshot;
  onEvent(listener: ExtractEventListener): () => void;
}
