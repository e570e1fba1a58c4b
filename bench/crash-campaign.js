#!/usr/bin/env node
/* global performance, setInterval, clearInterval */
// Crash campaign (issue 15): the real CLI killed with SIGKILL at points spread over a run's
// progress, then run again, compared with an uninterrupted run. Run `npm run build` first.
//
//   node bench/crash-campaign.js [--kills 20] [--dashboards 2000] [--restore-dashboards 200]
//                                [--out bench/results/crash-campaign.md]
//
// extract: a simulator (seed 3) is backed up once without interruption (the reference: every
//   stored (type, id, content hash), and the requests it took). Then, for each kill point k of
//   N, a fresh backup is started and killed with SIGKILL once the simulator has answered
//   k/(N+1) of the reference's requests, then run again to the end. The resumed file must hold
//   exactly the reference's triples, pass `PRAGMA integrity_check`, and `lookervault verify`.
// restore: a backup of simulator A is restored into an empty simulator B once without
//   interruption (the reference). Then, for each kill point, into a new empty B: killed once B
//   has answered k/(N+1) of the reference's requests, then run again. B must hold every
//   dashboard, look and folder exactly once (slugs, folder paths and looks per folder unique,
//   counts equal to the reference's), and a dry run must plan nothing but skips.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSimulator } from '../dist/sim/index.js';
import { openDatabase } from '../dist/store/sqlite.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'run.js');
const { values: flags } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    dashboards: { type: 'string', default: '2000' },
    'restore-dashboards': { type: 'string', default: '200' },
    out: { type: 'string', default: path.join(root, 'bench', 'results', 'crash-campaign.md') },
  },
});
const kills = Number(flags.kills);
const work = mkdtempSync(path.join(os.tmpdir(), 'lookervault-crash-'));

/** Runs the CLI; with `killAt`, SIGKILLs it once `killAt()` turns true (polled every 5 ms). */
function run(args, env, killAt) {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, NODE_ENV: 'production', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const poll = killAt
    ? setInterval(() => {
        if (child.exitCode === null && killAt()) child.kill('SIGKILL');
      }, 5)
    : undefined;
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function triples(db) {
  const file = openDatabase(db, { readonly: true });
  try {
    return file
      .prepare('SELECT content_type, id, content_hash FROM content_items')
      .all()
      .map((row) => `${row.content_type} ${row.id} ${row.content_hash}`)
      .sort();
  } finally {
    file.close();
  }
}

/** A consistent copy of a closed backup (each restore records its id mapping in its file). */
function copyBackup(source, destination) {
  const file = openDatabase(source, { readonly: true });
  try {
    file.prepare('VACUUM INTO ?').run(destination);
  } finally {
    file.close();
  }
}

function integrity(db) {
  const file = openDatabase(db, { readonly: true });
  try {
    return file.pragma('integrity_check', { simple: true });
  } finally {
    file.close();
  }
}

const lines = [];
const log = (line) => {
  console.log(line);
  lines.push(line);
};

async function extractCampaign() {
  const sim = await startSimulator({
    seed: 3,
    counts: { dashboard: Number(flags.dashboards), look: 500 },
    latencyMs: 2,
  });
  const env = {
    LOOKERSDK_BASE_URL: sim.url,
    LOOKERSDK_CLIENT_ID: sim.clientId,
    LOOKERSDK_CLIENT_SECRET: sim.clientSecret,
  };
  const extract = (db) => ['extract', '--db', db, '--no-progress', '-w', '8'];
  try {
    const reference = path.join(work, 'reference.db');
    sim.resetStats();
    const started = performance.now();
    const first = await run(extract(reference), env);
    if (first.code !== 0) throw new Error(`reference extract failed: ${first.stderr}`);
    const referenceMs = performance.now() - started;
    const requests = sim.stats().requests.total;
    const expected = triples(reference);
    log(
      `extract reference: ${expected.length} items, ${requests} requests, ${(referenceMs / 1000).toFixed(1)} s`,
    );
    log('');
    log('| kill | at requests | killed | resume exit | items equal | integrity | verify |');
    log('|---|---|---|---|---|---|---|');
    let passed = 0;
    for (let k = 1; k <= kills; k++) {
      const db = path.join(work, `extract-${k}.db`);
      const at = Math.round((requests * k) / (kills + 1));
      sim.resetStats();
      const killed = await run(extract(db), env, () => sim.stats().requests.total >= at);
      const resumed = await run(extract(db), env);
      const equal = JSON.stringify(triples(db)) === JSON.stringify(expected);
      const check = integrity(db);
      const verify = await run(['verify', '--db', db], {});
      const ok = resumed.code === 0 && equal && check === 'ok' && verify.code === 0;
      if (ok) passed += 1;
      log(
        `| ${k} | ${at} | ${killed.signal === 'SIGKILL' ? 'yes' : `no (exit ${killed.code})`} | ${resumed.code} | ${equal ? 'yes' : 'NO'} | ${check} | ${verify.code === 0 ? 'ok' : 'FAILED'} |`,
      );
      rmSync(db, { force: true });
      rmSync(`${db}-wal`, { force: true });
      rmSync(`${db}-shm`, { force: true });
    }
    log('');
    log(`extract: ${passed}/${kills} kill points resumed to exactly the reference backup`);
    return passed === kills;
  } finally {
    await sim.close();
  }
}

async function restoreCampaign() {
  const counts = {
    dashboard: Number(flags['restore-dashboards']),
    look: 40,
    folder: 20,
    board: 0,
    scheduled_plan: 0,
    lookmlDashboards: 0,
    user: 20,
  };
  const a = await startSimulator({ seed: 6, counts });
  // Tiles that show a look in A's trash could not be restored anywhere: take those looks out.
  a.applyMutations(
    a.dataset.deletedIds('look').map((id) => ({ action: 'restore', type: 'look', id })),
  );
  const db = path.join(work, 'source.db');
  const extracted = await run(['extract', '--db', db, '--no-progress'], {
    LOOKERSDK_BASE_URL: a.url,
    LOOKERSDK_CLIENT_ID: a.clientId,
    LOOKERSDK_CLIENT_SECRET: a.clientSecret,
  });
  await a.close();
  if (extracted.code !== 0) throw new Error(`source extract failed: ${extracted.stderr}`);

  // An instance with no content but the same users (matched by email).
  const target = () => startSimulator({ seed: 6, empty: true, counts: { user: counts.user } });
  const restore = (b) => ({
    args: [
      'restore',
      '--db',
      db,
      '--to-base-url',
      b.url,
      '-t',
      'folders,looks,dashboards',
      '--yes',
      '-w',
      '4',
    ],
    env: { LOOKERVAULT_TO_CLIENT_ID: b.clientId, LOOKERVAULT_TO_CLIENT_SECRET: b.clientSecret },
  });
  const census = (b) => {
    const all = (type) =>
      [...b.dataset.ids(type), ...b.dataset.deletedIds(type)].map((id) => b.dataset.get(type, id));
    const dashboards = all('dashboard');
    const looks = all('look');
    const folders = b.dataset.ids('folder').map((id) => b.dataset.get('folder', id));
    const unique = (keys) => keys.length - new Set(keys).size === 0;
    return {
      dashboards: dashboards.length,
      looks: looks.length,
      folders: folders.length,
      unique:
        unique(dashboards.map((d) => d.slug)) &&
        unique(looks.map((l) => `${l.folder_id}/${l.title}`)) &&
        unique(folders.map((f) => `${f.parent_id}/${f.name}`)),
    };
  };

  const referenceTarget = await target();
  const reference = restore(referenceTarget);
  // The mapping lives in the backup file: the reference restores from a copy of it.
  const referenceDb = path.join(work, 'source-reference.db');
  copyBackup(db, referenceDb);
  let expected;
  let requests;
  try {
    const args = [...reference.args];
    args[2] = referenceDb;
    const done = await run(args, reference.env);
    if (done.code !== 0) throw new Error(`reference restore failed: ${done.stderr}`);
    requests = referenceTarget.stats().requests.total;
    expected = census(referenceTarget);
  } finally {
    await referenceTarget.close();
  }
  log('');
  log(
    `restore reference: ${expected.dashboards} dashboards, ${expected.looks} looks, ${expected.folders} folders, ${requests} requests to the target`,
  );
  log('');
  log(
    '| kill | at requests | killed | rerun exit | counts equal | nothing twice | dry run all skip |',
  );
  log('|---|---|---|---|---|---|---|');
  let passed = 0;
  for (let k = 1; k <= kills; k++) {
    const b = await target();
    const trialDb = path.join(work, `restore-${k}.db`);
    copyBackup(db, trialDb);
    try {
      const { args, env } = restore(b);
      args[2] = trialDb;
      const at = Math.round((requests * k) / (kills + 1));
      const killed = await run(args, env, () => b.stats().requests.total >= at);
      const rerun = await run(args, env);
      const got = census(b);
      const counts =
        got.dashboards === expected.dashboards &&
        got.looks === expected.looks &&
        got.folders === expected.folders;
      const dry = await run([...args, '--dry-run', '--json'], env);
      let allSkip = false;
      try {
        const plan = JSON.parse(dry.stdout);
        allSkip = (plan.plan?.items ?? plan.items ?? []).every((item) => item.action === 'skip');
      } catch {
        allSkip = false;
      }
      const ok = rerun.code === 0 && counts && got.unique && allSkip;
      if (ok) passed += 1;
      log(
        `| ${k} | ${at} | ${killed.signal === 'SIGKILL' ? 'yes' : `no (exit ${killed.code})`} | ${rerun.code} | ${counts ? 'yes' : `NO (${got.dashboards}/${got.looks}/${got.folders})`} | ${got.unique ? 'yes' : 'NO'} | ${allSkip ? 'yes' : 'NO'} |`,
      );
    } finally {
      await b.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${trialDb}${suffix}`, { force: true });
    }
  }
  log('');
  log(`restore: ${passed}/${kills} kill points finished with everything restored exactly once`);
  return passed === kills;
}

try {
  const started = new Date();
  const extractOk = await extractCampaign();
  const restoreOk = await restoreCampaign();
  writeFileSync(
    flags.out,
    [
      '# Crash campaign: SIGKILL at points spread over the run, then run again',
      '',
      `\`node bench/crash-campaign.js --kills ${kills} --dashboards ${flags.dashboards} --restore-dashboards ${flags['restore-dashboards']}\``,
      `on ${started.toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} CPUs.`,
      '',
      ...lines,
      '',
    ].join('\n'),
  );
  process.exitCode = extractOk && restoreOk ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
