import { describe, expect, it } from '@jest/globals';
import { openDatabase } from '../../../src/store/sqlite.js';
import type { ContentType } from '../../../src/content-types.js';
import { SCOPED_TYPES } from '../../../src/extract/scope.js';
import type { RunningSimulator } from '../../../src/sim/index.js';
import { canonicalJson, contentHash } from '../../../src/store/index.js';
import { runCli } from '../../helpers/cli.js';
import {
  envFor,
  extractInProcess,
  killOnceStored,
  simulator,
  expectedItem,
  simIds,
  withMergeResults,
  snapshotTriples,
  tempDb,
} from './harness.js';

type Item = Record<string, unknown>;

/** Live and trashed ids of a type. */
function allIds(sim: RunningSimulator, type: ContentType): string[] {
  return [...simIds(sim, type), ...simIds(sim, type, true)];
}

function item(
  sim: RunningSimulator,
  type: Exclude<ContentType, 'folder_access'>,
  id: string,
): Item {
  return sim.dataset.get(type, id) as Item;
}

/** The folders a scope covers, computed from the simulator's own folder objects. */
function scopeFolders(sim: RunningSimulator, named: string[], recursive: boolean): Set<string> {
  const scope = new Set(named);
  if (!recursive) return scope;
  const parentOf = new Map(
    sim.dataset.ids('folder').map((id) => [id, item(sim, 'folder', id).parent_id as string | null]),
  );
  for (const id of parentOf.keys()) {
    for (let at = parentOf.get(id) ?? null; at !== null; at = parentOf.get(at) ?? null) {
      if (named.includes(at)) scope.add(id);
    }
  }
  return scope;
}

/** "type id hash" of everything a backup of the scope must hold, from the simulator. */
function expectedScope(sim: RunningSimulator, folders: Set<string>): string[] {
  const triples: string[] = [];
  const add = (type: ContentType, id: string, value: Item): void => {
    triples.push(`${type} ${id} ${contentHash(canonicalJson(value))}`);
  };
  for (const id of folders) {
    // Stored as search_folders lists it: without the content folder(id) embeds.
    const folder = { ...item(sim, 'folder', id) };
    delete folder.dashboards;
    delete folder.looks;
    add('folder', id, folder);
    if (sim.dataset.accessFolderIds().includes(id)) {
      add('folder_access', id, expectedItem(sim, 'folder_access', id));
    }
  }
  const inScope = (type: 'dashboard' | 'look'): Set<string> =>
    new Set(allIds(sim, type).filter((id) => folders.has(String(item(sim, type, id).folder_id))));
  const dashboards = inScope('dashboard');
  const looks = inScope('look');
  for (const id of dashboards) {
    const dashboard = { ...item(sim, 'dashboard', id) };
    withMergeResults(sim, dashboard);
    add('dashboard', id, dashboard);
  }
  for (const id of looks) add('look', id, item(sim, 'look', id));
  for (const id of allIds(sim, 'scheduled_plan')) {
    const plan = item(sim, 'scheduled_plan', id);
    if (dashboards.has(String(plan.dashboard_id)) || looks.has(String(plan.look_id))) {
      add('scheduled_plan', id, plan);
    }
  }
  return triples.sort();
}

/** A folder's path from the root, by the simulator's folder objects. */
function pathOf(sim: RunningSimulator, id: string): string {
  const names: string[] = [];
  for (let at: string | null = id; at !== null;) {
    const folder = item(sim, 'folder', at);
    names.unshift(String(folder.name));
    at = (folder.parent_id as string | null) ?? null;
  }
  return names.join('/');
}

/**
 * Shared folders with subfolders and content first: a deterministic pick of `n` folders to name
 * (subfolders of an earlier pick are skipped, so recursion adds folders of its own).
 */
function pickFolders(sim: RunningSimulator, n: number): string[] {
  const folders = sim.dataset.ids('folder').map((id) => item(sim, 'folder', id));
  const shared = folders.filter(
    (folder) =>
      folder.is_personal !== true &&
      folder.is_personal_descendant !== true &&
      folder.parent_id !== null,
  );
  shared.sort(
    (a, b) => Number(b.child_count) - Number(a.child_count) || Number(a.id) - Number(b.id),
  );
  return shared.slice(0, n).map((folder) => String(folder.id));
}

const SCOPE_COUNTS = { dashboard: 300, look: 200, folder: 40, scheduled_plan: 120 };

describe('folder-scoped backups (--folders, --recursive)', () => {
  it('stores exactly the scope for 1, 3 and 10 folders, with and without --recursive, at 1, 4 and 16 workers', async () => {
    const sim = await simulator({ counts: SCOPE_COUNTS, requestLog: true });
    for (const n of [1, 3, 10]) {
      const ids = pickFolders(sim, n);
      // Named by path and by id alike.
      const named = ids.map((id, index) => (index % 2 === 0 ? pathOf(sim, id) : id));
      for (const recursive of [false, true]) {
        const scope = scopeFolders(sim, ids, recursive);
        const expected = expectedScope(sim, scope);
        expect(expected.filter((t) => t.startsWith('dashboard ')).length).toBeGreaterThan(0);
        for (const workers of [1, 4, 16]) {
          const db = tempDb();
          const logStart = sim.requestLog().length;
          const { summary } = await extractInProcess(sim, db, {
            types: [...SCOPED_TYPES],
            folders: named,
            recursive,
            workers,
          });
          const label = `${n} folders, recursive ${String(recursive)}, ${workers} workers`;
          expect([label, summary.status]).toEqual([label, 'success']);
          expect([label, snapshotTriples(db, summary.runId)]).toEqual([label, expected]);
          expect(summary.scope).toEqual({ folders: named, recursive, folderCount: scope.size });
          // Dashboards and looks were only ever listed by folder, and only the scope's folders.
          const listings = sim
            .requestLog()
            .slice(logStart)
            .filter((entry) =>
              ['search_dashboards', 'search_looks', 'all_dashboards', 'all_looks'].includes(
                entry.operationId,
              ),
            );
          expect(listings.length).toBeGreaterThan(0);
          for (const entry of listings) {
            expect([label, entry.operationId, scope.has(entry.query.folder_id ?? '')]).toEqual([
              label,
              entry.operationId,
              true,
            ]);
          }
          // Nothing outside the scope was fetched by id either.
          const fetched = sim
            .requestLog()
            .slice(logStart)
            .filter((entry) => entry.operationId === 'dashboard' || entry.operationId === 'look');
          for (const entry of fetched) {
            const type = entry.operationId as 'dashboard' | 'look';
            const id = entry.path.split('/').pop() ?? '';
            expect([label, scope.has(String(item(sim, type, id).folder_id))]).toEqual([
              label,
              true,
            ]);
          }
        }
      }
    }
  }, 300_000);

  it('keeps other types whole, says so, and a scoped snapshot never marks anything outside it deleted', async () => {
    const sim = await simulator({ counts: SCOPE_COUNTS });
    const db = tempDb();
    const env = envFor(sim);
    const whole = await runCli(['extract', '--db', db, '--json', '--no-progress'], { env });
    expect(whole.code).toBe(0);
    const [folder] = pickFolders(sim, 1) as [string];
    const path = pathOf(sim, folder);
    const scoped = await runCli(
      [
        'extract',
        '--db',
        db,
        '--folders',
        path,
        '-t',
        'dashboards,users',
        '--json',
        '--progress',
        '--progress-interval',
        '1s',
      ],
      { env: { ...env, CI: 'true' } },
    );
    expect(scoped.code).toBe(0);
    expect(scoped.stderr).toContain(
      `folders ${path} (1 folder); users backed up whole (not in folders)`,
    );
    const summary = JSON.parse(scoped.stdout) as {
      runId: number;
      scope: unknown;
      types: Record<string, { deleted?: number }>;
    };
    expect(summary.scope).toEqual({ folders: [path], recursive: false, folderCount: 1 });
    const entries = snapshotTriples(db, summary.runId);
    const dashboards = entries.filter((t) => t.startsWith('dashboard '));
    expect(dashboards).toEqual(
      expectedScope(sim, new Set([folder])).filter((t) => t.startsWith('dashboard ')),
    );
    expect(entries.filter((t) => t.startsWith('user ')).length).toBe(
      sim.dataset.ids('user').length,
    );
    // Dashboards outside the scope are still current in the backup, not deleted.
    const database = openDatabase(db, { readonly: true });
    try {
      const deleted = database
        .prepare<[], number>("SELECT count(*) FROM item_versions WHERE ended = 'deleted'")
        .pluck()
        .get();
      expect(deleted).toBe(0);
    } finally {
      database.close();
    }
    // The whole snapshot before is intact, and `snapshots` names each one's scope.
    const listed = await runCli(['snapshots', '--db', db, '--json'], { env });
    const snapshots = (JSON.parse(listed.stdout) as { snapshots: Array<{ scope: unknown }> })
      .snapshots;
    expect(snapshots.map((s) => s.scope)).toEqual([
      null,
      { folders: [path], recursive: false, folderCount: 1 },
    ]);
    const status = await runCli(['status', '--db', db, '--run', String(summary.runId)], { env });
    expect(status.stdout).toContain(`${path} (1 folder)`);
  }, 120_000);

  it('neither loses nor duplicates a dashboard moved between scoped folders during the run', async () => {
    // The worst moment: the dashboard leaves a folder whose listing has not reached it yet for
    // one whose listing has already passed where it would sort.
    let onRequest: (request: { operationId: string; query: Record<string, string> }) => void = () =>
      undefined;
    const sim = await simulator({
      counts: SCOPE_COUNTS,
      onRequest: (request) => {
        onRequest(request);
      },
    });
    const inFolder = (folder: string): string[] =>
      sim.dataset.ids('dashboard').filter((id) => item(sim, 'dashboard', id).folder_id === folder);
    const [from, to] = pickFolders(sim, 4)
      .sort((a, b) => inFolder(b).length - inFolder(a).length)
      .slice(0, 2) as [string, string];
    const moving = inFolder(from).at(-1) as string;
    const pageSize = 2;
    const lastPageOfTo = Math.floor(inFolder(to).length / pageSize) * pageSize;
    let toListed = false;
    let moved = false;
    onRequest = ({ operationId, query }) => {
      if (moved || operationId !== 'search_dashboards') return;
      if (query.folder_id === to && Number(query.offset) >= lastPageOfTo) toListed = true;
      else if (toListed && query.folder_id === from) {
        sim.applyMutations([{ action: 'move', type: 'dashboard', id: moving, folderId: to }]);
        moved = true;
      }
    };
    const db = tempDb();
    const { summary } = await extractInProcess(sim, db, {
      types: [...SCOPED_TYPES],
      folders: [from, to],
      workers: 2,
      batchSize: pageSize,
    });
    expect(moved).toBe(true);
    expect(summary.status).toBe('success');
    expect(item(sim, 'dashboard', moving).folder_id).toBe(to);
    const stored = snapshotTriples(db, summary.runId).filter((t) => t.startsWith('dashboard '));
    expect(stored).toEqual(
      expectedScope(sim, new Set([from, to])).filter((t) => t.startsWith('dashboard ')),
    );
    expect(stored.filter((t) => t.startsWith(`dashboard ${moving} `))).toHaveLength(1);
  }, 120_000);

  it('resumes a scoped run killed mid-run, and refuses another scope for it', async () => {
    const sim = await simulator({ counts: { ...SCOPE_COUNTS, dashboard: 600 }, latencyMs: 5 });
    const ids = pickFolders(sim, 3);
    const db = tempDb();
    const env = envFor(sim);
    const args = [
      'extract',
      '--db',
      db,
      '--folders',
      ids.join(','),
      '-r',
      '-w',
      '2',
      '--batch-size',
      '5',
      '--fetch',
      'by-id',
    ];
    const killed = await runCli([...args, '--progress', '--progress-interval', '1s'], {
      env: { ...env, CI: 'true' },
      onStderr: killOnceStored(30),
    });
    expect(killed.signal).toBe('SIGKILL');
    const other = await runCli(['extract', '--db', db, '--folders', ids[0] as string], { env });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/backs up the folders .* \(and subfolders\); you asked for/);
    expect(other.stderr).toContain('Hint:');
    const resumed = await runCli([...args, '--json', '--no-progress'], { env });
    expect(resumed.code).toBe(0);
    const summary = JSON.parse(resumed.stdout) as { runId: number; resumed: boolean };
    expect(summary.resumed).toBe(true);
    expect(snapshotTriples(db, summary.runId)).toEqual(
      expectedScope(sim, scopeFolders(sim, ids, true)),
    );
  }, 180_000);

  it('rejects a folder that is not there, a mistyped path and --recursive alone before any content request (exit 2)', async () => {
    const sim = await simulator({ counts: SCOPE_COUNTS, requestLog: true });
    const env = envFor(sim);
    const [folder] = pickFolders(sim, 1) as [string];
    const path = pathOf(sim, folder);
    const cases: Array<[string[], RegExp, RegExp]> = [
      [['--folders', '987654'], /There is no folder with id 987654/, /by id .* or by path/],
      [['--folders', `${path}/`], /is not a folder path/, new RegExp(`Did you mean "${path}"\\?`)],
      [['--folders', `/${path}`], /is not a folder path/, new RegExp(`Did you mean "${path}"\\?`)],
      [
        ['--folders', path.toUpperCase()],
        /There is no folder/,
        new RegExp(`Did you mean "${path}"\\?.*case-sensitive`),
      ],
      [
        ['--folders', 'Shared/No such folder'],
        /There is no folder "No such folder" in "Shared"/,
        /Its subfolders: /,
      ],
      [
        ['--folders', 'Nowhere/At all'],
        /There is no folder "Nowhere\/At all"/,
        /starts at a root folder: "Shared" or "Users"/,
      ],
      [['--recursive'], /--recursive needs --folders/, /--folders "Shared\/Marketing" --recursive/],
    ];
    for (const [args, message, hint] of cases) {
      const db = tempDb();
      const logStart = sim.requestLog().length;
      const result = await runCli(['extract', '--db', db, ...args], { env });
      expect([args, result.code]).toEqual([args, 2]);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(hint);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      const content = sim
        .requestLog()
        .slice(logStart)
        .filter(
          (entry) =>
            ![
              'login',
              'logout',
              'versions',
              'folder',
              'folder_ancestors',
              'search_folders',
            ].includes(entry.operationId),
        );
      expect([args, content.map((entry) => entry.operationId)]).toEqual([args, []]);
    }
  }, 120_000);

  it('takes personal folders by Users/<name> path or id, and includes the trash of the scope', async () => {
    const sim = await simulator({ counts: SCOPE_COUNTS });
    const folders = sim.dataset.ids('folder').map((id) => item(sim, 'folder', id));
    const names = new Map<string, number>();
    for (const folder of folders) {
      if (folder.is_personal === true)
        names.set(String(folder.name), (names.get(String(folder.name)) ?? 0) + 1);
    }
    const dashboardsIn = (folder: string): string[] =>
      sim.dataset
        .ids('dashboard')
        .filter((id) => String(item(sim, 'dashboard', id).folder_id) === folder);
    // A personal folder with a name no other user has, and two dashboards: one goes to the trash.
    const personal = folders.find(
      (folder) =>
        folder.is_personal === true &&
        names.get(String(folder.name)) === 1 &&
        dashboardsIn(String(folder.id)).length >= 2,
    );
    if (!personal)
      throw new Error('the dataset has no uniquely named personal folder with dashboards');
    sim.applyMutations([
      { action: 'trash', type: 'dashboard', id: dashboardsIn(String(personal.id))[0] },
    ]);
    const db = tempDb();
    const { summary } = await extractInProcess(sim, db, {
      types: [...SCOPED_TYPES],
      folders: [`Users/${String(personal.name)}`],
      recursive: true,
    });
    const scope = scopeFolders(sim, [String(personal.id)], true);
    const expected = expectedScope(sim, scope);
    expect(snapshotTriples(db, summary.runId)).toEqual(expected);
    const trashed = sim.dataset
      .deletedIds('dashboard')
      .filter((id) => scope.has(String(item(sim, 'dashboard', id).folder_id)));
    expect(trashed.length).toBeGreaterThan(0);
    for (const id of trashed)
      expect(expected.some((t) => t.startsWith(`dashboard ${id} `))).toBe(true);
  }, 60_000);
});
