#!/usr/bin/env node
/* global fetch */
// The real CLI against the simulator's limit models over real HTTP (issue 15 §4): each run
// extracts --dashboards dashboards one request each (--fetch by-id) with 8 workers, against one
// limit model and Retry-After form, and compares the run with the ideal: the requests the server
// accepted beyond its free burst at R per second (rate models), or at C / latency (concurrency).
// The concurrency limit is also run with -w C, a client told the limit (never refused): the
// learned run is reported as a share of it.
// Run `npm run build` first. The virtual-time table of every combination comes from
// `LIMITER_SIM_REPORT=1 npx jest test/unit/engine/gate-sim.test.ts` (bench/results/limiter-models.md).
//
//   node bench/limiter-models.js [--dashboards 2400] [--rate 40] [--only sliding-log/one,...]
//                                [--out bench/results/limiter-models-live.json]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runLookervault, startSim, stopSim } from './sim-process.js';

const { values: flags } = parseArgs({
  options: {
    dashboards: { type: 'string', default: '2400' },
    rate: { type: 'string', default: '40' },
    only: { type: 'string' },
    out: { type: 'string', default: 'bench/results/limiter-models-live.json' },
  },
});
const dashboards = Number(flags.dashboards);
const rate = Number(flags.rate);
const CONCURRENCY = 4;
const CONCURRENCY_LATENCY_MS = 20;

const combos = [
  { name: 'sliding-log/one', sim: ['--rate-limit-model', 'sliding-log', '--retry-after', 'one'] },
  {
    name: 'sliding-log/absent',
    sim: ['--rate-limit-model', 'sliding-log', '--retry-after', 'absent'],
  },
  { name: 'fixed-window/exact', sim: ['--rate-limit-model', 'fixed-window'] },
  {
    name: 'fixed-window/http-date',
    sim: ['--rate-limit-model', 'fixed-window', '--retry-after', 'http-date'],
  },
  { name: 'token-bucket burst 1/exact', sim: ['--rate-limit-burst', '1'], burst: 1 },
  { name: `token-bucket burst R/http-date`, sim: ['--retry-after', 'http-date'], burst: rate },
  { name: `concurrency ${CONCURRENCY}/one`, concurrency: true },
].filter((c) => flags.only === undefined || flags.only.split(',').includes(c.name));

async function simStats(sim) {
  const response = await fetch(`${sim.info.url}/__sim/stats`);
  return response.json();
}

/** One extract against a fresh simulator: the run's JSON summary and the simulator's counters. */
async function extractAgainst(simArgs, count, workers) {
  const sim = await startSim(['--dashboards', String(count), ...simArgs]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lookervault-limits-'));
  try {
    const { json, wallMs } = await runLookervault(sim, [
      'extract',
      '--db',
      path.join(dir, 'looker.db'),
      '--json',
      '--no-progress',
      '--fetch',
      'by-id',
      '--types',
      'dashboards',
      '-w',
      String(workers),
    ]);
    return { json, wallMs, stats: await simStats(sim) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await stopSim(sim);
  }
}

const results = [];
for (const combo of combos) {
  const count = combo.concurrency ? dashboards * 5 : dashboards;
  const simArgs = combo.concurrency
    ? [
        '--concurrency-limit',
        String(CONCURRENCY),
        '--retry-after',
        'one',
        '--latency',
        String(CONCURRENCY_LATENCY_MS),
      ]
    : ['--rate-limit', String(rate), ...combo.sim];
  const { json, wallMs, stats } = await extractAgainst(simArgs, count, 8);
  const accepted = stats.requests.total - stats.rateLimited - stats.logins - stats.logouts;
  const free = combo.concurrency ? 0 : (combo.burst ?? rate);
  const perSecond = combo.concurrency ? (CONCURRENCY * 1000) / CONCURRENCY_LATENCY_MS : rate;
  const idealMs = (Math.max(0, accepted - free) / perSecond) * 1000;
  const durationMs = json.summary?.durationMs ?? json.durationMs;
  const record = {
    combo: combo.name,
    accepted,
    rateLimited: stats.rateLimited,
    retryAfterViolations: stats.retryAfterViolations,
    durationMs: Math.round(durationMs),
    wallMs: Math.round(wallMs),
    idealMs: Math.round(idealMs),
    ofIdeal: Math.round((idealMs / durationMs) * 1000) / 10,
    finalConcurrencyCap: json.finalConcurrencyCap ?? null,
  };
  let told = '';
  if (combo.concurrency) {
    const reference = await extractAgainst(simArgs, count, CONCURRENCY);
    record.toldDurationMs = Math.round(reference.json.durationMs);
    record.toldRateLimited = reference.stats.rateLimited;
    record.ofTold = Math.round((record.toldDurationMs / durationMs) * 1000) / 10;
    told = `  told -w ${CONCURRENCY}: ${(record.toldDurationMs / 1000).toFixed(1)} s, learned ${record.ofTold}% of it, cap ${record.finalConcurrencyCap}`;
  }
  results.push(record);
  console.log(
    `${combo.name.padEnd(32)} ${String(accepted).padStart(6)} accepted  ${(durationMs / 1000).toFixed(1)} s (ideal ${(idealMs / 1000).toFixed(1)} s, ${record.ofIdeal}%)  429s ${stats.rateLimited}  inside a window ${stats.retryAfterViolations}${told}`,
  );
}
writeFileSync(
  flags.out,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, rate, dashboards, results }, null, 2)}\n`,
);
