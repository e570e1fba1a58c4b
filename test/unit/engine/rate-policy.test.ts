import { describe, expect, it } from '@jest/globals';
import { AdaptiveRatePolicy } from '../../../src/engine/rate-policy.js';

/** A policy on a clock the test moves by hand. */
function policyAt(options: ConstructorParameters<typeof AdaptiveRatePolicy>[0] = {}) {
  let now = 1_000_000;
  const policy = new AdaptiveRatePolicy(options, () => now);
  return {
    policy,
    now: () => now,
    advance: (ms: number) => {
      now += ms;
      return now;
    },
  };
}

/** `count` successes spread evenly over `ms`, none of them held back. */
function succeed(clock: ReturnType<typeof policyAt>, count: number, ms: number): void {
  for (let i = 0; i < count; i++) clock.policy.succeeded(clock.advance(ms / count), -Infinity);
}

describe('AdaptiveRatePolicy', () => {
  it('takes the smaller of the per-second and per-minute caps as its ceiling', () => {
    expect(new AdaptiveRatePolicy({ ratePerSecond: 5, ratePerMinute: 120 }, () => 0).rate).toBe(2);
    expect(new AdaptiveRatePolicy({}, () => 0).rate).toBeNull();
  });

  it('pauses for Retry-After, capped at maxPauseMs, and backs off exponentially without it', () => {
    const clock = policyAt({ maxPauseMs: 5000, backoffBaseMs: 1000 });
    const { policy } = clock;
    expect(policy.rateLimited(clock.now(), 2000, clock.now() - 1).pauseMs).toBe(2000);
    expect(policy.rateLimited(clock.advance(10), 60_000, clock.now()).pauseMs).toBe(5000);
    // Episodes without a success between them double the backoff.
    expect(policy.rateLimited(clock.advance(10), undefined, clock.now()).pauseMs).toBe(4000);
    policy.succeeded(clock.advance(10), -Infinity);
    expect(policy.rateLimited(clock.advance(10), undefined, clock.now()).pauseMs).toBe(1000);
  });

  it('treats a 429 of a request started before the episode as a straggler: no new episode', () => {
    const clock = policyAt();
    const started = clock.now();
    expect(clock.policy.rateLimited(clock.advance(5), 1000, started).newEpisode).toBe(true);
    expect(clock.policy.rateLimited(clock.advance(5), 1000, started).newEpisode).toBe(false);
    expect(clock.policy.rateLimitedCount).toBe(2);
  });

  it('lets the pause alone act on a first 429 with fewer than 5 successes to go on', () => {
    const clock = policyAt();
    succeed(clock, 4, 1000);
    const decision = clock.policy.rateLimited(clock.now(), 1000, clock.now() - 1);
    expect(decision.change).toBeUndefined();
    expect(clock.policy.rate).toBeNull();
  });

  it('sets the rate to what the server sustained at a first episode, not under half of it', () => {
    const clock = policyAt();
    succeed(clock, 100, 10_000);
    const decision = clock.policy.rateLimited(clock.now(), 1000, clock.now() - 1);
    // 100 successes over ~10 s plus the 1 s owed: ~9/s, above half of the ~10/s that succeeded.
    expect(decision.change?.reason).toBe('decrease');
    expect(clock.policy.rate).toBeGreaterThan(8.5);
    expect(clock.policy.rate).toBeLessThan(9.5);
  });

  it('cuts a later episode by at most decreaseFactor, and never raises the rate', () => {
    const clock = policyAt({ ratePerSecond: 10 });
    clock.policy.rateLimited(clock.now(), 1000, clock.now() - 1);
    const first = clock.policy.rate ?? 0;
    succeed(clock, 1, 10_000);
    clock.policy.rateLimited(clock.now(), 1000, clock.now() - 1);
    expect(clock.policy.rate).toBeCloseTo(first * 0.9, 6);
  });

  it('raises the rate only after a clean interval in which the rate held a request back', () => {
    const clock = policyAt({ ratePerSecond: 10, increaseIntervalMs: 1000 });
    succeed(clock, 20, 10_000);
    clock.policy.rateLimited(clock.now(), 1000, clock.now() - 1);
    const lowered = clock.policy.rate ?? 0;
    const pausedUntil = clock.now() + 1000;
    clock.advance(2500);
    expect(clock.policy.succeeded(clock.now(), pausedUntil)).toBeUndefined();
    clock.policy.held(clock.advance(10));
    const change = clock.policy.succeeded(clock.advance(10), pausedUntil);
    expect(change).toMatchObject({ reason: 'increase', from: lowered });
    expect(clock.policy.rate).toBeGreaterThan(lowered);
    expect(clock.policy.increases).toBe(1);
  });

  it('lifts the limit with no cap once the rate has held nothing back for unlimitedAfterMs', () => {
    const clock = policyAt({ unlimitedAfterMs: 5000 });
    succeed(clock, 50, 5000);
    clock.policy.rateLimited(clock.now(), 1000, clock.now() - 1);
    expect(clock.policy.rate).not.toBeNull();
    const pausedUntil = clock.now() + 1000;
    const change = clock.policy.succeeded(clock.advance(7000), pausedUntil);
    expect(change?.reason).toBe('unlimited');
    expect(clock.policy.rate).toBeNull();
  });

  it('refuses options that cannot work', () => {
    expect(() => new AdaptiveRatePolicy({ ratePerSecond: 0 }, () => 0)).toThrow(RangeError);
    expect(() => new AdaptiveRatePolicy({ decreaseFactor: 1 }, () => 0)).toThrow(RangeError);
  });
});
