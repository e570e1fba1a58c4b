import { describe, expect, it } from '@jest/globals';
import { runCli } from '../../helpers/cli.js';
import { extractInProcess, simulator, tempDb, withMergeResults } from '../extract/harness.js';
import {
  NO_CONTENT,
  comparable,
  idMap,
  identity,
  restoreInProcess,
  snapshotItems,
} from './harness.js';

const SOURCE = {
  dashboard: 500,
  look: 60,
  folder: 25,
  board: 0,
  scheduled_plan: 0,
  lookmlDashboards: 0,
  user: 30,
};
const KILLS = 10;

describe('restore killed with SIGKILL', () => {
  it('at 10 points of a 500-dashboard restore, then run again: nothing twice, everything restored', async () => {
    const a = await simulator({ seed: 6, counts: SOURCE });
    const b = await simulator({
      seed: 6,
      empty: true,
      counts: { ...NO_CONTENT, user: SOURCE.user },
    });
    const db = tempDb();
    // Tiles that show a look in A's trash could not be restored anywhere: take those looks out.
    a.applyMutations(
      a.dataset
        .deletedIds('look')
        .map((id) => ({ action: 'restore' as const, type: 'look' as const, id })),
    );
    await extractInProcess(a, db);
    const types = ['folder', 'look', 'dashboard'] as const;
    const dry = await restoreInProcess(db, b, {
      otherInstance: true,
      types: [...types],
      dryRun: true,
    });
    const step = Math.floor(dry.plan.estimatedRequests / (KILLS + 1));
    const env = {
      LOOKERVAULT_TO_CLIENT_ID: b.clientId,
      LOOKERVAULT_TO_CLIENT_SECRET: b.clientSecret,
    };
    const args = [
      'restore',
      '--db',
      db,
      '--to-base-url',
      b.url,
      '-t',
      'folders,looks,dashboards',
      '--yes',
      '--verbose',
      '-w',
      '4',
    ];

    let killed = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      b.resetStats();
      // Killed once this run has sent `step` more requests to the target: each kill lands
      // further into the work, at whatever request the workers are on.
      const result = await runCli(args, {
        env,
        timeoutMs: 120_000,
        onStderr: (_chunk, child) => {
          if (child.exitCode === null && b.stats().requests.total >= step) child.kill('SIGKILL');
        },
      });
      if (result.signal === 'SIGKILL') killed += 1;
      else expect(result.code).toBe(0);
    }
    expect(killed).toBeGreaterThanOrEqual(KILLS - 1);

    const last = await runCli(args, { env, timeoutMs: 120_000 });
    expect(last.code).toBe(0);

    // No duplicate: every slug once, every folder path once, every look once per folder.
    const dashboards = [...b.dataset.ids('dashboard'), ...b.dataset.deletedIds('dashboard')].map(
      (id) => b.dataset.get('dashboard', id) as { slug: string },
    );
    const slugs = dashboards.map((d) => d.slug);
    expect(slugs.length - new Set(slugs).size).toBe(0);
    const source = snapshotItems(db, 'dashboard');
    expect(dashboards.length).toBe(source.size);
    const looks = b.dataset
      .ids('look')
      .map((id) => b.dataset.get('look', id) as { folder_id: string; title: string });
    expect(looks.length).toBe(snapshotItems(db, 'look').size);
    const folderKeys = b.dataset
      .ids('folder')
      .map((id) => b.dataset.get('folder', id) as { parent_id: string; name: string })
      .map((f) => `${f.parent_id}/${f.name}`);
    expect(folderKeys.length - new Set(folderKeys).size).toBe(0);

    // Everything restored, equal to the backup.
    const mapping = idMap(db);
    const map = (type: string, id: string) => mapping.get(`${type}:${id}`);
    for (const [id, dashboard] of source) {
      const found = b.dataset.get('dashboard', map('dashboard', id) ?? '');
      expect({ id, found: found !== undefined }).toEqual({ id, found: true });
      // As a backup of B would keep it: merged tiles with their merges.
      const target = { ...(found as Record<string, unknown>) };
      withMergeResults(b, target);
      expect(comparable('dashboard', target as Record<string, unknown>, identity)).toEqual(
        comparable('dashboard', dashboard, map),
      );
    }
    const again = await restoreInProcess(db, b, {
      otherInstance: true,
      types: [...types],
      dryRun: true,
    });
    expect(
      again.plan.items.filter((i) => i.action !== 'skip').map((i) => `${i.type}:${i.sourceId}`),
    ).toEqual([]);
  }, 600_000); // a safety net for a busy machine: the test is ~30 s on an idle one
});
