import {
  MUTABLE_TYPES,
  SIM_CONTENT_TYPES,
  type ItemDefect,
  type MutableType,
  type SimContentType,
  type SimListingShape,
  type SimRateLimitModel,
  type SimRetryAfterForm,
  type SimulatorOptions,
} from './types.js';
import type { ResolvedRateLimit } from './behaviour/rate-limit.js';

export const RATE_LIMIT_MODELS: readonly SimRateLimitModel[] = [
  'token-bucket',
  'fixed-window',
  'sliding-log',
  'concurrency',
];
export const RETRY_AFTER_FORMS: readonly SimRetryAfterForm[] = [
  'exact',
  'one',
  'absent',
  'http-date',
];

/** Bad simulator options: the message names the option and what it accepts. */
export class SimulatorOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulatorOptionError';
  }
}

export const DEFAULT_CLIENT_ID = 'sim-client-id';
export const DEFAULT_CLIENT_SECRET = 'sim-client-secret';
export const MAX_COUNT = 10_000_000;

export interface ResolvedCounts {
  dashboard: number;
  look: number;
  folder: number;
  board: number;
  user: number;
  group: number;
  role: number;
  permission_set: number;
  model_set: number;
  user_attribute: number;
  lookml_model: number;
  exploresPerModel: number;
  tilesPerDashboard: number;
  mergedTilesPerThousand: number;
  scheduled_plan: number;
  lookmlDashboards: number;
}

export const DEFAULT_COUNTS: ResolvedCounts = {
  dashboard: 2000,
  look: 1500,
  folder: 200,
  board: 50,
  user: 300,
  group: 40,
  role: 20,
  permission_set: 15,
  model_set: 15,
  user_attribute: 20,
  lookml_model: 8,
  exploresPerModel: 6,
  tilesPerDashboard: 0,
  mergedTilesPerThousand: 5,
  scheduled_plan: 300,
  lookmlDashboards: 4,
};

export interface ResolvedOptions {
  host: string;
  port: number;
  seed: number;
  counts: ResolvedCounts;
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds: number;
  loginFailureStatus: 401 | 404;
  latencyMs: number;
  jitterMs: number;
  capacity: number | undefined;
  rateLimit: ResolvedRateLimit | undefined;
  retryAfterGraceMs: number;
  faults: { serverErrorRate: number; resetRate: number; hangRate: number; malformedRate: number };
  invalidItems: Map<SimContentType, Map<string, ItemDefect>>;
  mutation:
    | { everyRequests: number | undefined; perSecond: number | undefined; types: MutableType[] }
    | undefined;
  dashboardListing: SimListingShape | undefined;
  totalCount: boolean;
  clock: () => number;
  requestLog: boolean;
  requestLogLimit: number;
  bodyCacheBytes: number;
  canWrite: boolean;
  writeRejections: Record<string, number>;
  dashboardsPerFolder: readonly number[];
  onRequest: SimulatorOptions['onRequest'];
}

/** Content an empty instance starts without. */
const EMPTY_CONTENT: Partial<ResolvedCounts> = {
  dashboard: 0,
  look: 0,
  folder: 0,
  board: 0,
  scheduled_plan: 0,
  lookmlDashboards: 0,
  // Looker's own attributes only: every instance has them.
  user_attribute: 8,
};

function check(condition: boolean, message: string): void {
  if (!condition) throw new SimulatorOptionError(message);
}

function wholeNumber(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER) {
  check(
    Number.isInteger(value) && value >= min && value <= max,
    `${name} must be a whole number from ${min} to ${max} (got ${String(value)})`,
  );
  return value;
}

function nonNegative(name: string, value: number): number {
  check(
    Number.isFinite(value) && value >= 0,
    `${name} must be a number ≥ 0 (got ${String(value)})`,
  );
  return value;
}

function probability(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  check(
    Number.isFinite(value) && value >= 0 && value <= 1,
    `${name} must be a probability between 0 and 1 (got ${String(value)})`,
  );
  return value;
}

/** Validates options and fills in defaults; throws SimulatorOptionError with a clear message. */
export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  const counts = { ...DEFAULT_COUNTS, ...(options.empty === true ? EMPTY_CONTENT : {}) };
  const given = options.counts ?? {};
  for (const [key, value] of Object.entries(given) as [
    keyof ResolvedCounts,
    number | undefined,
  ][]) {
    check(key in DEFAULT_COUNTS, `unknown count "${key}"`);
    if (value === undefined) continue;
    counts[key] = wholeNumber(`count of ${key}`, value, key === 'user' ? 1 : 0, MAX_COUNT);
  }
  check(counts.mergedTilesPerThousand <= 1000, 'mergedTilesPerThousand is at most 1000');
  if (given.lookmlDashboards === undefined && counts.lookml_model === 0)
    counts.lookmlDashboards = 0;
  check(
    counts.lookmlDashboards === 0 || counts.lookml_model > 0,
    'LookML dashboards need at least one LookML model',
  );
  check(
    counts.lookml_model * counts.exploresPerModel <= MAX_COUNT,
    `at most ${MAX_COUNT} explores in all`,
  );

  const seed = options.seed ?? 1;
  check(Number.isSafeInteger(seed), `seed must be an integer (got ${String(seed)})`);

  const faults = options.faults ?? {};
  const resolvedFaults = {
    serverErrorRate: probability('serverErrorRate', faults.serverErrorRate),
    resetRate: probability('resetRate', faults.resetRate),
    hangRate: probability('hangRate', faults.hangRate),
    malformedRate: probability('malformedRate', faults.malformedRate),
  };
  const faultSum = Object.values(resolvedFaults).reduce((a, b) => a + b, 0);
  check(
    faultSum <= 1 + 1e-9,
    `fault rates add up to ${faultSum.toFixed(3)}; their sum must be ≤ 1`,
  );

  let rateLimit: ResolvedOptions['rateLimit'];
  if (options.rateLimit) {
    const limit = options.rateLimit;
    const model = limit.model ?? 'token-bucket';
    const retryAfter = limit.retryAfter ?? 'exact';
    check(
      RATE_LIMIT_MODELS.includes(model),
      `rateLimit.model must be one of ${RATE_LIMIT_MODELS.join(', ')} (got ${model})`,
    );
    check(
      RETRY_AFTER_FORMS.includes(retryAfter),
      `rateLimit.retryAfter must be one of ${RETRY_AFTER_FORMS.join(', ')} (got ${retryAfter})`,
    );
    if (model === 'concurrency') {
      const max = limit.maxConcurrent;
      check(
        max !== undefined && Number.isInteger(max) && max >= 1,
        `rateLimit.maxConcurrent must be an integer ≥ 1 for the concurrency model (got ${String(max)})`,
      );
      rateLimit = { model, maxConcurrent: max ?? 1, retryAfter };
    } else {
      const rps = limit.requestsPerSecond ?? Number.NaN;
      check(
        Number.isFinite(rps) && rps > 0,
        `rateLimit.requestsPerSecond must be > 0 (got ${String(limit.requestsPerSecond)})`,
      );
      const burst = limit.burst ?? Math.max(1, rps);
      check(
        Number.isFinite(burst) && burst >= 1,
        `rateLimit.burst must be ≥ 1 (got ${String(burst)})`,
      );
      rateLimit = { model, requestsPerSecond: rps, burst, retryAfter };
    }
  }

  let mutation: ResolvedOptions['mutation'];
  if (options.mutation) {
    const { everyRequests, perSecond, types } = options.mutation;
    if (everyRequests !== undefined) wholeNumber('mutation.everyRequests', everyRequests, 1);
    if (perSecond !== undefined) {
      check(
        Number.isFinite(perSecond) && perSecond > 0,
        `mutation.perSecond must be > 0 (got ${String(perSecond)})`,
      );
    }
    const mutTypes = [...(types ?? ['dashboard', 'look'])];
    for (const type of mutTypes) {
      check(
        (MUTABLE_TYPES as readonly string[]).includes(type),
        `mutation.types: "${type}" cannot be mutated; choose from ${MUTABLE_TYPES.join(', ')}`,
      );
    }
    check(mutTypes.length > 0, 'mutation.types must name at least one type');
    mutation = { everyRequests, perSecond, types: mutTypes };
  }

  const invalidItems = new Map<SimContentType, Map<string, ItemDefect>>();
  for (const [type, spec] of Object.entries(options.invalidItems ?? {})) {
    check(
      (SIM_CONTENT_TYPES as readonly string[]).includes(type),
      `invalidItems: unknown type "${type}"`,
    );
    const defects = new Map<string, ItemDefect>();
    if (Array.isArray(spec)) {
      for (const id of spec as readonly string[]) defects.set(id, 'id-number');
    } else {
      for (const [id, defect] of Object.entries(spec as Record<string, unknown>)) {
        check(
          defect === 'id-number' || defect === 'missing-id',
          `invalidItems: unknown defect ${JSON.stringify(defect)} (use "id-number" or "missing-id")`,
        );
        defects.set(id, defect as ItemDefect);
      }
    }
    invalidItems.set(type as SimContentType, defects);
  }

  const port = options.port ?? 0;
  wholeNumber('port', port, 0, 65535);
  const capacity = options.capacity;
  if (capacity !== undefined) wholeNumber('capacity', capacity, 1);

  return {
    host: options.host ?? '127.0.0.1',
    port,
    seed,
    counts,
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: options.clientSecret ?? DEFAULT_CLIENT_SECRET,
    tokenTtlSeconds: wholeNumber('tokenTtlSeconds', options.tokenTtlSeconds ?? 3600, 1),
    loginFailureStatus: options.loginFailureStatus ?? 404,
    latencyMs: nonNegative('latencyMs', options.latencyMs ?? 0),
    jitterMs: nonNegative('jitterMs', options.jitterMs ?? 0),
    capacity,
    rateLimit,
    retryAfterGraceMs: nonNegative('retryAfterGraceMs', options.retryAfterGraceMs ?? 50),
    faults: resolvedFaults,
    invalidItems,
    mutation,
    dashboardListing: resolveListingShape(options.dashboardListing),
    totalCount: options.totalCount ?? true,
    clock: options.clock ?? Date.now,
    requestLog: options.requestLog ?? false,
    requestLogLimit: wholeNumber('requestLogLimit', options.requestLogLimit ?? 10_000, 1),
    bodyCacheBytes: nonNegative('bodyCacheBytes', options.bodyCacheBytes ?? 64 * 1024 * 1024),
    canWrite: options.canWrite ?? true,
    writeRejections: resolveWriteRejections(options.writeRejections),
    dashboardsPerFolder: resolveFolderLayout(options.dashboardsPerFolder, counts),
    onRequest: options.onRequest,
  };
}

function resolveFolderLayout(
  layout: readonly number[] | undefined,
  counts: ResolvedCounts,
): readonly number[] {
  if (layout === undefined) return [];
  layout.forEach((n, i) => wholeNumber(`dashboardsPerFolder[${String(i)}]`, n, 0, MAX_COUNT));
  check(
    layout.length <= counts.folder,
    `dashboardsPerFolder names ${String(layout.length)} folders; there are ${String(counts.folder)} shared folders`,
  );
  const sum = layout.reduce((a, b) => a + b, 0);
  check(
    sum <= counts.dashboard,
    `dashboardsPerFolder places ${String(sum)} dashboards; there are ${String(counts.dashboard)}`,
  );
  return [...layout];
}

function resolveWriteRejections(rates: Record<string, number> | undefined): Record<string, number> {
  const resolved: Record<string, number> = {};
  for (const [operation, rate] of Object.entries(rates ?? {})) {
    resolved[operation] = probability(`writeRejections.${operation}`, rate);
  }
  return resolved;
}

function resolveListingShape(shape: SimListingShape | undefined): SimListingShape | undefined {
  if (shape === undefined) return undefined;
  check(
    shape.omit === 'abbreviated' || (Array.isArray(shape.omit) && shape.omit.length > 0),
    "dashboardListing.omit must be 'abbreviated' or a non-empty list of keys",
  );
  if (shape.fromPage !== undefined) wholeNumber('dashboardListing.fromPage', shape.fromPage, 0);
  return shape;
}
