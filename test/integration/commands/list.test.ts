import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/tmp.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { SMALL_COUNTS, extractInProcess } from '../extract/harness.js';

const cli = (args: string[]) => runCli(args, { env: { NODE_ENV: 'production' } });

type Item = Record<string, unknown>;
interface Row {
  type: string;
  id: string;
  title: string | null;
  folder: string | null;
  owner: string | null;
  state: string;
}

let sim: RunningSimulator;
let dir: string;
let cleanup: () => void;
let db: string;
let purged: string;
let edited: string;

const item = (type: 'dashboard' | 'folder' | 'user', id: string): Item =>
  sim.dataset.get(type, id) as Item;

async function list(args: string[]): Promise<Row[]> {
  const result = await cli(['list', '--db', db, '--json', ...args]);
  expect([args, result.code, result.stderr]).toEqual([args, 0, '']);
  return result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Row);
}

const sorted = (ids: string[]): string[] =>
  [...ids].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

beforeAll(async () => {
  ({ dir, cleanup } = makeTempDir('lookervault-list-'));
  db = path.join(dir, 'looker.db');
  sim = await startSimulator({ counts: SMALL_COUNTS });
  await extractInProcess(sim, db);
  const live = sim.dataset.ids('dashboard').filter((id) => /^\d+$/.test(id));
  purged = live[30] as string;
  edited = live[31] as string;
  sim.applyMutations([
    { action: 'delete', type: 'dashboard', id: purged },
    { action: 'update', type: 'dashboard', id: edited },
  ]);
  await extractInProcess(sim, db);
});

afterAll(async () => {
  await sim.close();
  cleanup();
});

describe('lookervault list', () => {
  it('lists every dashboard of the latest snapshot, trash included, with folder paths and owner emails', async () => {
    const rows = await list(['dashboards']);
    const expected = [...sim.dataset.ids('dashboard'), ...sim.dataset.deletedIds('dashboard')];
    expect(sorted(rows.map((row) => row.id))).toEqual(sorted(expected));
    const trashed = rows.filter((row) => row.state === 'trashed').map((row) => row.id);
    expect(sorted(trashed)).toEqual(sorted(sim.dataset.deletedIds('dashboard')));
    const sample = rows.find((row) => row.id === edited);
    const dashboard = item('dashboard', edited);
    const folder = item('folder', String(dashboard.folder_id));
    expect(sample?.title).toBe(dashboard.title);
    expect(sample?.folder?.endsWith(`/${String(folder.name)}`)).toBe(true);
    expect(sample?.owner).toBe(item('user', String(dashboard.user_id)).email);
  });

  it('filters by folder (with subfolders), owner, title, change, trash and limit', async () => {
    const folders = sim.dataset.ids('folder').map((id) => item('folder', id));
    const parent = folders
      .filter((f) => f.is_personal !== true && f.parent_id !== null && Number(f.child_count) > 0)
      .at(0) as Item;
    const subtree = new Set([String(parent.id)]);
    for (let grew = true; grew;) {
      grew = false;
      for (const f of folders) {
        const parentId = typeof f.parent_id === 'string' ? f.parent_id : null;
        if (parentId !== null && subtree.has(parentId) && !subtree.has(String(f.id))) {
          subtree.add(String(f.id));
          grew = true;
        }
      }
    }
    const inSubtree = [
      ...sim.dataset.ids('dashboard'),
      ...sim.dataset.deletedIds('dashboard'),
    ].filter((id) => subtree.has(String(item('dashboard', id).folder_id)));
    const byId = await list(['dashboards', '--folder', String(parent.id), '--recursive']);
    expect(sorted(byId.map((row) => row.id))).toEqual(sorted(inSubtree));
    const pathOfParent = byId.find(
      (row) => item('dashboard', row.id).folder_id === parent.id,
    )?.folder;
    if (pathOfParent) {
      const byPath = await list(['dashboards', '--folder', pathOfParent, '-r']);
      expect(sorted(byPath.map((row) => row.id))).toEqual(sorted(inSubtree));
    }

    const owner = item('user', String(item('dashboard', edited).user_id));
    const owned = [...sim.dataset.ids('dashboard'), ...sim.dataset.deletedIds('dashboard')].filter(
      (id) => item('dashboard', id).user_id === owner.id,
    );
    const byOwner = await list(['dashboards', '--owner', String(owner.email).toUpperCase()]);
    expect(sorted(byOwner.map((row) => row.id))).toEqual(sorted(owned));

    const word = String(item('dashboard', edited).title).split(' ')[0] ?? '';
    const titled = await list(['dashboards', '--title', `${word.toLowerCase()}*`]);
    expect(titled.length).toBeGreaterThan(0);
    for (const row of titled)
      expect(row.title?.toLowerCase().startsWith(word.toLowerCase())).toBe(true);

    const changed = await list(['--changed-since', '1']);
    expect(changed.map((row) => `${row.type} ${row.id}`)).toEqual([`dashboard ${edited}`]);
    expect(await list(['--changed-since', '2999-01-01'])).toEqual([]);

    const trashed = await list(['looks', '--trashed']);
    expect(sorted(trashed.map((row) => row.id))).toEqual(sorted(sim.dataset.deletedIds('look')));
    expect(await list(['dashboards', '--limit', '3'])).toHaveLength(3);
  });

  it('--deleted shows what was deleted in Looker, as last seen; --snapshot 1 still holds it', async () => {
    const deleted = await list(['--deleted']);
    expect(deleted.map((row) => `${row.type} ${row.id} ${row.state}`)).toEqual([
      `dashboard ${purged} deleted`,
    ]);
    const first = await list(['dashboards', '--snapshot', '1']);
    expect(first.some((row) => row.id === purged)).toBe(true);
    const text = await cli(['list', 'dashboards', '--db', db, '--limit', '2']);
    expect(text.stdout).toMatch(/^type\s+id\s+title\s+folder\s+owner\s+updated\s+size\s+state/);
    expect(text.stdout).toContain('2 items in snapshot 2');
  });

  it('refuses bad filters with a hint (exit 2)', async () => {
    for (const args of [
      ['widgets'],
      ['--folder', 'Shared/No such folder'],
      ['--recursive'],
      ['--owner', 'nobody@example.com'],
      ['--changed-since', 'yesterday-ish'],
      ['--trashed', '--deleted'],
      ['--snapshot', '9'],
    ]) {
      const result = await cli(['list', '--db', db, ...args]);
      expect([args, result.code]).toEqual([args, 2]);
      expect(result.stderr).toContain('Hint:');
    }
  });
});
