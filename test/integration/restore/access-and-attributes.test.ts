import { describe, expect, it } from '@jest/globals';
import type { Json } from '../../../src/restore/types.js';
import { runCli } from '../../helpers/cli.js';
import { SimClient } from '../sim/http.js';
import {
  envFor,
  expectedItem,
  extractInProcess,
  simIds,
  simulator,
  tempDb,
} from '../extract/harness.js';
import { restoreInProcess } from './harness.js';

type Row = { id: string; group_id: string | null; user_id: string | null; permission_type: string };

function access(
  sim: Parameters<typeof simIds>[0],
  folderId: string,
): { inherits: boolean; rows: Row[] } {
  const item = expectedItem(sim, 'folder_access', folderId);
  return {
    inherits: (item.content_metadata as Json).inherits === true,
    rows: item.access as Row[],
  };
}

/** Who has which permission on a folder: "group:3=edit", sorted. */
function grants(rows: readonly Row[]): string[] {
  return rows
    .map(
      (row) =>
        `${row.group_id !== null ? `group:${row.group_id}` : `user:${String(row.user_id)}`}=${row.permission_type}`,
    )
    .sort();
}

describe('restoring user attributes and folder access (configuration, asked for with --types)', () => {
  it('plans an update for exactly what changed, keeps rows the backup lacks, makes it so; then all skip', async () => {
    const sim = await simulator({ seed: 4 });
    const db = tempDb();
    await extractInProcess(sim, db);
    const folders = simIds(sim, 'folder_access');
    const own = folders.filter(
      (id) => !access(sim, id).inherits && access(sim, id).rows.length > 0,
    );
    const inheriting = folders.filter((id) => access(sim, id).inherits);
    const [changedRow, nowInherits, extraRow] = own;
    const [nowOwn] = inheriting;
    if (!changedRow || !nowInherits || !extraRow || !nowOwn) throw new Error('dataset too small');
    const backedUp = new Map(folders.map((id) => [id, access(sim, id)]));
    const cm = (folderId: string): string =>
      String((sim.dataset.get('folder', folderId) as Json).content_metadata_id);
    const taken = new Set(access(sim, extraRow).rows.map((r) => r.group_id));
    const other = ['1', '2', '3', '4', '5', '6'].find((g) => !taken.has(g)) as string;
    const client = new SimClient(sim);
    try {
      const ok = async (method: string, path: string, body: unknown): Promise<void> => {
        const answer = await client.write(method, path, body);
        expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      };
      // One row's permission flipped; a folder that inherits now; one that has its own now; a
      // row for another group added; a custom attribute's label and group values changed.
      const row = access(sim, changedRow).rows[0] as Row;
      await ok('PUT', `/content_metadata_access/${row.id}`, {
        permission_type: row.permission_type === 'edit' ? 'view' : 'edit',
      });
      await ok('PATCH', `/content_metadata/${cm(nowInherits)}`, { inherits: true });
      await ok('PATCH', `/content_metadata/${cm(nowOwn)}`, { inherits: false });
      await ok('POST', '/content_metadata_access', {
        content_metadata_id: cm(nowOwn),
        permission_type: 'view',
        group_id: '2',
      });
      await ok('POST', '/content_metadata_access', {
        content_metadata_id: cm(extraRow),
        permission_type: 'edit',
        group_id: other,
      });
      await ok('PATCH', '/user_attributes/9', { label: 'Changed label' });
      await ok('POST', '/user_attributes/10/group_values', [{ group_id: '1', value: 'changed' }]);
    } finally {
      await client.close();
    }

    const dry = await runCli(
      ['restore', '--db', db, '--types', 'user_attribute,folder-access', '--dry-run', '--json'],
      { env: envFor(sim) },
    );
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.stdout) as {
      plan: { items: { type: string; id: string; action: string; reason: string }[] };
    };
    const ofType = (type: string, action: string): string[] =>
      planned.plan.items
        .filter((i) => i.type === type && i.action === action)
        .map((i) => i.id)
        .sort();
    expect(ofType('folder_access', 'update')).toEqual([changedRow, nowInherits, nowOwn].sort());
    expect(ofType('user_attribute', 'update')).toEqual(['10', '9']);
    expect(
      planned.plan.items.filter((i) => i.action === 'create' || i.action === 'undelete'),
    ).toEqual([]);
    const kept = planned.plan.items.find((i) => i.type === 'folder_access' && i.id === extraRow);
    expect(kept).toMatchObject({ action: 'skip', reason: 'identical; 1 more in the target, kept' });
    const system = planned.plan.items.find((i) => i.type === 'user_attribute' && i.id === '1');
    expect(system).toMatchObject({
      action: 'skip',
      reason: 'built in: matched by name, never written',
    });

    const run = await restoreInProcess(db, sim, { types: ['user_attribute', 'folder_access'] });
    expect(run.summary?.status).toBe('success');
    for (const id of [changedRow, nowInherits, nowOwn]) {
      const now = access(sim, id);
      const then = backedUp.get(id) as { inherits: boolean; rows: Row[] };
      expect({ id, inherits: now.inherits, grants: grants(now.rows) }).toEqual({
        id,
        inherits: then.inherits,
        grants: then.inherits ? [] : grants(then.rows),
      });
    }
    // The row the backup did not have is still there: a restore deletes nothing.
    expect(grants(access(sim, extraRow).rows)).toEqual(
      [...grants(backedUp.get(extraRow)?.rows ?? []), `group:${other}=edit`].sort(),
    );
    expect(sim.dataset.get('user_attribute', '9')).toMatchObject({
      label: expect.not.stringMatching(/Changed/),
    });
    expect(sim.dataset.userAttributeGroupValues('10')?.map((v) => v.value)).not.toContain(
      'changed',
    );

    const again = await restoreInProcess(db, sim, {
      types: ['user_attribute', 'folder_access'],
      dryRun: true,
    });
    expect(
      again.plan.items.filter((i) => i.action !== 'skip').map((i) => `${i.type}:${i.sourceId}`),
    ).toEqual([]);
  });

  it('a selector restores one folder access, and what it needs only when missing', async () => {
    const sim = await simulator({ seed: 4 });
    const db = tempDb();
    await extractInProcess(sim, db);
    const folder = simIds(sim, 'folder_access').find(
      (id) => !access(sim, id).inherits && access(sim, id).rows.some((r) => r.group_id !== null),
    ) as string;
    const plan = await restoreInProcess(db, sim, {
      types: ['folder_access'],
      selectors: [{ type: 'folder_access', id: folder }],
      dryRun: true,
    });
    const chosen = plan.plan.items.filter((i) => i.selected).map((i) => `${i.type}:${i.sourceId}`);
    expect(chosen).toEqual([`folder_access:${folder}`]);
    // Its folder and its groups come along as dependencies, present, left alone.
    const deps = plan.plan.items.filter((i) => !i.selected);
    expect(deps.map((i) => i.type)).toEqual(expect.arrayContaining(['folder', 'group']));
    expect(deps.every((i) => i.action === 'skip')).toBe(true);
  });
});
