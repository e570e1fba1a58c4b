#!/usr/bin/env node
/* global fetch */
// Extraction benchmarks (issue 5): the real CLI against the built-in simulator, each in its own
// process, over real HTTP on 127.0.0.1. Run `npm run build` first (`npm run bench` does).
//
//   node bench/extract.js [scenario ...] [--quick] [--out bench/results]
//
// Scenarios (all by default):
//   scaling     10,000 dashboards at 50 ms latency; wall time for 1, 2, 4, 8, 16 workers and the
//               speedup over 1 worker (target: >= 7.2x at 8 workers).
//   ceiling     simulator capacity C = 4 concurrent requests at 50 ms: items/s with workers >= C
//               against the server's ceiling of C / 50 ms requests/s (target: >= 95%).
//   zero        zero latency, 50,000 dashboards: end-to-end items/s (target >= 5,000) and peak
//               RSS (target < 200 MB) with the default workers and with 50.
//   agreement   the summary's latency p50 and utilization against the simulator's own counters
//               at 150 ms latency (target: within 5%).
//   ratelimit   simulator rate limit of R = 100 requests/s: total time against the ideal
//               requests / R (target: within 5%).
//   listing     whole dashboards from listing pages (--fetch auto) against per-item fetches
//               (--fetch by-id), side by side: requests per item on the default dataset, items/s
//               for 5,000 dashboards at 20 ms and 2,000 at 100 ms (8 workers), items/s and peak
//               RSS for 50,000 at zero latency.
// The other scenarios measure the request engine itself (concurrency, a server's capacity, its
// rate limit): they fetch each dashboard by id (--fetch by-id), one request per item.
// --report only rewrites extract.md from the JSON results present.
// --quick divides every dataset by 10 (for a smoke run; the recorded results use full sizes).
//
// Each scenario prints one line per run and writes bench/results/extract-<scenario>.json; the
// markdown table in bench/results/extract.md is written from all the JSON files present.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLookervault, startSim, stopSim } from './sim-process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(root, 'bench', 'results') },
    report: { type: 'boolean', default: false },
  },
});
const scale = flags.quick ? 0.1 : 1;
const size = (n) => Math.max(100, Math.round(n * scale));

async function simStats(sim) {
  const response = await fetch(`${sim.info.url}/__sim/stats`);
  return response.json();
}

/** Runs `lookervault extract --json` into a fresh database; resolves with the summary. */
async function extract(sim, args) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lookervault-bench-'));
  try {
    const db = path.join(dir, 'looker.db');
    const { json, wallMs } = await runLookervault(sim, [
      'extract',
      '--db',
      db,
      '--json',
      '--no-progress',
      ...args,
    ]);
    return { summary: json, wallMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (value, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const mb = (bytes) => round(bytes / 1024 / 1024, 1);

function describeRun(label, { summary, wallMs }) {
  const items = summary.totals.stored;
  console.log(
    `${label.padEnd(28)} ${String(items).padStart(7)} items  ${round(wallMs / 1000, 2)
      .toString()
      .padStart(
        7,
      )} s wall  ${round(summary.itemsPerSecond, 0)} items/s  ${summary.requests} req  util ${round(summary.utilization * 100, 0)}%  rss ${mb(summary.peakRssBytes)} MB  429s ${summary.rateLimited}`,
  );
}

function runRecord({ summary, wallMs }) {
  return {
    items: summary.totals.stored,
    wallMs: Math.round(wallMs),
    durationMs: summary.durationMs,
    itemsPerSecond: summary.itemsPerSecond,
    requests: summary.requests,
    utilization: summary.utilization,
    latencyMs: summary.latencyMs,
    rateLimited: summary.rateLimited,
    rateLimitPausedMs: summary.rateLimitPausedMs,
    peakRssBytes: summary.peakRssBytes,
    status: summary.status,
  };
}

/** The request-engine scenarios fetch every dashboard by id (one request per item). */
const BY_ID = ['--fetch', 'by-id'];

/** The same extract with --fetch auto and --fetch by-id, each against a fresh simulator. */
async function sideBySide(label, simArgs, extractArgs) {
  const runs = [];
  for (const fetchMode of ['auto', 'by-id']) {
    const sim = await startSim(simArgs);
    try {
      const run = await extract(sim, ['--fetch', fetchMode, ...extractArgs]);
      describeRun(`${label} ${fetchMode}`, run);
      runs.push({
        label: `${label}, --fetch ${fetchMode}`,
        fetch: fetchMode,
        ...runRecord(run),
        requestsPerItem: run.summary.requestsPerItem,
        listings: run.summary.listings ?? {},
      });
    } finally {
      await stopSim(sim);
    }
  }
  return runs;
}

const scenarios = {
  async scaling() {
    const dashboards = size(10_000);
    const sim = await startSim(['--dashboards', String(dashboards), '--latency', '50']);
    const runs = [];
    try {
      for (const workers of [1, 2, 4, 8, 16]) {
        const run = await extract(sim, [...BY_ID, '--types', 'dashboards', '-w', String(workers)]);
        describeRun(`scaling w=${workers}`, run);
        runs.push({ workers, ...runRecord(run) });
      }
    } finally {
      await stopSim(sim);
    }
    const base = runs[0].durationMs;
    for (const run of runs) run.speedup = round(base / run.durationMs, 2);
    const at8 = runs.find((run) => run.workers === 8);
    return {
      dashboards,
      latencyMs: 50,
      runs,
      target: 'speedup at 8 workers >= 7.2',
      met: at8.speedup >= 7.2,
    };
  },

  async ceiling() {
    const dashboards = size(3_000);
    const capacity = 4;
    const latencyMs = 50;
    const sim = await startSim([
      '--dashboards',
      String(dashboards),
      '--latency',
      String(latencyMs),
      '--capacity',
      String(capacity),
    ]);
    const runs = [];
    let serverCostMs;
    try {
      for (const workers of [capacity, capacity * 2, capacity * 4]) {
        await fetch(`${sim.info.url}/__sim/stats/reset`, { method: 'POST' });
        const run = await extract(sim, [...BY_ID, '--types', 'dashboards', '-w', String(workers)]);
        describeRun(`ceiling C=${capacity} w=${workers}`, run);
        const stats = await simStats(sim);
        // The server answers at most C requests per latency period (nominal ceiling). Its own
        // clock says what one request costs it in fact (latency plus its work): measured on the
        // first run (workers = C), where no request waits in its queue, that gives the measured
        // ceiling. (With more workers its service time also counts the wait in its queue.)
        const ceilingRps = capacity / (latencyMs / 1000);
        const serviceMs = stats.serviceTimeMs.sum / stats.serviceTimeMs.count;
        serverCostMs ??= serviceMs;
        const measuredCeilingRps = capacity / (serverCostMs / 1000);
        const achievedRps = run.summary.requests / (run.summary.durationMs / 1000);
        runs.push({
          workers,
          ...runRecord(run),
          ceilingRequestsPerSecond: ceilingRps,
          serverServiceMs: round(serviceMs, 2),
          measuredCeilingRequestsPerSecond: round(measuredCeilingRps, 1),
          achievedRequestsPerSecond: round(achievedRps, 1),
          efficiency: round(achievedRps / ceilingRps, 3),
          efficiencyMeasured: round(achievedRps / measuredCeilingRps, 3),
        });
      }
    } finally {
      await stopSim(sim);
    }
    return {
      dashboards,
      capacity,
      latencyMs,
      runs,
      target: 'requests/s at workers >= C reach >= 95% of the ceiling C / latency',
      met: runs.every((run) => run.efficiency >= 0.95),
    };
  },

  async zero() {
    const dashboards = size(50_000);
    const runs = [];
    for (const workers of [undefined, 50]) {
      const sim = await startSim(['--dashboards', String(dashboards)]);
      try {
        const run = await extract(sim, [
          ...BY_ID,
          '--types',
          'dashboards',
          ...(workers ? ['-w', String(workers)] : []),
        ]);
        describeRun(`zero latency w=${workers ?? 'default'}`, run);
        runs.push({ workers: workers ?? 'default', ...runRecord(run) });
      } finally {
        await stopSim(sim);
      }
    }
    return {
      dashboards,
      runs,
      target: '>= 5,000 items/s and peak RSS < 200 MB',
      met: runs.every((run) => run.itemsPerSecond >= 5000 && run.peakRssBytes < 200 * 1024 * 1024),
    };
  },

  async agreement() {
    // The summary's latency and utilization against the simulator's own clock (issue 6): a
    // server latency typical of Looker, so the client's own milliseconds per request show.
    const latencyMs = 150;
    const workers = 8;
    const sim = await startSim([
      ...['--dashboards', String(size(1_000)), '--looks', String(size(400))],
      ...['--latency', String(latencyMs)],
    ]);
    try {
      const run = await extract(sim, [
        ...BY_ID,
        ...['--types', 'dashboards,looks', '-w', String(workers)],
      ]);
      describeRun(`agreement latency=${latencyMs}`, run);
      const stats = await simStats(sim);
      const serverUtilization = stats.serviceTimeMs.sum / (workers * run.summary.durationMs);
      const off = (a, b) => round(Math.abs(a - b) / b, 3);
      const latencyOff = off(run.summary.latencyMs.p50, stats.serviceTimeMs.p50);
      const utilizationOff = off(run.summary.utilization, serverUtilization);
      return {
        latencyMs,
        workers,
        run: runRecord(run),
        client: { latencyP50Ms: run.summary.latencyMs.p50, utilization: run.summary.utilization },
        server: { latencyP50Ms: stats.serviceTimeMs.p50, utilization: round(serverUtilization, 3) },
        latencyOff,
        utilizationOff,
        target: "summary latency p50 and utilization within 5% of the simulator's own counters",
        met: latencyOff <= 0.05 && utilizationOff <= 0.05,
      };
    } finally {
      await stopSim(sim);
    }
  },

  async listing() {
    const defaults = await sideBySide('default dataset', [], []);
    const fast = await sideBySide(
      `${size(5_000)} dashboards at 20 ms`,
      ['--dashboards', String(size(5_000)), '--latency', '20'],
      ['--types', 'dashboards', '-w', '8'],
    );
    const slow = await sideBySide(
      `${size(2_000)} dashboards at 100 ms`,
      ['--dashboards', String(size(2_000)), '--latency', '100'],
      ['--types', 'dashboards', '-w', '8'],
    );
    const zero = await sideBySide(
      `${size(50_000)} dashboards at 0 ms`,
      ['--dashboards', String(size(50_000))],
      ['--types', 'dashboards'],
    );
    const auto = (runs) => runs.find((run) => run.fetch === 'auto');
    const checks = {
      defaultRequestsPerItem: auto(defaults).requestsPerItem,
      fastItemsPerSecond: auto(fast).itemsPerSecond,
      slowItemsPerSecond: auto(slow).itemsPerSecond,
      zeroItemsPerSecond: auto(zero).itemsPerSecond,
      zeroPeakRssMB: mb(auto(zero).peakRssBytes),
    };
    return {
      runs: [...defaults, ...fast, ...slow, ...zero],
      checks,
      target:
        'requests per item <= 0.1 on the default dataset; >= 1,000 items/s for 5,000 dashboards at 20 ms and >= 500 for 2,000 at 100 ms (8 workers); peak RSS < 200 MB for 50,000 at zero latency',
      met:
        checks.defaultRequestsPerItem <= 0.1 &&
        checks.fastItemsPerSecond >= 1000 &&
        checks.slowItemsPerSecond >= 500 &&
        checks.zeroPeakRssMB < 200,
    };
  },

  async ratelimit() {
    const dashboards = size(3_000);
    const rate = 100;
    const sim = await startSim(['--dashboards', String(dashboards), '--rate-limit', String(rate)]);
    try {
      const run = await extract(sim, [...BY_ID, '--types', 'dashboards', '-w', '8']);
      describeRun(`rate limit R=${rate}/s`, run);
      const stats = await simStats(sim);
      const accepted = stats.requests.total - stats.rateLimited - stats.logins - stats.logouts;
      // The bucket starts full: its burst is free, the rest arrives at R per second.
      const burst = rate;
      const idealMs = (Math.max(0, accepted - burst) / rate) * 1000;
      const overhead = run.summary.durationMs / idealMs - 1;
      return {
        dashboards,
        ratePerSecond: rate,
        burst,
        acceptedRequests: accepted,
        run: runRecord(run),
        idealMs: Math.round(idealMs),
        overhead: round(overhead, 3),
        retryAfterViolations: stats.retryAfterViolations,
        target: 'total time within 5% of the ideal (requests beyond the burst / R)',
        met: overhead <= 0.05,
      };
    } finally {
      await stopSim(sim);
    }
  },
};

const chosen = flags.report ? [] : positionals.length > 0 ? positionals : Object.keys(scenarios);
mkdirSync(flags.out, { recursive: true });
const machine = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
  quick: flags.quick,
};
for (const name of chosen) {
  const scenario = scenarios[name];
  if (!scenario) {
    console.error(`Unknown scenario "${name}"; choose from ${Object.keys(scenarios).join(', ')}.`);
    process.exit(2);
  }
  const result = await scenario();
  console.log(`${name}: ${result.met ? 'target met' : 'target NOT met'} (${result.target})`);
  writeFileSync(
    path.join(flags.out, `extract-${name}${flags.quick ? '-quick' : ''}.json`),
    `${JSON.stringify({ scenario: name, machine, ...result }, null, 2)}\n`,
  );
}
writeMarkdown();

function writeMarkdown() {
  const files = readdirSync(flags.out).filter((file) => /^extract-[a-z]+\.json$/.test(file));
  const lines = [
    '# Extraction benchmarks',
    '',
    'Written by `node bench/extract.js`; see that file for the method.',
    '',
  ];
  for (const file of files.sort()) {
    const result = JSON.parse(readFileSync(path.join(flags.out, file), 'utf8'));
    lines.push(`## ${result.scenario} — ${result.met ? 'target met' : 'target not met'}`, '');
    lines.push(
      `${result.target}. Recorded ${result.machine.date} on ${result.machine.cpus} × ${result.machine.cpuModel}, Node ${result.machine.node}.`,
      '',
    );
    const runs = result.runs ?? [result.run];
    lines.push(
      '| run | items | wall s | items/s | requests | utilization | p95 ms | 429s | peak RSS MB | extra |',
    );
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const run of runs) {
      const extra = [
        run.speedup !== undefined ? `speedup ${run.speedup}×` : '',
        run.requestsPerItem !== undefined ? `${run.requestsPerItem} requests per item` : '',
        run.listings?.dashboard
          ? `dashboards ${run.listings.dashboard.source === 'listing' ? 'from listing pages' : 'by id'}`
          : '',
        run.efficiency !== undefined
          ? `${round(run.efficiency * 100, 1)}% of C/latency, ${round(run.efficiencyMeasured * 100, 1)}% of C/measured cost (${run.measuredCeilingRequestsPerSecond} req/s)`
          : '',
        result.overhead !== undefined
          ? `${round(result.overhead * 100, 1)}% over ideal ${round(result.idealMs / 1000, 1)} s`
          : '',
        result.latencyOff !== undefined
          ? `client p50 ${result.client.latencyP50Ms} ms vs server ${result.server.latencyP50Ms} ms (${round(result.latencyOff * 100, 1)}% off); utilization ${round(result.client.utilization * 100, 1)}% vs server ${round(result.server.utilization * 100, 1)}% (${round(result.utilizationOff * 100, 1)}% off)`
          : '',
      ]
        .filter(Boolean)
        .join(', ');
      lines.push(
        `| ${run.label ?? (run.workers !== undefined ? `w=${run.workers}` : result.scenario)} | ${run.items} | ${round(run.wallMs / 1000, 2)} | ${round(run.itemsPerSecond, 0)} | ${run.requests} | ${round(run.utilization * 100, 0)}% | ${run.latencyMs.p95} | ${run.rateLimited} | ${mb(run.peakRssBytes)} | ${extra} |`,
      );
    }
    lines.push('');
  }
  writeFileSync(path.join(flags.out, 'extract.md'), `${lines.join('\n')}\n`);
}
