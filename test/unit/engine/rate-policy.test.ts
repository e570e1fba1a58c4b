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

  it('with a cap, lets the pause alone act on a first 429 with fewer than 5 successes to go on', () => {
    const clock = policyAt({ ratePerSecond: 30 });
    succeed(clock, 4, 1000);
    const decision = clock.policy.rateLimited(clock.now(), 1000, clock.now() - 1);
    expect(decision.change).toBeUndefined();
    expect(clock.policy.rate).toBe(30);
  });

  it('without a cap, starts slow after such a 429: 1/s, doubled every quarter interval while it holds requests back', () => {
    const clock = policyAt({ increaseIntervalMs: 1000 });
    succeed(clock, 2, 1000);
    const decision = clock.policy.rateLimited(clock.now(), 1000, clock.now() - 1);
    expect(decision.change).toMatchObject({ from: null, to: 1, reason: 'decrease' });
    const pausedUntil = clock.now() + 1000;
    clock.advance(1000);
    for (const expected of [2, 4, 8]) {
      clock.policy.held(clock.advance(249));
      clock.policy.succeeded(clock.advance(1), pausedUntil);
      expect(clock.policy.rate).toBe(expected);
    }
    // Nothing held back: no doubling.
    clock.policy.succeeded(clock.advance(300), pausedUntil);
    expect(clock.policy.rate).toBe(8);
    // The next 429 ends slow start between half the rate and the rate.
    clock.policy.held(clock.now());
    clock.policy.rateLimited(clock.advance(10), 1000, clock.now() - 1);
    expect(clock.policy.rate).toBe(4);
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

  it('cuts a repeated episode soon after a pause by decreaseFactor when nothing else is known, never raising the rate', () => {
    const clock = policyAt({ ratePerSecond: 10 });
    clock.policy.rateLimited(clock.now(), 1000, clock.now() - 1);
    const first = clock.policy.rate ?? 0;
    succeed(clock, 1, 2_000);
    clock.policy.rateLimited(clock.now(), 1000, clock.now() - 1);
    expect(clock.policy.rate).toBeCloseTo(first * 0.9, 6);
  });

  it('after a long clean run, one 429 sets the rate just under where it came, held there until a probe is due', () => {
    const clock = policyAt({ ratePerSecond: 50, increaseIntervalMs: 1000 });
    clock.policy.rateLimited(clock.now(), 1000, clock.now() - 1); // first: the pause alone
    succeed(clock, 600, 12_000);
    clock.policy.rateLimited(clock.now(), 1000, clock.now() - 1);
    expect(clock.policy.rate).toBeCloseTo(50 * 0.98, 6);
    // Held back and clean: the rate closes the gap to 99 % of 50 and stays there.
    const pausedUntil = clock.now() + 1000;
    clock.advance(1000);
    for (let i = 0; i < 10; i++) {
      clock.policy.held(clock.advance(1000));
      clock.policy.succeeded(clock.now(), pausedUntil);
    }
    expect(clock.policy.rate).toBeCloseTo(49.5, 1);
    expect(clock.policy.rate).toBeLessThan(50);
  });

  it("takes the last second's successes as the limit when two trips in a row saw the same count (a window server)", () => {
    const clock = policyAt({ ratePerSecond: 90 });
    clock.policy.rateLimited(clock.now(), 1000, clock.now() - 1); // first: the pause alone
    for (let trip = 0; trip < 2; trip++) {
      clock.advance(1000); // the pause
      // 40 successes in 0.44 s at 90/s, then the window is full.
      for (let i = 0; i < 40; i++) {
        clock.policy.held(clock.advance(11));
        clock.policy.succeeded(clock.now(), -Infinity);
      }
      clock.policy.rateLimited(clock.advance(1), 1000, clock.now() - 1);
    }
    expect(clock.policy.rate).toBeGreaterThan(39);
    expect(clock.policy.rate).toBeLessThanOrEqual(40);
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
