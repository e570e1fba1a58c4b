import { RateLimitedError } from '../../../src/looker/errors.js';
import { parseRetryAfter } from '../../../src/looker/response-errors.js';
import {
  RequestGate,
  type ConcurrencyChangeEvent,
  type LimiterOptions,
  type PauseEvent,
} from '../../../src/engine/gate.js';
import { RequestRunner } from '../../../src/engine/request-runner.js';
import {
  createRequestLimit,
  retryAfterHeader,
  type ResolvedRateLimit,
} from '../../../src/sim/behaviour/rate-limit.js';
import { Rng } from '../../../src/sim/prng.js';
import { FakeClock } from './fake-clock.js';

/**
 * A rate-limited server — the simulator's own limit models and Retry-After forms
 * (src/sim/behaviour/rate-limit.ts) — served by the real limiter and runner on virtual time:
 * W workers fetch `items` one-request items as fast as the gate lets them. The 429's header is
 * read back by the client's own parser, so an HTTP date goes through the same code as live.
 */
export interface LimitScenario {
  limit: ResolvedRateLimit;
  workers: number;
  items: number;
  /** Network delay each way, ms. @default 10 */
  oneWayMs?: number;
  /** Server time for an accepted request, ms (a 429 costs none). @default 20 */
  serviceMs?: number;
  /** Each network leg takes up to this much longer, at random (seeded): live sockets' jitter. @default 0 */
  jitterMs?: number;
  limiter?: Omit<LimiterOptions, 'maxConcurrent' | 'now' | 'setTimer'>;
}

export interface LimitResult {
  elapsedMs: number;
  /** Items per second over the whole run. */
  achievedPerSecond: number;
  /** The shortest possible run (see {@link idealMs}). */
  idealMs: number;
  /** idealMs ÷ elapsedMs: 1 is as fast as the server allows. */
  efficiency: number;
  requests: number;
  rateLimited: number;
  decreases: number;
  pausedTotalMs: number;
  finalRate: number | null;
  peakInFlight: number;
  /** Client starts inside a pause the limiter had announced (must be 0). */
  startsInsidePauses: number;
  /** Requests sent after a 429 was received that reach the server inside its Retry-After window (must be 0). */
  windowViolations: number;
  /** The gate's concurrency cap as it changed (ms from the start of the run). */
  concurrencyChanges: ConcurrencyChangeEvent[];
  /** The cap the gate reports at the end: one a probe confirmed. */
  finalConcurrencyCap: number | null;
}

/** A virtual wall clock that is not on a whole second, so fixed windows and HTTP dates are not aligned with the run. */
const EPOCH_MS = 1_765_000_000_300;

/**
 * The shortest run the server allows: every request after the free burst at the sustained
 * rate (rate models), or every slot of the server busy all the time unless the workers cannot
 * keep it so (concurrency).
 */
export function idealMs(scenario: LimitScenario): number {
  const { limit, items } = scenario;
  if (limit.model === 'concurrency') {
    // The server holds a slot for the service time; a worker waits a whole round trip.
    const serviceMs = scenario.serviceMs ?? 20;
    const roundTrip = 2 * (scenario.oneWayMs ?? 10) + serviceMs;
    return items * Math.max(serviceMs / limit.maxConcurrent, roundTrip / scenario.workers);
  }
  const free = limit.model === 'token-bucket' ? limit.burst : limit.requestsPerSecond;
  return (Math.max(0, items - Math.floor(free)) * 1000) / limit.requestsPerSecond;
}

export async function simulateLimitedServer(scenario: LimitScenario): Promise<LimitResult> {
  const clock = new FakeClock(EPOCH_MS);
  const oneWayMs = scenario.oneWayMs ?? 10;
  const serviceMs = scenario.serviceMs ?? 20;
  const limiter = new RequestGate({
    ...scenario.limiter,
    maxConcurrent: scenario.workers,
    now: clock.now,
    setTimer: clock.setTimer,
  });
  const runner = new RequestRunner({ limiter, sleep: clock.sleep, maxRateLimitedAttempts: 1000 });

  // A start is checked against the pauses announced before it (events are ordered; a request
  // started at the very instant a 429 arrives, but before it was processed, is legitimate).
  const pauses: PauseEvent[] = [];
  let startsInsidePauses = 0;
  let peakInFlight = 0;
  limiter.on('request-start', (e) => {
    if (pauses.some((p) => e.at >= p.from && e.at < p.until)) startsInsidePauses += 1;
    peakInFlight = Math.max(peakInFlight, e.inFlight);
  });
  limiter.on('pause', (e) => pauses.push(e));
  const concurrencyChanges: ConcurrencyChangeEvent[] = [];
  limiter.on('concurrency-change', (e) => concurrencyChanges.push({ ...e, at: e.at - EPOCH_MS }));

  const server = createRequestLimit(scenario.limit, clock.now());
  let requests = 0;
  let rateLimited = 0;
  /** Retry-After windows (server time) of the 429s the client has received so far. */
  const windows: { end: number }[] = [];
  let windowViolations = 0;

  const jitter = new Rng(7);
  const leg = (): number =>
    oneWayMs + (scenario.jitterMs ? Math.floor(jitter.float() * (scenario.jitterMs + 1)) : 0);
  const request = async (): Promise<void> => {
    requests += 1;
    const outbound = leg();
    const arrivesAt = clock.now() + outbound;
    if (windows.some((w) => arrivesAt < w.end)) windowViolations += 1;
    await clock.delay(outbound);
    const arrivedAt = clock.now();
    const admitted = server.take(arrivedAt);
    if (admitted.ok) {
      await clock.delay(serviceMs);
      server.release();
      await clock.delay(leg());
      return;
    }
    rateLimited += 1;
    const { header, windowMs } = retryAfterHeader(
      scenario.limit.retryAfter,
      admitted.waitMs,
      arrivedAt,
    );
    await clock.delay(leg());
    if (windowMs !== undefined) {
      windows.push({ end: arrivedAt + windowMs });
      if (windows.length > 64) windows.shift();
    }
    const retryAfterMs = parseRetryAfter(header, clock.now());
    throw new RateLimitedError('Too Many Requests', {
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < scenario.items) {
      next += 1;
      await runner.run('item', request);
    }
  };
  const done = Promise.all(Array.from({ length: scenario.workers }, worker));
  await clock.runUntilSettled(done, 24 * 3_600_000);
  await done;

  const elapsedMs = clock.now() - EPOCH_MS;
  const snapshot = limiter.snapshot();
  const ideal = idealMs(scenario);
  return {
    elapsedMs,
    achievedPerSecond: (scenario.items * 1000) / elapsedMs,
    idealMs: ideal,
    efficiency: ideal / elapsedMs,
    requests,
    rateLimited,
    decreases: snapshot.decreases,
    pausedTotalMs: snapshot.pausedTotalMs,
    finalRate: snapshot.allowedRatePerSecond,
    peakInFlight,
    startsInsidePauses,
    windowViolations,
    concurrencyChanges,
    finalConcurrencyCap: snapshot.concurrencyCap,
  };
}
