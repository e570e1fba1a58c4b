#!/usr/bin/env node
/* global fetch */
// Incremental runs and retention (issue 11), against the compiled dist/ (`npm run build` first):
//
//   node bench/snapshots.js [--dashboards 20000] [--looks 10000] [--latency 100] [--runs 30]
//                           [--workers 8] [--out bench/results]
//
// One simulator (20,000 dashboards, 10,000 looks, everything else at its defaults, 100 ms per
// request), one backup file, each extract a separate `lookervault extract --json` process:
//   1. a full run (the first snapshot);
//   2. a run with nothing changed;
//   3. a run after 1% of dashboards and 1% of looks changed (scripted simulator mutations);
//   4. --runs more runs with 1% changed before each, recording the file size after each;
//   5. `lookervault forget --keep-last 7 --prune`.
// Targets: (2) ≤ 2% of the full run's requests and ≥ 20× faster; (3) ≤ 3% of its requests;
// (4) the file grows by ≤ 50% over the single full snapshot; (5) within 10% of what 7 snapshots
// need (the full snapshot plus six runs' growth).
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLookervault, startSim, stopSim } from './sim-process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: {
    dashboards: { type: 'string', default: '20000' },
    looks: { type: 'string', default: '10000' },
    latency: { type: 'string', default: '100' },
    runs: { type: 'string', default: '30' },
    workers: { type: 'string', default: '8' },
    out: { type: 'string', default: path.join(root, 'bench', 'results') },
  },
});
const RUNS = Number(flags.runs);

const lookervault = runLookervault;

async function post(sim, route, body) {
  const response = await fetch(`${sim.info.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function ids(sim, type) {
  return (await fetch(`${sim.info.url}/__sim/ids/${type}`)).json();
}

/** Edits 1% of the dashboards and 1% of the looks, a different spread each round. */
async function changeOnePercent(sim, round, all) {
  const mutations = [];
  for (const [type, list] of Object.entries(all)) {
    const n = Math.max(1, Math.round(list.length / 100));
    const stride = Math.floor(list.length / n);
    for (let k = 0; k < n; k++) {
      mutations.push({ action: 'update', type, id: list[(k * stride + round * 7) % list.length] });
    }
  }
  await post(sim, '/__sim/mutations', mutations);
  return mutations.length;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'lookervault-bench-snapshots-'));
const db = path.join(dir, 'looker.db');
const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const fileMb = () => mb(statSync(db).size);
const extractArgs = ['extract', '--db', db, '--json', '--no-progress', '-w', flags.workers];

const sim = await startSim([
  '--dashboards',
  flags.dashboards,
  '--looks',
  flags.looks,
  '--latency',
  flags.latency,
]);
const rows = [];
const record = (label, run, changed) => {
  const row = {
    label,
    changed,
    requests: run.json.requests,
    wallMs: Math.round(run.wallMs),
    durationMs: run.json.durationMs,
    stored: run.json.totals.stored,
    new: run.json.totals.new,
    updated: run.json.totals.changed,
    deleted: Object.values(run.json.types).reduce((sum, t) => sum + (t.deleted ?? 0), 0),
    incremental: run.json.incremental ?? [],
    fileMB: fileMb(),
  };
  rows.push(row);
  console.log(
    `${label.padEnd(24)} ${String(row.requests).padStart(6)} req  ${(row.wallMs / 1000).toFixed(1).padStart(6)} s  changed ${row.updated}  file ${row.fileMB} MB`,
  );
  return row;
};
let result;
try {
  const all = {
    dashboard: (await ids(sim, 'dashboard')).filter((id) => !id.includes('::')),
    look: await ids(sim, 'look'),
  };
  const full = record('full', await lookervault(sim, extractArgs), 0);
  const idle = record('nothing changed', await lookervault(sim, extractArgs), 0);
  const changed = await changeOnePercent(sim, 0, all);
  const onePercent = record('1% changed', await lookervault(sim, extractArgs), changed);
  const series = [];
  for (let round = 1; round <= RUNS; round++) {
    const n = await changeOnePercent(sim, round, all);
    series.push(record(`series ${round}`, await lookervault(sim, extractArgs), n));
  }
  const forget = await lookervault(sim, [
    'forget',
    '--db',
    db,
    '--keep-last',
    '7',
    '--prune',
    '--json',
  ]);
  const afterForget = fileMb();
  console.log(
    `forget --keep-last 7 --prune: ${afterForget} MB in ${(forget.wallMs / 1000).toFixed(1)} s`,
  );
  const growthPerRun = (series.at(-1).fileMB - onePercent.fileMB) / RUNS;
  const sevenSnapshotsNeed = full.fileMB + 6 * growthPerRun;
  const checks = {
    idleRequestShare: idle.requests / full.requests,
    idleSpeedup: full.wallMs / idle.wallMs,
    onePercentRequestShare: onePercent.requests / full.requests,
    growthOverFull: series.at(-1).fileMB / full.fileMB - 1,
    afterForgetOverSeven: afterForget / sevenSnapshotsNeed - 1,
  };
  result = {
    dashboards: Number(flags.dashboards),
    looks: Number(flags.looks),
    latencyMs: Number(flags.latency),
    workers: Number(flags.workers),
    rows,
    forget: { fileMB: afterForget, wallMs: Math.round(forget.wallMs), prune: forget.json.prune },
    sevenSnapshotsNeedMB: Math.round(sevenSnapshotsNeed * 10) / 10,
    checks,
    met:
      checks.idleRequestShare <= 0.02 &&
      checks.idleSpeedup >= 20 &&
      checks.onePercentRequestShare <= 0.03 &&
      checks.growthOverFull <= 0.5 &&
      Math.abs(checks.afterForgetOverSeven) <= 0.1,
  };
} finally {
  await stopSim(sim);
  rmSync(dir, { recursive: true, force: true });
}

const pct = (share) => `${(share * 100).toFixed(2)}%`;
const c = result.checks;
const lines = [
  '# Snapshots: incremental runs and retention',
  '',
  `Written by \`node bench/snapshots.js\`: ${result.dashboards.toLocaleString('en')} dashboards and ${result.looks.toLocaleString('en')} looks (other types at the simulator's defaults), ${result.latencyMs} ms per request, ${result.workers} workers, one backup file. Recorded ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}. ${result.met ? 'Every target met.' : 'Not every target met: see below.'}`,
  '',
  '| check | target | measured |',
  '|---|---|---:|',
  `| nothing changed: requests vs the full run | ≤ 2% | ${pct(c.idleRequestShare)} |`,
  `| nothing changed: speed-up vs the full run | ≥ 20× | ${c.idleSpeedup.toFixed(1)}× |`,
  `| 1% of dashboards and looks changed: requests vs the full run | ≤ 3% | ${pct(c.onePercentRequestShare)} |`,
  `| file after ${RUNS} more runs with 1% changed, over the single full snapshot | ≤ +50% | ${pct(c.growthOverFull)} |`,
  `| after \`forget --keep-last 7 --prune\`, vs what 7 snapshots need (${result.sevenSnapshotsNeedMB} MB: the full snapshot + 6 runs' growth) | within 10% | ${pct(c.afterForgetOverSeven)} (${result.forget.fileMB} MB) |`,
  '',
  '| run | items changed before it | requests | wall s | stored | new | changed | deleted | file MB |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...result.rows.map(
    (r) =>
      `| ${r.label} | ${r.changed} | ${r.requests} | ${(r.wallMs / 1000).toFixed(1)} | ${r.stored} | ${r.new} | ${r.updated} | ${r.deleted} | ${r.fileMB} |`,
  ),
  '',
];
mkdirSync(flags.out, { recursive: true });
writeFileSync(path.join(flags.out, 'snapshots.md'), lines.join('\n'));
writeFileSync(path.join(flags.out, 'snapshots.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(lines.join('\n'));
