import { RequestAbortedError } from '../../../src/errors.js';
import { describe, expect, it } from '@jest/globals';
import {
  AuthError,
  ClientRequestError,
  NotFoundError,
  RateLimitedError,
  TransientError,
} from '../../../src/looker/errors.js';
import { RequestGate, type PauseEvent } from '../../../src/engine/gate.js';
import { RequestMetrics } from '../../../src/engine/metrics.js';
import {
  RequestRunner,
  type RequestRunnerOptions,
  type RetryInfo,
} from '../../../src/engine/request-runner.js';
import { FakeClock } from './fake-clock.js';

function setup(
  options: Partial<Omit<RequestRunnerOptions, 'limiter'>> & { maxConcurrent?: number } = {},
) {
  const clock = new FakeClock();
  const limiter = new RequestGate({
    maxConcurrent: options.maxConcurrent ?? 2,
    now: clock.now,
    setTimer: clock.setTimer,
  });
  const metrics = new RequestMetrics({ now: clock.now });
  const retries: RetryInfo[] = [];
  const starts: number[] = [];
  const pauses: PauseEvent[] = [];
  limiter.on('request-start', (e) => starts.push(e.at));
  limiter.on('pause', (e) => pauses.push(e));
  const runner = new RequestRunner({
    limiter,
    maxRetries: 5,
    sleep: clock.sleep,
    metrics,
    onRetry: (info) => retries.push(info),
    ...options,
  });
  return { clock, limiter, metrics, runner, retries, starts, pauses };
}

const transient = (n: number) => new TransientError(`502 #${n}`, { kind: 'server', status: 502 });
const tooMany = (retryAfterMs?: number) =>
  new RateLimitedError('429', retryAfterMs === undefined ? {} : { retryAfterMs });

/** An invoke that fails with the given errors in turn, then returns 'ok'. */
function failing(clock: FakeClock, errors: Error[], latencyMs = 10) {
  let calls = 0;
  const invoke = async (): Promise<string> => {
    await clock.delay(latencyMs);
    const error = errors[calls];
    calls += 1;
    if (error !== undefined) throw error;
    return 'ok';
  };
  return { invoke, calls: () => calls };
}

describe('RequestRunner', () => {
  it('retries transient failures with full jitter from the injected random, through the limiter', async () => {
    const { clock, runner, retries, starts } = setup({
      baseDelayMs: 100,
      maxDelayMs: 10_000,
      random: () => 0.5,
    });
    const { invoke } = failing(clock, [transient(1), transient(2), transient(3)]);
    const result = runner.run('search_looks', invoke);
    await clock.runUntilSettled(result);
    expect(await result).toBe('ok');
    expect(retries.map((r) => [r.kind, r.attempt, r.delayMs])).toEqual([
      ['transient', 1, 50],
      ['transient', 2, 100],
      ['transient', 3, 200],
    ]);
    // Each attempt took 10 ms and started after its backoff: 0, 10+50, 70+100, 180+200.
    expect(starts).toEqual([0, 60, 170, 380]);
  });

  it('caps the backoff ceiling at maxDelayMs', async () => {
    const { clock, runner, retries } = setup({
      baseDelayMs: 1000,
      maxDelayMs: 3000,
      random: () => 0.999,
    });
    const { invoke } = failing(clock, [1, 2, 3, 4].map(transient));
    await clock.runUntilSettled(runner.run('user', invoke));
    expect(retries.map((r) => r.delayMs)).toEqual([999, 1998, 2997, 2997]);
  });

  it('stops after maxRetries and throws the last error', async () => {
    const { clock, runner, starts } = setup({ maxRetries: 2, random: () => 0 });
    const { invoke } = failing(clock, [1, 2, 3, 4, 5].map(transient));
    const result = runner.run('search_dashboards', invoke);
    const settled = result.catch((e: unknown) => e);
    await clock.runUntilSettled(settled);
    const error = await settled;
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe('502 #3');
    expect(starts).toHaveLength(3);
  });

  it('does not retry an AuthError', async () => {
    const { clock, runner, starts } = setup();
    const { invoke } = failing(clock, [new AuthError('token rejected')]);
    const result = runner.run('dashboard', invoke).catch((e: unknown) => e);
    await clock.runUntilSettled(result);
    expect(await result).toBeInstanceOf(AuthError);
    expect(starts).toHaveLength(1);
  });

  it('returns NotFoundError and other client errors to the caller at once', async () => {
    const { clock, runner, starts } = setup();
    const gone = failing(clock, [new NotFoundError('no such look', { status: 404 })]);
    const notFound = runner.run('look', gone.invoke).catch((e: unknown) => e);
    const bad = failing(clock, [new ClientRequestError('bad fields', { status: 400 })]);
    const badRequest = runner.run('look', bad.invoke).catch((e: unknown) => e);
    await clock.runUntilSettled(Promise.all([notFound, badRequest]));
    expect(await notFound).toBeInstanceOf(NotFoundError);
    expect(await badRequest).toBeInstanceOf(ClientRequestError);
    expect(starts).toHaveLength(2);
  });

  it('429s do not consume maxRetries: the request is sent again when the pause ends', async () => {
    const { clock, runner, limiter, retries, starts, pauses } = setup({ maxRetries: 0 });
    const { invoke } = failing(clock, [tooMany(1000), tooMany(2000), tooMany(1000)]);
    const result = runner.run('all_roles', invoke);
    await clock.runUntilSettled(result);
    expect(await result).toBe('ok');
    // A first 429 with nothing to estimate from starts slow (1/s); 429s with no success since
    // leave that rate alone, so each retry goes when its pause ends.
    expect(starts).toEqual([0, 1010, 3020, 4030]);
    expect(pauses.map((p) => [p.from, p.until])).toEqual([
      [10, 1010],
      [1020, 3020],
      [3030, 4030],
    ]);
    expect(retries.map((r) => [r.kind, r.attempt, r.delayMs])).toEqual([
      ['rate_limited', 1, 1000],
      ['rate_limited', 2, 2000],
      ['rate_limited', 3, 1000],
    ]);
    expect(limiter.snapshot().rateLimitedCount).toBe(3);
  });

  it('a 429 holds back requests queued behind it until Retry-After (reported before the slot frees)', async () => {
    const { clock, runner, starts, pauses } = setup({ maxConcurrent: 1 });
    const first = failing(clock, [tooMany(1000)]);
    const second = failing(clock, []);
    const both = Promise.all([runner.run('a', first.invoke), runner.run('b', second.invoke)]);
    await clock.runUntilSettled(both);
    // a (429 at 10) → pause [10, 1010); the retry of a goes first, then b a second later
    // (nothing to estimate from: slow start at 1/s).
    expect(pauses).toHaveLength(1);
    expect(starts).toEqual([0, 1010, 2010]);
  });

  it('gives up with a clear RateLimitedError after maxRateLimitedAttempts 429s without Retry-After', async () => {
    const { clock, runner, starts } = setup({ maxRateLimitedAttempts: 4 });
    const { invoke } = failing(
      clock,
      Array.from({ length: 100 }, () => tooMany()),
    );
    const result = runner.run('search_users', invoke).catch((e: unknown) => e);
    await clock.runUntilSettled(result);
    const error = await result;
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).message).toMatch(
      /^search_users was still rate limited \(429\) after 4 attempts over \d+ s/,
    );
    expect((error as RateLimitedError).hint).toMatch(/--workers/);
    expect(starts).toHaveLength(4);
  });

  it('waits out a 60-second storm of Retry-After: 1 however many 429s it takes (bounded by time, not count)', async () => {
    const { clock, runner, starts } = setup();
    const { invoke } = failing(
      clock,
      Array.from({ length: 60 }, () => tooMany(1000)),
    );
    const result = runner.run('search_dashboards', invoke);
    await clock.runUntilSettled(result);
    expect(await result).toBe('ok');
    expect(starts).toHaveLength(61);
  });

  it('gives up after maxRateLimitedMs of 429s, however few', async () => {
    const { clock, runner, starts } = setup({ maxRateLimitedMs: 60_000 });
    const { invoke } = failing(
      clock,
      Array.from({ length: 100 }, () => tooMany(25_000)),
    );
    const result = runner.run('all_groups', invoke).catch((e: unknown) => e);
    await clock.runUntilSettled(result);
    expect(await result).toBeInstanceOf(RateLimitedError);
    // 429s at 10, 25 020, 50 030, 75 040: the fourth is past 60 s after the first.
    expect(starts).toHaveLength(4);
  });

  it('a 429 without Retry-After waits the limiter backoff', async () => {
    const { clock, runner, starts } = setup();
    const { invoke } = failing(clock, [tooMany(), tooMany()]);
    const result = runner.run('all_users', invoke);
    await clock.runUntilSettled(result);
    expect(await result).toBe('ok');
    expect(starts).toEqual([0, 1010, 3020]);
  });

  it('abort while sleeping before a retry rejects promptly with RequestAbortedError', async () => {
    const { clock, runner, starts } = setup({ baseDelayMs: 60_000, random: () => 0.99 });
    const controller = new AbortController();
    const { invoke } = failing(clock, [transient(1)]);
    const result = runner.run('folder', invoke, controller.signal).catch((e: unknown) => e);
    await clock.advance(100); // failed at 10, now sleeping ~59 s
    controller.abort();
    expect(await result).toBeInstanceOf(RequestAbortedError);
    expect(clock.now()).toBe(100);
    expect(starts).toHaveLength(1);
  });

  it('abort while queued behind the limiter rejects promptly with RequestAbortedError', async () => {
    const { clock, runner, limiter } = setup({ maxConcurrent: 1 });
    const busy = failing(clock, [], 10_000);
    const running = runner.run('slow', busy.invoke);
    const controller = new AbortController();
    const queued = failing(clock, []);
    const result = runner.run('queued', queued.invoke, controller.signal).catch((e: unknown) => e);
    await clock.advance(50);
    controller.abort();
    expect(await result).toBeInstanceOf(RequestAbortedError);
    expect(queued.calls()).toBe(0);
    expect(limiter.snapshot().queued).toBe(0);
    await clock.runUntilSettled(running);
  });

  it('abort during the request maps whatever the transport threw to RequestAbortedError', async () => {
    const { clock, runner, metrics } = setup();
    const controller = new AbortController();
    const invoke = async (signal: AbortSignal | undefined): Promise<string> => {
      await clock.delay(50);
      if (signal?.aborted === true) throw new TransientError('socket closed', { kind: 'reset' });
      return 'ok';
    };
    const result = runner.run('look', invoke, controller.signal).catch((e: unknown) => e);
    await clock.advance(20);
    controller.abort();
    await clock.runUntilSettled(result);
    expect(await result).toBeInstanceOf(RequestAbortedError);
    expect(metrics.snapshot().aborted).toBe(1);
    expect(metrics.snapshot().retries).toBe(0);
  });

  it('counts every attempt in the metrics, by operation and outcome', async () => {
    const { clock, runner, metrics } = setup({ random: () => 0 });
    const first = failing(clock, [transient(1), tooMany(1000)]);
    const second = failing(clock, [new NotFoundError('gone', { status: 404 })]);
    const both = Promise.all([
      runner.run('search_looks', first.invoke),
      runner.run('look', second.invoke).catch(() => 'missing'),
    ]);
    await clock.runUntilSettled(both);
    const snapshot = metrics.snapshot();
    expect(snapshot.requests).toBe(4);
    expect(snapshot.retries).toBe(1);
    expect(snapshot.rateLimited).toBe(1);
    expect(snapshot.transient).toBe(1);
    expect(snapshot.notFound).toBe(1);
    expect(snapshot.inFlight).toBe(0);
    expect(snapshot.busyMs).toBe(40);
    expect(snapshot.latencyMs.max).toBe(10);
    expect(snapshot.byOperation.search_looks).toMatchObject({
      requests: 3,
      ok: 1,
      transient: 1,
      rateLimited: 1,
      retries: 1,
    });
  });

  it('rejects a negative maxRetries', () => {
    const limiter = new RequestGate({ maxConcurrent: 1 });
    expect(() => new RequestRunner({ limiter, maxRetries: -1 })).toThrow(RangeError);
  });
});
