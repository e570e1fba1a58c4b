import { describe, expect, it } from '@jest/globals';
import {
  LatencyHistogram,
  RateMeter,
  RequestMetrics,
  peakRssBytes,
} from '../../../src/engine/metrics.js';
import { FakeClock } from './fake-clock.js';

/** The exact nearest-rank percentile of a sorted array. */
function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('LatencyHistogram', () => {
  it('percentiles are within 2 % of exact on a uniform and a long-tailed distribution', () => {
    const random = seeded(42);
    const uniform = Array.from({ length: 20_000 }, () => 1 + random() * 999);
    // Log-normal-ish latencies: median ~80 ms, a long tail into seconds.
    const tailed = Array.from(
      { length: 20_000 },
      () => 80 * Math.exp(1.2 * (random() + random() + random() - 1.5)),
    );
    for (const values of [uniform, tailed]) {
      const histogram = new LatencyHistogram();
      for (const v of values) histogram.record(v);
      const sorted = [...values].sort((a, b) => a - b);
      expect(histogram.count).toBe(values.length);
      for (const p of [50, 90, 95, 99, 99.9]) {
        const exact = exactPercentile(sorted, p);
        expect(Math.abs(histogram.percentile(p) - exact) / exact).toBeLessThan(0.02);
      }
      expect(histogram.percentile(100)).toBe(sorted.at(-1));
    }
  });

  it('keeps memory bounded however many values it records', () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 100_000; i++) histogram.record((i % 1000) + 0.5);
    histogram.record(3_600_000);
    // ~1,100 buckets span 0.01 ms to an hour; the count of values does not matter.
    expect((histogram as unknown as { buckets: number[] }).buckets.length).toBeLessThan(1200);
  });

  it('is empty-safe and ignores values that are not latencies', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.percentile(50)).toBe(0);
    histogram.record(Number.NaN);
    histogram.record(-1);
    expect(histogram.count).toBe(0);
    histogram.record(0);
    expect(histogram.percentile(99)).toBe(0);
  });
});

describe('RateMeter', () => {
  it('measures events per second over the sliding window', () => {
    const clock = new FakeClock();
    const meter = new RateMeter({ windowMs: 5000, slots: 10, now: clock.now });
    for (let t = 0; t < 10_000; t += 100) meter.add(2, t); // 20 events/s for 10 s
    expect(meter.ratePerSecond(10_000)).toBeCloseTo(20, 9);
    // Nothing for 3 s. The window is 9 whole slots of 500 ms plus the current one, so at 13 s
    // it covers [8.5 s, 13 s]: 1.5 s of the 20/s traffic over 4.5 s.
    expect(meter.ratePerSecond(13_000)).toBeCloseTo((20 * 1.5) / 4.5, 9);
    expect(meter.ratePerSecond(20_000)).toBe(0);
    expect(meter.count).toBe(200);
  });

  it('does not dilute the first seconds of a run over the whole window', () => {
    const clock = new FakeClock(1_000_000);
    const meter = new RateMeter({ windowMs: 5000, now: clock.now });
    for (let i = 1; i <= 10; i++) meter.add(1, 1_000_000 + i * 100);
    expect(meter.ratePerSecond(1_001_000)).toBeCloseTo(10, 9);
  });

  it('ignores events older than the window', () => {
    const meter = new RateMeter({ windowMs: 1000, slots: 4, now: () => 0 });
    meter.add(5, 10_000);
    meter.add(7, 1_000); // late report for a slot long gone
    expect(meter.ratePerSecond(10_000)).toBeCloseTo(5 / 0.75, 9);
  });
});

describe('RequestMetrics', () => {
  it('busyMs is exactly the sum of the time requests were in flight, open ones included', async () => {
    const clock = new FakeClock();
    const metrics = new RequestMetrics({ now: clock.now });
    metrics.requestStarted('a'); // 0 → 100
    await clock.advance(40);
    metrics.requestStarted('b'); // 40 → 70
    await clock.advance(30);
    metrics.requestFinished('b', 30, 'ok');
    await clock.advance(30);
    metrics.requestFinished('a', 100, 'transient');
    metrics.requestStarted('c'); // 100 → still open at 150
    await clock.advance(50);
    const snapshot = metrics.snapshot();
    expect(snapshot.busyMs).toBe(100 + 30 + 50);
    expect(snapshot).toMatchObject({ requests: 3, inFlight: 1, peakInFlight: 2, transient: 1 });
    expect(snapshot.latencyMs.max).toBe(100);
    expect(snapshot.byOperation.b).toMatchObject({ requests: 1, ok: 1 });
  });

  it('reports requests per second over its window', async () => {
    const clock = new FakeClock();
    const metrics = new RequestMetrics({ now: clock.now, rateWindowMs: 5000 });
    for (let i = 0; i < 50; i++) {
      metrics.requestStarted('x');
      metrics.requestFinished('x', 1, 'ok');
      await clock.advance(100);
    }
    // Accurate to a slot (250 ms) at the window's old edge.
    expect(metrics.snapshot().requestsPerSecond).toBeGreaterThan(9.8);
    expect(metrics.snapshot().requestsPerSecond).toBeLessThanOrEqual(10);
  });

  it('leaves aborted requests out of the latency percentiles', () => {
    const clock = new FakeClock();
    const metrics = new RequestMetrics({ now: clock.now });
    metrics.requestStarted('x');
    metrics.requestFinished('x', 10, 'ok');
    metrics.requestStarted('x');
    metrics.requestFinished('x', 90_000, 'aborted');
    expect(metrics.snapshot().latencyMs.max).toBe(10);
    expect(metrics.snapshot().aborted).toBe(1);
  });
});

describe('peakRssBytes', () => {
  it('reports the peak resident set in bytes', () => {
    const rss = peakRssBytes();
    expect(rss).toBeGreaterThanOrEqual(process.memoryUsage().rss * 0.5);
    expect(rss % 1024).toBe(0);
  });
});
