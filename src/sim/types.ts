/**
 * The public vocabulary of the Looker API simulator: its options, the handle a started
 * simulator returns, its counters and its logs. The simulator imports nothing from the rest of
 * lookervault (it plays the other side of the wire), so the type names are repeated here.
 */

export const SIM_CONTENT_TYPES = [
  'dashboard',
  'look',
  'folder',
  'board',
  'user',
  'group',
  'role',
  'permission_set',
  'model_set',
  'user_attribute',
  'lookml_model',
  'explore',
  'scheduled_plan',
] as const;

export type SimContentType = (typeof SIM_CONTENT_TYPES)[number];

/** The types live mutation can change (create, update, delete). */
export const MUTABLE_TYPES = ['dashboard', 'look', 'board', 'scheduled_plan', 'group'] as const;
export type MutableType = (typeof MUTABLE_TYPES)[number];

/**
 * How many items of each type the simulated instance holds. Items are generated lazily from
 * (seed, type, index): a count costs no memory. Each count is a whole number ≥ 0 (users ≥ 1)
 * and at most 10,000,000.
 */
export interface SimCounts {
  /** User-defined dashboards (ids "1", "2", …), about 2% of them in the trash. @default 2000 */
  dashboard?: number;
  /** Looks, about 2% of them in the trash. @default 1500 */
  look?: number;
  /**
   * Shared folders nested under the Shared root (and a few under personal folders). The
   * instance also has the Shared root, the Users root and one personal folder per user, so
   * `count('folder')` is this + 2 + users. @default 200
   */
  folder?: number;
  /** Boards. @default 50 */
  board?: number;
  /** Users; user "1" is the API user the simulator's credentials belong to. @default 300 */
  user?: number;
  /** Groups. @default 40 */
  group?: number;
  /** Roles. @default 20 */
  role?: number;
  /** Permission sets. @default 15 */
  permission_set?: number;
  /** Model sets. @default 15 */
  model_set?: number;
  /**
   * User attributes: Looker's 8 system ones (email, name, locale, …: never written) first, then
   * custom ones with values given by groups. @default 20 (8 with `empty`)
   */
  user_attribute?: number;
  /** LookML models, keyed by name. @default 8 */
  lookml_model?: number;
  /** Explores in each LookML model (ids "model::explore"). @default 6 */
  exploresPerModel?: number;
  /**
   * Tiles of every user-defined dashboard; 0: a long-tailed 2–13 (3.5 on average) with ~0.5%
   * outliers of 47–125. @default 0
   */
  tilesPerDashboard?: number;
  /**
   * Tiles of user-defined dashboards that show merged results, per 1,000 (their
   * `merge_result_id`: `merge_query(id)` serves the merge, `query(id)` its two source queries).
   * @default 5
   */
  mergedTilesPerThousand?: number;
  /** Scheduled plans, owned by various users (about 10% by the API user). @default 300 */
  scheduled_plan?: number;
  /**
   * LookML dashboards (ids "model::name"). `all_dashboards` and `dashboard(id)` serve them,
   * `search_dashboards` does not (as in Looker). Counted in `dataset.ids('dashboard')`.
   * @default 4 (0 when there are no LookML models)
   */
  lookmlDashboards?: number;
}

/** Faults injected at random (seeded PRNG) into content operations. Each is a probability. */
export interface SimFaultRates {
  /** Probability in 0..1 that a request is answered 500/502/503/504. @default 0 */
  serverErrorRate?: number;
  /** Probability in 0..1 that the connection is reset instead of answered. @default 0 */
  resetRate?: number;
  /** Probability in 0..1 that the request is never answered (until the client gives up). @default 0 */
  hangRate?: number;
  /** Probability in 0..1 that a 200 response carries truncated, unparseable JSON. @default 0 */
  malformedRate?: number;
}

/**
 * How the server decides a request is over its limit (Looker does not document its own):
 * - `token-bucket`: `burst` at once, refilled at `requestsPerSecond`;
 * - `fixed-window`: `requestsPerSecond` per clock second (windows start on whole seconds);
 * - `sliding-log`: `requestsPerSecond` in any 1-second window;
 * - `concurrency`: `maxConcurrent` requests being served at once, 429 (not a queue) above it.
 */
export type SimRateLimitModel = 'token-bucket' | 'fixed-window' | 'sliding-log' | 'concurrency';

/**
 * What a 429 says about when to come back: `exact` whole seconds until the limit lets a request
 * through (at least 1), `one` always 1, `absent` no header, `http-date` that instant as an
 * HTTP date (1-second resolution, on the server's clock).
 */
export type SimRetryAfterForm = 'exact' | 'one' | 'absent' | 'http-date';

export interface SimRateLimit {
  /** @default 'token-bucket' */
  model?: SimRateLimitModel;
  /** Sustained requests per second the server accepts, > 0 (every model but `concurrency`). */
  requestsPerSecond?: number;
  /** Token bucket size: requests accepted at once after a quiet period, ≥ 1. @default requestsPerSecond */
  burst?: number;
  /** `concurrency` model: requests served at once, ≥ 1. */
  maxConcurrent?: number;
  /** @default 'exact' */
  retryAfter?: SimRetryAfterForm;
}

export interface SimMutation {
  /** Apply one mutation every N content requests (deterministic; for tests). ≥ 1. */
  everyRequests?: number;
  /** Apply mutations at this many per second, on a timer. > 0. */
  perSecond?: number;
  /** Which types to mutate. @default ['dashboard', 'look'] */
  types?: readonly MutableType[];
}

/** How an item listed in `invalidItems` is spoiled. */
export type ItemDefect = 'id-number' | 'missing-id';

export interface SimulatorOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** TCP port; 0 picks a free one (read it from `url`). @default 0 */
  port?: number;
  /** Seed of the dataset and of every random behaviour: same seed, same bytes. @default 1 */
  seed?: number;
  /** Dataset size per type. */
  counts?: SimCounts;
  /** The API key the simulator accepts. @default 'sim-client-id' */
  clientId?: string;
  /** @default 'sim-client-secret' */
  clientSecret?: string;
  /** Lifetime of an access token; requests with an expired token get 401. ≥ 1. @default 3600 */
  tokenTtlSeconds?: number;
  /** Status a login with wrong credentials gets: 404, as Looker answers; some versions 401. @default 404 */
  loginFailureStatus?: 401 | 404;
  /** Fixed delay added to every API request, in ms. ≥ 0. @default 0 */
  latencyMs?: number;
  /** Uniform random extra delay in [0, jitterMs) ms on top of latencyMs. ≥ 0. @default 0 */
  jitterMs?: number;
  /**
   * How many API requests the server works on at once; more wait in a FIFO queue (as a server
   * with that many threads). Queued requests count in `inFlight`/`peakConcurrency`.
   * @default undefined (unlimited)
   */
  capacity?: number;
  /**
   * Request limit for API requests (`/login` is exempt, so a client can always
   * re-authenticate); a token bucket unless `model` says otherwise. Over the limit: 429,
   * `Retry-After` in the chosen form (by default the whole seconds until a request would be
   * accepted, minimum 1) and Looker's error body. @default undefined (no limit)
   */
  rateLimit?: SimRateLimit;
  /**
   * Requests that arrive within this many ms after a 429 opened a Retry-After window are not
   * counted as `retryAfterViolations` (they were already on the wire). ≥ 0. @default 50
   */
  retryAfterGraceMs?: number;
  /** Random faults (login, logout, versions and /__sim are never faulted). */
  faults?: SimFaultRates;
  /**
   * Items served with an item-level defect in list and detail responses: a list of ids gets
   * 'id-number' (`id` as a JSON number), or map ids to a defect. For lookml_model the key
   * field spoiled is `name`.
   */
  invalidItems?: Partial<
    Record<SimContentType, readonly string[] | Readonly<Record<string, ItemDefect>>>
  >;
  /** Live mutation while serving (off by default). */
  mutation?: SimMutation;
  /**
   * What a `search_dashboards` page carries. By default whole dashboards, as the spec says
   * (`Dashboard[]`, tiles, filters and layouts included); this makes listings leave parts out,
   * so a client that takes objects from listings must notice and fetch `dashboard(id)`.
   */
  dashboardListing?: SimListingShape;
  /**
   * Whether a list request that passes `limit` is answered with `X-Total-Count` (the items the
   * query matches, all pages together) and a `Link` header (`rel="next"` while there are more),
   * as Looker does when it knows the total. @default true
   */
  totalCount?: boolean;
  /**
   * Time source (ms since the epoch) for token expiry, rate limiting, Retry-After windows,
   * timestamps of mutated items and the request log. Inject one to test without sleeping.
   * @default Date.now
   */
  clock?: () => number;
  /** Record every request (see `requestLog()`). @default false */
  requestLog?: boolean;
  /** Most recent requests kept in the log. ≥ 1. @default 10000 */
  requestLogLimit?: number;
  /** Bytes of serialized bodies of unchanged items kept for reuse (LRU). ≥ 0. @default 64 MiB */
  bodyCacheBytes?: number;
  /**
   * Start with no content (no folders but the system ones, no dashboards, looks, boards or
   * scheduled plans; LookML dashboards none), the same people and LookML as a full instance of
   * this seed: a second instance to restore into. Explicit `counts` still win. @default false
   */
  empty?: boolean;
  /** Whether the API user may write (false: every write answers 403). @default true */
  canWrite?: boolean;
  /**
   * operationId → share (0–1) of its requests answered 422 as a server-side rejection, drawn
   * from a seeded PRNG; changeable at run time with `POST /__sim/write-rejections`.
   */
  writeRejections?: Record<string, number>;
  /**
   * Dashboards per folder for the first shared folders, in order: the first shared folder holds
   * exactly `dashboardsPerFolder[0]` dashboards, the next `[1]`, and so on (their sum at most
   * the dashboard count). The other dashboards go, as usual, to the Shared root, personal folders
   * and the remaining shared folders, never to these. For folder-scoped benchmarks.
   * @default [] (every dashboard placed at random)
   */
  dashboardsPerFolder?: readonly number[];
  /**
   * Called as each authenticated API request arrives, before it is served: a test applies a
   * mutation at an exact point of a run with it. @default none
   */
  onRequest?: (request: { operationId: string; query: Record<string, string> }) => void;
}

export interface SimListingShape {
  /** 'abbreviated': no tiles, filters, layouts (the summary shape); or the keys left out. */
  omit: 'abbreviated' | readonly string[];
  /** Only from this listing page on (0: the first `search_dashboards` page served). @default 0 */
  fromPage?: number;
  /** Only these dashboard ids. @default every dashboard */
  onlyIds?: readonly string[];
  /**
   * Leave parts out only when the request's `fields` does not name them (a server that sends
   * whole objects when asked for them). @default false: left out whatever is asked
   */
  unlessAsked?: boolean;
}

/** A deterministic one-shot fault for tests: the next matching requests get it. */
export interface ScriptedFault {
  /** operationId to match (e.g. 'search_dashboards'); any content operation when absent. */
  operation?: string;
  /** How many matching requests get this fault. ≥ 1. @default 1 */
  times?: number;
  fault:
    | {
        kind: 'status';
        status: number;
        /** Sent as the `Retry-After` header (seconds). */
        retryAfterSeconds?: number;
        /** Response body; Looker's error body for the status when absent. */
        body?: unknown;
      }
    | { kind: 'reset' }
    | { kind: 'hang' }
    | { kind: 'malformed' };
}

export interface ServiceTimeStats {
  count: number;
  sum: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface SimStats {
  requests: {
    total: number;
    byOperation: Record<string, number>;
    byStatus: Record<string, number>;
  };
  logins: number;
  /** Logins refused for wrong credentials. */
  failedLogins: number;
  logouts: number;
  /** 401 answers (missing, unknown, expired token; wrong credentials). */
  unauthorized: number;
  /** 429 answers (rate limit and scripted). */
  rateLimited: number;
  faults: { serverError: number; reset: number; hang: number; malformed: number; scripted: number };
  /** API requests received and not yet answered (queued ones included). */
  inFlight: number;
  /** Most API requests open at once since start or the last reset. */
  peakConcurrency: number;
  /** Response body bytes written. */
  bytesSent: number;
  /** Arrival to response end of answered API requests, ms (percentiles within ~2%). */
  serviceTimeMs: ServiceTimeStats;
  /** Requests that arrived while an announced Retry-After window was running (after the grace). */
  retryAfterViolations: number;
  /** Successful (200) list-page requests by "operationId [filter=v ]offset=O limit=L". */
  pageRequests: Record<string, number>;
  mutations: number;
}

export interface RequestLogEntry {
  seq: number;
  operationId: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** HTTP status, or 'reset' / 'hang' / 'aborted' (client went away first). */
  status: number | 'reset' | 'hang' | 'aborted';
  /** `clock()` at arrival. */
  arrivedAt: number;
}

export interface MutationLogEntry {
  seq: number;
  /** `clock()` when applied. */
  at: number;
  type: MutableType;
  /**
   * `delete` from the random mutator soft-deletes where the type has a trash; scripted
   * mutations say `trash` for that and `delete` for a deletion for good.
   */
  action: 'create' | 'update' | 'edit-tiles' | 'delete' | 'trash' | 'restore' | 'move';
  id: string;
}

/**
 * One scripted mutation (`POST /__sim/mutations`, `applyMutations`): edit an item (its title
 * and `updated_at`; `edit-tiles`: a dashboard's first tile, and its `updated_at`; `move`: a dashboard or look to another folder), move it to Looker's trash or out of it (dashboards, looks, boards), delete
 * it for good, or create one. Applied in order, all or none.
 */
export interface ScriptedMutation {
  action: 'create' | 'update' | 'edit-tiles' | 'trash' | 'restore' | 'delete' | 'move';
  type: MutableType;
  /** The item (every action but `create`). */
  id?: string;
  /** `move` (dashboards, looks): the folder it goes to. */
  folderId?: string;
}

/** Read-only view of the simulated instance, for tests. */
export interface SimDataset {
  /** Ids of current, non-deleted items, in id order (numeric ids first, then "a::b" ids). */
  ids(type: SimContentType): string[];
  /** Ids of soft-deleted items (dashboards and looks in the trash). */
  deletedIds(type: SimContentType): string[];
  /** Exactly the object the detail endpoint serves for this id (deleted items too), or undefined. */
  get(type: SimContentType, id: string): unknown;
  /** The detail objects of current, non-deleted items. */
  items(type: SimContentType): IterableIterator<unknown>;
  /** Number of current, non-deleted items. */
  count(type: SimContentType): number;
  /** A merge query `merge_query(id)` serves: created by a client, or of a merged tile. */
  mergeQuery(id: string): Record<string, unknown> | undefined;
  /** A query `query(id)` serves: created by a client, or a source of such a merge. */
  query(id: string): Record<string, unknown> | undefined;
  /** What `all_user_attribute_group_values` serves for an attribute (undefined: no such attribute). */
  userAttributeGroupValues(id: string): Record<string, unknown>[] | undefined;
  /**
   * A folder's access as `content_metadata(id)` and `all_content_metadata_accesses` serve it
   * (rows in id order), or undefined when there is no such folder.
   */
  folderAccessOf(
    folderId: string,
  ): { content_metadata: Record<string, unknown>; access: Record<string, unknown>[] } | undefined;
  /** Live folders whose access can be set: not the Users root, not personal or inside one. */
  accessFolderIds(): string[];
}

export interface RunningSimulator {
  /** Instance base URL without /api/4.0 (what goes into LOOKERSDK_BASE_URL). */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly dataset: SimDataset;
  /** The same counters `GET /__sim/stats` returns. */
  stats(): SimStats;
  resetStats(): void;
  /** Recorded requests, oldest first (empty unless `requestLog: true`). */
  requestLog(): RequestLogEntry[];
  /** Queue deterministic one-shot faults, consumed in order by the next matching requests. */
  injectFaults(...faults: ScriptedFault[]): void;
  /** Apply n mutations now; returns what was done. */
  mutate(n?: number): MutationLogEntry[];
  mutationLog(): MutationLogEntry[];
  /** Applies exactly these mutations, in order; throws (changing nothing) if one is invalid. */
  applyMutations(mutations: readonly ScriptedMutation[]): MutationLogEntry[];
  /** Sets the share (0–1) of an operation's requests answered 422; 0 turns it off. */
  setWriteRejections(rates: Record<string, number>): void;
  /** Stops listening and destroys every open socket, hung ones included. */
  close(): Promise<void>;
}
