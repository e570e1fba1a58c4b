import { describe, expect, it } from '@jest/globals';
import { UsageError } from '../../../src/errors.js';
import { applyPolicy, planForget, type SnapshotRecord } from '../../../src/store/index.js';

function snapshot(id: number, startedAt: string): SnapshotRecord {
  return {
    id,
    baseUrl: 'https://looker.example.com',
    status: 'success',
    startedAt,
    endedAt: startedAt,
    durationMs: 0,
    types: ['dashboard'],
    items: 1,
    trashed: 0,
    new: 0,
    changed: 0,
    deleted: 0,
    requests: 1,
    incremental: false,
    scope: null,
  };
}

/** Two snapshots a day at 01:00 and 13:00 for 40 days from 2026-01-01 (a Thursday). */
const TWICE_DAILY: SnapshotRecord[] = Array.from({ length: 80 }, (_, n) => {
  const day = new Date(Date.UTC(2026, 0, 1 + Math.floor(n / 2), n % 2 === 0 ? 1 : 13));
  return snapshot(n + 1, day.toISOString());
});

const kept = (decisions: ReturnType<typeof applyPolicy>): number[] =>
  decisions.filter((d) => d.keep).map((d) => d.snapshot.id);

describe('retention policy (restic forget semantics)', () => {
  it('--keep-last keeps the newest n', () => {
    expect(kept(applyPolicy(TWICE_DAILY, { last: 3 }))).toEqual([80, 79, 78]);
  });

  it('--keep-daily keeps the newest snapshot of each of the last n days that have one', () => {
    // Day 40's 13:00 run is id 80, day 39's is 78, …
    expect(kept(applyPolicy(TWICE_DAILY, { daily: 3 }))).toEqual([80, 78, 76]);
  });

  it('--keep-weekly buckets by ISO week (Monday to Sunday, UTC)', () => {
    // 2026-02-09 is the last day (a Monday, week 7): its own week, then the Sunday before.
    const decisions = applyPolicy(TWICE_DAILY, { weekly: 3 });
    expect(kept(decisions).map((id) => TWICE_DAILY[id - 1]?.startedAt.slice(0, 10))).toEqual([
      '2026-02-09',
      '2026-02-08',
      '2026-02-01',
    ]);
  });

  it('--keep-monthly and --keep-yearly keep the newest of each month and year', () => {
    const decisions = applyPolicy(TWICE_DAILY, { monthly: 5, yearly: 1 });
    expect(kept(decisions)).toEqual([80, 62]);
    expect(decisions[0]?.reasons).toEqual(['monthly snapshot', 'yearly snapshot']);
  });

  it('--keep-hourly with runs within one hour keeps one', () => {
    const sameHour = [
      snapshot(1, '2026-01-01T10:05:00.000Z'),
      snapshot(2, '2026-01-01T10:45:00.000Z'),
      snapshot(3, '2026-01-01T11:10:00.000Z'),
    ];
    expect(kept(applyPolicy(sameHour, { hourly: 5 }))).toEqual([3, 2]);
  });

  it('rules combine: kept by any rule is kept, with every reason', () => {
    const decisions = applyPolicy(TWICE_DAILY, { last: 2, daily: 2 });
    expect(kept(decisions)).toEqual([80, 79, 78]);
    expect(decisions[0]?.reasons).toEqual(['last snapshot', 'daily snapshot']);
    expect(decisions[1]?.reasons).toEqual(['last snapshot']);
  });

  it('never removes the newest snapshot', () => {
    const decisions = applyPolicy(TWICE_DAILY, { yearly: 0 });
    expect(kept(decisions)).toEqual([80]);
    expect(decisions[0]?.reasons).toEqual(['newest snapshot']);
  });

  it('refuses a request that names nothing, unknown ids, the newest, or both forms', () => {
    expect(() => planForget(TWICE_DAILY, { policy: {}, ids: [] })).toThrow(UsageError);
    expect(() => planForget(TWICE_DAILY, { policy: {}, ids: [81] })).toThrow(/no snapshot 81/);
    expect(() => planForget(TWICE_DAILY, { policy: {}, ids: [80] })).toThrow(/newest/);
    expect(() => planForget(TWICE_DAILY, { policy: { last: 1 }, ids: [3] })).toThrow(/not both/);
    expect(kept(planForget(TWICE_DAILY, { policy: {}, ids: [3, 4] }))).toHaveLength(78);
  });
});
