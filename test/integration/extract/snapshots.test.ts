import { describe, expect, it } from '@jest/globals';
import { openDatabase } from '../../../src/store/sqlite.js';
import type { ContentType } from '../../../src/content-types.js';
import type { Extraction } from '../../../src/extract/orchestrator.js';
import { REGISTRY, type ContentTypeSpec } from '../../../src/looker/registry.js';
import type { ScriptedMutation } from '../../../src/sim/index.js';
import { itemContent, itemHistory, listSnapshots, openVault } from '../../../src/store/index.js';
import { runCli } from '../../helpers/cli.js';
import {
  envFor,
  expectedTriples,
  killOnceStored,
  extractInProcess,
  simulator,
  tempDb,
  snapshotTriples,
} from './harness.js';

describe('point-in-time snapshots and incremental runs', () => {
  it('keeps every snapshot exactly, and an incremental run fetches only what changed', async () => {
    const sim = await simulator({ requestLog: true });
    const db = tempDb();
    const first = await extractInProcess(sim, db);
    expect(first.summary.status).toBe('success');
    const before = expectedTriples(sim);
    expect(snapshotTriples(db, first.summary.runId)).toEqual(before);

    const live = sim.dataset.ids('dashboard').filter((id) => /^\d+$/.test(id));
    const looks = sim.dataset.ids('look');
    const trashedBefore = sim.dataset.deletedIds('dashboard');
    const changed = [live[3], live[40], live[77]] as string[];
    const retiled = live[90] as string;
    const trashed = [live[10], live[11]] as string[];
    const deleted = [live[60], looks[5]] as string[];
    const restored = trashedBefore[0] as string;
    const mutations: ScriptedMutation[] = [
      ...changed.map((id): ScriptedMutation => ({ action: 'update', type: 'dashboard', id })),
      { action: 'update', type: 'look', id: looks[2] },
      { action: 'edit-tiles', type: 'dashboard', id: retiled },
      ...trashed.map((id): ScriptedMutation => ({ action: 'trash', type: 'dashboard', id })),
      { action: 'delete', type: 'dashboard', id: deleted[0] },
      { action: 'delete', type: 'look', id: deleted[1] },
      { action: 'restore', type: 'dashboard', id: restored },
      { action: 'trash', type: 'board', id: sim.dataset.ids('board')[0] },
      { action: 'create', type: 'dashboard' },
      { action: 'create', type: 'look' },
    ];
    const applied = sim.applyMutations(mutations);
    const created = applied.filter((entry) => entry.action === 'create');
    sim.resetStats();
    const logStart = sim.requestLog().length;

    const second = await extractInProcess(sim, db);
    expect(second.summary.status).toBe('success');
    const after = expectedTriples(sim);
    expect(snapshotTriples(db, second.summary.runId)).toEqual(after);
    // The first snapshot still holds exactly what the instance held then.
    expect(snapshotTriples(db, first.summary.runId)).toEqual(before);

    // Only new and changed dashboards and looks were fetched by id.
    const details = sim
      .requestLog()
      .slice(logStart)
      .filter((entry) => entry.operationId === 'dashboard' || entry.operationId === 'look');
    const fetched = details
      .map((entry) => decodeURIComponent(entry.path.split('/').at(-1) ?? ''))
      .sort();
    const expectedFetched = [
      ...changed,
      retiled,
      ...trashed,
      restored,
      looks[2] as string,
      ...created.map((entry) => entry.id),
    ].sort();
    // LookML dashboards are only in the id listing: reconciliation fetches them every run.
    expect(fetched.filter((id) => !id.includes('::'))).toEqual(expectedFetched);

    const vault = openVault(db, { readonly: true });
    try {
      const history = itemHistory(vault, 'dashboard', changed[0] as string);
      expect(history.map((version) => [version.fromRun, version.toRun, version.ended])).toEqual([
        [first.summary.runId, second.summary.runId, 'changed'],
        [second.summary.runId, null, null],
      ]);
      expect(history[0]?.hash).not.toBe(history[1]?.hash);

      const trashedHistory = itemHistory(vault, 'dashboard', trashed[0] as string);
      expect(trashedHistory.at(-1)?.trashed).toBe(true);
      const trashedJson = itemContent(vault, 'dashboard', trashed[0] as string, undefined);
      expect(JSON.parse(trashedJson?.json ?? '{}')).toMatchObject({ deleted: true });
      expect(JSON.parse(trashedJson?.json ?? '{}')).toHaveProperty('dashboard_elements');

      const gone = itemHistory(vault, 'dashboard', deleted[0] as string);
      expect(gone.map((version) => [version.toRun, version.ended])).toEqual([
        [second.summary.runId, 'deleted'],
      ]);
      // Its content is still there, as the first snapshot held it.
      expect(
        itemContent(vault, 'dashboard', deleted[0] as string, first.summary.runId),
      ).toBeDefined();
      expect(itemContent(vault, 'dashboard', deleted[0] as string, second.summary.runId)).toBe(
        undefined,
      );

      const snapshots = listSnapshots(vault);
      expect(snapshots.map((snapshot) => snapshot.id)).toEqual([
        first.summary.runId,
        second.summary.runId,
      ]);
      const latest = snapshots[1];
      expect(latest?.incremental).toBe(true);
      expect(latest?.deleted).toBe(2);
      expect(latest?.items).toBe(after.length);
    } finally {
      vault.close();
    }
    // content_items shows the newest version of each live item.
    const raw = openDatabase(db, { readonly: true });
    try {
      const ids = raw
        .prepare<[], string>(`SELECT id FROM content_items WHERE content_type = 'dashboard'`)
        .pluck()
        .all();
      expect(ids).not.toContain(deleted[0]);
      expect(ids).toEqual(expect.arrayContaining([...trashed, restored]));
    } finally {
      raw.close();
    }
  });

  it('an unchanged instance costs listing pages only, and --full fetches everything again', async () => {
    const sim = await simulator({ requestLog: true });
    const db = tempDb();
    await extractInProcess(sim, db);
    const logStart = sim.requestLog().length;
    const again = await extractInProcess(sim, db);
    expect(again.summary.status).toBe('success');
    const ops = sim
      .requestLog()
      .slice(logStart)
      .map((entry) => entry.operationId);
    expect(ops.filter((op) => op === 'look' || op === 'lookml_model_explore')).toEqual([]);
    expect(ops.filter((op) => op === 'dashboard').length).toBe(2); // the two LookML dashboards
    expect(snapshotTriples(db, again.summary.runId)).toEqual(expectedTriples(sim));

    const fullStart = sim.requestLog().length;
    const full = await extractInProcess(sim, db, { full: true });
    const fullOps = sim
      .requestLog()
      .slice(fullStart)
      .map((entry) => entry.operationId);
    expect(fullOps.filter((op) => op === 'look').length).toBe(
      sim.dataset.count('look') + sim.dataset.deletedIds('look').length,
    );
    expect(snapshotTriples(db, full.summary.runId)).toEqual(expectedTriples(sim));
  });

  it('an incremental run interrupted part-way is no snapshot, and resumes to an exact one', async () => {
    const sim = await simulator({ counts: { dashboard: 2_600 } });
    const db = tempDb();
    const types: ContentType[] = ['dashboard', 'look'];
    const first = await extractInProcess(sim, db, { types });
    const before = expectedTriples(sim, types);
    const live = sim.dataset.ids('dashboard').filter((id) => /^\d+$/.test(id));
    sim.applyMutations([
      { action: 'update', type: 'dashboard', id: live[5] },
      { action: 'update', type: 'dashboard', id: live[1_500] },
      { action: 'trash', type: 'dashboard', id: live[2_400] },
      { action: 'delete', type: 'dashboard', id: live[900] },
      { action: 'create', type: 'dashboard' },
    ]);

    // Stop after the first page of the change listing (1,000 dashboards) was fetched.
    const changes = REGISTRY.dashboard.changeListing;
    if (!changes) throw new Error('dashboards have a change listing');
    let extraction: Extraction | undefined;
    const registry: Record<ContentType, ContentTypeSpec> = {
      ...REGISTRY,
      dashboard: {
        ...REGISTRY.dashboard,
        changeListing: {
          ...changes,
          fetchPage: async (api, page, trash, signal) => {
            const listed = await changes.fetchPage(api, page, trash, signal);
            if (!trash && page.offset === 0) extraction?.interrupt();
            return listed;
          },
        },
      },
    };
    const stopped = await extractInProcess(
      sim,
      db,
      { types, workers: 1 },
      (e) => (extraction = e),
      {
        registry,
      },
    );
    expect(stopped.summary.status).toBe('interrupted');
    const vault = openVault(db, { readonly: true });
    try {
      expect(listSnapshots(vault).map((snapshot) => snapshot.id)).toEqual([first.summary.runId]);
    } finally {
      vault.close();
    }
    expect(snapshotTriples(db, first.summary.runId)).toEqual(before);

    const resumed = await extractInProcess(sim, db, { types });
    expect(resumed.summary).toMatchObject({ status: 'success', runId: stopped.summary.runId });
    expect(resumed.summary.resumed).toBe(true);
    expect(resumed.summary.types.dashboard?.deleted).toBe(1);
    expect(snapshotTriples(db, resumed.summary.runId)).toEqual(expectedTriples(sim, types));
    expect(snapshotTriples(db, first.summary.runId)).toEqual(before);
  });

  it('an incremental run killed with SIGKILL is no snapshot, and resumes to an exact one', async () => {
    const sim = await simulator({ counts: { dashboard: 2_600, look: 20 }, latencyMs: 15 });
    const db = tempDb();
    const args = ['extract', '--db', db, '-w', '2', '--types', 'dashboards,looks'];
    expect((await runCli(args, { env: envFor(sim) })).code).toBe(0);
    const before = expectedTriples(sim, ['dashboard', 'look']);
    // Changes on every page of the change listing, so each page waits for its details.
    const live = sim.dataset.ids('dashboard').filter((id) => /^\d+$/.test(id));
    sim.applyMutations(
      live
        .filter((_, index) => index % 3 === 0)
        .map((id): ScriptedMutation => ({ action: 'update', type: 'dashboard', id })),
    );
    // The first page of 1,000 is committed: kill before the other two are.
    const killed = await runCli([...args, '--progress-interval', '1s'], {
      env: envFor(sim),
      onStderr: killOnceStored(1_000),
    });
    expect(killed.signal).toBe('SIGKILL');
    const listed = await runCli(['snapshots', '--db', db, '--json'], { env: envFor(sim) });
    expect((JSON.parse(listed.stdout) as { snapshots: { id: number }[] }).snapshots).toEqual([
      expect.objectContaining({ id: 1 }),
    ]);
    expect(snapshotTriples(db, 1)).toEqual(before);

    const resumed = await runCli([...args, '--json'], { env: envFor(sim) });
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      status: 'success',
      resumed: true,
      runId: 2,
      incremental: ['dashboard', 'look'],
    });
    expect(snapshotTriples(db, 2)).toEqual(expectedTriples(sim, ['dashboard', 'look']));
    expect(snapshotTriples(db, 1)).toEqual(before);
  });
});
