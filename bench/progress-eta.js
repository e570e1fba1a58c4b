#!/usr/bin/env node
/* global performance */
// How good the progress display's ETA is (issue 17), against the compiled dist/:
//
//   node bench/progress-eta.js [--dashboards 20000] [--latency 50] [--workers 8] [--fetch by-id]
//
// Runs `lookervault extract --progress-interval 1s` (plain lines: stderr is a pipe) against
// `lookervault sim --dashboards N --latency L`, timestamps each progress line as it arrives,
// and compares the ETA of the first line at or past 10%, 50% and 90% with the actual finish.
// `--fetch by-id` by default: one request per dashboard makes the run last long enough (about
// N × L / workers) for the estimate to matter; from listing pages the dashboards take seconds.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSim, stopSim } from './sim-process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: {
    dashboards: { type: 'string', default: '20000' },
    latency: { type: 'string', default: '50' },
    workers: { type: 'string', default: '8' },
    fetch: { type: 'string', default: 'by-id' },
    out: { type: 'string', default: path.join(root, 'bench', 'results', 'progress-eta.md') },
  },
});

/** "~40 s" → 40000, "~2m15s" → 135000, "~14 min" → 840000, "~2h05m" → 7500000. */
function parseLeft(text) {
  let match = /^~(\d+) s$/.exec(text);
  if (match) return Number(match[1]) * 1000;
  match = /^~(\d+)m(\d\d)s$/.exec(text);
  if (match) return (Number(match[1]) * 60 + Number(match[2])) * 1000;
  match = /^~(\d+) min$/.exec(text);
  if (match) return Number(match[1]) * 60_000;
  match = /^~(\d+)h(\d\d)m$/.exec(text);
  if (match) return (Number(match[1]) * 60 + Number(match[2])) * 60_000;
  return null;
}

const sim = await startSim(['--dashboards', flags.dashboards, '--latency', flags.latency]);
const dir = mkdtempSync(path.join(os.tmpdir(), 'lookervault-eta-'));
const lines = [];
let finishedMs;
try {
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'bin', 'run.js'),
      'extract',
      '--db',
      path.join(dir, 'looker.db'),
      '-w',
      flags.workers,
      '--fetch',
      flags.fetch,
      '--progress-interval',
      '1s',
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        LOOKERSDK_BASE_URL: sim.info.url,
        LOOKERSDK_CLIENT_ID: sim.info.clientId,
        LOOKERSDK_CLIENT_SECRET: sim.info.clientSecret,
      },
    },
  );
  const started = performance.now();
  let buffered = '';
  child.stderr.on('data', (chunk) => {
    const at = performance.now() - started;
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) lines.push({ at, line });
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  finishedMs = performance.now() - started;
  if (code !== 0) throw new Error(`extract exited ${code}: ${lines.map((l) => l.line).join('\n')}`);
} finally {
  await stopSim(sim);
  rmSync(dir, { recursive: true, force: true });
}

const estimates = lines.flatMap(({ at, line }) => {
  const match = / · (\d+(?:\.\d)?)% · ETA (\S+(?: \S+)?) · /.exec(line);
  if (!match) return [];
  const leftMs = parseLeft(match[2]);
  return leftMs === null ? [] : [{ at, percent: Number(match[1]), leftMs, line }];
});
const rows = [10, 50, 90].map((mark) => {
  const estimate = estimates.find((e) => e.percent >= mark);
  if (!estimate) return { mark, missing: true };
  const predicted = estimate.at + estimate.leftMs;
  const actualLeft = finishedMs - estimate.at;
  return {
    mark,
    percent: estimate.percent,
    atS: estimate.at / 1000,
    etaS: estimate.leftMs / 1000,
    actualLeftS: actualLeft / 1000,
    errorOfRun: (predicted - finishedMs) / finishedMs,
    errorOfLeft: (estimate.leftMs - actualLeft) / actualLeft,
  };
});
const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const met = rows.every((row) => !row.missing && Math.abs(row.errorOfRun) <= 0.15);
const report = [
  '# Progress: the ETA against the actual finish',
  '',
  `Written by \`node bench/progress-eta.js\`: \`lookervault extract -w ${flags.workers} --fetch ${flags.fetch} --progress-interval 1s\` against \`lookervault sim --dashboards ${flags.dashboards} --latency ${flags.latency}\` (every content type), progress lines timestamped on arrival. Run took ${(finishedMs / 1000).toFixed(1)} s. Recorded ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}. Target: the predicted finish within 15% (of the run's duration) from 10% of the run on: ${met ? 'met' : 'not met'}.`,
  '',
  '| first line at or past | shown | at s | ETA shown s | actual time left s | predicted finish vs actual (share of the run) | ETA vs actual time left |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map((row) =>
    row.missing
      ? `| ${row.mark}% | no line | | | | | |`
      : `| ${row.mark}% | ${row.percent}% | ${row.atS.toFixed(1)} | ${row.etaS.toFixed(0)} | ${row.actualLeftS.toFixed(1)} | ${pct(row.errorOfRun)} | ${pct(row.errorOfLeft)} |`,
  ),
  '',
  'The lines (first of each mark):',
  '',
  '```',
  ...[10, 50, 90].flatMap((mark) => {
    const estimate = estimates.find((e) => e.percent >= mark);
    return estimate ? [estimate.line] : [];
  }),
  '```',
  '',
];
writeFileSync(flags.out, report.join('\n'));
console.log(report.join('\n'));
