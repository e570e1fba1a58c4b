import { describe, expect, it } from '@jest/globals';
import { runSummarySchema } from '../../../src/engine/run-summary.js';
import { runCli } from '../../helpers/cli.js';
import { envFor, simulator, tempDb } from './harness.js';

describe('the run summary', () => {
  it("counts exactly the requests the simulator answered, and its durations are the server's plus the client's", async () => {
    const sim = await simulator({ counts: { dashboard: 60, look: 20 }, latencyMs: 30 });
    const workers = 4;
    const result = await runCli(
      ['extract', '--db', tempDb(), '--json', '--no-progress', '-w', String(workers)].concat([
        '--batch-size',
        '20',
        '--types',
        'dashboards,looks',
      ]),
      { env: envFor(sim) },
    );
    expect(result.code).toBe(0);
    const summary = runSummarySchema.parse(JSON.parse(result.stdout));
    const stats = sim.stats();
    // Every request the client counted reached the server (login and logout are the session's).
    expect(summary.requests).toBe(stats.requests.total - stats.logins - stats.logouts);
    // Worker time spent on requests covers at least the server's time on them (the client's
    // clock runs from sending to the last byte). How close the two come is measured, not
    // asserted: `node bench/extract.js agreement` records it.
    const serverBusyMs = stats.serviceTimeMs.sum;
    expect(summary.utilization * workers * summary.durationMs).toBeGreaterThanOrEqual(
      serverBusyMs * 0.98,
    );
    expect(summary.utilization).toBeLessThanOrEqual(1);
  });
});
