import { describe, expect, it } from '@jest/globals';
import { openVault } from '../../../src/store/index.js';
import { readSnapshotItems } from '../../../src/store/restore-journal.js';
import { SimClient } from '../sim/http.js';
import {
  expectedItem,
  expectedTriples,
  extractInProcess,
  simIds,
  simulator,
  snapshotTriples,
  tempDb,
} from './harness.js';

type Json = Record<string, unknown>;

function snapshotItems(db: string, snapshotId: number, type: 'folder_access' | 'user_attribute') {
  const vault = openVault(db, { readonly: true });
  try {
    return new Map(
      [...readSnapshotItems(vault, snapshotId, type)].map((row) => [
        row.id,
        JSON.parse(row.json) as Json,
      ]),
    );
  } finally {
    vault.close();
  }
}

describe('user attributes and folder access in the backup', () => {
  it('keeps every user attribute with its group values, and the access of every folder whose access can be set', async () => {
    const sim = await simulator();
    const db = tempDb();
    const { summary } = await extractInProcess(sim, db, {
      types: ['folder', 'folder_access', 'user_attribute'],
    });
    expect(summary.status).toBe('success');
    const triples = snapshotTriples(db, summary.runId);
    expect(triples.filter((t) => !t.startsWith('folder '))).toEqual(
      expectedTriples(sim, ['folder_access', 'user_attribute']),
    );
    const access = snapshotItems(db, summary.runId, 'folder_access');
    // Personal folders and the Users root are left out: Looker fixes who sees them.
    const personal = sim.dataset
      .ids('folder')
      .filter((id) => (sim.dataset.get('folder', id) as Json).is_personal === true);
    expect(personal.length).toBeGreaterThan(0);
    for (const id of personal) expect(access.has(id)).toBe(false);
    // The dataset has folders with access of their own and folders that inherit.
    const inherits = [...access.values()].map(
      (item) => (item.content_metadata as Json).inherits === true,
    );
    expect(inherits).toContain(true);
    expect(inherits).toContain(false);
    const attributes = snapshotItems(db, summary.runId, 'user_attribute');
    expect(
      [...attributes.values()].some((a) => Array.isArray(a.group_values) && a.group_values.length),
    ).toBe(true);
    // Three requests per folder: its content metadata id, its content metadata, its rows.
    const calls = sim.stats().requests.byOperation;
    expect(calls.content_metadata).toBe(simIds(sim, 'folder_access').length);
    expect(calls.all_content_metadata_accesses).toBe(simIds(sim, 'folder_access').length);
    expect(calls.all_user_attribute_group_values).toBe(sim.dataset.count('user_attribute'));
  });

  it('an incremental run fetches folder access again (it changes while its folder does not) and keeps what changed', async () => {
    const sim = await simulator();
    const db = tempDb();
    const first = await extractInProcess(sim, db);
    expect(first.summary.status).toBe('success');
    const client = new SimClient(sim);
    try {
      // A folder that inherits gets access of its own; an attribute gets other group values.
      const folderId = simIds(sim, 'folder_access').find(
        (id) => (expectedItem(sim, 'folder_access', id).content_metadata as Json).inherits === true,
      );
      if (folderId === undefined) throw new Error('no inheriting folder');
      const cm = String((sim.dataset.get('folder', folderId) as Json).content_metadata_id);
      expect(
        (await client.write('PATCH', `/content_metadata/${cm}`, { inherits: false })).status,
      ).toBe(200);
      const row = await client.write('POST', '/content_metadata_access', {
        content_metadata_id: cm,
        permission_type: 'edit',
        group_id: '3',
      });
      expect(row.status).toBe(200);
      const values = await client.write('POST', '/user_attributes/9/group_values', [
        { group_id: '2', value: 'changed' },
      ]);
      expect(values.status).toBe(200);
    } finally {
      await client.close();
    }
    const second = await extractInProcess(sim, db);
    expect(second.summary.status).toBe('success');
    expect(second.summary.incremental).toContain('dashboard');
    expect(second.summary.incremental).not.toContain('folder_access');
    expect(
      snapshotTriples(db, second.summary.runId).filter((t) =>
        /^(folder_access|user_attribute) /.test(t),
      ),
    ).toEqual(expectedTriples(sim, ['folder_access', 'user_attribute']));
    const before = new Set(snapshotTriples(db, first.summary.runId));
    const changed = snapshotTriples(db, second.summary.runId).filter((t) => !before.has(t));
    expect(changed.map((t) => t.split(' ').slice(0, 2).join(' ')).sort()).toEqual(
      expect.arrayContaining(['user_attribute 9']),
    );
    expect(changed.some((t) => t.startsWith('folder_access '))).toBe(true);
  });
});
