#!/usr/bin/env node
/* global URLSearchParams */
// The `ceiling` scenario's floor: what a client that does nothing but read the bodies gets from
// the same simulator (capacity C = 4, 50 ms latency) with exactly C request loops. Run
// `npm run build` first.
//
//   node bench/ceiling-floor.js [--requests 2000]
//
// With w = C, every response-to-next-request gap idles a server slot, so this is the best any
// client reaches at w = C on this machine; compare bench/results/extract.md (`ceiling`, w=4).
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { startSim, stopSim } from './sim-process.js';

const { values: args } = parseArgs({
  options: { requests: { type: 'string', default: '2000' } },
});
const requests = Number(args.requests);
const capacity = 4;
const latencyMs = 50;

const sim = await startSim([
  ...['--dashboards', String(requests + 100)],
  ...['--latency', String(latencyMs), '--capacity', String(capacity)],
]);
const { info } = sim;

const pool = new Pool(info.url, { connections: capacity, pipelining: 1 });
try {
  const login = await pool.request({
    method: 'POST',
    path: '/api/4.0/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: info.clientId,
      client_secret: info.clientSecret,
    }).toString(),
  });
  const { access_token: token } = await login.body.json();
  const headers = { authorization: `Bearer ${token}` };
  let next = 1;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: capacity }, async () => {
      while (next <= requests) {
        const id = next++;
        const response = await pool.request({
          method: 'GET',
          path: `/api/4.0/dashboards/${String(id)}`,
          headers,
        });
        await response.body.arrayBuffer();
      }
    }),
  );
  const perSecond = requests / ((performance.now() - started) / 1000);
  const ceiling = capacity / (latencyMs / 1000);
  console.log(
    `bare client, ${String(capacity)} loops, C = ${String(capacity)} at ${String(latencyMs)} ms: ${perSecond.toFixed(1)} req/s = ${((perSecond / ceiling) * 100).toFixed(1)}% of ${String(ceiling)} req/s`,
  );
} finally {
  await pool.close();
  await stopSim(sim);
}
