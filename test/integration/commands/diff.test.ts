import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/tmp.js';
import {
  startSimulator,
  type MutationLogEntry,
  type RunningSimulator,
} from '../../../src/sim/index.js';
import { SMALL_COUNTS, extractInProcess } from '../extract/harness.js';

const cli = (args: string[]) => runCli(args, { env: { NODE_ENV: 'production' } });

let sim: RunningSimulator;
let dir: string;
let cleanup: () => void;
let db: string;
let applied: MutationLogEntry[];
let restored: string;
let retiled: string;

beforeAll(async () => {
  ({ dir, cleanup } = makeTempDir('lookervault-diff-'));
  db = path.join(dir, 'looker.db');
  sim = await startSimulator({ counts: SMALL_COUNTS });
  await extractInProcess(sim, db);
  const live = sim.dataset.ids('dashboard').filter((id) => /^\d+$/.test(id));
  restored = sim.dataset.deletedIds('dashboard')[0] as string;
  retiled = live[12] as string;
  applied = sim.applyMutations([
    { action: 'update', type: 'dashboard', id: live[3] },
    { action: 'update', type: 'dashboard', id: live[4] },
    { action: 'edit-tiles', type: 'dashboard', id: retiled },
    { action: 'trash', type: 'dashboard', id: live[20] },
    { action: 'restore', type: 'dashboard', id: restored },
    { action: 'delete', type: 'look', id: sim.dataset.ids('look')[5] },
    { action: 'update', type: 'group', id: sim.dataset.ids('group')[1] },
    { action: 'create', type: 'dashboard' },
    { action: 'create', type: 'look' },
  ]);
  await extractInProcess(sim, db);
});

afterAll(async () => {
  await sim.close();
  cleanup();
});

const ids = (action: string, type: string): string[] =>
  applied
    .filter((entry) => entry.action === action && entry.type === type)
    .map((entry) => entry.id)
    .sort((a, b) => Number(a) - Number(b));

describe('lookervault diff', () => {
  it('between the last two snapshots reports exactly the changes made to the instance', async () => {
    const result = await cli(['diff', '--db', db, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { from: number; to: number; types: unknown[] };
    expect([report.from, report.to]).toEqual([1, 2]);
    expect(report.types).toEqual([
      {
        type: 'dashboard',
        added: ids('create', 'dashboard'),
        removed: [],
        changed: [...ids('update', 'dashboard'), retiled].sort((a, b) => Number(a) - Number(b)),
        trashed: ids('trash', 'dashboard'),
        restored: [restored],
      },
      {
        type: 'group',
        added: [],
        removed: [],
        changed: ids('update', 'group'),
        trashed: [],
        restored: [],
      },
      {
        type: 'look',
        added: ids('create', 'look'),
        removed: ids('delete', 'look'),
        changed: [],
        trashed: [],
        restored: [],
      },
    ]);
    const text = await cli(['diff', '1', '2', '--db', db]);
    expect(text.stdout).toContain(`dashboards trashed: ${ids('trash', 'dashboard').join(', ')}`);
    expect(text.stdout).toMatch(/looks removed: \d+/);
  });

  it('inside one item, path by path', async () => {
    const result = await cli(['diff', 'dashboard', retiled, '--db', db, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      state: string;
      changes: Array<{ path: string; kind: string }>;
    };
    expect(report.state).toBe('changed');
    expect(report.changes.map((change) => `${change.kind} ${change.path}`).sort()).toEqual([
      'changed dashboard_elements[0].title',
      'changed updated_at',
    ]);
    const text = await cli(['diff', 'dashboards', retiled, '1', '2', '--db', db]);
    expect(text.stdout).toMatch(/~ dashboard_elements\[0\]\.title: ".*" → ".* \(edited \d+\)"/);
    const gone = await cli(['diff', 'look', ids('delete', 'look')[0] ?? '', '--db', db]);
    expect(gone.stdout).toMatch(/in snapshot 1; gone in 2\./);
  });

  it('refuses what it cannot compare with a hint (exit 2)', async () => {
    for (const args of [
      ['diff', '2', '2'],
      ['diff', '1', '9'],
      ['diff', 'widget', '4'],
      ['diff', 'dashboard'],
      ['diff', 'dashboard', '99999'],
      ['diff', 'dashboard', '4', 'x'],
    ]) {
      const result = await cli([...args, '--db', db]);
      expect([args, result.code]).toEqual([args, 2]);
      expect(result.stderr).toContain('Hint:');
    }
  });
});
