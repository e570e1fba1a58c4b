import { describe, expect, it } from '@jest/globals';
import { listRuns, openVault } from '../../../src/store/index.js';
import { openDatabase } from '../../../src/store/sqlite.js';
import { runCli } from '../../helpers/cli.js';
import {
  envFor,
  expectedTriples,
  extractInProcess,
  simulator,
  storedTriples,
  tempDb,
} from './harness.js';

describe('extract under a hostile server', () => {
  it('rides out a 429 storm with no intervention and no request sent inside a Retry-After pause', async () => {
    const sim = await simulator({
      counts: { dashboard: 60, look: 30, folder: 5, user: 5 },
      // A request already on the wire when the 429 left may arrive late on a busy loop; one
      // arriving after this is a request sent while the pause held.
      retryAfterGraceMs: 400,
    });
    // A scripted storm, so the 429s do not depend on how fast this machine can send: every
    // worker's first requests are refused, and the retries of some of them too.
    sim.injectFaults({ times: 12, fault: { kind: 'status', status: 429, retryAfterSeconds: 1 } });
    const db = tempDb();
    const { summary } = await extractInProcess(sim, db, { workers: 8, batchSize: 10 });
    expect(summary.status).toBe('success');
    expect(sim.stats().rateLimited).toBe(12);
    expect(summary.rateLimited).toBe(12);
    expect(sim.stats().retryAfterViolations).toBe(0);
    expect(storedTriples(db)).toEqual(expectedTriples(sim));
  });

  it('retries a first login that got a 503 or no answer, like any transient request', async () => {
    const sim = await simulator({ counts: { dashboard: 30, look: 10 } });
    sim.injectFaults(
      { operation: 'login', fault: { kind: 'status', status: 503 } },
      { operation: 'login', fault: { kind: 'hang' } },
    );
    const db = tempDb();
    const { summary } = await extractInProcess(sim, db, {
      types: ['dashboard', 'look'],
      timeoutMs: 500,
    });
    expect(summary.status).toBe('success');
    expect(sim.stats().faults.scripted).toBe(2);
    expect(storedTriples(db, ['dashboard', 'look'])).toEqual(
      expectedTriples(sim, ['dashboard', 'look']),
    );
  });

  it('records a page refused with 403 as one attempt, not the retry budget', async () => {
    const sim = await simulator({ counts: { dashboard: 10, user: 30 } });
    sim.injectFaults({ operation: 'search_users', fault: { kind: 'status', status: 403 } });
    const db = tempDb();
    await extractInProcess(sim, db, { types: ['user'], batchSize: 10 });
    const reader = openDatabase(db, { readonly: true });
    try {
      // The page failed once; reconciliation then stored its users, so it is recovered.
      const failed = reader
        .prepare<[], { attempts: number; status: string }>(
          "SELECT attempts, status FROM checkpoints WHERE content_type = 'user' AND error LIKE '%403%'",
        )
        .all();
      expect(failed).toEqual([{ attempts: 1, status: 'done' }]);
    } finally {
      reader.close();
    }
  });

  it('stores every item despite 5xx, reset connections and hung responses', async () => {
    const sim = await simulator({
      faults: { serverErrorRate: 0.03, resetRate: 0.01, hangRate: 0.01 },
      seed: 7,
    });
    const db = tempDb();
    const { summary } = await extractInProcess(sim, db, {
      workers: 8,
      batchSize: 15,
      timeoutMs: 500,
    });
    const faults = sim.stats().faults;
    expect(faults.serverError).toBeGreaterThan(0);
    expect(faults.reset).toBeGreaterThan(0);
    expect(faults.hang).toBeGreaterThan(0);
    expect(summary.status).toBe('success');
    expect(summary.retries).toBeGreaterThanOrEqual(faults.serverError + faults.reset + faults.hang);
    expect(storedTriples(db)).toEqual(expectedTriples(sim));
  });

  it('reports a malformed item, stores the rest, and ends partial (exit 3)', async () => {
    const sim = await simulator({
      counts: { dashboard: 40, look: 10 },
      invalidItems: { dashboard: ['17'], look: { '4': 'missing-id' } },
    });
    const db = tempDb();
    const result = await runCli(
      ['extract', '--db', db, '--types', 'dashboards,looks', '--json', '--no-progress'],
      { env: envFor(sim) },
    );
    expect(result.code).toBe(3);
    const summary = JSON.parse(result.stdout) as {
      status: string;
      failedItems: number;
      failures: Array<{ type: string; itemId: string | null; error: string }>;
    };
    expect(summary.status).toBe('partial');
    expect(summary.failedItems).toBe(2);
    expect(summary.failures).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'dashboard', itemId: '17' })]),
    );
    const stored = storedTriples(db).map((triple) => triple.split(' ').slice(0, 2).join(' '));
    const expected = expectedTriples(sim, ['dashboard', 'look'])
      .map((triple) => triple.split(' ').slice(0, 2).join(' '))
      .filter((key) => key !== 'dashboard 17' && key !== 'look 4');
    expect(stored).toEqual(expected);
    expect(result.stderr).toMatch(/dashboard.*17/);
  });

  it('a page that keeps failing after --max-retries is made good by reconciliation: every item stored, success', async () => {
    const sim = await simulator({ counts: { dashboard: 60 } });
    sim.injectFaults({
      operation: 'search_dashboards',
      times: 3,
      fault: { kind: 'status', status: 503 },
    });
    const db = tempDb();
    const { summary } = await extractInProcess(sim, db, {
      types: ['dashboard'],
      workers: 1,
      batchSize: 20,
      maxRetries: 2,
    });
    // Reconciliation fetched the failed page's dashboards by id: nothing is missing.
    expect(summary.items.dashboard).toBe(
      sim.dataset.count('dashboard') + sim.dataset.deletedIds('dashboard').length,
    );
    expect(summary).toMatchObject({ status: 'success', failedPages: 0, failedItems: 0 });
    const reader = openDatabase(db, { readonly: true });
    try {
      const page = reader
        .prepare("SELECT status, error, attempts FROM checkpoints WHERE unit_key = 'o:0'")
        .get() as { status: string; error: string; attempts: number };
      expect(page).toMatchObject({ status: 'done', attempts: 3 });
      expect(page.error).toMatch(/^recovered by reconciliation after: .*503/);
    } finally {
      reader.close();
    }
  });

  it('a page whose items cannot all be fetched, even by reconciliation, ends the run partial', async () => {
    const sim = await simulator({ counts: { dashboard: 60 } });
    // One dashboard's detail call fails on the page and again when reconciliation asks.
    sim.injectFaults({ operation: 'dashboard', times: 1, fault: { kind: 'status', status: 503 } });
    const db = tempDb();
    let reconciling = false;
    const { summary } = await extractInProcess(
      sim,
      db,
      { types: ['dashboard'], workers: 1, batchSize: 20, maxRetries: 0, fetch: 'by-id' },
      (extraction) => {
        extraction.onEvent((event) => {
          if (event.kind === 'type-state' && event.state === 'reconciling' && !reconciling) {
            reconciling = true;
            sim.injectFaults({
              operation: 'dashboard',
              times: 1,
              fault: { kind: 'status', status: 503 },
            });
          }
        });
      },
    );
    expect(summary.status).toBe('partial');
    expect(summary.failedItems).toBe(1);
  });

  it('stores a folder in one shape whether it came from its listing page or by id', async () => {
    const sim = await simulator();
    // The folders' first page fails for good: reconciliation fetches its folders by id
    // (folder(id) embeds the folder's dashboards and looks, which the listing leaves out).
    sim.injectFaults({
      operation: 'search_folders',
      times: 2,
      fault: { kind: 'status', status: 503 },
    });
    const db = tempDb();
    const { summary } = await extractInProcess(sim, db, {
      types: ['folder'],
      workers: 1,
      batchSize: 10,
      maxRetries: 1,
    });
    expect(summary.status).toBe('success');
    expect(storedTriples(db, ['folder'])).toEqual(expectedTriples(sim, ['folder']));
    // So the next clean run finds every folder unchanged.
    const again = await extractInProcess(sim, db, { types: ['folder'], batchSize: 10 });
    expect(again.summary.types.folder).toMatchObject({ changed: 0, new: 0 });
  });

  it('counts, in the run record, the items that pages which failed part-way stored', async () => {
    const sim = await simulator({ counts: { dashboard: 60 } });
    // One dashboard's detail call fails for good: its page fails with its other 19 stored;
    // reconciliation then fetches the one that was missing.
    sim.injectFaults({ operation: 'dashboard', times: 1, fault: { kind: 'status', status: 503 } });
    const db = tempDb();
    const { summary } = await extractInProcess(sim, db, {
      types: ['dashboard'],
      workers: 1,
      batchSize: 20,
      maxRetries: 0,
      fetch: 'by-id',
    });
    expect(summary.status).toBe('success'); // reconciliation fetched the missing one
    const vault = openVault(db, { readonly: true });
    try {
      const [run] = listRuns(vault, { limit: 1 });
      expect(run?.counts.stored).toBe(summary.items.dashboard);
      expect(run?.counts.stored).toBe(storedTriples(db, ['dashboard']).length);
    } finally {
      vault.close();
    }
  });
});
