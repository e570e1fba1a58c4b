#!/usr/bin/env node
/* global performance, setImmediate */
// Why the request gate is lookervault's own RequestLimiter and not bottleneck: the scheduling
// overhead each adds per request, measured with jobs that take no time (run `npm run build`).
//
//   node bench/limiter-overhead.js [--jobs 3000] [--concurrency 8]
//
// N loops (one per slot, like extraction workers) each schedule one job after another; a job
// resolves on the next turn of the event loop. Reports jobs/s through each gate: the ceiling
// on requests per second that the gate alone imposes.
import Bottleneck from 'bottleneck';
import { parseArgs } from 'node:util';
import { RequestLimiter } from '../dist/extract/limiter.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '8' },
  },
});
const jobs = Number(values.jobs);
const concurrency = Number(values.concurrency);
const job = () => new Promise((resolve) => setImmediate(resolve));

async function drive(schedule) {
  let started = 0;
  const t0 = performance.now();
  const loop = async () => {
    while (started < jobs) {
      started += 1;
      await schedule(job);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return (jobs / (performance.now() - t0)) * 1000;
}

const bottleneck = new Bottleneck({ maxConcurrent: concurrency });
const limiter = new RequestLimiter({ maxConcurrent: concurrency });
const results = {
  bottleneck: await drive((fn) => bottleneck.schedule(fn)),
  RequestLimiter: await drive((fn) => limiter.schedule(fn)),
};
await limiter.stop();
for (const [name, rate] of Object.entries(results)) {
  console.log(`${name.padEnd(15)} ${Math.round(rate).toString().padStart(8)} jobs/s`);
}
