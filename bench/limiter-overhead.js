#!/usr/bin/env node
/* global performance, setImmediate */
// Why the request gate is lookervault's own RequestGate: what each candidate gate costs per
// request, measured with the same workers and jobs (run `npm run build` first).
//
//   node bench/limiter-overhead.js [--concurrency 8] [--json]
//
// Writes its table to bench/results/limiter-overhead.md (for 8 slots, the default).
//
// N loops (one per slot, like extraction workers) each schedule one job after another through
// the gate. Jobs take 0 ms (they resolve on the next turn of the event loop: the gate's own
// ceiling in jobs/s), 5 ms or 50 ms (a fast and an ordinary Looker request: how much of the
// slots' time holds a job, i.e. worker utilization). Only concurrency is asked of each gate;
// RequestGate and bottleneck can also space and pause starts, p-queue can space them, p-limit
// cannot do either.
import Bottleneck from 'bottleneck';
import PQueue from 'p-queue';
import pLimit from 'p-limit';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { RequestGate } from '../dist/engine/gate.js';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '8' },
    json: { type: 'boolean', default: false },
  },
});
const concurrency = Number(values.concurrency);

/** Jobs per run, so each run lasts about a second whatever the job length. */
const SCENARIOS = [
  { jobMs: 0, jobs: 5000 },
  { jobMs: 5, jobs: 200 * concurrency },
  { jobMs: 50, jobs: 20 * concurrency },
];

const GATES = {
  RequestGate: () => {
    const gate = new RequestGate({ maxConcurrent: concurrency });
    return { schedule: (fn) => gate.schedule(fn), close: () => gate.stop() };
  },
  bottleneck: () => {
    const limiter = new Bottleneck({ maxConcurrent: concurrency });
    return { schedule: (fn) => limiter.schedule(fn), close: () => limiter.stop() };
  },
  'p-queue': () => {
    const queue = new PQueue({ concurrency });
    return { schedule: (fn) => queue.add(fn), close: () => queue.onIdle() };
  },
  'p-limit': () => {
    const limit = pLimit(concurrency);
    return { schedule: (fn) => limit(fn), close: () => Promise.resolve() };
  },
};

function job(ms) {
  return ms === 0
    ? () => new Promise((resolve) => setImmediate(resolve))
    : () => new Promise((resolve) => setTimeout(resolve, ms));
}

async function drive(gate, { jobMs, jobs }) {
  const fn = job(jobMs);
  let started = 0;
  const t0 = performance.now();
  const loop = async () => {
    while (started < jobs) {
      started += 1;
      await gate.schedule(fn);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const wallMs = performance.now() - t0;
  return {
    jobsPerSecond: (jobs / wallMs) * 1000,
    utilization: jobMs === 0 ? null : (jobs * jobMs) / (concurrency * wallMs),
  };
}

const results = [];
for (const scenario of SCENARIOS) {
  for (const [name, make] of Object.entries(GATES)) {
    const gate = make();
    await drive(gate, { ...scenario, jobs: Math.ceil(scenario.jobs / 10) }); // warm-up
    const result = await drive(gate, scenario);
    await gate.close();
    results.push({ gate: name, jobMs: scenario.jobMs, concurrency, ...result });
  }
}

const table = [
  '| gate | job | jobs/s | utilization |',
  '|---|---|---|---|',
  ...results.map((r) => {
    const utilization = r.utilization === null ? '–' : `${(r.utilization * 100).toFixed(1)} %`;
    const rate = Math.round(r.jobsPerSecond).toLocaleString('en-US');
    return `| ${r.gate} | ${r.jobMs} ms | ${rate} | ${utilization} |`;
  }),
].join('\n');
const machine = `Node ${process.version}, ${os.availableParallelism()} cores, ${concurrency} slots`;
if (values.json) {
  console.log(JSON.stringify({ node: process.version, results }, null, 2));
} else {
  console.log(`${machine}\n${table}`);
}
if (concurrency === 8) {
  const recorded = [
    '# Gate overhead (`node bench/limiter-overhead.js`)',
    '',
    `${new Date().toISOString().slice(0, 10)}, ${machine}. Each gate only limits concurrency here.`,
    '',
    table,
    '',
  ].join('\n');
  writeFileSync(new URL('./results/limiter-overhead.md', import.meta.url), recorded);
}
