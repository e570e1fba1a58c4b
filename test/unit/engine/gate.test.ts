import { RequestAbortedError } from '../../../src/errors.js';
import { describe, expect, it } from '@jest/globals';
import {
  RequestGate,
  type ConcurrencyChangeEvent,
  type LimiterOptions,
  type PauseEvent,
  type RateChangeEvent,
} from '../../../src/engine/gate.js';
import { FakeClock, settle } from './fake-clock.js';

function limiterOn(clock: FakeClock, options: Omit<LimiterOptions, 'now' | 'setTimer'>) {
  const limiter = new RequestGate({ ...options, now: clock.now, setTimer: clock.setTimer });
  const starts: number[] = [];
  const pauses: PauseEvent[] = [];
  const rates: RateChangeEvent[] = [];
  limiter.on('request-start', (e) => starts.push(e.at));
  limiter.on('pause', (e) => pauses.push(e));
  limiter.on('rate-change', (e) => rates.push(e));
  return { limiter, starts, pauses, rates };
}

/** Most starts inside any half-open window [t, t + windowMs). */
function maxStartsPerWindow(starts: number[], windowMs: number): number {
  let max = 0;
  for (let i = 0; i < starts.length; i++) {
    const from = starts[i] ?? 0;
    max = Math.max(max, starts.filter((t) => t >= from && t < from + windowMs).length);
  }
  return max;
}

/** Reports `n` successes, one every `everyMs`: the evidence a first decrease needs. */
async function succeedFor(clock: FakeClock, limiter: RequestGate, n: number, everyMs: number) {
  for (let i = 0; i < n; i++) {
    await clock.advance(everyMs);
    limiter.succeeded();
  }
}

function startsInsidePauses(starts: number[], pauses: PauseEvent[]): number[] {
  return starts.filter((t) => pauses.some((p) => t >= p.from && t < p.until));
}

describe('RequestGate', () => {
  it('never runs more than maxConcurrent requests at once', async () => {
    const clock = new FakeClock();
    const { limiter } = limiterOn(clock, { maxConcurrent: 3 });
    let running = 0;
    let peak = 0;
    const jobs = Array.from({ length: 20 }, (_, i) =>
      limiter.schedule(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await clock.delay(10 + (i % 4) * 7);
        running -= 1;
        return i;
      }),
    );
    await clock.runUntilSettled(Promise.all(jobs));
    expect(await Promise.all(jobs)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
  });

  it('spaces starts so no second holds more than the per-second cap', async () => {
    const clock = new FakeClock();
    const { limiter, starts } = limiterOn(clock, { maxConcurrent: 8, ratePerSecond: 10 });
    const jobs = Array.from({ length: 50 }, () => limiter.schedule(() => clock.delay(5)));
    await clock.runUntilSettled(Promise.all(jobs));
    expect(starts).toHaveLength(50);
    expect(maxStartsPerWindow(starts, 1000)).toBe(10);
    expect(starts.at(-1)).toBe(4900);
  });

  it('enforces a per-minute cap as even spacing, the smaller cap winning', async () => {
    const clock = new FakeClock();
    const { limiter, starts } = limiterOn(clock, {
      maxConcurrent: 4,
      ratePerSecond: 10,
      ratePerMinute: 120,
    });
    const jobs = Array.from({ length: 5 }, () => limiter.schedule(() => Promise.resolve()));
    await clock.runUntilSettled(Promise.all(jobs));
    expect(starts).toEqual([0, 500, 1000, 1500, 2000]);
    expect(limiter.snapshot().allowedRatePerSecond).toBe(2);
  });

  it('a 429 pauses every queued request until Retry-After, then lowers the rate', async () => {
    const clock = new FakeClock();
    const { limiter, starts, pauses } = limiterOn(clock, { maxConcurrent: 4, ratePerSecond: 20 });
    let first = true;
    const jobs = Array.from({ length: 30 }, () =>
      limiter.schedule(async (startedAt) => {
        await clock.delay(30);
        if (first && clock.now() >= 400) {
          first = false;
          limiter.rateLimited(2000, startedAt);
        } else {
          limiter.succeeded();
        }
      }),
    );
    await clock.runUntilSettled(Promise.all(jobs));

    expect(pauses).toHaveLength(1);
    const pause = pauses[0];
    expect(pause?.until).toBe((pause?.from ?? 0) + 2000);
    expect(startsInsidePauses(starts, pauses)).toEqual([]);
    expect(starts.filter((t) => t >= (pause?.until ?? 0))).not.toHaveLength(0);
    const snapshot = limiter.snapshot();
    expect(snapshot.decreases).toBe(1);
    expect(snapshot.allowedRatePerSecond).toBeLessThan(20);
    expect(snapshot.pausedTotalMs).toBe(2000);
    expect(snapshot.rateLimitedCount).toBe(1);
  });

  it('429s from requests started before the pause began extend it but do not lower the rate again', async () => {
    const clock = new FakeClock();
    const { limiter, starts, pauses, rates } = limiterOn(clock, { maxConcurrent: 4 });
    await succeedFor(clock, limiter, 10, 100);
    const outcomes = [
      { at: 1010, retryAfterMs: 1000 },
      { at: 1040, retryAfterMs: 1000 },
      { at: 1060, retryAfterMs: 500 },
    ];
    const stragglers = outcomes.map((o) =>
      limiter.schedule(async (startedAt) => {
        await clock.delay(o.at - clock.now());
        limiter.rateLimited(o.retryAfterMs, startedAt);
      }),
    );
    await clock.advance(20); // all three started at 1000; the first 429 came back at 1010
    const later = limiter.schedule(() => Promise.resolve());
    await clock.runUntilSettled(Promise.all([...stragglers, later]));

    expect(limiter.snapshot().decreases).toBe(1);
    expect(rates.filter((r) => r.reason === 'decrease')).toHaveLength(1);
    // The second 429 (sent before the pause) pushed the end to its own Retry-After.
    expect(Math.max(...pauses.map((p) => p.until))).toBe(2040);
    expect(pauses.map((p) => p.newEpisode)).toEqual([true, false]);
    expect(startsInsidePauses(starts, pauses)).toEqual([]);
    expect(starts.at(-1)).toBeGreaterThanOrEqual(2040);
    expect(limiter.snapshot().pausedTotalMs).toBe(1030);
  });

  it('a 429 for a request started after the pause ended is a new episode and lowers the rate again', async () => {
    const clock = new FakeClock();
    const { limiter } = limiterOn(clock, { maxConcurrent: 2, ratePerSecond: 20 });
    await succeedFor(clock, limiter, 10, 100);
    const first = limiter.schedule(async (startedAt) => {
      await clock.delay(10);
      limiter.rateLimited(1000, startedAt);
    });
    await clock.runUntilSettled(first);
    const afterPause = limiter.schedule(async (startedAt) => {
      await clock.delay(10);
      limiter.rateLimited(1000, startedAt);
    });
    await clock.runUntilSettled(afterPause);
    expect(limiter.snapshot().decreases).toBe(2);
  });

  it('clean responses raise the rate step by step back to the cap', async () => {
    const clock = new FakeClock();
    const { limiter, rates } = limiterOn(clock, { maxConcurrent: 4, ratePerSecond: 10 });
    await succeedFor(clock, limiter, 10, 100);
    const first = limiter.schedule(async (startedAt) => {
      await clock.delay(10);
      limiter.rateLimited(1000, startedAt);
    });
    await clock.runUntilSettled(first);
    const lowered = limiter.snapshot().allowedRatePerSecond ?? 0;
    expect(lowered).toBeLessThan(6);

    // Keep the queue full of quick successes for two minutes.
    let active = true;
    const worker = async (): Promise<void> => {
      while (active) {
        await limiter.schedule(async () => {
          await clock.delay(5);
          limiter.succeeded();
        });
      }
    };
    const workers = [worker(), worker(), worker(), worker()];
    await clock.advance(120_000);
    active = false;
    await clock.runUntilSettled(Promise.all(workers));

    const increases = rates.filter((r) => r.reason === 'increase');
    const steps = increases.map((r) => (r.to ?? 0) - (r.from ?? 0));
    const base = 0.02 * lowered;
    // Additive: 5 steps of 2 % of the lowered rate, then the step doubles...
    expect(steps.slice(0, 5).every((step) => Math.abs(step - base) < 1e-9)).toBe(true);
    expect(steps[5]).toBeCloseTo(2 * base, 9);
    // ...until the rate is within 10 % of the one the 429 came at (the cap, 10/s): tenth steps.
    increases.forEach((r, i) => {
      if ((r.from ?? 0) >= 9 && i < increases.length - 1)
        expect(steps[i]).toBeCloseTo(base / 10, 9);
    });
    expect(increases.filter((r) => (r.from ?? 0) >= 9).length).toBeGreaterThan(5);
    expect(increases.at(-1)?.to).toBe(10);
    // One step per clean second, the first a second after the pause (which ended at 2010).
    const times = increases.map((r) => r.at);
    expect(times[0]).toBeGreaterThanOrEqual(2010 + 1000);
    for (let i = 1; i < times.length; i++) {
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(1000);
    }
    expect(limiter.snapshot().allowedRatePerSecond).toBe(10);
  });

  it('does not raise the rate while it holds nothing back', async () => {
    const clock = new FakeClock();
    const { limiter } = limiterOn(clock, { maxConcurrent: 1, ratePerSecond: 10 });
    await succeedFor(clock, limiter, 5, 1000);
    const first = limiter.schedule(async (startedAt) => {
      await clock.delay(10);
      limiter.rateLimited(1000, startedAt);
    });
    await clock.runUntilSettled(first);
    await clock.advance(10_000);
    const lowered = limiter.snapshot().allowedRatePerSecond;
    expect(lowered).toBeCloseTo(5 / 6, 2);
    // One slow request at a time: demand (0.2/s) is below the allowed rate.
    for (let i = 0; i < 20; i++) {
      const job = limiter.schedule(async () => {
        await clock.delay(5000);
        limiter.succeeded();
      });
      await clock.runUntilSettled(job);
    }
    expect(limiter.snapshot().allowedRatePerSecond).toBe(lowered);
    expect(limiter.snapshot().increases).toBe(0);
  });

  it('with no cap, lifts the limit once the rate has held nothing back for unlimitedAfterMs', async () => {
    const clock = new FakeClock();
    const { limiter, rates } = limiterOn(clock, { maxConcurrent: 2, unlimitedAfterMs: 30_000 });
    expect(limiter.snapshot().allowedRatePerSecond).toBeNull();
    await succeedFor(clock, limiter, 10, 100);
    const first = limiter.schedule(async (startedAt) => {
      await clock.delay(10);
      limiter.rateLimited(1000, startedAt);
    });
    await clock.runUntilSettled(first);
    expect(limiter.snapshot().allowedRatePerSecond).not.toBeNull();
    for (let i = 0; i < 40; i++) {
      const job = limiter.schedule(async () => {
        await clock.delay(1000);
        limiter.succeeded();
      });
      await clock.runUntilSettled(job);
    }
    expect(limiter.snapshot().allowedRatePerSecond).toBeNull();
    expect(rates.at(-1)?.reason).toBe('unlimited');
  });

  it('pauses with a doubling backoff when Retry-After is missing, reset by a success', async () => {
    const clock = new FakeClock();
    const { limiter, pauses } = limiterOn(clock, { maxConcurrent: 1, backoffBaseMs: 1000 });
    const send = async (outcome: 'ok' | '429'): Promise<void> => {
      const job = limiter.schedule(async (startedAt) => {
        await clock.delay(10);
        if (outcome === 'ok') limiter.succeeded();
        else limiter.rateLimited(undefined, startedAt);
      });
      await clock.runUntilSettled(job);
    };
    await send('429');
    await send('429');
    await send('429');
    await send('ok');
    await send('429');
    expect(pauses.map((p) => p.until - p.from)).toEqual([1000, 2000, 4000, 1000]);
    expect(pauses.every((p) => p.retryAfterMs === undefined)).toBe(true);
  });

  it('first decrease estimates the sustainable rate from recent successes and the pause owed', async () => {
    const clock = new FakeClock();
    const { limiter } = limiterOn(clock, { maxConcurrent: 1 });
    // 5 s of successes at 20/s (a server whose bucket refills at 20/s started full)...
    for (let i = 0; i < 100; i++) {
      await clock.advance(50);
      limiter.succeeded();
    }
    const job = limiter.schedule(async (startedAt) => {
      await clock.delay(1);
      limiter.rateLimited(1000, startedAt);
    });
    await clock.runUntilSettled(job);
    // ...then a 429 owing 1 s: 100 successes over 5 s + 1 s = 16.67/s.
    expect(limiter.snapshot().allowedRatePerSecond).toBeCloseTo(100 / 6, 1);
  });

  it('a first 429 with too few successes to estimate from pauses but keeps the rate', async () => {
    const clock = new FakeClock();
    const { limiter, pauses } = limiterOn(clock, { maxConcurrent: 1, ratePerSecond: 30 });
    await succeedFor(clock, limiter, 4, 100);
    limiter.rateLimited(1000, clock.now());
    expect(pauses).toHaveLength(1);
    expect(limiter.snapshot()).toMatchObject({ allowedRatePerSecond: 30, decreases: 0 });
  });

  it('a repeated 429 soon after a pause, with nothing else known, cuts by decreaseFactor', async () => {
    const clock = new FakeClock();
    const { limiter, rates } = limiterOn(clock, {
      maxConcurrent: 1,
      ratePerSecond: 100,
      decreaseFactor: 0.9,
    });
    const rateLimitedRequest = limiter.schedule(async (startedAt) => {
      await clock.delay(10);
      limiter.rateLimited(1000, startedAt);
    });
    await clock.runUntilSettled(rateLimitedRequest);
    const afterFirst = limiter.snapshot().allowedRatePerSecond ?? 0;
    expect(afterFirst).toBe(100); // no successes yet: nothing to estimate from, the pause alone acts
    // No success at all since, and the rate held nothing back: the cut is decreaseFactor.
    const again = limiter.schedule(async (startedAt) => {
      await clock.delay(10);
      limiter.rateLimited(1000, startedAt);
    });
    await clock.runUntilSettled(again);
    expect(rates.at(-1)?.to).toBeCloseTo(90, 9);
  });

  it('never lowers the rate below minRatePerSecond', async () => {
    const clock = new FakeClock();
    const { limiter } = limiterOn(clock, {
      maxConcurrent: 1,
      ratePerSecond: 5,
      minRatePerSecond: 2,
    });
    for (let i = 0; i < 30; i++) {
      const job = limiter.schedule(async (startedAt) => {
        await clock.delay(1);
        limiter.rateLimited(1000, startedAt);
      });
      await clock.runUntilSettled(job);
    }
    expect(limiter.snapshot().allowedRatePerSecond).toBe(2);
  });

  it('learns a concurrency limit from its 429s: caps requests in flight, probes one more, confirms', async () => {
    const clock = new FakeClock();
    // Starts 1 ms apart: when the fifth is refused, the four ahead of it are being served and
    // the three after it have not reached the server.
    const { limiter, starts, pauses } = limiterOn(clock, { maxConcurrent: 8, ratePerSecond: 1000 });
    const concurrency: ConcurrencyChangeEvent[] = [];
    limiter.on('concurrency-change', (e) => concurrency.push(e));
    let serving = 0;
    let peakAfterFirstPause = 0;
    const jobs = Array.from({ length: 300 }, () =>
      limiter
        .schedule(async (startedAt, ticket) => {
          serving += 1;
          if (pauses.length > 0) peakAfterFirstPause = Math.max(peakAfterFirstPause, serving);
          if (serving > 4) {
            await clock.delay(5);
            serving -= 1;
            limiter.rateLimited(1000, startedAt, ticket);
            throw new Error('429');
          }
          await clock.delay(50);
          serving -= 1;
          limiter.succeeded();
        })
        .catch(() => 'refused'),
    );
    await clock.runUntilSettled(Promise.all(jobs));

    expect(concurrency.map((c) => [c.from, c.to, c.reason])).toEqual([
      [null, 4, 'adopted'],
      [4, 5, 'raised'],
      [5, 4, 'confirmed'],
    ]);
    expect(startsInsidePauses(starts, pauses)).toEqual([]);
    // The probe is the only request sent beyond the limit after the first pause.
    expect(peakAfterFirstPause).toBe(5);
    const snapshot = limiter.snapshot();
    expect(snapshot.concurrencyCap).toBe(4);
    // The probe's 429 pauses, but the rate is not lowered for it.
    expect(snapshot.decreases).toBe(0);
    expect(snapshot.allowedRatePerSecond).toBe(1000);
  });

  it('a 429 for a lone request proves a rate limit: no concurrency cap, then or later', async () => {
    const clock = new FakeClock();
    const { limiter } = limiterOn(clock, { maxConcurrent: 8 });
    const concurrency: ConcurrencyChangeEvent[] = [];
    limiter.on('concurrency-change', (e) => concurrency.push(e));
    const lone = limiter.schedule(async (startedAt, ticket) => {
      await clock.delay(5);
      limiter.rateLimited(100, startedAt, ticket);
    });
    await clock.runUntilSettled(lone);
    await clock.advance(200);
    // Later, a refusal with four ahead of it: a concurrency limit would be capped, not this.
    let index = 0;
    const jobs = Array.from({ length: 5 }, () =>
      limiter.schedule(async (startedAt, ticket) => {
        const mine = index++;
        await clock.delay(mine === 4 ? 5 : 50);
        if (mine === 4) limiter.rateLimited(100, startedAt, ticket);
        else limiter.succeeded();
      }),
    );
    await clock.runUntilSettled(Promise.all(jobs));
    expect(concurrency).toEqual([]);
    expect(limiter.snapshot().concurrencyCap).toBeNull();
  });

  it('a 429 without its ticket teaches the cap nothing', async () => {
    const clock = new FakeClock();
    const { limiter } = limiterOn(clock, { maxConcurrent: 8 });
    const jobs = Array.from({ length: 5 }, (_, i) =>
      limiter.schedule(async (startedAt) => {
        await clock.delay(i === 4 ? 5 : 50);
        if (i === 4) limiter.rateLimited(100, startedAt);
        else limiter.succeeded();
      }),
    );
    await clock.runUntilSettled(Promise.all(jobs));
    expect(limiter.snapshot()).toMatchObject({ rateLimitedCount: 1, concurrencyCap: null });
  });

  it('abort while queued rejects promptly with RequestAbortedError and never runs the request', async () => {
    const clock = new FakeClock();
    const { limiter } = limiterOn(clock, { maxConcurrent: 1 });
    const blocker = limiter.schedule(() => clock.delay(10_000));
    const controller = new AbortController();
    let ran = false;
    const queued = limiter.schedule(() => {
      ran = true;
      return Promise.resolve();
    }, controller.signal);
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(RequestAbortedError);
    expect(clock.now()).toBe(0);
    expect(limiter.snapshot().queued).toBe(0);
    await clock.runUntilSettled(blocker);
    expect(ran).toBe(false);
  });

  it('abort while a pause holds rejects promptly', async () => {
    const clock = new FakeClock();
    const { limiter } = limiterOn(clock, { maxConcurrent: 1 });
    limiter.rateLimited(60_000, 0);
    const controller = new AbortController();
    const queued = limiter.schedule(() => Promise.resolve(), controller.signal);
    await clock.advance(100);
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(RequestAbortedError);
    expect(clock.now()).toBe(100);
  });

  it('an already aborted signal rejects without queueing', async () => {
    const { limiter } = limiterOn(new FakeClock(), { maxConcurrent: 1 });
    await expect(
      limiter.schedule(() => Promise.resolve(), AbortSignal.abort()),
    ).rejects.toBeInstanceOf(RequestAbortedError);
  });

  it('stop rejects queued requests and resolves once in-flight ones finish', async () => {
    const clock = new FakeClock();
    const { limiter } = limiterOn(clock, { maxConcurrent: 1 });
    const inFlight = limiter.schedule(async () => {
      await clock.delay(100);
      return 'done';
    });
    const queued = limiter.schedule(() => Promise.resolve('never'));
    await settle();
    let stopped = false;
    const stopping = limiter.stop().then(() => (stopped = true));
    await expect(queued).rejects.toBeInstanceOf(RequestAbortedError);
    await settle();
    expect(stopped).toBe(false);
    await clock.runUntilSettled(stopping);
    expect(await inFlight).toBe('done');
    await expect(limiter.schedule(() => Promise.resolve())).rejects.toBeInstanceOf(
      RequestAbortedError,
    );
  });

  it('a request that throws synchronously rejects and frees its slot', async () => {
    const clock = new FakeClock();
    const { limiter } = limiterOn(clock, { maxConcurrent: 1 });
    const bad = limiter.schedule(() => {
      throw new Error('boom');
    });
    const good = limiter.schedule(() => Promise.resolve('ok'));
    await expect(bad).rejects.toThrow('boom');
    await clock.runUntilSettled(good);
    expect(await good).toBe('ok');
    expect(limiter.snapshot().inFlight).toBe(0);
  });

  it('a front-of-queue request starts before those queued earlier', async () => {
    const clock = new FakeClock();
    const { limiter } = limiterOn(clock, { maxConcurrent: 1 });
    const order: string[] = [];
    const blocker = limiter.schedule(() => clock.delay(10));
    const a = limiter.schedule(() => Promise.resolve(order.push('a')));
    const retry = limiter.schedule(() => Promise.resolve(order.push('retry')), undefined, {
      front: true,
    });
    await clock.runUntilSettled(Promise.all([blocker, a, retry]));
    expect(order).toEqual(['retry', 'a']);
  });

  it('rejects options that cannot work', () => {
    expect(() => new RequestGate({ maxConcurrent: 0 })).toThrow(RangeError);
    expect(() => new RequestGate({ maxConcurrent: 1.5 })).toThrow(RangeError);
    expect(() => new RequestGate({ maxConcurrent: 1, ratePerSecond: 0 })).toThrow(RangeError);
    expect(() => new RequestGate({ maxConcurrent: 1, ratePerMinute: Number.NaN })).toThrow(
      RangeError,
    );
    expect(() => new RequestGate({ maxConcurrent: 1, decreaseFactor: 1 })).toThrow(RangeError);
  });
});
