#!/usr/bin/env node
// `npm run bench`: every benchmark, one after another (they must not share the two cores).
// Results land in bench/results/ (see bench/README.md). Extra arguments go to bench/extract.js
// (e.g. `npm run bench -- --quick`, or `npm run bench -- scaling`).
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const extractArgs = process.argv.slice(2);
const quick = extractArgs.includes('--quick');
const steps = [
  ['sim-throughput.js', quick ? ['--pages', '200', '--details', '2000'] : []],
  ['writer.js', quick ? ['--items', '2000'] : []],
  ['extract.js', extractArgs],
  ['ceiling-floor.js', quick ? ['--requests', '300'] : []],
  ['limiter-overhead.js', []],
  // Quick runs write their reports to the temporary directory, not over the recorded results.
  [
    'snapshots.js',
    quick ? ['--dashboards', '2000', '--looks', '1000', '--runs', '3', '--out', os.tmpdir()] : [],
  ],
  [
    'snapshot-representation.js',
    quick
      ? ['--items', '5000', '--snapshots', '10', '--out', path.join(os.tmpdir(), 'repr.md')]
      : [],
  ],
  ['restore.js', quick ? ['--dashboards', '100', '--out', os.tmpdir()] : []],
  ['folder-scope.js', quick ? ['--fetch', 'auto', '--out', os.tmpdir()] : []],
  ['list.js', quick ? ['--out', os.tmpdir()] : []],
  ['export.js', quick ? ['--out', os.tmpdir()] : []],
  [
    'limiter-models.js',
    quick ? ['--dashboards', '240', '--out', path.join(os.tmpdir(), 'limits.json')] : [],
  ],
  [
    'crash-campaign.js',
    quick
      ? [
          '--kills',
          '2',
          '--dashboards',
          '300',
          '--restore-dashboards',
          '20',
          '--out',
          path.join(os.tmpdir(), 'crash.md'),
        ]
      : [],
  ],
];
for (const [script, args] of steps) {
  console.log(`\n== ${script} ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [path.join(here, script), ...args], {
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
