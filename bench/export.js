#!/usr/bin/env node
// `export` of a 100,000-item backup (issue 14), against the compiled dist/ (`npm run build`
// first):
//
//   node bench/export.js [--db PATH] [--out bench/results]
//
// The backup is bench/backup-100k.js's (built unless --db names one). Times `lookervault export`
// as a user runs it (a process; peak RSS from GNU time) into an empty directory (every file
// new), again over the same tree (nothing changed: every file compared, none written), and as
// YAML. Targets: ≥ 2,000 items/s, RSS < 200 MB.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBackup } from './backup-100k.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'run.js');
const { values: flags } = parseArgs({
  options: {
    db: { type: 'string' },
    out: { type: 'string', default: path.join(root, 'bench', 'results') },
  },
});

const work = mkdtempSync(path.join(os.tmpdir(), 'lookervault-bench-export-'));
const db = flags.db ?? path.join(work, 'looker.db');
const built = await ensureBackup(db);

/** Runs `lookervault export …` once: wall time, peak RSS, the command's own summary. */
function run(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(
    '/usr/bin/time',
    ['-f', '%M', process.execPath, cli, 'export', ...args, '--db', db, '--json'],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`export failed: ${result.stderr}`);
  const rssKb = Number(result.stderr.trim().split('\n').at(-1));
  const summary = JSON.parse(result.stdout);
  return {
    ms: Math.round(ms),
    rssMb: Math.round(rssKb / 102.4) / 10,
    items: summary.items,
    created: summary.created,
    updated: summary.updated,
    unchanged: summary.unchanged,
    itemsPerSecond: Math.round((summary.items * 1000) / ms),
  };
}

const jsonTree = path.join(work, 'tree');
const yamlTree = path.join(work, 'yaml');
const results = [];
for (const [name, args] of [
  ['JSON, into an empty directory', [jsonTree]],
  ['JSON, again over the same tree (nothing changed)', [jsonTree]],
  ['YAML, into an empty directory', [yamlTree, '--format', 'yaml']],
]) {
  const measured = run(args);
  results.push({ name, ...measured });
  console.log(JSON.stringify(results.at(-1)));
}
rmSync(work, { recursive: true, force: true });

// The target is the default format's; YAML is reported beside it (its emitter costs ~2 ms for a
// large dashboard, against ~0.1 ms to indent the JSON).
const json = results.filter((r) => r.name.startsWith('JSON'));
const slowest = Math.min(...json.map((r) => r.itemsPerSecond));
const yaml = results.find((r) => r.name.startsWith('YAML'));
const peak = Math.max(...results.map((r) => r.rssMb));
const lines = [
  '# `export` of a 100,000-item backup (issue 14)',
  '',
  `\`node bench/export.js\` on ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, local ext4 disk. The backup: bench/backup-100k.js (60,000 dashboards, 38,000 looks, 1,000 users, 700 folders, the other types at the simulator's defaults${built ? `; ${built.items.toLocaleString('en-US')} items, built in ${built.seconds} s` : ''}). Each export runs as a process (start-up included); items/s = items ÷ wall time.`,
  '',
  '| export | items | new | changed | unchanged | wall | items/s | peak RSS |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.items.toLocaleString('en-US')} | ${r.created.toLocaleString('en-US')} | ${r.updated} | ${r.unchanged.toLocaleString('en-US')} | ${(r.ms / 1000).toFixed(1)} s | ${r.itemsPerSecond.toLocaleString('en-US')} | ${r.rssMb} MB |`,
  ),
  '',
  `JSON (the default), slowest: ${slowest.toLocaleString('en-US')} items/s (target ≥ 2,000: ${slowest >= 2000 ? 'met' : '**not met**'}); YAML: ${yaml.itemsPerSecond.toLocaleString('en-US')} items/s; peak RSS ${peak} MB (target < 200 MB: ${peak < 200 ? 'met' : '**not met**'}).`,
  '',
];
writeFileSync(path.join(flags.out, 'export.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
