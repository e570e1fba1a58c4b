import { describe, expect, it } from '@jest/globals';
import { openDatabase } from '../../../src/store/sqlite.js';
import { openVault } from '../../../src/store/index.js';
import { runCli } from '../../helpers/cli.js';
import { simulator, tempDb } from './harness.js';

/**
 * The file refuses a write mid-run (a full disk, here a trigger that aborts one insert, so the
 * test needs no small file system): the run stops with one clear error and its exit code. It
 * used to end with exit 13 and no message at all when a second batch in flight was answered
 * after the writer began closing (the thread was unreferenced, so Node saw nothing left to do),
 * and with the error printed twice when it did end (issue 15).
 */
describe('a write the database refuses mid-run', () => {
  it('stops the run with the error once, its hint, and exit 2', async () => {
    const sim = await simulator({ counts: { dashboard: 1500, look: 300 }, latencyMs: 1 });
    const db = tempDb();
    openVault(db, { create: true }).close();
    const file = openDatabase(db);
    const victim = sim.dataset.ids('dashboard')[700] ?? '';
    file.exec(`CREATE TRIGGER refuse BEFORE INSERT ON item_versions
      WHEN NEW.content_type = 'dashboard' AND NEW.item_id = '${victim}'
      BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    file.close();

    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await runCli(['extract', '--db', db, '--no-progress', '-w', '8'], {
        env: {
          LOOKERSDK_BASE_URL: sim.url,
          LOOKERSDK_CLIENT_ID: sim.clientId,
          LOOKERSDK_CLIENT_SECRET: sim.clientSecret,
        },
        timeoutMs: 120_000,
      });
      expect(result.code).toBe(2);
      const errors = result.stderr.split('\n').filter((line) => line.startsWith('Error: '));
      expect(errors).toEqual([
        `Error: Could not write to \`${db}\`: database or disk is full (SQLITE_CONSTRAINT_TRIGGER)`,
      ]);
      expect(result.stderr).toMatch(/^Hint: /m);
      expect(result.stderr).toMatch(/^Backup failed: run \d+/m);
    }
  }, 300_000);
});

describe('tokens refused right after their login', () => {
  it('the run waits out the spaced re-logins and completes', async () => {
    const sim = await simulator({ counts: { dashboard: 20, look: 5 }, latencyMs: 1 });
    // Every content request is refused with 401 three times in a row, from the first one on:
    // the one worker re-logs in after 250, 500 and 1,000 ms with nothing else in flight.
    sim.injectFaults({ times: 3, fault: { kind: 'status', status: 401 } });
    const db = tempDb();
    const result = await runCli(
      ['extract', '--db', db, '--no-progress', '-w', '1', '-t', 'dashboards,looks'],
      {
        env: {
          LOOKERSDK_BASE_URL: sim.url,
          LOOKERSDK_CLIENT_ID: sim.clientId,
          LOOKERSDK_CLIENT_SECRET: sim.clientSecret,
        },
        timeoutMs: 120_000,
      },
    );
    expect(result.stderr).toMatch(/^Backup complete/m);
    expect(result.code).toBe(0);
    expect(sim.stats().logins).toBe(4);
  }, 180_000);
});
