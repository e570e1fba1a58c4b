import os from 'node:os';
import { CONTENT_TYPES, type ContentType } from '../content-types.js';

/**
 * Everything that shapes one extraction run: one typed object shared by the `extract` flags,
 * the benchmarks and the tests. The flags are built from these ranges and defaults.
 */
export interface ExtractOptions {
  /** Content types to back up. @default all 12 */
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
} as const satisfies Partial<ExtractOptions>;
