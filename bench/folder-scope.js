#!/usr/bin/env node
/* global fetch */
// Folder-scoped backups (issue 12), against the compiled dist/ (`npm run build` first):
//
//   node bench/folder-scope.js [--latency 50] [--workers 8] [--fetch auto,by-id] [--out bench/results]
//
// One simulated instance in its own process: 20,000 user-defined dashboards in 400 shared
// folders (plus the Shared root and 300 personal folders), 2,000 looks, 300 scheduled plans,
// every request answered after --latency ms. Its first 36 shared folders have a fixed number of
// dashboards (`sim --dashboards-per-folder`): three of 1,000, ten of 500, one of 3,000, one of
// 3,200 and twenty of 10; the other 5,600 dashboards are spread over the rest. For each fetch
// mode, `lookervault extract -t folders,looks,dashboards,scheduled_plans` (the types a scoped
// run backs up by default) runs once without scope, then with each scope below, each into a
// fresh file:
//
//   three     3 folders of 1,000         target: ≥ 10× faster than without scope,
//                                        requests ≤ 1.05 × (items in scope + pages)
//   ten       10 folders of 500          target: ≥ 12× faster than without scope
//   uneven    one of 3,000 + 20 of 10    target: worker utilization ≥ 90%, wall time within
//   single    one folder of 3,200                10% of `single`
//
// Wall time is the run's own duration (the summary's durationMs: from login to the last
// commit), so process start-up does not blur a 2-second run; the process's wall time is
// recorded too.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLookervault, startSim, stopSim } from './sim-process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: {
    latency: { type: 'string', default: '50' },
    workers: { type: 'string', default: '8' },
    fetch: { type: 'string', default: 'auto,by-id' },
    out: { type: 'string', default: path.join(root, 'bench', 'results') },
    // Rewrites the report from a recorded folder-scope.json without running anything.
    'report-only': { type: 'boolean', default: false },
  },
});

const USERS = 300;
const LAYOUT = '1000*3,500*10,3000,3200,10*20';
/** Shared folder k (0-based) has id 2 + USERS + k + 1 in the simulator (roots, personal folders first). */
const folderId = (k) => String(2 + USERS + k + 1);
const range = (from, count) => Array.from({ length: count }, (_, i) => folderId(from + i));
const SCOPES = {
  three: range(0, 3),
  ten: range(3, 10),
  uneven: [folderId(13), ...range(15, 20)],
  single: [folderId(14)],
};
const TYPES = 'folders,looks,dashboards,scheduled_plans';

async function call(sim, route) {
  const response = await fetch(`${sim.info.url}${route}`);
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return response.json();
}

const results = flags['report-only']
  ? JSON.parse(readFileSync(path.join(flags.out, 'folder-scope.json'), 'utf8'))
  : await measure();

async function measure() {
  const sim = await startSim([
    '--seed',
    '1',
    '--dashboards',
    '20000',
    '--folders',
    '400',
    '--users',
    String(USERS),
    '--looks',
    '2000',
    '--scheduled-plans',
    '300',
    '--lookml-dashboards',
    '0',
    '--dashboards-per-folder',
    LAYOUT,
    '--latency',
    flags.latency,
  ]);
  process.once('exit', () => sim.child.kill('SIGTERM'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lookervault-bench-scope-'));
  const results = [];
  try {
    for (const fetchMode of flags.fetch.split(',')) {
      for (const [scope, folders] of [['none', []], ...Object.entries(SCOPES)]) {
        const db = path.join(dir, `${fetchMode}-${scope}.db`);
        const before = await call(sim, '/__sim/stats');
        const { json, wallMs } = await runLookervault(sim, [
          'extract',
          '--db',
          db,
          '-t',
          TYPES,
          ...(folders.length > 0 ? ['--folders', folders.join(',')] : []),
          '-w',
          flags.workers,
          '--fetch',
          fetchMode,
          '--json',
          '--no-progress',
        ]);
        const after = await call(sim, '/__sim/stats');
        const items = Object.values(json.items).reduce((a, b) => a + b, 0);
        // Listing requests (pages of search_* and all_* operations, id listings included).
        const delta = (op) =>
          (after.requests.byOperation[op] ?? 0) - (before.requests.byOperation[op] ?? 0);
        const pages = Object.keys(after.requests.byOperation)
          .filter((op) => op.startsWith('search_') || op.startsWith('all_'))
          .reduce((a, op) => a + delta(op), 0);
        const row = {
          fetch: fetchMode,
          scope,
          folders: folders.length,
          status: json.status,
          runSeconds: Math.round(json.durationMs / 10) / 100,
          processSeconds: Math.round(wallMs / 10) / 100,
          items,
          dashboards: json.items.dashboard ?? 0,
          pages,
          requests: after.requests.total - before.requests.total,
          utilization: json.utilization,
        };
        results.push(row);
        console.log(JSON.stringify(row));
      }
    }
  } finally {
    await stopSim(sim);
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

const lines = [
  '# Folder-scoped backups (issue 12)',
  '',
  `\`node bench/folder-scope.js --latency ${flags.latency} --workers ${flags.workers} --fetch ${flags.fetch}\` on ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
  '',
  `Instance: 20,000 dashboards in 400 shared folders (layout \`${LAYOUT}\` for the first 36, the rest spread), 300 personal folders, 2,000 looks, 300 scheduled plans; ${flags.latency} ms per request; ${flags.workers} workers; types ${TYPES}. "Run" is the summary's durationMs (login to last commit); "process" adds start-up.`,
  '',
  '"Work ratio" is what the whole run does over what the scoped run does (its requests, or its items if more): the speed-up a scoped run with no cost of its own would reach.',
  '',
  '| fetch | scope | folders | status | run s | process s | items | dashboards | pages | requests | requests / (items + pages) | utilization | speed-up vs no scope | work ratio |',
  '|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];
const baseOf = (row) => results.find((r) => r.fetch === row.fetch && r.scope === 'none');
const workRatio = (row) => {
  const base = baseOf(row);
  if (!base) return null;
  return Math.min(base.items / row.items, base.requests / row.requests);
};
for (const row of results) {
  const base = baseOf(row);
  const scoped = base && row.scope !== 'none';
  const speedup = scoped ? `${(base.runSeconds / row.runSeconds).toFixed(1)}×` : '';
  const work = scoped ? `${workRatio(row).toFixed(1)}×` : '';
  const ratio = (row.requests / (row.items + row.pages)).toFixed(3);
  lines.push(
    `| ${row.fetch} | ${row.scope} | ${row.folders} | ${row.status} | ${row.runSeconds} | ${row.processSeconds} | ${row.items} | ${row.dashboards} | ${row.pages} | ${row.requests} | ${ratio} | ${(row.utilization * 100).toFixed(0)}% | ${speedup} | ${work} |`,
  );
}
lines.push('');
for (const fetchMode of flags.fetch.split(',')) {
  const get = (scope) => results.find((r) => r.fetch === fetchMode && r.scope === scope);
  const none = get('none');
  const three = get('three');
  const ten = get('ten');
  const uneven = get('uneven');
  const single = get('single');
  if (!none || !three || !ten || !uneven || !single) continue;
  const check = (ok) => (ok ? 'met' : '**not met**');
  const threeRatio = three.requests / (three.items + three.pages);
  const unevenVsSingle = uneven.runSeconds / single.runSeconds;
  lines.push(
    `**${fetchMode}**: three folders ${(none.runSeconds / three.runSeconds).toFixed(1)}× faster (≥ 10×: ${check(none.runSeconds / three.runSeconds >= 10)}), requests ${threeRatio.toFixed(3)} × (items + pages) (≤ 1.05: ${check(threeRatio <= 1.05)}); ten folders ${(none.runSeconds / ten.runSeconds).toFixed(1)}× (≥ 12×: ${check(none.runSeconds / ten.runSeconds >= 12)}); uneven utilization ${(uneven.utilization * 100).toFixed(0)}% (≥ 90%: ${check(uneven.utilization >= 0.9)}), wall time ${(unevenVsSingle * 100).toFixed(0)}% of one folder of 3,200 (within 10%: ${check(Math.abs(unevenVsSingle - 1) <= 0.1)}).`,
    '',
  );
}
writeFileSync(path.join(flags.out, 'folder-scope.md'), `${lines.join('\n')}\n`);
if (!flags['report-only']) {
  writeFileSync(path.join(flags.out, 'folder-scope.json'), `${JSON.stringify(results, null, 2)}\n`);
}
console.log(lines.join('\n'));
