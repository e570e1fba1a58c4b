import { describe, expect, it } from '@jest/globals';
import { runCli } from '../../helpers/cli.js';
import { extractInProcess, simulator, tempDb } from '../extract/harness.js';
import { NO_CONTENT, idMap, snapshotItems } from './harness.js';
import type { RunningSimulator } from '../../../src/sim/index.js';

function toEnv(target: RunningSimulator): NodeJS.ProcessEnv {
  return {
    LOOKERVAULT_TO_CLIENT_ID: target.clientId,
    LOOKERVAULT_TO_CLIENT_SECRET: target.clientSecret,
  };
}

describe('restore failures', () => {
  it('a 422 on 2% of tile creates: those dashboards reported, the rest restored, exit 3; --retry-failed finishes them', async () => {
    const a = await simulator({ seed: 4 });
    const b = await simulator({
      seed: 4,
      empty: true,
      counts: NO_CONTENT,
      writeRejections: { create_dashboard_element: 0.02 },
    });
    const db = tempDb();
    await extractInProcess(a, db);
    const args = [
      'restore',
      '--db',
      db,
      '--to-base-url',
      b.url,
      '--types',
      'folders,looks,dashboards',
      '--json',
    ];

    const first = await runCli(args, { env: toEnv(b) });
    expect(first.code).toBe(3);
    const summary = JSON.parse(first.stdout) as {
      status: string;
      failures: { type: string; id: string; error: string }[];
    };
    expect(summary.status).toBe('partial');
    expect(summary.failures.length).toBeGreaterThan(0);
    for (const failure of summary.failures) {
      expect(failure.type).toBe('dashboard');
      // The server's own words reach the user.
      expect(failure.error).toMatch(
        /create_dashboard_element: HTTP 422.*rejected this create_dashboard_element/,
      );
    }

    // A restore is a run: `status` lists it, and its failures.
    const list = await runCli(['status', '--db', db, '--json']);
    const runs = (
      JSON.parse(list.stdout) as { runs: { id: number; kind: string; status: string }[] }
    ).runs;
    const restoreRun = runs.find((r) => r.kind === 'restore');
    expect(restoreRun?.status).toBe('partial');
    const detail = await runCli(['status', '--db', db, '--run', String(restoreRun?.id), '--json']);
    const failed = (
      JSON.parse(detail.stdout) as {
        run: { restoreFailures: { type: string; id: string; error: string }[] };
      }
    ).run.restoreFailures;
    expect(failed.map((f) => `${f.type}:${f.id}`).sort()).toEqual(
      summary.failures.map((f) => `${f.type}:${f.id}`).sort(),
    );

    b.setWriteRejections({ create_dashboard_element: 0 });
    const retry = await runCli(
      ['restore', '--db', db, '--to-base-url', b.url, '--retry-failed', '--json'],
      {
        env: toEnv(b),
      },
    );
    expect(retry.code).toBe(0);
    const retried = JSON.parse(retry.stdout) as {
      status: string;
      types: { type: string; planned: Record<string, number> }[];
    };
    expect(retried.status).toBe('success');
    const dashboards = retried.types.find((t) => t.type === 'dashboard');
    // Only the failed ones were planned again: half-made, they are updated, not created twice.
    expect((dashboards?.planned.update ?? 0) + (dashboards?.planned.create ?? 0)).toBe(
      summary.failures.length,
    );

    // Every dashboard of the backup now has its counterpart, with all its tiles.
    const mapping = idMap(db);
    const source = snapshotItems(db, 'dashboard');
    let checked = 0;
    for (const [id, dashboard] of source) {
      const target = b.dataset.get('dashboard', mapping.get(`dashboard:${id}`) ?? '') as
        { dashboard_elements: unknown[] } | undefined;
      if (refersToTrashedLook(dashboard, a)) continue;
      expect({ id, tiles: target?.dashboard_elements.length }).toEqual({
        id,
        tiles: (dashboard.dashboard_elements as unknown[]).length,
      });
      checked += 1;
    }
    expect(checked).toBeGreaterThan(100);
    expect(b.dataset.count('dashboard')).toBe(
      new Set([...mapping.keys()].filter((k) => k.startsWith('dashboard:'))).size,
    );
  });
});

function refersToTrashedLook(dashboard: Record<string, unknown>, a: RunningSimulator): boolean {
  const trashed = new Set(a.dataset.deletedIds('look'));
  return ((dashboard.dashboard_elements as { look_id?: string | null }[] | undefined) ?? []).some(
    (e) => e.look_id != null && trashed.has(e.look_id),
  );
}
