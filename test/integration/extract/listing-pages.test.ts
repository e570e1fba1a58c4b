import { describe, expect, it } from '@jest/globals';
import type { SimulatorOptions } from '../../../src/sim/index.js';
import { expectedTriples, extractInProcess, simulator, storedTriples, tempDb } from './harness.js';

/** 600 dashboards in pages of 100: six listing pages. */
const DASHBOARDS = { counts: { dashboard: 600, look: 20 } } as const;

async function backUp(options: SimulatorOptions, fetch: 'auto' | 'by-id' = 'auto') {
  const sim = await simulator({ ...DASHBOARDS, ...options });
  const db = tempDb();
  const { summary } = await extractInProcess(sim, db, {
    types: ['dashboard'],
    batchSize: 100,
    workers: 4,
    fetch,
  });
  const byOperation = sim.stats().requests.byOperation;
  const dashboardRequests = (byOperation.search_dashboards ?? 0) + (byOperation.dashboard ?? 0);
  return { sim, db, summary, byOperation, dashboardRequests };
}

describe('whole objects from listing pages', () => {
  it('stores exactly what per-item fetching stores, in at most 0.05 requests per dashboard', async () => {
    const listed = await backUp({});
    const byId = await backUp({}, 'by-id');
    const expected = expectedTriples(listed.sim, ['dashboard']);
    expect(storedTriples(listed.db, ['dashboard'])).toEqual(expected);
    expect(storedTriples(byId.db, ['dashboard'])).toEqual(expected);
    const dashboards = listed.sim.dataset.ids('dashboard').length;
    expect(listed.dashboardRequests / dashboards).toBeLessThanOrEqual(0.05);
    expect(byId.dashboardRequests / dashboards).toBeGreaterThan(1);
    expect(listed.summary.status).toBe('success');
    expect(listed.summary.listings?.dashboard).toMatchObject({
      source: 'listing',
      reason: null,
      mismatches: 0,
    });
    expect(byId.summary.listings?.dashboard).toMatchObject({ source: 'by-id' });
  });

  it('takes the trash of a full run from whole pages too: no dashboard(id) but the probes', async () => {
    const { sim, db, summary, byOperation } = await backUp({});
    const trashed = sim.dataset.deletedIds('dashboard').length;
    expect(trashed).toBeGreaterThan(0);
    expect(storedTriples(db, ['dashboard'])).toEqual(expectedTriples(sim, ['dashboard']));
    // LookML dashboards ("model::name") are only in all_dashboards: reconciliation fetches them.
    const lookml = sim.dataset.ids('dashboard').filter((id) => id.includes('::')).length;
    expect(byOperation.dashboard ?? 0).toBe((summary.listings?.dashboard?.probes ?? 0) + lookml);
    const trashPages = Object.keys(sim.stats().pageRequests).filter(
      (key) => key.startsWith('search_dashboards ') && key.includes('deleted=true'),
    );
    expect(trashPages).toEqual([`search_dashboards deleted=true offset=0 limit=100`]);
  });

  it('falls back to dashboard(id) when listings lack dashboard_elements, and names the key', async () => {
    const { sim, db, summary, byOperation } = await backUp({
      dashboardListing: { omit: ['dashboard_elements'] },
    });
    expect(storedTriples(db, ['dashboard'])).toEqual(expectedTriples(sim, ['dashboard']));
    expect(summary.listings?.dashboard?.source).toBe('by-id');
    expect(summary.listings?.dashboard?.reason).toContain('dashboard_elements');
    // Every dashboard fetched by id (LookML ones come from reconciliation).
    expect(byOperation.dashboard ?? 0).toBeGreaterThanOrEqual(sim.dataset.ids('dashboard').length);
  });

  it('asks for the missing parts with fields when the server sends them only when asked', async () => {
    const { sim, db, summary, dashboardRequests } = await backUp({
      dashboardListing: { omit: 'abbreviated', unlessAsked: true },
    });
    expect(storedTriples(db, ['dashboard'])).toEqual(expectedTriples(sim, ['dashboard']));
    expect(summary.listings?.dashboard).toMatchObject({ source: 'listing' });
    expect(summary.listings?.dashboard?.fields).toContain('dashboard_elements');
    expect(dashboardRequests / sim.dataset.ids('dashboard').length).toBeLessThanOrEqual(0.06);
  });

  it('notices a server that starts dropping parts after 5 pages and stores nothing less', async () => {
    const { sim, db, summary } = await backUp({
      dashboardListing: { omit: ['dashboard_filters', 'dashboard_layouts'], fromPage: 5 },
    });
    expect(storedTriples(db, ['dashboard'])).toEqual(expectedTriples(sim, ['dashboard']));
    expect(summary.listings?.dashboard?.source).toBe('by-id');
    expect(summary.listings?.dashboard?.reason).toMatch(/dashboard_filters|dashboard_layouts/);
  });

  it('catches a single listed dashboard that lacks a part, even when the probe misses it', async () => {
    // Dashboard "150" is on the second page; its probe (one item) is another one.
    const { sim, db, summary } = await backUp({
      dashboardListing: { omit: ['dashboard_elements'], onlyIds: ['150'] },
    });
    expect(storedTriples(db, ['dashboard'])).toEqual(expectedTriples(sim, ['dashboard']));
    expect(summary.listings?.dashboard?.source).toBe('by-id');
  });
});
