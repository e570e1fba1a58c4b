import { describe, expect, it } from '@jest/globals';
import { parseAuthorization, TokenStore } from '../../../src/sim/auth.js';
import { Capacity } from '../../../src/sim/behaviour/capacity.js';
import { FaultInjector } from '../../../src/sim/behaviour/faults.js';
import {
  ConcurrencyLimit,
  FixedWindow,
  retryAfterHeader,
  RetryAfterWindow,
  SlidingLog,
  TokenBucket,
} from '../../../src/sim/behaviour/rate-limit.js';
import { ByteLru } from '../../../src/sim/lru.js';
import { resolveOptions, SimulatorOptionError } from '../../../src/sim/options.js';
import { RequestLog, StatsRecorder } from '../../../src/sim/stats.js';

describe('token bucket', () => {
  it('lets a burst through, then refills at the rate; a refusal says how long until a token is back', () => {
    const bucket = new TokenBucket(4, 2, 0);
    expect(bucket.take(0)).toEqual({ ok: true });
    expect(bucket.take(0)).toEqual({ ok: true });
    expect(bucket.take(0)).toEqual({ ok: false, waitMs: 250 });
    expect(bucket.take(250)).toEqual({ ok: true });
    const slow = new TokenBucket(0.25, 1, 0);
    slow.take(0);
    expect(slow.take(0)).toEqual({ ok: false, waitMs: 4000 });
    expect(slow.take(3000)).toEqual({ ok: false, waitMs: 1000 });
    expect(slow.take(4000)).toEqual({ ok: true });
  });
});

describe('other limit models', () => {
  it('fixed windows: R per clock second, then a wait to the next second', () => {
    const window = new FixedWindow(2);
    expect(window.take(1_300)).toEqual({ ok: true });
    expect(window.take(1_900)).toEqual({ ok: true });
    expect(window.take(1_950)).toEqual({ ok: false, waitMs: 50 });
    expect(window.take(2_000)).toEqual({ ok: true });
  });

  it('a sliding log: R in any one-second window, then a wait until the oldest leaves it', () => {
    const log = new SlidingLog(2);
    expect(log.take(1_300)).toEqual({ ok: true });
    expect(log.take(1_900)).toEqual({ ok: true });
    expect(log.take(2_100)).toEqual({ ok: false, waitMs: 200 });
    expect(log.take(2_300)).toEqual({ ok: true });
    expect(log.take(2_400)).toEqual({ ok: false, waitMs: 500 });
  });

  it('a concurrency limit: refuses one too many until a slot is released', () => {
    const limit = new ConcurrencyLimit(2);
    expect(limit.take()).toEqual({ ok: true });
    expect(limit.take()).toEqual({ ok: true });
    expect(limit.take()).toEqual({ ok: false, waitMs: 1000 });
    limit.release();
    expect(limit.take()).toEqual({ ok: true });
  });
});

describe('Retry-After forms', () => {
  it('exact rounds up to whole seconds (at least 1); one is 1; absent sends none; a date has whole seconds', () => {
    expect(retryAfterHeader('exact', 250, 0)).toEqual({ header: '1', windowMs: 1000 });
    expect(retryAfterHeader('exact', 4000, 0)).toEqual({ header: '4', windowMs: 4000 });
    expect(retryAfterHeader('exact', 4001, 0)).toEqual({ header: '5', windowMs: 5000 });
    expect(retryAfterHeader('one', 4001, 0)).toEqual({ header: '1', windowMs: 1000 });
    expect(retryAfterHeader('absent', 4001, 0)).toEqual({
      header: undefined,
      windowMs: undefined,
    });
    const now = Date.UTC(2026, 11, 7, 12, 0, 0, 600);
    expect(retryAfterHeader('http-date', 250, now)).toEqual({
      header: 'Mon, 07 Dec 2026 12:00:01 GMT',
      windowMs: 400,
    });
  });
});

describe('Retry-After window', () => {
  it('flags requests inside an announced window after the grace, measured from the first 429', () => {
    const window = new RetryAfterWindow(50);
    expect(window.violatedBy(0)).toBe(false);
    window.announce(1000, 2);
    expect(window.violatedBy(1049)).toBe(false);
    window.announce(1040, 2); // a later 429 extends the window but not the grace
    expect(window.violatedBy(1050)).toBe(true);
    expect(window.violatedBy(3039)).toBe(true);
    expect(window.violatedBy(3040)).toBe(false);
  });
});

describe('capacity', () => {
  it('hands out slots up to the limit, then in arrival order; cancelled waiters are skipped', async () => {
    const capacity = new Capacity(1);
    expect(capacity.acquire()).toBeUndefined();
    const order: string[] = [];
    const a = capacity.acquire();
    const b = capacity.acquire();
    const c = capacity.acquire();
    void a?.promise.then(() => order.push('a'));
    void b?.promise.then(() => order.push('b'));
    void c?.promise.then(() => order.push('c'));
    b?.cancel();
    capacity.release();
    await a?.promise;
    capacity.release();
    await c?.promise;
    expect(order).toEqual(['a', 'c']);
  });
});

describe('faults by rate', () => {
  it('draw each kind in proportion to its rate, deterministically per seed', () => {
    const rates = { serverErrorRate: 0.1, resetRate: 0.2, hangRate: 0.05, malformedRate: 0.15 };
    const draw = (seed: number) => {
      const injector = new FaultInjector(rates, seed);
      return Array.from({ length: 20_000 }, () => injector.next('dashboard', true)?.kind ?? 'none');
    };
    const kinds = draw(1);
    const share = (kind: string) => kinds.filter((k) => k === kind).length / kinds.length;
    expect(share('status')).toBeCloseTo(0.1, 1);
    expect(share('reset')).toBeCloseTo(0.2, 1);
    expect(share('hang')).toBeCloseTo(0.05, 1);
    expect(share('malformed')).toBeCloseTo(0.15, 1);
    expect(draw(1)).toEqual(kinds);
    expect(draw(2)).not.toEqual(kinds);
  });

  it('never fault non-content operations unless a script names them', () => {
    const injector = new FaultInjector(
      { serverErrorRate: 1, resetRate: 0, hangRate: 0, malformedRate: 0 },
      1,
    );
    expect(injector.next('login', false)).toBeUndefined();
    injector.inject([{ operation: 'login', fault: { kind: 'reset' } }]);
    expect(injector.next('login', false)).toEqual({ kind: 'reset', scripted: true });
  });
});

describe('auth tokens', () => {
  it('reads Bearer and token schemes, nothing else', () => {
    expect(parseAuthorization('Bearer abc')).toBe('abc');
    expect(parseAuthorization('token abc')).toBe('abc');
    expect(parseAuthorization('Basic abc')).toBeUndefined();
    expect(parseAuthorization('abc')).toBeUndefined();
    expect(parseAuthorization(undefined)).toBeUndefined();
  });

  it('expire after the TTL on the clock', () => {
    let now = 0;
    const store = new TokenStore(10, () => now);
    const { access_token: token } = store.issue(0);
    expect(store.check(`Bearer ${token}`)).toEqual({ ok: true, user: 0 });
    now = 10_000;
    expect(store.check(`Bearer ${token}`)).toEqual({ ok: false, reason: 'expired' });
    expect(store.check('Bearer other')).toEqual({ ok: false, reason: 'unknown' });
  });
});

describe('counters', () => {
  it('service-time percentiles are within 2% of the exact ones', () => {
    const stats = new StatsRecorder();
    const values = Array.from({ length: 1000 }, (_, i) => (i + 1) * 0.37);
    for (const v of values) {
      stats.arrive('x');
      stats.leave();
      stats.answered(200, v);
    }
    const { serviceTimeMs } = stats.snapshot(0);
    expect(serviceTimeMs.count).toBe(1000);
    expect(Math.abs(serviceTimeMs.p50 - 185) / 185).toBeLessThan(0.021);
    expect(Math.abs(serviceTimeMs.p99 - 366.3) / 366.3).toBeLessThan(0.021);
  });

  it('peak concurrency survives a reset only as what is still in flight', () => {
    const stats = new StatsRecorder();
    stats.arrive('a');
    stats.arrive('b');
    stats.leave();
    expect(stats.snapshot(0).peakConcurrency).toBe(2);
    stats.reset();
    expect(stats.snapshot(0)).toMatchObject({ peakConcurrency: 1, inFlight: 1 });
  });

  it('the request log keeps the most recent entries in order', () => {
    const log = new RequestLog(3);
    for (let i = 0; i < 5; i++)
      log.add({ operationId: `op${String(i)}`, method: 'GET', path: '/', query: {}, arrivedAt: i });
    expect(log.entries().map((e) => e.operationId)).toEqual(['op2', 'op3', 'op4']);
  });

  it('the body cache evicts the least recently used entries beyond its budget', () => {
    const lru = new ByteLru(100);
    lru.set(1, 0, Buffer.alloc(20));
    lru.set(2, 0, Buffer.alloc(20));
    lru.get(1, 0);
    for (let key = 3; key <= 6; key++) lru.set(key, 0, Buffer.alloc(20));
    expect(lru.get(2, 0)).toBeUndefined();
    expect(lru.get(1, 0)).toBeDefined();
    expect(lru.totalBytes).toBeLessThanOrEqual(100);
  });

  it('the body cache misses an entry made from an older revision of the item', () => {
    const lru = new ByteLru(100);
    lru.set(7, 0, Buffer.from('old'));
    expect(lru.get(7, 1)).toBeUndefined();
    expect(lru.size).toBe(0);
  });
});

describe('options', () => {
  it.each([
    [{ counts: { dashboard: -1 } }, /count of dashboard must be a whole number from 0/],
    [{ counts: { user: 0 } }, /count of user must be a whole number from 1/],
    [{ faults: { hangRate: 1.5 } }, /hangRate must be a probability between 0 and 1/],
    [{ faults: { resetRate: 0.6, malformedRate: 0.6 } }, /sum must be ≤ 1/],
    [{ rateLimit: { requestsPerSecond: 0 } }, /requestsPerSecond must be > 0/],
    [{ capacity: 0 }, /capacity must be a whole number from 1/],
    [{ port: 70000 }, /port must be a whole number from 0 to 65535/],
    [{ mutation: { types: ['explore'] as never } }, /"explore" cannot be mutated/],
    [{ invalidItems: { dashboard: { '1': 'broken' as never } } }, /unknown defect "broken"/],
  ])('%j is rejected with a clear message', (options, message) => {
    expect(() => resolveOptions(options)).toThrow(SimulatorOptionError);
    expect(() => resolveOptions(options)).toThrow(message);
  });

  it('defaults: a few thousand items, no behaviours, 1 h tokens', () => {
    const resolved = resolveOptions();
    expect(resolved).toMatchObject({
      host: '127.0.0.1',
      port: 0,
      seed: 1,
      tokenTtlSeconds: 3600,
      latencyMs: 0,
    });
    expect(resolved.rateLimit).toBeUndefined();
    expect(resolved.capacity).toBeUndefined();
    expect(resolved.counts.dashboard).toBe(2000);
  });
});
