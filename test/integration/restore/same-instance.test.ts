import { describe, expect, it } from '@jest/globals';
import { runCli } from '../../helpers/cli.js';
import { openDatabase } from '../../../src/store/sqlite.js';
import type { Json } from '../../../src/restore/types.js';
import {
  extractInProcess,
  envFor,
  simulator,
  tempDb,
  withMergeResults,
} from '../extract/harness.js';
import {
  actionsByType,
  comparable,
  idMap,
  identity,
  restoreInProcess,
  snapshotItems,
} from './harness.js';

describe('restore into the instance the backup came from', () => {
  it('plans update 5, undelete 3, create 2, skip the rest; makes it so; then all skip', async () => {
    const sim = await simulator({ seed: 3 });
    const db = tempDb();
    await extractInProcess(sim, db);
    const live = sim.dataset.ids('dashboard').filter((id) => !id.includes('::'));
    const [u1, u2, u3, u4, u5, t1, t2, t3, d1, d2] = live.slice(10, 20);
    sim.applyMutations([
      { action: 'update', type: 'dashboard', id: u1 },
      { action: 'update', type: 'dashboard', id: u2 },
      { action: 'edit-tiles', type: 'dashboard', id: u3 },
      { action: 'edit-tiles', type: 'dashboard', id: u4 },
      { action: 'update', type: 'dashboard', id: u5 },
      { action: 'trash', type: 'dashboard', id: t1 },
      { action: 'trash', type: 'dashboard', id: t2 },
      { action: 'trash', type: 'dashboard', id: t3 },
      { action: 'delete', type: 'dashboard', id: d1 },
      { action: 'delete', type: 'dashboard', id: d2 },
    ]);

    // The plan, through the CLI as a user would see it.
    const dry = await runCli(
      ['restore', '--db', db, '--types', 'dashboards', '--dry-run', '--json'],
      { env: envFor(sim) },
    );
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.stdout) as {
      plan: {
        counts: Record<string, number>;
        items: { type: string; id: string; action: string; reason: string }[];
      };
    };
    const dashboards = planned.plan.items.filter((i) => i.type === 'dashboard');
    const byAction = (action: string) =>
      dashboards
        .filter((i) => i.action === action)
        .map((i) => i.id)
        .sort();
    expect(byAction('update')).toEqual([u1, u2, u3, u4, u5].sort());
    expect(byAction('undelete')).toEqual([t1, t2, t3].sort());
    expect(byAction('create')).toEqual([d1, d2].sort());
    expect(dashboards.filter((i) => i.action === 'skip').length).toBe(dashboards.length - 10);
    // Folders and looks are only dependencies here: all there, all skipped.
    expect(planned.plan.items.filter((i) => i.type !== 'dashboard' && i.action !== 'skip')).toEqual(
      [],
    );
    // Nothing was written by the dry run: the trash and the deletions are as they were.
    expect(sim.dataset.deletedIds('dashboard')).toEqual(expect.arrayContaining([t1, t2, t3]));
    expect(sim.dataset.get('dashboard', d1 as string)).toBeUndefined();

    const run = await restoreInProcess(db, sim, { types: ['dashboard'] });
    expect(run.summary?.status).toBe('success');
    expect(run.summary?.failures).toEqual([]);

    // The instance now holds what snapshot 1 held, for every dashboard.
    const after = tempDb();
    await extractInProcess(sim, after);
    const before = snapshotItems(db, 'dashboard', 1);
    const now = snapshotItems(after, 'dashboard');
    // A dashboard deleted for good comes back with a new id (the mapping says which).
    const mapping = idMap(db);
    const targetOf = (id: string) => mapping.get(`dashboard:${id}`) ?? id;
    expect([d1, d2].map((id) => targetOf(id as string) !== id)).toEqual([true, true]);
    for (const [id, item] of before) {
      const targetId = targetOf(id);
      const current = now.get(targetId);
      expect({ id, present: current !== undefined }).toEqual({ id, present: true });
      expect(comparable('dashboard', current ?? {}, identity)).toEqual(
        comparable('dashboard', item, identity),
      );
    }
    // Recreated dashboards keep their slugs.
    for (const id of [d1, d2] as string[]) {
      expect(now.get(targetOf(id))?.slug).toBe(before.get(id)?.slug);
    }
    expect(now.size).toBe(before.size);

    const third = await restoreInProcess(db, sim, { types: ['dashboard'], dryRun: true });
    const actions = actionsByType(third.plan);
    expect(actions.dashboard).toEqual({ skip: before.size });
  });
});

describe('--on-conflict', () => {
  it('skip leaves a differing item alone; copy writes the backup beside it, once', async () => {
    const sim = await simulator({ seed: 8 });
    const db = tempDb();
    await extractInProcess(sim, db);
    const id = sim.dataset.ids('dashboard').filter((d) => !d.includes('::'))[3] as string;
    sim.applyMutations([{ action: 'update', type: 'dashboard', id }]);
    const edited = sim.dataset.get('dashboard', id) as { title: string };
    const selectors = [{ type: 'dashboard' as const, id }];

    const skip = await restoreInProcess(db, sim, { selectors, onConflict: 'skip' });
    expect(skip.plan.items.find((i) => i.sourceId === id)?.action).toBe('skip');
    expect((sim.dataset.get('dashboard', id) as { title: string }).title).toBe(edited.title);

    const before = sim.dataset.count('dashboard');
    const copy = await restoreInProcess(db, sim, { selectors, onConflict: 'copy' });
    expect(copy.plan.items.find((i) => i.sourceId === id)?.action).toBe('copy');
    expect(copy.summary?.status).toBe('success');
    expect(sim.dataset.count('dashboard')).toBe(before + 1);
    // The original keeps its edit; the copy is the backup's version, and is what it maps to now.
    expect((sim.dataset.get('dashboard', id) as { title: string }).title).toBe(edited.title);
    const copyId = idMap(db).get(`dashboard:${id}`) as string;
    expect(copyId).not.toBe(id);
    const copied = { ...(sim.dataset.get('dashboard', copyId) as Record<string, unknown>) };
    withMergeResults(sim, copied);
    expect(comparable('dashboard', copied, identity)).toEqual(
      comparable(
        'dashboard',
        snapshotItems(db, 'dashboard').get(id) as Record<string, unknown>,
        identity,
      ),
    );
    const again = await restoreInProcess(db, sim, { selectors, onConflict: 'copy' });
    expect(again.plan.items.find((i) => i.sourceId === id)?.action).toBe('skip');
    expect(sim.dataset.count('dashboard')).toBe(before + 1);
  });
});

describe('a backup made before merged-results tiles kept their merges', () => {
  it('compares its dashboards without the target merges: unchanged ones are skipped', async () => {
    const sim = await simulator({ seed: 3, counts: { mergedTilesPerThousand: 50 } });
    const db = tempDb();
    await extractInProcess(sim, db);
    // As an older lookervault stored them: merged tiles with their merge_result_id only.
    const sqlite = openDatabase(db);
    let stripped = 0;
    try {
      const rows = sqlite
        .prepare('SELECT hash, json FROM contents WHERE json LIKE \'%"merge_result":{%\'')
        .all() as { hash: string; json: string }[];
      const update = sqlite.prepare('UPDATE contents SET json = ? WHERE hash = ?');
      for (const row of rows) {
        const dashboard = JSON.parse(row.json) as { dashboard_elements?: Json[] };
        if (!Array.isArray(dashboard.dashboard_elements)) continue;
        for (const element of dashboard.dashboard_elements) delete element.merge_result;
        update.run(JSON.stringify(dashboard), row.hash);
        stripped += 1;
      }
    } finally {
      sqlite.close();
    }
    expect(stripped).toBeGreaterThan(10);
    const { plan } = await restoreInProcess(db, sim, { types: ['dashboard'], dryRun: true });
    expect(plan.items.filter((item) => item.action !== 'skip')).toEqual([]);
  });
});
