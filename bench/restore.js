#!/usr/bin/env node
/* global fetch */
// Restore throughput (issue 13), against the compiled dist/ (`npm run build` first):
//
//   node bench/restore.js [--dashboards 1000] [--latency 50] [--workers 1,8] [--out bench/results]
//
// A source simulator (--dashboards user-defined dashboards of 10 tiles each, 200 looks, 50 folders; nothing in
// its trash) is backed up once; then, for each worker count, a fresh empty simulator in its own
// process answers every request after --latency ms, and `lookervault restore --to-base-url …
// --types dashboards --yes --json -w N` restores every dashboard into it (with the folders and
// the looks their tiles need). Target: 8 workers ≥ 6× faster than 1. Reports wall time,
// requests per dashboard and dashboards per second.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLookervault, startSim, stopSim } from './sim-process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: {
    dashboards: { type: 'string', default: '1000' },
    latency: { type: 'string', default: '50' },
    workers: { type: 'string', default: '1,8' },
    out: { type: 'string', default: path.join(root, 'bench', 'results') },
  },
});
const seed = ['--seed', '1'];
const dataset = [
  '--seed',
  '1',
  '--dashboards',
  flags.dashboards,
  '--looks',
  '200',
  '--folders',
  '50',
  '--boards',
  '0',
  '--scheduled-plans',
  '0',
  '--lookml-dashboards',
  '0',
  '--tiles-per-dashboard',
  '10',
];

async function call(sim, method, route, body) {
  const response = await fetch(`${sim.info.url}${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'lookervault-bench-restore-'));
const db = path.join(dir, 'looker.db');
const results = [];
try {
  const source = await startSim(dataset);
  // Nothing in the trash: every tile's look can be restored.
  for (const type of ['look', 'dashboard']) {
    const trashed = await call(source, 'GET', `/__sim/ids/${type}?deleted=true`);
    if (trashed.length > 0) {
      await call(
        source,
        'POST',
        '/__sim/mutations',
        trashed.map((id) => ({ action: 'restore', type, id })),
      );
    }
  }
  await runLookervault(source, [
    'extract',
    '--db',
    db,
    '--types',
    'folders,looks,dashboards,users',
    '--json',
    '--no-progress',
  ]);
  await stopSim(source);

  for (const workers of flags.workers.split(',').map(Number)) {
    const target = await startSim([...seed, '--empty', '--latency', flags.latency]);
    const stopTarget = () => stopSim(target);
    process.once('exit', () => target.child.kill('SIGTERM'));
    const { json, wallMs } = await runLookervault(
      target,
      [
        'restore',
        '--db',
        db,
        '--to-base-url',
        target.info.url,
        '--types',
        'dashboards',
        '--yes',
        '--json',
        '-w',
        String(workers),
      ],
      {
        LOOKERVAULT_TO_CLIENT_ID: target.info.clientId,
        LOOKERVAULT_TO_CLIENT_SECRET: target.info.clientSecret,
      },
      [0, 3],
    );
    for (const failure of json.failures.slice(0, 5))
      console.error('failed:', JSON.stringify(failure));
    const stats = await call(target, 'GET', '/__sim/stats');
    await stopTarget();
    const dashboards = json.types.find((t) => t.type === 'dashboard');
    const created = json.types.reduce((n, t) => n + t.planned.create, 0);
    const requests = stats.requests.total;
    const row = {
      workers,
      status: json.status,
      wallSeconds: Math.round(wallMs / 100) / 10,
      dashboards: dashboards.done,
      failed: json.failures.length,
      itemsCreated: created,
      requests,
      requestsPerDashboard: Math.round((requests / dashboards.done) * 10) / 10,
      dashboardsPerSecond: Math.round((dashboards.done / (wallMs / 1000)) * 10) / 10,
      peakConcurrency: stats.peakConcurrency ?? stats.concurrency?.peak ?? null,
    };
    results.push(row);
    console.log(JSON.stringify(row));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const one = results.find((r) => r.workers === 1);
const eight = results.find((r) => r.workers === 8);
const speedup = one && eight ? Math.round((one.wallSeconds / eight.wallSeconds) * 10) / 10 : null;
const lines = [
  '# Restore throughput',
  '',
  `\`node bench/restore.js --dashboards ${flags.dashboards} --latency ${flags.latency} --workers ${flags.workers}\` on ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
  '',
  `Source: ${flags.dashboards} user-defined dashboards of 10 tiles each (simulator seed 1, \`--tiles-per-dashboard 10\`), backed up once. Each row restores every dashboard (and the folders and looks their tiles need) into a fresh empty simulator in its own process that answers each request after ${flags.latency} ms.`,
  '',
  '| workers | status | wall (s) | dashboards | failed | items created | requests | requests/dashboard | dashboards/s |',
  '|---|---|---|---|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.workers} | ${r.status} | ${r.wallSeconds} | ${r.dashboards} | ${r.failed} | ${r.itemsCreated} | ${r.requests} | ${r.requestsPerDashboard} | ${r.dashboardsPerSecond} |`,
  ),
  '',
  speedup === null ? '' : `Speed-up of 8 workers over 1: **${speedup}×** (target ≥ 6×).`,
  '',
];
writeFileSync(path.join(flags.out, 'restore.md'), lines.join('\n'));
console.log(`speed-up ${speedup}`);
