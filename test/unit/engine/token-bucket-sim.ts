import { RateLimitedError } from '../../../src/looker/errors.js';
import { RequestGate, type LimiterOptions, type PauseEvent } from '../../../src/engine/gate.js';
import { RequestRunner } from '../../../src/engine/request-runner.js';
import { FakeClock } from './fake-clock.js';

/**
 * A token-bucket server (R tokens/s, burst B, integer Retry-After = seconds until a token, at
 * least 1 — like the project's simulator) served by the real limiter and runner on virtual
 * time: W workers fetch `items` one-request items as fast as the gate lets them.
 */
export interface TokenBucketScenario {
  /** Refill rate R, tokens per second. */
  rate: number;
  /** Bucket size. @default rate */
  burst?: number;
  workers: number;
  items: number;
  /** Network delay each way, ms. @default 10 */
  oneWayMs?: number;
  /** Server time for an accepted request, ms (a 429 costs none). @default 20 */
  serviceMs?: number;
  limiter?: Omit<LimiterOptions, 'maxConcurrent' | 'now' | 'setTimer'>;
}

export interface TokenBucketResult {
  elapsedMs: number;
  /** Items per second over the whole run. */
  achievedPerSecond: number;
  /** achievedPerSecond ÷ R. */
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
}

export async function simulateTokenBucket(
  scenario: TokenBucketScenario,
): Promise<TokenBucketResult> {
  const clock = new FakeClock();
  const rate = scenario.rate;
  const burst = scenario.burst ?? rate;
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

  let tokens = burst;
  let refilledAt = 0;
  let requests = 0;
  let rateLimited = 0;
  /** Retry-After windows (server time) of the 429s the client has received so far. */
  const windows: { end: number }[] = [];
  let windowViolations = 0;

  const request = async (): Promise<void> => {
    requests += 1;
    const arrivesAt = clock.now() + oneWayMs;
    if (windows.some((w) => arrivesAt < w.end)) windowViolations += 1;
    await clock.delay(oneWayMs);
    const arrivedAt = clock.now();
    tokens = Math.min(burst, tokens + ((arrivedAt - refilledAt) * rate) / 1000);
    refilledAt = arrivedAt;
    if (tokens >= 1) {
      tokens -= 1;
      await clock.delay(serviceMs + oneWayMs);
      return;
    }
    rateLimited += 1;
    const retryAfterS = Math.max(1, Math.ceil((1 - tokens) / rate));
    await clock.delay(oneWayMs);
    windows.push({ end: arrivedAt + retryAfterS * 1000 });
    if (windows.length > 64) windows.shift();
    throw new RateLimitedError('Too Many Requests', { retryAfterMs: retryAfterS * 1000 });
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

  const elapsedMs = clock.now();
  const snapshot = limiter.snapshot();
  const achievedPerSecond = (scenario.items * 1000) / elapsedMs;
  return {
    elapsedMs,
    achievedPerSecond,
    efficiency: achievedPerSecond / rate,
    requests,
    rateLimited,
    decreases: snapshot.decreases,
    pausedTotalMs: snapshot.pausedTotalMs,
    finalRate: snapshot.allowedRatePerSecond,
    peakInFlight,
    startsInsidePauses,
    windowViolations,
  };
}
