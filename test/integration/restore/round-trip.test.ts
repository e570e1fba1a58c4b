import { describe, expect, it } from '@jest/globals';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { extractInProcess, onCleanup, simulator, tempDb } from '../extract/harness.js';
import { expectRestoredOnce } from './round-trip-check.js';
import {
  BUILT_IN_CONFIGURATION_ONLY,
  NO_CONTENT,
  actionsByType,
  idMap,
  restoreInProcess,
} from './harness.js';

/**
 * Extract A → restore into an empty B → extract B: every restorable item of A has exactly one
 * counterpart in B, equal in its comparison form (docs/restore.md: ids, server-set timestamps,
 * counters, `can`, urls, owners and slugs left out; references mapped through id_map).
 */
describe.each([1, 2])('round trip A → empty B (seed %i)', (seed) => {
  it('restores every item once, equal after normalization; a second restore is all skip', async () => {
    const a = await source(seed);
    const b = await emptyTwin(seed);
    const dbA = tempDb();
    const dbB = tempDb();
    await extractInProcess(a, dbA);

    const first = await restoreInProcess(dbA, b, { otherInstance: true });
    expect(first.summary?.status).toMatch(/^(success|partial)$/);

    await extractInProcess(b, dbB);
    expectRestoredOnce({
      a,
      dbA,
      dbB,
      mapping: idMap(dbA),
      failures: first.summary?.failures ?? [],
    });

    const second = await restoreInProcess(dbA, b, { otherInstance: true, dryRun: true });
    const actions = actionsByType(second.plan);
    const updates = second.plan.items.filter((i) => i.action === 'update');
    expect(updates.map((i) => `${i.type}:${i.sourceId} ${i.reason}`)).toEqual([]);
    for (const type of Object.keys(actions)) {
      const counts = actions[type] as Record<string, number>;
      const writes = (counts.create ?? 0) + (counts.update ?? 0) + (counts.undelete ?? 0);
      const failedBefore = (first.summary?.failures ?? []).filter((f) => f.type === type).length;
      // Only what could not be restored the first time is planned again (as a create).
      expect({ type, writes, update: counts.update ?? 0 }).toEqual({
        type,
        writes: failedBefore,
        update: 0,
      });
    }
    const run = await restoreInProcess(dbA, b, { otherInstance: true });
    expect(run.summary?.types.reduce((n, t) => n + t.planned.update, 0)).toBe(0);
  });
});

/** A second instance: the same people and LookML as the seed's, and no content. */
/**
 * The suite runs the small dataset; `LOOKERVAULT_ROUND_TRIP=default` runs the simulator's
 * default one (2,000 dashboards, 1,500 looks, …: a few minutes, recorded in
 * bench/results/restore.md).
 */
const FULL = process.env.LOOKERVAULT_ROUND_TRIP === 'default';

async function source(seed: number): Promise<RunningSimulator> {
  if (!FULL) return simulator({ seed });
  const sim = await startSimulator({ seed });
  onCleanup(() => sim.close());
  return sim;
}

async function emptyTwin(seed: number): Promise<RunningSimulator> {
  // Configuration too: only what every instance has (the built-in sets and the Admin role).
  const counts = { ...NO_CONTENT, ...BUILT_IN_CONFIGURATION_ONLY };
  if (!FULL) return simulator({ seed, empty: true, counts });
  const sim = await startSimulator({ seed, empty: true, counts });
  onCleanup(() => sim.close());
  return sim;
}
