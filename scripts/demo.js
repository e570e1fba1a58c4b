#!/usr/bin/env node
// `npm run demo`: a real backup, end to end, against the built-in Looker simulator.
//
// Starts `lookervault sim` (a few thousand items of every content type, with network latency,
// a rate limit that answers 429 and a few server errors, so you see lookervault cope), runs
// `lookervault extract` against it with live progress, then `lookervault status`. The backup is
// left in demo/looker.db for you to open with any SQLite tool or `lookervault status --db …`.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'run.js');
const dbDir = path.join(root, 'demo');
const db = path.join(dbDir, 'looker.db');

const simArgs = [
  'sim',
  '--json',
  ...['--dashboards', '1500', '--looks', '1000', '--folders', '150', '--users', '200'],
  ...['--latency', '25', '--jitter', '25', '--rate-limit', '150', '--error-rate', '0.01'],
];

function startSimulator() {
  const child = spawn(process.execPath, [cli, ...simArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve({ child, info: JSON.parse(out.split('\n')[0]) });
    });
    child.on('exit', (code) => reject(new Error(`the simulator exited (code ${code})`)));
  });
}

function run(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

rmSync(dbDir, { recursive: true, force: true });
mkdirSync(dbDir, { recursive: true });
console.error('Starting the Looker simulator (lookervault sim) …');
const sim = await startSimulator();
const env = {
  LOOKERSDK_BASE_URL: sim.info.url,
  LOOKERSDK_CLIENT_ID: sim.info.clientId,
  LOOKERSDK_CLIENT_SECRET: sim.info.clientSecret,
};
let code;
try {
  console.error(`\n$ lookervault extract --db demo/looker.db -w 8   (against ${sim.info.url})\n`);
  code = await run(['extract', '--db', db, '-w', '8'], env);
  console.error('\n$ lookervault status --db demo/looker.db\n');
  await run(['status', '--db', db], env);
  console.error(
    `\nThe backup is in demo/looker.db. Try: sqlite3 demo/looker.db "select content_type, count(*) from content_items group by 1"`,
  );
} finally {
  sim.child.removeAllListeners('exit');
  sim.child.kill('SIGTERM');
}
process.exitCode = code;
