import { describe, expect, it } from '@jest/globals';
import { openDatabase } from '../../../src/store/sqlite.js';
import { expectedTriples, extractInProcess, simulator, storedTriples, tempDb } from './harness.js';

/** 400 dashboards, 1 in 20 tiles merged: a few dozen merged tiles. */
const DATASET = { counts: { dashboard: 400, look: 20, mergedTilesPerThousand: 50 } } as const;

type Json = Record<string, unknown>;

function storedDashboards(db: string): Map<string, Json> {
  const sqlite = openDatabase(db, { readonly: true });
  try {
    const rows = sqlite
      .prepare(
        "SELECT id, content_json AS json FROM content_items WHERE content_type = 'dashboard'",
      )
      .all() as { id: string; json: string }[];
    return new Map(rows.map((row) => [row.id, JSON.parse(row.json) as Json]));
  } finally {
    sqlite.close();
  }
}

function mergedTiles(dashboard: Json): Json[] {
  return (dashboard.dashboard_elements as Json[]).filter(
    (element) => typeof element.merge_result_id === 'string',
  );
}

describe('merged-results tiles', () => {
  for (const fetch of ['auto', 'by-id'] as const) {
    it(`keeps each merged tile's merge query and its source queries in the dashboard (--fetch ${fetch})`, async () => {
      const sim = await simulator(DATASET);
      const db = tempDb();
      const { summary } = await extractInProcess(sim, db, {
        types: ['dashboard'],
        workers: 4,
        batchSize: 100,
        fetch,
      });
      expect(summary.status).toBe('success');
      expect(storedTriples(db, ['dashboard'])).toEqual(expectedTriples(sim, ['dashboard']));
      const dashboards = storedDashboards(db);
      const tiles = [...dashboards.values()].flatMap(mergedTiles);
      expect(tiles.length).toBeGreaterThan(10);
      for (const tile of tiles) {
        const merge = tile.merge_result as Json;
        expect(merge.id).toBe(tile.merge_result_id);
        const sources = merge.source_queries as Json[];
        expect(sources).toHaveLength(2);
        for (const source of sources) {
          expect((source.query as Json).id).toBe(source.query_id);
          expect((source.query as Json).model).toEqual(expect.any(String));
        }
      }
      // One merge_query and one query per source, each once (trashed dashboards' tiles too).
      const merges = new Set(tiles.map((tile) => tile.merge_result_id));
      const byOperation = sim.stats().requests.byOperation;
      expect(byOperation.merge_query).toBe(merges.size);
      expect(byOperation.query).toBe(2 * merges.size);
    });
  }

  it('keeps a merge the server no longer has as null; a dashboard whose merge failed is fetched again', async () => {
    const sim = await simulator(DATASET);
    const db = tempDb();
    sim.injectFaults(
      { operation: 'merge_query', times: 1, fault: { kind: 'status', status: 404 } },
      { operation: 'merge_query', times: 3, fault: { kind: 'status', status: 400 } },
    );
    const { summary } = await extractInProcess(sim, db, {
      types: ['dashboard'],
      workers: 1,
      batchSize: 100,
    });
    // The dashboards whose merge failed were left out of their pages and fetched again by
    // reconciliation; the one whose merge was gone is kept with a null merge.
    expect(summary.status).toBe('success');
    const tiles = [...storedDashboards(db).values()].flatMap(mergedTiles);
    expect(tiles.filter((tile) => tile.merge_result === null)).toHaveLength(1);
    const expected = expectedTriples(sim, ['dashboard']);
    const stored = storedTriples(db, ['dashboard']);
    expect(stored).toHaveLength(expected.length);
    expect(stored.filter((triple) => !expected.includes(triple))).toHaveLength(1);
  });

  it('does not store a dashboard whose merge keeps failing: the run is partial and says why', async () => {
    const sim = await simulator(DATASET);
    const db = tempDb();
    sim.injectFaults({
      operation: 'merge_query',
      times: 100_000,
      fault: { kind: 'status', status: 400 },
    });
    const { summary } = await extractInProcess(sim, db, {
      types: ['dashboard'],
      workers: 2,
      batchSize: 100,
    });
    expect(summary.status).toBe('partial');
    expect(JSON.stringify(summary.failures)).toContain('its merged results');
    const merged = new Set(
      expectedTriples(sim, ['dashboard'])
        .map((triple) => triple.split(' ')[1] as string)
        .filter((id) => mergedTiles(sim.dataset.get('dashboard', id) as Json).length > 0),
    );
    expect(merged.size).toBeGreaterThan(10);
    const stored = [...storedDashboards(db).keys()];
    expect(stored.filter((id) => merged.has(id))).toEqual([]);
    expect(stored).toHaveLength(expectedTriples(sim, ['dashboard']).length - merged.size);
  });
});
