import { describe, expect, it } from '@jest/globals';
import type { ContentType } from '../../../src/content-types.js';
import type { ProgressSnapshot } from '../../../src/engine/events.js';
import type { Extraction } from '../../../src/extract/orchestrator.js';
import { REGISTRY, type ContentTypeSpec, type PagedListing } from '../../../src/looker/registry.js';
import type { RunningSimulator } from '../../../src/sim/index.js';
import { runCli } from '../../helpers/cli.js';
import { envFor, extractInProcess, simulator, tempDb } from './harness.js';

const expectedOf = (snapshot: ProgressSnapshot, type: ContentType): number | null =>
  snapshot.types.find((entry) => entry.type === type)?.expected ?? null;

/** The registry with the looks listing calling `afterPage(offset)` once each page is back. */
function withLookPageHook(
  afterPage: (offset: number) => void,
): Record<ContentType, ContentTypeSpec> {
  const listing = REGISTRY.look.listing as PagedListing;
  return {
    ...REGISTRY,
    look: {
      ...REGISTRY.look,
      listing: {
        ...listing,
        fetchPage: async (api, page, signal, onTotal) => {
          const items = await listing.fetchPage(api, page, signal, onTotal);
          afterPage(page.offset);
          return items;
        },
      },
    },
  };
}

function requestsOf(sim: RunningSimulator, operation: string): number {
  return sim.requestLog().filter((entry) => entry.operationId === operation).length;
}

describe('progress totals', () => {
  it('take the total from X-Total-Count on the first page, with no extra request', async () => {
    const sim = await simulator({ requestLog: true, counts: { look: 150 } });
    let extraction: Extraction | undefined;
    let afterFirstPage: ProgressSnapshot | undefined;
    const registry = withLookPageHook((offset) => {
      if (offset === 0) afterFirstPage = extraction?.snapshot();
    });
    const { summary } = await extractInProcess(
      sim,
      tempDb(),
      { types: ['look'], batchSize: 20 },
      (e) => (extraction = e),
      { registry },
    );
    expect(summary.status).toBe('success');
    expect(afterFirstPage && expectedOf(afterFirstPage, 'look')).toBe(sim.dataset.count('look'));
    // all_looks (the id listing) only once: reconciliation's, as before totals existed.
    expect(requestsOf(sim, 'all_looks')).toBe(1);
  });

  it('without the header, count the type once with its id listing', async () => {
    const sim = await simulator({ requestLog: true, totalCount: false, counts: { look: 150 } });
    let extraction: Extraction | undefined;
    let afterFirstPage: ProgressSnapshot | undefined;
    let afterCount: ProgressSnapshot | undefined;
    const listIds = (...args: Parameters<ContentTypeSpec['listIds']>) =>
      REGISTRY.look.listIds(...args);
    const registry: Record<ContentType, ContentTypeSpec> = {
      ...withLookPageHook((offset) => {
        if (offset === 0) afterFirstPage = extraction?.snapshot();
      }),
    };
    registry.look = {
      ...registry.look,
      listIds: (api, signal) => {
        const ids = listIds(api, signal);
        // Runs after every reaction the engine attached before: it has recorded the count.
        void ids.then(() => {
          queueMicrotask(() => {
            afterCount ??= extraction?.snapshot();
          });
        });
        return ids;
      },
    };
    const { summary } = await extractInProcess(
      sim,
      tempDb(),
      { types: ['look'], batchSize: 20, workers: 1 },
      (e) => (extraction = e),
      { registry },
    );
    expect(summary.status).toBe('success');
    expect(afterFirstPage && expectedOf(afterFirstPage, 'look')).toBeNull();
    expect(afterCount && expectedOf(afterCount, 'look')).toBe(sim.dataset.count('look'));
    expect(requestsOf(sim, 'all_looks')).toBe(2); // the count, then reconciliation
  });

  it('follow a total that grows or shrinks during the run, and never pass 100%', async () => {
    const sim = await simulator({ counts: { look: 200 } });
    const initial = sim.dataset.count('look');
    let extraction: Extraction | undefined;
    const seen: ProgressSnapshot[] = [];
    const registry = withLookPageHook((offset) => {
      if (extraction) seen.push(extraction.snapshot());
      if (offset === 0) {
        sim.applyMutations(
          Array.from({ length: 30 }, () => ({ action: 'create' as const, type: 'look' as const })),
        );
      }
      if (offset === 40) {
        const ids = sim.dataset.ids('look').slice(-45);
        sim.applyMutations(
          ids.map((id) => ({ action: 'delete' as const, type: 'look' as const, id })),
        );
      }
    });
    await extractInProcess(
      sim,
      tempDb(),
      { types: ['look'], batchSize: 20, workers: 1 },
      (e) => (extraction = e),
      { registry },
    );
    const totals = seen.map((snapshot) => expectedOf(snapshot, 'look'));
    expect(totals[0]).toBe(initial);
    expect(totals[1]).toBe(initial + 30); // page 2 said so
    expect(totals[3]).toBe(initial + 30 - 45); // page 4, after 45 deletions
    for (const snapshot of seen) {
      for (const type of snapshot.types) {
        if (type.expected !== null) expect(type.stored).toBeLessThanOrEqual(type.expected);
      }
    }
  });

  it('the plain progress lines show each type n/N with a percentage, and the run an ETA', async () => {
    const sim = await simulator({ latencyMs: 15, counts: { dashboard: 600 } });
    const result = await runCli(
      [
        'extract',
        '--db',
        tempDb(),
        '--types',
        'dashboards',
        '--fetch',
        'by-id',
        '-w',
        '2',
        '--progress-interval',
        '1s',
      ],
      { env: envFor(sim) },
    );
    expect(result.code).toBe(0);
    // search_dashboards lists user-defined dashboards; LookML ones come with reconciliation.
    const total = sim.dataset.ids('dashboard').filter((id) => !id.includes('::')).length;
    const lines = result.stderr
      .split('\n')
      .filter((line) => /^\[\d\d:\d\d\] [\d,]+ items/.test(line));
    expect(lines.length).toBeGreaterThan(0);
    const line = lines.find((l) => / · \d+(\.\d)?% · ETA ~\d+( s|m\d\ds| min)/.test(l));
    expect(line).toBeDefined();
    expect(line).toMatch(
      new RegExp(`dashboards [\\d,]+/${total.toLocaleString('en')} \\d+(\\.\\d)?%`),
    );
  });
});
