import { describe, expect, it } from '@jest/globals';
import { RequestCosts } from '../../../src/engine/request-costs.js';

describe('RequestCosts', () => {
  it('books slot time and requests per tag, over the run and over the last window', () => {
    let now = 0;
    const costs = new RequestCosts({ windowMs: 10_000, now: () => now });
    costs.record('look', 50);
    costs.record('look', 70);
    costs.record('dashboard', 400);
    expect(costs.cost('look')).toMatchObject({ slotMs: 120, requests: 2 });
    expect(costs.cost('look').recent).toMatchObject({ slotMs: 120, requests: 2 });
    now = 30_000;
    costs.record('look', 10);
    // The window holds only the last request; the run's totals keep them all.
    expect(costs.cost('look')).toMatchObject({
      slotMs: 130,
      requests: 3,
      recent: { slotMs: 10, requests: 1 },
    });
    expect(costs.cost('user')).toEqual({
      slotMs: 0,
      requests: 0,
      recent: { slotMs: 0, requests: 0 },
    });
  });

  it('gives the slots in use on average over the window, all tags together', () => {
    let now = 0;
    const costs = new RequestCosts({ windowMs: 10_000, now: () => now });
    expect(costs.slotsInUse()).toBe(0);
    now = 2_000;
    costs.record('look', 6_000);
    costs.record('dashboard', 2_000);
    // 8,000 slot-ms in 2,000 ms since the first tag was booked.
    expect(costs.slotsInUse()).toBeCloseTo(4, 6);
  });
});
