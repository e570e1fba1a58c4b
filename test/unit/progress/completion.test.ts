import { describe, expect, it } from '@jest/globals';
import type { ProgressSnapshot, TypeCost, TypeProgress } from '../../../src/engine/events.js';
import { completion, completionText } from '../../../src/progress/completion.js';
import { snapshot, typeProgress } from './fixtures.js';

/** The looks and dashboards rows of a snapshot built by sharedSlots. */
function rows(base: ProgressSnapshot): [TypeProgress, TypeProgress] {
  return [base.types[0] as TypeProgress, base.types[1] as TypeProgress];
}

function cost(overrides: Partial<TypeCost>): TypeCost {
  return {
    itemsLeft: 0,
    itemsToStore: 0,
    slotMsPerItem: 1,
    requestsPerItem: 1,
    writeMsPerItem: 0,
    recentSlotMs: 1000,
    ...overrides,
  };
}

/**
 * The case that made items/s wrong (bench/results/progress-eta-auto.md): looks fetched one
 * request per item (50 ms of a slot each) hold most of the 8 slots; dashboards from pages of
 * whole objects (4 ms of a slot per item) get the rest, and go 16 times faster once alone.
 */
function sharedSlots(options: { dashboardWriteMs?: number; rate?: number | null } = {}) {
  const { dashboardWriteMs = 0, rate = null } = options;
  return snapshot({
    requests: {
      total: 100,
      perSecond: 100,
      inFlight: 8,
      latencyMs: { p50: 50, p95: 90, p99: 99 },
      slotsInUse: 8,
    },
    rateLimit: { hits: 0, pausedMs: 0, pausedUntil: null, allowedRatePerSecond: rate },
    types: [
      typeProgress('look', {
        state: 'listing',
        stored: 500,
        expected: 1_460,
        itemsPerSecond: 100,
        cost: cost({ itemsLeft: 960, itemsToStore: 960, slotMsPerItem: 50, recentSlotMs: 7_000 }),
      }),
      typeProgress('dashboard', {
        state: 'listing',
        stored: 1_000,
        expected: 20_000,
        itemsPerSecond: 100,
        cost: cost({
          itemsLeft: 19_000,
          itemsToStore: 19_000,
          slotMsPerItem: 4,
          requestsPerItem: 0.01,
          writeMsPerItem: dashboardWriteMs,
          recentSlotMs: 1_000,
        }),
      }),
      typeProgress('folder', { state: 'done', stored: 500, expected: 500 }),
    ],
  });
}

describe('completion: the share and the time left', () => {
  it('is the slot time left over the slots in use, and each type ends as the slots drain', () => {
    const result = completion(sharedSlots());
    // Looks: 960 × 50 = 48,000 slot-ms; dashboards 19,000 × 4 = 76,000; 8 slots.
    expect(result.leftMs).toBeCloseTo((48_000 + 76_000) / 8, 6);
    // Looks keep 7/8 of the slots: 960 ÷ (8 × 7/8 ÷ 50 per ms).
    expect(result.typeLeftMs.look).toBeCloseTo(960 / ((8 * 0.875) / 50), 6);
    expect(result.typeLeftMs.dashboard).toBeCloseTo(result.leftMs ?? 0, 6);
    expect(result.share).toBeCloseTo((500 + 1_000 + 500) / (1_460 + 20_000 + 500), 9);
    // Items per second would have said (960 + 19,000) ÷ 200/s, nearly seven times too long.
    expect(((960 + 19_000) / 200) * 1000).toBeGreaterThan(6 * (result.leftMs ?? 0));
  });

  it('slows every type down alike when the one writer cannot keep up', () => {
    // Alone, the dashboards would fetch 2 items a ms; the writer stores 1 (1 ms each).
    const result = completion(sharedSlots({ dashboardWriteMs: 1 }));
    const looksEnd = 960 / ((8 * 0.875) / 50);
    const dashboardsByThen = looksEnd * ((8 * 0.125) / 4);
    expect(result.typeLeftMs.look).toBeCloseTo(looksEnd, 6);
    expect(result.leftMs).toBeCloseTo(looksEnd + (19_000 - dashboardsByThen) * 1, 6);
  });

  it('is at least the requests left at the rate the gate holds', () => {
    // 960 + 190 requests at 10/s.
    const result = completion(sharedSlots({ rate: 10 }));
    expect(result.leftMs).toBeCloseTo(((960 + 190) / 10) * 1000, 3);
  });

  it('counts fetched items waiting for the writer as costing no request', () => {
    const base = sharedSlots();
    const [look, dashboard] = rows(base);
    const result = completion({
      ...base,
      types: [
        {
          ...look,
          cost: cost({ ...look.cost, itemsLeft: 0, itemsToStore: 100, writeMsPerItem: 1 }),
        },
        { ...dashboard, state: 'done', stored: 20_000 },
      ],
    });
    // 100 items for the writer at 1 ms each; no slot time.
    expect(result.leftMs).toBeCloseTo(100, 3);
  });

  it('is unknown while a running type has items left and no cost, or no request has finished', () => {
    const base = sharedSlots();
    const [look, dashboard] = rows(base);
    const noCost = { ...dashboard, cost: undefined };
    expect(completion({ ...base, types: [look, noCost] })).toMatchObject({ leftMs: null });
    expect(completionText(completion({ ...base, types: [look, noCost] }))).toMatch(/ETA …$/);
    const idle = { ...base, requests: { ...base.requests, slotsInUse: 0 } };
    expect(completion(idle).leftMs).toBeNull();
    // A type with everything stored needs no cost (a resumed run reconciling, say).
    const stored = { ...dashboard, stored: 20_000, cost: undefined };
    expect(completion({ ...base, types: [look, stored] }).leftMs).toBeCloseTo(960 / (8 / 50), 6);
  });

  it('without costs (a restore), is the items left at the rate of the types still running', () => {
    const base = sharedSlots();
    const requests = { ...base.requests };
    delete requests.slotsInUse;
    const result = completion({
      ...base,
      requests,
      types: base.types.map((type) => ({ ...type, cost: undefined })),
    });
    expect(result.leftMs).toBeCloseTo(((960 + 19_000) / 200) * 1000, 6);
    expect(result.typeLeftMs).toEqual({});
  });

  it('is zero when every item is stored, and unknown while some total is', () => {
    const base = sharedSlots();
    const done = base.types.map((type) => ({ ...type, state: 'done' as const }));
    expect(completion({ ...base, types: done })).toMatchObject({ share: 1, leftMs: 0 });
    const unknown = [...base.types, typeProgress('user', { state: 'listing', stored: 10 })];
    expect(completion({ ...base, types: unknown })).toMatchObject({ share: null, leftMs: null });
  });

  it('is worked out once per snapshot (a frame asks for the header and again for the rows)', () => {
    const snapshot = sharedSlots();
    expect(completion(snapshot)).toBe(completion(snapshot));
    expect(completion({ ...snapshot })).not.toBe(completion(snapshot));
    expect(completion({ ...snapshot })).toEqual(completion(snapshot));
  });
});
