// The 100,000-item backup `bench/list.js` and `bench/export.js` read: a simulator with 60,000
// dashboards, 38,000 looks, 400 shared folders, 1,000 users and the other types at their
// defaults, at no latency, backed up by `lookervault extract` (about a minute). Built once per
// path: an existing file is used as it is.
import { existsSync } from 'node:fs';
import { runLookervault, startSim, stopSim } from './sim-process.js';

/** Builds the backup at `db` unless it exists; returns how it was built, or null. */
export async function ensureBackup(db) {
  if (existsSync(db)) return null;
  const sim = await startSim([
    '--seed',
    '1',
    '--dashboards',
    '60000',
    '--looks',
    '38000',
    '--folders',
    '400',
    '--users',
    '1000',
  ]);
  try {
    const { json, wallMs } = await runLookervault(sim, [
      'extract',
      '--db',
      db,
      '-w',
      '8',
      '--json',
      '--no-progress',
    ]);
    const built = { items: json.totals.stored, seconds: Math.round(wallMs / 100) / 10 };
    console.log(JSON.stringify({ built }));
    return built;
  } finally {
    await stopSim(sim);
  }
}
