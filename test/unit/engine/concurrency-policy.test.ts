import { describe, expect, it } from '@jest/globals';
import { ConcurrencyPolicy, type Refusal } from '../../../src/engine/concurrency-policy.js';

const refusal = (overlap: number, othersInFlight = overlap): Refusal => ({
  overlap,
  othersInFlight,
});

/**
 * Reports `count` successes, one per 100 ms after `from`, with the cap holding requests back
 * and the last pause ended at `pausedUntil`; returns the last instant.
 */
function cleanHeld(
  policy: ConcurrencyPolicy,
  from: number,
  count: number,
  pausedUntil = -Infinity,
): number {
  let now = from;
  for (let i = 0; i < count; i += 1) {
    now += 100;
    policy.held(now);
    policy.succeeded(now, pausedUntil);
  }
  return now;
}

describe('ConcurrencyPolicy', () => {
  it('has no cap until a 429, then caps at the requests the server was serving', () => {
    const policy = new ConcurrencyPolicy();
    expect(policy.cap).toBeNull();
    const change = policy.refused(1000, refusal(4, 5), 0);
    expect(change).toEqual({ from: null, to: 4, reason: 'adopted' });
    expect(policy.cap).toBe(4);
    // Not reported until a probe confirms it: the count may be a rate limit's.
    expect(policy.confirmedCap).toBeNull();
  });

  it('never caps under what the allowed rate keeps in flight (a rate limit pays nothing for it)', () => {
    const policy = new ConcurrencyPolicy();
    // One request was ahead of the refused one, but the rate allowed (40/s at 75 ms) keeps 3 busy.
    policy.refused(1000, refusal(1), 3);
    expect(policy.cap).toBe(3);
  });

  it('a refusal with nothing else in flight proves a rate limit: the cap goes, for good', () => {
    const policy = new ConcurrencyPolicy();
    policy.refused(1000, refusal(4), 0);
    expect(policy.refused(5000, refusal(0, 0), 0)).toEqual({
      from: 4,
      to: null,
      reason: 'rate-limit',
    });
    expect(policy.refused(9000, refusal(4), 0)).toBeUndefined();
    expect(policy.cap).toBeNull();
  });

  it('goes up by one after a clean second in which it held requests back, not otherwise', () => {
    const policy = new ConcurrencyPolicy();
    policy.refused(0, refusal(4), 0);
    // Clean but never holding anything back: no reason to raise it.
    for (let now = 100; now <= 3000; now += 100) policy.succeeded(now, -Infinity);
    expect(policy.cap).toBe(4);
    // Paused until 5000: successes of requests already in flight do not count as clean time.
    policy.held(3100);
    expect(policy.succeeded(4500, 5000)).toBeUndefined();
    cleanHeld(policy, 5000, 9, 5000);
    expect(policy.cap).toBe(4);
    cleanHeld(policy, 5900, 1, 5000);
    expect(policy.cap).toBe(5);
  });

  it('a refusal right after a raise, at the cap, is its probe: back one, confirmed, next raise in 30 s, then 60 s', () => {
    const policy = new ConcurrencyPolicy();
    policy.refused(0, refusal(4), 0);
    const raisedAt = cleanHeld(policy, 0, 10);
    expect(policy.cap).toBe(5);
    const probe = refusal(4);
    expect(policy.isProbe(raisedAt + 50, probe)).toBe(true);
    expect(policy.refused(raisedAt + 50, probe, 0)).toEqual({
      from: 5,
      to: 4,
      reason: 'confirmed',
    });
    expect(policy.confirmedCap).toBe(4);
    // 29.9 s clean and held: still 4; at 30 s: 5.
    const pausedUntil = raisedAt + 1050;
    let now = pausedUntil;
    for (; now < pausedUntil + 29_900; now += 100) {
      policy.held(now);
      policy.succeeded(now, pausedUntil);
    }
    expect(policy.cap).toBe(4);
    now = pausedUntil + 30_000;
    policy.held(now);
    policy.succeeded(now, pausedUntil);
    expect(policy.cap).toBe(5);
    // Probing: the cap is 5 for a moment, the confirmed one still 4.
    expect(policy.confirmedCap).toBe(4);
    policy.refused(now + 20, refusal(4), 0);
    expect(policy.cap).toBe(4);
    const second = now + 1020;
    policy.held(second + 59_000);
    policy.succeeded(second + 59_000, second);
    expect(policy.cap).toBe(4);
    policy.held(second + 60_000);
    policy.succeeded(second + 60_000, second);
    expect(policy.cap).toBe(5);
    // A refusal below the confirmed cap, not a probe's: the limit moved, unconfirmed.
    policy.refused(second + 62_000, refusal(2), 0);
    expect(policy.cap).toBe(2);
    expect(policy.confirmedCap).toBeNull();
  });

  it('a refusal that is not the probe (below the cap, or late) lowers the cap and is not explained by it', () => {
    const policy = new ConcurrencyPolicy();
    policy.refused(0, refusal(6), 0);
    const raisedAt = cleanHeld(policy, 0, 10);
    expect(policy.cap).toBe(7);
    // Two under the cap: the server serves fewer than thought.
    expect(policy.isProbe(raisedAt + 10, refusal(4))).toBe(false);
    expect(policy.refused(raisedAt + 10, refusal(4), 0)).toEqual({
      from: 7,
      to: 4,
      reason: 'refused',
    });
    // A refusal at the cap long after its last raise is not a probe either.
    const later = cleanHeld(policy, raisedAt + 1010, 10);
    expect(policy.cap).toBe(5);
    expect(policy.isProbe(later + 2000, refusal(4))).toBe(false);
    // …and never raises the cap.
    expect(policy.refused(later + 2000, refusal(9), 0)).toBeUndefined();
    expect(policy.cap).toBe(5);
  });
});

describe('ConcurrencyPolicy never caps at zero', () => {
  it('a refusal lowering the cap right after a raise ends that raise’s probe window', () => {
    const policy = new ConcurrencyPolicy();
    policy.refused(0, refusal(3), 0);
    const raisedAt = cleanHeld(policy, 0, 10);
    expect(policy.cap).toBe(4);
    // Not the probe (two under the cap): lowered to 1.
    policy.refused(raisedAt + 10, refusal(1, 3), 0);
    expect(policy.cap).toBe(1);
    // A refusal with none ahead of it but others behind, still within a second of the raise:
    // not a probe of the old raise, and never a cap of 0.
    const lone = refusal(0, 2);
    expect(policy.isProbe(raisedAt + 20, lone)).toBe(false);
    policy.refused(raisedAt + 20, lone, 0);
    expect(policy.cap).toBe(1);
    expect(policy.confirmedCap).toBeNull();
  });
});
