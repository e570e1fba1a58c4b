import os from 'node:os';
import { CONTENT_TYPES, type ContentType } from '../content-types.js';
import type { FetchMode } from './listing-trust.js';

/**
 * Everything that shapes one extraction run: one typed object shared by the `extract` flags,
 * the benchmarks and the tests. The flags are built from these ranges and defaults.
 */
export interface ExtractOptions {
  /** Content types to back up. @default all 14 */
  types: ContentType[];
  /**
   * Concurrent workers, which is also the most requests lookervault ever has in flight to
   * Looker (list, detail and id-listing requests together). Between 1 and 50.
   * @default min(CPU cores, 8)
   */
  workers: number;
  /** Items per list request (`limit`). Between 1 and 1000. @default 100 */
  batchSize: number;
  /** Cap on requests per second for all workers together; unset = no cap. */
  ratePerSecond?: number;
  /** Cap on requests per minute for all workers together; unset = no cap. */
  ratePerMinute?: number;
  /** Retries of a request that failed transiently (5xx, reset, timeout). @default 5 */
  maxRetries: number;
  /** Continue the latest unfinished run of this database instead of starting a new one. @default true */
  resume: boolean;
  /**
   * `auto`: take whole objects from listing pages where probes show them complete (dashboards),
   * else fetch each item by id; `by-id`: always fetch each item by id. @default 'auto'
   */
  fetch?: FetchMode;
  /**
   * Fetch every item again, even when the backup holds a complete snapshot of its type (by
   * default such types run incrementally: only new and changed items are fetched). @default false
   */
  full?: boolean;
  /** A response body larger than this many bytes fails its request. @default 256 MiB */
  maxResponseBytes?: number;
  /**
   * Back up only these folders (ids or paths such as `Shared/Marketing`): their dashboards,
   * looks, the folders themselves and the scheduled plans of that content. Types that are not in
   * folders are backed up whole. @default undefined (the whole instance)
   */
  folders?: string[];
  /** With `folders`: every subfolder too. @default false */
  recursive?: boolean;
}

export const WORKERS_RANGE = { min: 1, max: 50 } as const;
export const BATCH_SIZE_RANGE = { min: 1, max: 1000 } as const;

export function defaultWorkers(): number {
  return Math.min(os.availableParallelism(), 8);
}

export const EXTRACT_DEFAULTS = {
  types: [...CONTENT_TYPES],
  batchSize: 100,
  maxRetries: 5,
  resume: true,
  fetch: 'auto',
} as const satisfies Partial<ExtractOptions>;

/** Largest page of whole objects (JSON bytes, at the registry's typical item size). */
const WHOLE_PAGE_BYTES = 2 * 1024 * 1024;

/** Items per page of a whole-object listing: the batch size, within the page byte budget. */
export function wholePageSize(batchSize: number, typicalItemBytes: number): number {
  return Math.max(1, Math.min(batchSize, Math.floor(WHOLE_PAGE_BYTES / typicalItemBytes)));
}
