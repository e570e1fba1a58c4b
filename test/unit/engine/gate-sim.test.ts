import { describe, expect, it } from '@jest/globals';
import { simulateTokenBucket, type TokenBucketScenario } from './token-bucket-sim.js';

describe('limiter against a token-bucket server (virtual time)', () => {
  it('serves a 50/s bucket at ≥ 95 % of its rate over a long run, never inside a pause', async () => {
    const result = await simulateTokenBucket({ rate: 50, workers: 8, items: 10_000 });
    expect(result.efficiency).toBeGreaterThanOrEqual(0.95);
    expect(result.startsInsidePauses).toBe(0);
    expect(result.windowViolations).toBe(0);
    expect(result.peakInFlight).toBeLessThanOrEqual(8);
    // Polite: 429s are a small fraction of the requests.
    expect(result.rateLimited / result.requests).toBeLessThan(0.01);
  });

  it('a 429 storm (2/s for 10 workers) completes on its own, never inside a pause', async () => {
    const result = await simulateTokenBucket({ rate: 2, workers: 10, items: 300 });
    expect(result.efficiency).toBeGreaterThanOrEqual(0.9);
    expect(result.startsInsidePauses).toBe(0);
    expect(result.windowViolations).toBe(0);
  });

  it('a user cap below the server rate is kept exactly and draws no 429', async () => {
    const result = await simulateTokenBucket({
      rate: 50,
      workers: 8,
      items: 2_000,
      limiter: { ratePerSecond: 40 },
    });
    expect(result.rateLimited).toBe(0);
    expect(result.achievedPerSecond).toBeLessThanOrEqual(40);
    expect(result.achievedPerSecond).toBeGreaterThan(39.5);
  });

  // `LIMITER_SIM_REPORT=1` prints the table quoted in docs/limiter.md.
  if (process.env.LIMITER_SIM_REPORT === '1') {
    it('reports scenarios', async () => {
      const scenarios: TokenBucketScenario[] = [
        { rate: 50, workers: 8, items: 10_000 },
        { rate: 50, workers: 16, items: 10_000, oneWayMs: 25, serviceMs: 50 },
        { rate: 50, workers: 8, items: 10_000, limiter: { ratePerSecond: 100 } },
        { rate: 10, workers: 8, items: 3_000 },
        { rate: 2, workers: 10, items: 600 },
        { rate: 200, workers: 32, items: 40_000 },
        { rate: 50, burst: 20, workers: 8, items: 10_000 },
        { rate: 50, burst: 5, workers: 8, items: 10_000 },
      ];
      const lines = [
        '| R/s | burst | workers | items | cap | time s | % of R | requests | 429s | decreases | paused s | final rate | in pause |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ];
      for (const s of scenarios) {
        const r = await simulateTokenBucket(s);
        lines.push(
          `| ${s.rate} | ${s.burst ?? s.rate} | ${s.workers} | ${s.items} | ${s.limiter?.ratePerSecond ?? '–'} | ${(r.elapsedMs / 1000).toFixed(1)} | ${(r.efficiency * 100).toFixed(1)} | ${r.requests} | ${r.rateLimited} | ${r.decreases} | ${(r.pausedTotalMs / 1000).toFixed(1)} | ${r.finalRate?.toFixed(1) ?? 'unlimited'} | ${r.startsInsidePauses + r.windowViolations} |`,
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      expect(lines).toHaveLength(scenarios.length + 2);
    }, 120_000);
  }
});
