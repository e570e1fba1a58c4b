import { z } from 'zod';
import { CONTENT_TYPES } from '../content-types.js';
import { FINAL_RUN_STATUSES, TYPE_STATES } from './states.js';

/**
 * The run summary: printed at the end of `extract` (human form on stderr, this object on stdout
 * with `--json`) and stored with the run. Versioned: fields are only ever added within a
 * schemaVersion; a rename or removal bumps it. Documented in the README.
 */
export const SUMMARY_SCHEMA_VERSION = 1;

const contentType = z.enum(CONTENT_TYPES);
const count = z.number().int().nonnegative();

export const typeSummarySchema = z.object({
  state: z.enum(TYPE_STATES),
  /** Items of this type the run holds (across resumes of the same run). */
  stored: count,
  /** This invocation's writes: new to the backup, changed since the last backup, identical. */
  new: count,
  changed: count,
  unchanged: count,
  /** Items that failed validation or could not be fetched (recorded, not stored). */
  failed: count,
  pagesFailed: count,
  /** Items the run no longer found in Looker: closed as deleted in this snapshot. */
  deleted: count.optional(),
});

/** Where a type's items came from, for types whose listing may carry whole objects. */
export const listingDecisionSchema = z.object({
  /** `listing`: taken from listing pages (each page probed); `by-id`: fetched one by one. */
  source: z.enum(['listing', 'by-id']),
  /** Why by id: the keys listed items lacked or had different, or that it was asked for. */
  reason: z.string().nullable(),
  /** The `fields` asked of the listing, when its default shape was incomplete. */
  fields: z.string().nullable(),
  /** Items fetched by id to compare with their listed copies, and comparisons that failed. */
  probes: count,
  mismatches: count,
});

export const failureSchema = z.object({
  type: contentType,
  unitKey: z.string(),
  itemId: z.string().nullable(),
  error: z.string(),
});

export const runSummarySchema = z.object({
  schemaVersion: z.literal(SUMMARY_SCHEMA_VERSION),
  runId: z.number().int().positive(),
  status: z.enum(FINAL_RUN_STATUSES),
  resumed: z.boolean(),
  /** Whether `lookervault extract` (resume is the default) will continue this run. */
  resumable: z.boolean(),
  startedAt: z.string(),
  endedAt: z.string(),
  durationMs: count,
  baseUrl: z.string(),
  dbPath: z.string(),
  dbSizeBytes: count,
  /** Types listed by change (only new and changed items fetched); absent or empty: a full run. */
  incremental: z.array(contentType).optional(),
  /** A folder-scoped run's folders (as named), recursion, and how many folders that made. */
  scope: z
    .object({ folders: z.array(z.string()), recursive: z.boolean(), folderCount: count })
    .optional(),
  workers: z.number().int().positive(),
  /** Items per type held by this run. */
  items: z.partialRecord(contentType, count),
  types: z.partialRecord(contentType, typeSummarySchema),
  totals: z.object({
    stored: count,
    new: count,
    changed: count,
    unchanged: count,
    failed: count,
  }),
  /** Items written by this invocation per second of its duration. */
  itemsPerSecond: z.number().nonnegative(),
  /** HTTP requests sent by this invocation (retries and 429s included). */
  requests: count,
  requestsPerItem: z.number().nonnegative(),
  /** Share of worker time spent with a request in flight: Σ request time ÷ (workers × duration). */
  utilization: z.number().nonnegative(),
  latencyMs: z.object({ p50: z.number(), p95: z.number(), p99: z.number() }),
  /** 429 responses, time every worker spent paused for Retry-After, and the rate allowed at the end. */
  rateLimited: count,
  rateLimitPausedMs: count,
  finalRatePerSecond: z.number().nullable(),
  /** Requests in flight the server was shown to serve at once (a confirmed cap); absent or null = none. */
  finalConcurrencyCap: z.number().int().positive().nullable().optional(),
  retries: count,
  failedPages: count,
  failedItems: count,
  /** The first few failures; `lookervault status --run <id>` lists them all. */
  failures: z.array(failureSchema),
  peakRssBytes: count,
  /** Per type with a listing that may carry whole objects (dashboards): where items came from. */
  listings: z.partialRecord(contentType, listingDecisionSchema).optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export type RunSummary = z.infer<typeof runSummarySchema>;
export type TypeSummary = z.infer<typeof typeSummarySchema>;
export type FailureSummary = z.infer<typeof failureSchema>;
export type ListingDecision = z.infer<typeof listingDecisionSchema>;
