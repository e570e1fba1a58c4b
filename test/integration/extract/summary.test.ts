import { describe, expect, it } from '@jest/globals';
import { runSummarySchema } from '../../../src/progress/summary.js';
import { runCli } from '../../helpers/cli.js';
import { envFor, simulator, tempDb } from './harness.js';

/** Relative difference, for "agrees within a few percent". */
const off = (a: number, b: number): number => Math.abs(a - b) / b;

describe('the run summary', () => {
  it("agrees with the simulator's own counters on requests, latency and utilization", async () => {
    // The real CLI in its own process (writer in its thread), against a server latency typical
    // of Looker: the client's few milliseconds of work per request stay a few percent of it.
    const sim = await simulator({ counts: { dashboard: 120, look: 40 }, latencyMs: 150 });
    const workers = 8;
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

    // The client measures from sending to the last byte, the server from arrival to its last
    // byte; utilization is Σ request time ÷ (workers × duration) on both sides.
    const measured = {
      latencyP50: { client: summary.latencyMs.p50, server: stats.serviceTimeMs.p50 },
      utilization: {
        client: summary.utilization,
        server: stats.serviceTimeMs.sum / (workers * summary.durationMs),
      },
    };
    expect({
      measured,
      latencyAgrees: off(measured.latencyP50.client, measured.latencyP50.server) < 0.05,
      utilizationAgrees: off(measured.utilization.client, measured.utilization.server) < 0.05,
    }).toEqual({ measured, latencyAgrees: true, utilizationAgrees: true });
  });
});
