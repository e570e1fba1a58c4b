import { describe, expect, it } from '@jest/globals';
import {
  OffsetCoordinator,
  RECONCILE_KEY,
  pageKey,
  type StreamPlan,
  type WorkUnit,
} from '../../../src/extract/coordinator.js';

const paged = (type: StreamPlan['type']): StreamPlan => ({ type, listing: 'paged' });

/** Claims until nothing is claimable right now. */
function claimAll(coordinator: OffsetCoordinator): WorkUnit[] {
  const units: WorkUnit[] = [];
  for (let unit = coordinator.claim(); unit; unit = coordinator.claim()) units.push(unit);
  return units;
}

function pageOffsets(units: WorkUnit[]): number[] {
  return units.flatMap((unit) => (unit.kind === 'page' ? [unit.offset] : []));
}

/** A fake server listing `sizes[type]` items; completes a page with what it would return. */
function serve(coordinator: OffsetCoordinator, unit: WorkUnit, size: number): void {
  if (unit.kind === 'page') {
    coordinator.complete(unit, Math.max(0, Math.min(unit.limit, size - unit.offset)));
  } else {
    coordinator.complete(unit);
  }
}

describe('OffsetCoordinator', () => {
  it("hands out every type's first page before any type's second page", () => {
    const coordinator = new OffsetCoordinator([paged('dashboard'), paged('look'), paged('user')], {
      pageSize: 10,
    });
    const first = claimAll(coordinator);
    expect(first.map((unit) => `${unit.type}:${unit.unitKey}`)).toEqual([
      'dashboard:o:0',
      'look:o:0',
      'user:o:0',
    ]);
  });

  it('runs ahead of confirmed-full pages by a window that grows with each full page', () => {
    const coordinator = new OffsetCoordinator([paged('dashboard')], { pageSize: 10 });
    const [probe] = claimAll(coordinator);
    if (!probe) throw new Error('no probe');
    coordinator.complete(probe, 10);
    const second = claimAll(coordinator);
    expect(pageOffsets(second)).toEqual([10, 20]);
    for (const unit of second) coordinator.complete(unit, 10);
    expect(pageOffsets(claimAll(coordinator))).toEqual([30, 40, 50, 60]);
  });

  it("learns a type's end from a short page and never hands out ranges past it", () => {
    const coordinator = new OffsetCoordinator([paged('dashboard')], { pageSize: 10 });
    const claimedAfterEndKnown: number[] = [];
    let inFlight = claimAll(coordinator);
    while (inFlight.length > 0) {
      for (const unit of inFlight) serve(coordinator, unit, 35);
      inFlight = claimAll(coordinator).filter((unit) => unit.kind === 'page');
      if (coordinator.progress('dashboard').expected !== null) {
        claimedAfterEndKnown.push(...pageOffsets(inFlight));
      }
    }
    expect(coordinator.progress('dashboard').expected).toBe(35);
    expect(claimedAfterEndKnown.filter((offset) => offset >= 35)).toEqual([]);
    expect(coordinator.progress('dashboard').state).toBe('reconciling');
  });

  it('hands each offset out exactly once and reaches reconcile, whatever the completion order', () => {
    // A seeded shuffle of completion order with 16 concurrent "workers".
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const size = 1234;
    const coordinator = new OffsetCoordinator([paged('dashboard'), paged('look')], {
      pageSize: 25,
    });
    const claimed = new Map<string, number>();
    const inFlight: WorkUnit[] = [];
    let reconciles = 0;
    for (let step = 0; step < 10_000 && !coordinator.isFinished(); step++) {
      while (inFlight.length < 16) {
        const unit = coordinator.claim();
        if (!unit) break;
        const key = `${unit.type}:${unit.unitKey}`;
        claimed.set(key, (claimed.get(key) ?? 0) + 1);
        inFlight.push(unit);
      }
      const index = Math.floor(random() * inFlight.length);
      const [unit] = inFlight.splice(index, 1);
      if (!unit) continue;
      if (unit.kind === 'reconcile') reconciles += 1;
      serve(coordinator, unit, unit.type === 'dashboard' ? size : 60);
    }
    expect(coordinator.isFinished()).toBe(true);
    expect([...claimed.values()].every((count) => count === 1)).toBe(true);
    expect(reconciles).toBe(2);
    for (let offset = 0; offset < size; offset += 25) {
      expect(claimed.get(`dashboard:${pageKey(offset)}`)).toBe(1);
    }
    expect(coordinator.progress('dashboard')).toMatchObject({ state: 'done', expected: size });
  });

  it('spreads a big type over every worker once its first pages come back full', () => {
    const coordinator = new OffsetCoordinator([paged('dashboard'), paged('role')], {
      pageSize: 100,
    });
    const inFlight = claimAll(coordinator);
    for (const unit of inFlight) serve(coordinator, unit, unit.type === 'role' ? 7 : 100_000);
    // Grow the window the way a run does: each round completes everything in flight.
    let round = claimAll(coordinator);
    for (let i = 0; i < 5; i++) {
      for (const unit of round) serve(coordinator, unit, 100_000);
      round = claimAll(coordinator);
    }
    expect(round.length).toBeGreaterThanOrEqual(32);
    expect(round.every((unit) => unit.type === 'dashboard' && unit.kind === 'page')).toBe(true);
  });

  it('moves a type to reconcile once every page is done, and to done when reconcile completes', () => {
    const coordinator = new OffsetCoordinator([paged('group')], { pageSize: 10 });
    const [probe] = claimAll(coordinator);
    if (!probe) throw new Error('no probe');
    coordinator.complete(probe, 4);
    expect(coordinator.progress('group').state).toBe('reconciling');
    const [reconcile] = claimAll(coordinator);
    expect(reconcile).toEqual({
      kind: 'reconcile',
      type: 'group',
      stream: 'group',
      unitKey: RECONCILE_KEY,
    });
    expect(coordinator.isFinished()).toBe(false);
    if (!reconcile) throw new Error('no reconcile');
    coordinator.complete(reconcile);
    expect(coordinator.progress('group').state).toBe('done');
    expect(coordinator.isFinished()).toBe(true);
  });

  it('sends a type whose first page fails for good straight to reconcile, and fails it if reconcile fails too', () => {
    const coordinator = new OffsetCoordinator([paged('role'), paged('user')], { pageSize: 10 });
    const [role, user] = claimAll(coordinator);
    if (!role || !user) throw new Error('missing probes');
    coordinator.fail(role);
    expect(coordinator.progress('role').state).toBe('reconciling');
    coordinator.complete(user, 10);
    const next = claimAll(coordinator);
    const reconcile = next.find((unit) => unit.type === 'role');
    expect(reconcile?.kind).toBe('reconcile');
    if (!reconcile) throw new Error('no reconcile');
    coordinator.fail(reconcile);
    expect(coordinator.progress('role').state).toBe('failed');
    const [failing, ...rest] = next.filter((unit) => unit.type === 'user');
    if (!failing) throw new Error('no page');
    coordinator.fail(failing);
    for (const unit of rest) serve(coordinator, unit, 15);
    expect(coordinator.progress('user')).toMatchObject({ state: 'reconciling', pagesFailed: 1 });
  });

  it('finishes a type whose listing was clean even when its reconcile fails', () => {
    const coordinator = new OffsetCoordinator([paged('group')], { pageSize: 10 });
    for (const unit of claimAll(coordinator)) coordinator.complete(unit, 3);
    const [reconcile] = claimAll(coordinator);
    if (!reconcile) throw new Error('no reconcile');
    coordinator.fail(reconcile);
    expect(coordinator.progress('group').state).toBe('done');
  });

  it('hands a type to reconcile when every page past the last full one fails', () => {
    const coordinator = new OffsetCoordinator([paged('user')], { pageSize: 10 });
    const [probe] = claimAll(coordinator);
    if (!probe) throw new Error('no probe');
    coordinator.complete(probe, 10);
    for (const unit of claimAll(coordinator)) coordinator.fail(unit);
    expect(coordinator.progress('user')).toMatchObject({ state: 'reconciling', pagesFailed: 2 });
    expect(claimAll(coordinator).map((unit) => unit.kind)).toEqual(['reconcile']);
  });

  it('a page whose items failed still tells where the list ends and lets the type go on', () => {
    const coordinator = new OffsetCoordinator([paged('look')], { pageSize: 10 });
    const [probe] = claimAll(coordinator);
    if (!probe) throw new Error('no probe');
    coordinator.fail(probe, 10);
    const [next, ahead] = claimAll(coordinator);
    if (!next || !ahead) throw new Error('expected two pages in flight');
    coordinator.fail(next, 4);
    coordinator.complete(ahead, 0);
    expect(coordinator.progress('look')).toMatchObject({
      state: 'reconciling',
      expected: 14,
      pagesFailed: 2,
    });
  });

  it('resume skips checkpointed pages and knows the end from a checkpointed short page', () => {
    const coordinator = new OffsetCoordinator([paged('look')], {
      pageSize: 10,
      resume: {
        look: {
          completed: [
            { unitKey: 'o:0', rawCount: 10 },
            { unitKey: 'o:20', rawCount: 10 },
            { unitKey: 'o:40', rawCount: 3 },
          ],
        },
      },
    });
    expect(pageOffsets(claimAll(coordinator))).toEqual([10, 30]);
    expect(coordinator.progress('look').expected).toBe(43);
  });

  it('resume treats a type with a reconcile checkpoint as done and claims nothing for it', () => {
    const coordinator = new OffsetCoordinator([paged('look'), paged('board')], {
      pageSize: 10,
      resume: {
        look: {
          completed: [
            { unitKey: 'o:0', rawCount: 5 },
            { unitKey: RECONCILE_KEY, rawCount: 0 },
          ],
        },
      },
    });
    expect(claimAll(coordinator).map((unit) => unit.type)).toEqual(['board']);
    expect(coordinator.progress('look').state).toBe('done');
  });

  it('lists explores only after their models are done, one unit per model', () => {
    const coordinator = new OffsetCoordinator(
      [paged('lookml_model'), { type: 'explore', listing: 'children', parent: 'lookml_model' }],
      { pageSize: 10 },
    );
    expect(claimAll(coordinator).map((unit) => unit.type)).toEqual(['lookml_model']);
    expect(coordinator.typesAwaitingParents()).toEqual([]);
    // finish models: page, then reconcile
    const finishModels = (): void => {
      for (const unit of claimAll(coordinator)) serve(coordinator, unit, 2);
    };
    coordinator.complete(
      {
        kind: 'page',
        type: 'lookml_model',
        stream: 'lookml_model',
        unitKey: 'o:0',
        offset: 0,
        limit: 10,
      },
      2,
    );
    finishModels();
    expect(coordinator.typesAwaitingParents()).toEqual(['explore']);
    coordinator.provideParents('explore', ['thelook', 'ecommerce']);
    const units = claimAll(coordinator);
    expect(units.map((unit) => unit.unitKey)).toEqual(['p:thelook', 'p:ecommerce']);
  });

  it('hands a released unit out again', () => {
    const coordinator = new OffsetCoordinator([paged('folder')], { pageSize: 10 });
    const [probe] = claimAll(coordinator);
    if (!probe) throw new Error('no probe');
    coordinator.release(probe);
    expect(claimAll(coordinator)).toEqual([probe]);
  });

  it('wakes waiters on every state change, and hands out nothing after stop', async () => {
    const coordinator = new OffsetCoordinator([paged('folder')], { pageSize: 10 });
    const [probe] = claimAll(coordinator);
    if (!probe) throw new Error('no probe');
    const woken = coordinator.waitForChange();
    coordinator.complete(probe, 10);
    await expect(woken).resolves.toBeUndefined();
    coordinator.stop();
    expect(coordinator.claim()).toBeUndefined();
  });
});

describe('OffsetCoordinator with folder streams (folder scope)', () => {
  const folderPlans = (sizes: Record<string, number>): StreamPlan[] =>
    Object.keys(sizes).map((folderId) => ({ type: 'dashboard', listing: 'paged', folderId }));

  it('keeps every worker busy across uneven folders and learns each end on its own', () => {
    // One folder of 200, twenty of 3: 8 workers, one unit each at a time.
    const sizes: Record<string, number> = { big: 200 };
    for (let i = 0; i < 20; i++) sizes[`s${i}`] = 3;
    const coordinator = new OffsetCoordinator(folderPlans(sizes), { pageSize: 10 });
    const workers = 8;
    const inFlight: WorkUnit[] = [];
    const pagesByFolder = new Map<string, number[]>();
    let idleClaims = 0;
    let reconciles = 0;
    for (let step = 0; step < 1000 && !coordinator.isFinished(); step++) {
      while (inFlight.length < workers) {
        const unit = coordinator.claim();
        if (!unit) break;
        inFlight.push(unit);
      }
      // Until the listing is over, a free worker always finds a page.
      const listing = coordinator.progress('dashboard').state === 'listing';
      if (listing && inFlight.length < workers) idleClaims++;
      const unit = inFlight.shift();
      if (!unit) break;
      if (unit.kind === 'page') {
        const folder = unit.folderId ?? '';
        pagesByFolder.set(folder, [...(pagesByFolder.get(folder) ?? []), unit.offset]);
        // As Looker does with X-Total-Count: each page tells its folder's total.
        coordinator.setTotal(unit.stream, sizes[folder] ?? 0);
        coordinator.complete(
          unit,
          Math.max(0, Math.min(unit.limit, (sizes[folder] ?? 0) - unit.offset)),
        );
      } else {
        expect(unit).toMatchObject({
          kind: 'reconcile',
          stream: 'dashboard',
          unitKey: RECONCILE_KEY,
        });
        reconciles++;
        coordinator.complete(unit);
      }
    }
    expect(coordinator.isFinished()).toBe(true);
    expect(coordinator.progress('dashboard').state).toBe('done');
    // Each small folder: its one short page, once; the big one: every page up to its end, each
    // once (a few past it were claimed ahead before its short page came back).
    for (let i = 0; i < 20; i++) expect(pagesByFolder.get(`s${i}`)).toEqual([0]);
    const big = [...(pagesByFolder.get('big') ?? [])].sort((a, b) => a - b);
    expect(new Set(big).size).toBe(big.length);
    expect(big.filter((offset) => offset <= 200)).toEqual(
      Array.from({ length: 21 }, (_, i) => i * 10),
    );
    // The type is reconciled once, after every folder is listed.
    expect(reconciles).toBe(1);
    // A worker waits only in the listing's last round, when fewer pages than workers are left.
    expect(idleClaims).toBeLessThan(workers);
  });

  it('prefixes checkpoint keys with the folder and resumes each folder from its own', () => {
    const coordinator = new OffsetCoordinator(folderPlans({ '7': 25, '9': 5 }), {
      pageSize: 10,
      resume: {
        dashboard: {
          completed: [
            { unitKey: 'f7/o:0', rawCount: 10 },
            { unitKey: 'f7/o:10', rawCount: 10 },
            { unitKey: 'f9/o:0', rawCount: 5 },
          ],
        },
      },
    });
    // Folder 9 is listed (its short page is checkpointed); folder 7 goes on from offset 20.
    const claimed = claimAll(coordinator);
    expect(claimed[0]?.unitKey).toBe('f7/o:20');
    expect(claimed.every((unit) => unit.unitKey.startsWith('f7/o:'))).toBe(true);
    for (const unit of claimed) serve(coordinator, unit, 25);
    const [reconcile] = claimAll(coordinator);
    expect(reconcile).toMatchObject({ kind: 'reconcile', unitKey: RECONCILE_KEY });
  });

  it('a reconciled scoped type resumes as done', () => {
    const coordinator = new OffsetCoordinator(folderPlans({ '7': 5 }), {
      pageSize: 10,
      resume: {
        dashboard: {
          completed: [
            { unitKey: 'f7/o:0', rawCount: 5 },
            { unitKey: RECONCILE_KEY, rawCount: 5 },
          ],
        },
      },
    });
    expect(claimAll(coordinator)).toEqual([]);
    expect(coordinator.isFinished()).toBe(true);
  });

  it('a type waiting for others starts only when told, after they are done', () => {
    const coordinator = new OffsetCoordinator(
      [paged('dashboard'), { type: 'scheduled_plan', listing: 'paged', waitFor: ['dashboard'] }],
      { pageSize: 10 },
    );
    const [page] = claimAll(coordinator);
    expect(page?.type).toBe('dashboard');
    expect(coordinator.progress('scheduled_plan').state).toBe('waiting');
    expect(coordinator.typesReadyToStart()).toEqual([]);
    if (!page) throw new Error('no page');
    coordinator.complete(page, 3);
    const [reconcile] = claimAll(coordinator);
    expect(reconcile?.kind).toBe('reconcile');
    if (!reconcile) throw new Error('no reconcile');
    expect(coordinator.typesReadyToStart()).toEqual([]);
    coordinator.complete(reconcile);
    expect(coordinator.typesReadyToStart()).toEqual(['scheduled_plan']);
    expect(claimAll(coordinator)).toEqual([]);
    coordinator.start('scheduled_plan');
    expect(coordinator.typesReadyToStart()).toEqual([]);
    expect(claimAll(coordinator).map((unit) => unit.unitKey)).toEqual(['o:0']);
  });
});
