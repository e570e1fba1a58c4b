import { describe, expect, it } from '@jest/globals';
import { expectedTriples, extractInProcess, simulator, storedTriples, tempDb } from './harness.js';

describe('extract stores every item exactly once', () => {
  it.each([1, 4, 16, 50])(
    'with %i worker(s) the backup equals the instance and requests in flight never exceed the worker count',
    async (workers) => {
      const sim = await simulator({ latencyMs: 2, jitterMs: 3 });
      const db = tempDb();
      const { summary } = await extractInProcess(sim, db, { workers, batchSize: 15 });
      expect(summary.status).toBe('success');
      expect(storedTriples(db)).toEqual(expectedTriples(sim));
      expect(sim.stats().peakConcurrency).toBeLessThanOrEqual(workers);
      expect(summary.failedPages).toBe(0);
    },
  );

  it('a second run over an unchanged instance finds every item unchanged and adds nothing', async () => {
    const sim = await simulator();
    const db = tempDb();
    await extractInProcess(sim, db);
    const { summary } = await extractInProcess(sim, db, { resume: false });
    expect(summary.status).toBe('success');
    expect(summary.totals.new).toBe(0);
    expect(summary.totals.changed).toBe(0);
    expect(summary.totals.unchanged).toBe(summary.totals.stored);
    expect(storedTriples(db)).toEqual(expectedTriples(sim));
  });

  it('holds every item that existed throughout a run while the instance changes under it', async () => {
    const sim = await simulator({
      mutation: { everyRequests: 7, types: ['dashboard', 'look'] },
      latencyMs: 1,
    });
    const before = new Set(expectedTriples(sim).map((triple) => triple.split(' ', 2).join(' ')));
    const db = tempDb();
    const { summary } = await extractInProcess(sim, db, { workers: 8, batchSize: 10 });
    expect(sim.stats().mutations).toBeGreaterThan(5);
    const after = new Set(expectedTriples(sim).map((triple) => triple.split(' ', 2).join(' ')));
    const stored = new Set(storedTriples(db).map((triple) => triple.split(' ', 2).join(' ')));
    const throughout = [...before].filter((key) => after.has(key));
    expect(throughout.filter((key) => !stored.has(key))).toEqual([]);
    expect(summary.status).toBe('success');
  });

  it('stores LookML dashboards, which only the id listing reveals, through reconciliation', async () => {
    const sim = await simulator();
    const db = tempDb();
    await extractInProcess(sim, db, { types: ['dashboard'] });
    const lookml = sim.dataset.ids('dashboard').filter((id) => id.includes('::'));
    expect(lookml.length).toBeGreaterThan(0);
    const stored = storedTriples(db, ['dashboard']).map((triple) => triple.split(' ')[1]);
    expect(stored).toEqual(expect.arrayContaining(lookml));
  });

  it('backs up the LookML models explores need even when only explores are asked for', async () => {
    const sim = await simulator();
    const db = tempDb();
    const { summary } = await extractInProcess(sim, db, { types: ['explore'] });
    expect(summary.items.explore).toBe(sim.dataset.count('explore'));
    expect(summary.items.lookml_model).toBe(sim.dataset.count('lookml_model'));
  });
});
