#!/usr/bin/env node
/* global fetch, URLSearchParams */
// Throughput of the Looker API simulator at zero latency (run `npm run build` first).
//
//   node bench/sim-throughput.js [--dashboards 100000] [--concurrency 8] [--pages 1000]
//                                [--details 20000] [--hot 100] [--json]
//
// SIM_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" passes Node flags to the simulator.
//
// Starts `lookervault sim --json` in its own process (so the simulator and this load generator
// do not share a core), logs in, and drives it with an undici Pool (keep-alive, --concurrency
// connections and as many request loops) through four scenarios, each a bounded request count:
//
//   page-cold    search_dashboards, 100-item pages, every page a different offset (first fetch)
//   page-hot     search_dashboards, the same --hot pages over and over (served from the LRU)
//   detail-cold  dashboard(id), every id a different dashboard (generated on demand)
//   detail-hot   dashboard(id), the same --hot ids over and over (served from the LRU)
//
// Cold is what an extraction sees (each item fetched once); hot bounds the HTTP layer.
// Reports requests/s, MB/s, client-side latency percentiles and the simulator's own service
// time and peak concurrency (from /__sim/stats).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values: args } = parseArgs({
  options: {
    dashboards: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '8' },
    pages: { type: 'string', default: '1000' },
    details: { type: 'string', default: '20000' },
    hot: { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
  },
});
const dashboards = Number(args.dashboards);
const concurrency = Number(args.concurrency);
const pageRequests = Number(args.pages);
const detailRequests = Number(args.details);
const hot = Number(args.hot);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Starts the simulator CLI and resolves with its --json start-up line. */
function startSimulator() {
  const child = spawn(
    process.execPath,
    process.env.SIM_SCRIPT
      ? [
          ...(process.env.SIM_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
          process.env.SIM_SCRIPT,
          JSON.stringify({
            counts: { dashboard: dashboards },
            ...JSON.parse(process.env.SIM_OPTIONS ?? '{}'),
          }),
        ]
      : [
          ...(process.env.SIM_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
          path.join(root, 'bin', 'run.js'),
          'sim',
          '--json',
          '--dashboards',
          String(dashboards),
          '--seed',
          '1',
        ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`simulator exited with ${String(code)}`)));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline >= 0) {
        child.removeAllListeners('exit');
        resolve({ child, info: JSON.parse(buffered.slice(0, newline)) });
      }
    });
  });
}

async function login(pool, info) {
  const { statusCode, body } = await pool.request({
    method: 'POST',
    path: '/api/4.0/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: info.clientId,
      client_secret: info.clientSecret,
    }).toString(),
  });
  const token = await body.json();
  if (statusCode !== 200) throw new Error(`login failed: ${String(statusCode)}`);
  return token.access_token;
}

async function simStats(info, reset = false) {
  const response = await fetchOrExplain(`${info.url}/__sim/stats${reset ? '/reset' : ''}`, {
    method: reset ? 'POST' : 'GET',
  });
  return reset ? undefined : response.json();
}

/** CPU time (user + system) of a process in ms, from /proc (Linux); undefined elsewhere. */
function processCpuMs(pid) {
  try {
    const fields =
      readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
        .split(') ')[1]
        ?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

async function fetchOrExplain(url, init) {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw new Error(`${init?.method ?? 'GET'} ${url} failed`, { cause: error });
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** Runs `total` requests from `concurrency` loops; pathOf(i) gives the i-th request's path. */
async function scenario(name, pool, info, headers, total, pathOf) {
  await simStats(info, true);
  const serverCpu0 = processCpuMs(info.pid);
  const clientCpu0 = process.cpuUsage();
  let next = 0;
  let bytes = 0;
  let failures = 0;
  const transportErrors = [];
  const latencies = new Float64Array(total);
  const started = performance.now();
  async function loop() {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const t0 = performance.now();
      let statusCode = 0;
      let buffer = new ArrayBuffer(0);
      try {
        const response = await pool.request({ method: 'GET', path: pathOf(i), headers });
        statusCode = response.statusCode;
        buffer = await response.body.arrayBuffer();
      } catch (error) {
        // A transport failure counts as a failed request (reported), not the end of the run.
        transportErrors.push(
          `${pathOf(i)}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      latencies[i] = performance.now() - t0;
      bytes += buffer.byteLength;
      if (statusCode !== 200) failures++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop));
  const seconds = (performance.now() - started) / 1000;
  const serverCpu1 = processCpuMs(info.pid);
  const clientCpu = process.cpuUsage(clientCpu0);
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const server = await simStats(info);
  return {
    scenario: name,
    requests: total,
    failures,
    transportErrors,
    requestsPerSecond: Math.round(total / seconds),
    megabytesPerSecond: Math.round((bytes / seconds / 1e6) * 10) / 10,
    meanBodyKB: Math.round((bytes / total / 1024) * 10) / 10,
    clientP50Ms: Math.round(percentile(sorted, 0.5) * 100) / 100,
    clientP99Ms: Math.round(percentile(sorted, 0.99) * 100) / 100,
    serverP50Ms: server.serviceTimeMs.p50,
    serverP99Ms: server.serviceTimeMs.p99,
    peakConcurrency: server.peakConcurrency,
    /** Simulator CPU per request (µs) and its share of one core over the scenario. */
    serverCpuUsPerRequest:
      serverCpu0 === undefined || serverCpu1 === undefined
        ? undefined
        : Math.round(((serverCpu1 - serverCpu0) * 1000) / total),
    serverCoreBusy:
      serverCpu0 === undefined || serverCpu1 === undefined
        ? undefined
        : Math.round(((serverCpu1 - serverCpu0) / 1000 / seconds) * 100) / 100,
    clientCoreBusy: Math.round(((clientCpu.user + clientCpu.system) / 1e6 / seconds) * 100) / 100,
    /** CPU (µs) this load generator spends per request: a client that only receives bytes. */
    clientCpuUsPerRequest: Math.round((clientCpu.user + clientCpu.system) / total),
  };
}

const { child, info } = await startSimulator();
const pool = new Pool(info.url, {
  connections: concurrency,
  pipelining: 1,
  keepAliveTimeout: 30_000,
});
try {
  const token = await login(pool, info);
  const headers = { authorization: `Bearer ${token}` };
  const liveDashboards = info.counts.dashboard - 4; // minus the LookML dashboards
  const pages = Math.max(1, Math.floor(liveDashboards / 100));
  const ids = Array.from({ length: dashboards }, (_, i) => String(i + 1));
  const results = [];
  // Warm the JIT of both processes a little before measuring.
  await scenario(
    'warm-up',
    pool,
    info,
    headers,
    200,
    (i) => `/api/4.0/dashboards/${ids[(i * 7919) % ids.length]}`,
  );
  results.push(
    await scenario(
      'page-cold',
      pool,
      info,
      headers,
      Math.min(pageRequests, pages),
      (i) => `/api/4.0/dashboards/search?limit=100&offset=${String(i * 100)}`,
    ),
  );
  results.push(
    await scenario(
      'page-hot',
      pool,
      info,
      headers,
      pageRequests,
      (i) => `/api/4.0/dashboards/search?limit=100&offset=${String((i % hot) * 100)}`,
    ),
  );
  results.push(
    await scenario(
      'detail-cold',
      pool,
      info,
      headers,
      Math.min(detailRequests, dashboards - 1000),
      (i) => `/api/4.0/dashboards/${ids[1000 + i]}`,
    ),
  );
  results.push(
    await scenario(
      'detail-hot',
      pool,
      info,
      headers,
      detailRequests,
      (i) => `/api/4.0/dashboards/${ids[i % hot]}`,
    ),
  );
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${String(os.cpus().length)} cores, Node ${process.version}`;
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ date: new Date().toISOString(), machine, dashboards, concurrency, results })}\n`,
    );
  } else {
    process.stdout.write(
      `${machine}; ${String(dashboards)} dashboards; concurrency ${String(concurrency)}\n\n`,
    );
    process.stdout.write(
      '| scenario | requests | req/s | MB/s | body KB | client p50 / p99 ms | server p50 / p99 ms | sim CPU µs/req | sim core busy | client core busy | client CPU µs/req |\n',
    );
    process.stdout.write('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n');
    for (const r of results) {
      process.stdout.write(
        `| ${r.scenario} | ${String(r.requests)} | ${String(r.requestsPerSecond)} | ${String(r.megabytesPerSecond)} | ${String(r.meanBodyKB)} | ${String(r.clientP50Ms)} / ${String(r.clientP99Ms)} | ${String(r.serverP50Ms)} / ${String(r.serverP99Ms)} | ${String(r.serverCpuUsPerRequest ?? 'n/a')} | ${String(r.serverCoreBusy ?? 'n/a')} | ${String(r.clientCoreBusy)} | ${String(r.clientCpuUsPerRequest)} |\n`,
      );
    }
    const failed = results.reduce((n, r) => n + r.failures, 0);
    if (failed > 0) process.stdout.write(`\n${String(failed)} requests did not answer 200:\n`);
    for (const r of results)
      for (const e of r.transportErrors) process.stdout.write(`  ${r.scenario}: ${e}\n`);
  }
} catch (error) {
  process.stderr.write(
    `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  if (error instanceof Error && error.cause)
    process.stderr.write(`cause: ${String(error.cause)}\n`);
  process.exitCode = 1;
} finally {
  await pool.close().catch(() => undefined);
  child.kill('SIGINT');
}
