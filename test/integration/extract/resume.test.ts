import { describe, expect, it } from '@jest/globals';
import type { ContentType } from '../../../src/content-types.js';
import type { Extraction } from '../../../src/extract/orchestrator.js';
import { REGISTRY, type ContentTypeSpec } from '../../../src/looker/registry.js';
import type { RunningSimulator } from '../../../src/sim/index.js';
import { runCli } from '../../helpers/cli.js';
import {
  checkpointedOffsets,
  envFor,
  killOnceStored,
  expectedTriples,
  extractInProcess,
  simulator,
  storedTriples,
  tempDb,
} from './harness.js';

/**
 * The registry, with the dashboard listings (ids only, and whole dashboards) calling `onPage`
 * after each page they fetch.
 */
function registryWithPageHook(
  onPage: (count: number) => void,
): Record<ContentType, ContentTypeSpec> {
  const dashboard = REGISTRY.dashboard;
  const { listing, wholeListing } = dashboard;
  if (listing.kind !== 'paged' || !wholeListing) throw new Error('dashboards are paged, whole');
  let pages = 0;
  const counted = async <T>(items: Promise<T>): Promise<T> => {
    const page = await items;
    pages += 1;
    onPage(pages);
    return page;
  };
  return {
    ...REGISTRY,
    dashboard: {
      ...dashboard,
      listing: {
        ...listing,
        fetchPage: (api, page, signal) => counted(listing.fetchPage(api, page, signal)),
      },
      wholeListing: {
        ...wholeListing,
        fetchPage: (api, page, fields, signal) =>
          counted(wholeListing.fetchPage(api, page, fields, signal)),
      },
    },
  };
}

/** A dashboards-only run into `db`, interrupted after its second listed page. */
async function interruptedDashboardRun(sim: RunningSimulator, db: string): Promise<void> {
  let extraction: Extraction | undefined;
  const registry = registryWithPageHook((pages) => {
    if (pages === 2) extraction?.interrupt();
  });
  await extractInProcess(sim, db, { types: ['dashboard'] }, (e) => (extraction = e), {
    registry,
  });
}

/**
 * How many times each of these dashboard page offsets was listed since the last stats reset
 * (pages of the trash, listed whole at the end of a full run, are other pages).
 */
function pageRequestsFor(sim: RunningSimulator, offsets: number[], limit: number): number[] {
  const counts = sim.stats().pageRequests;
  return offsets.map((offset) =>
    Object.entries(counts)
      .filter(
        ([key]) =>
          key.startsWith('search_dashboards ') &&
          !key.includes('deleted=true') &&
          key.endsWith(` offset=${offset} limit=${limit}`),
      )
      .reduce((sum, [, n]) => sum + n, 0),
  );
}

describe('resume', () => {
  it('an interrupted run resumes to the same backup and never lists a checkpointed page again', async () => {
    const sim = await simulator({ counts: { dashboard: 400, look: 30 }, latencyMs: 2 });
    const db = tempDb();
    const batchSize = 20;
    let extraction: Extraction | undefined;
    const registry = registryWithPageHook((pages) => {
      if (pages === 10) extraction?.interrupt();
    });
    const first = await extractInProcess(
      sim,
      db,
      { workers: 4, batchSize, types: ['dashboard', 'look'] },
      (started) => {
        extraction = started;
      },
      { registry },
    );
    expect(first.summary).toMatchObject({ status: 'interrupted', resumable: true });
    const done = checkpointedOffsets(db, 'dashboard');
    expect(done.length).toBeGreaterThan(0);
    expect(done.length).toBeLessThan(20);

    sim.resetStats();
    const second = await extractInProcess(sim, db, {
      workers: 4,
      batchSize,
      types: ['dashboard', 'look'],
    });
    expect(second.summary).toMatchObject({ status: 'success', resumed: true, runId: 1 });
    expect(storedTriples(db)).toEqual(expectedTriples(sim, ['dashboard', 'look']));
    expect(pageRequestsFor(sim, done, batchSize)).toEqual(done.map(() => 0));
  });

  it('a run killed with SIGKILL resumes to the same backup, re-listing only unfinished pages', async () => {
    const sim = await simulator({ counts: { dashboard: 400, look: 20 }, latencyMs: 15 });
    const db = tempDb();
    // One request per item, so the run lasts long enough for a progress line before the kill.
    const args = [
      'extract',
      '--db',
      db,
      '-w',
      '4',
      '--batch-size',
      '20',
      '--types',
      'dashboards,looks',
      '--fetch',
      'by-id',
    ];
    // Kill once a progress line shows a good part of the run stored.
    const killed = await runCli([...args, '--progress-interval', '1s'], {
      env: envFor(sim),
      onStderr: killOnceStored(100),
    });
    expect(killed.signal).toBe('SIGKILL');
    const done = checkpointedOffsets(db, 'dashboard');
    expect(done.length).toBeGreaterThan(0);
    expect(done.length).toBeLessThan(20);

    sim.resetStats();
    const resumed = await runCli([...args, '--json'], { env: envFor(sim) });
    expect(resumed.code).toBe(0);
    const summary = JSON.parse(resumed.stdout) as { status: string; resumed: boolean };
    expect(summary).toMatchObject({ status: 'success', resumed: true });
    expect(resumed.stderr).toMatch(/Resuming run 1/);
    expect(storedTriples(db)).toEqual(expectedTriples(sim, ['dashboard', 'look']));
    expect(pageRequestsFor(sim, done, 20)).toEqual(done.map(() => 0));
  });

  it('--no-resume starts a new run instead of continuing an interrupted one', async () => {
    const sim = await simulator({ counts: { dashboard: 100 } });
    const db = tempDb();
    await interruptedDashboardRun(sim, db);
    const fresh = await extractInProcess(sim, db, { types: ['dashboard'], resume: false });
    expect(fresh.summary).toMatchObject({ runId: 2, resumed: false, status: 'success' });
  });

  it('refuses to resume with other content types, and says how to go on', async () => {
    const sim = await simulator({ counts: { dashboard: 100 } });
    const db = tempDb();
    await interruptedDashboardRun(sim, db);
    const result = await runCli(['extract', '--db', db, '--types', 'looks'], { env: envFor(sim) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Run 1 \(interrupted\) backs up dashboard; you asked for look/);
    expect(result.stderr).toMatch(/--no-resume/);
  });
});
