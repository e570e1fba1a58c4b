#!/usr/bin/env node
// How to remember which versions each snapshot holds (issue 11): measured at 100 snapshots of
// 50,000 items with 1% of them changed between snapshots, on SQLite with lookervault's pragmas
// (64 KiB pages, WAL, synchronous=NORMAL). Contents are left out: both designs store them the
// same way (once per distinct version), so only the bookkeeping differs.
//
//   node bench/snapshot-representation.js [--items 50000] [--snapshots 100] [--changed 0.01]
//
// A: intervals — one row per (item, version) with the runs [from_run, to_run) that held it;
//    a run updates the last_seen_run of each item it saw (as the writer does), closes changed
//    and deleted ones and inserts their new versions.
// B: membership — one row per (item, version) plus one row per (snapshot, version) it holds.
//
// Prints per design: file size, mean time to record one incremental snapshot, time to read the
// oldest and the newest snapshot's full item list, and time to forget the oldest half.
import { openDatabase } from '../dist/store/sqlite.js';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '50000' },
    snapshots: { type: 'string', default: '100' },
    changed: { type: 'string', default: '0.01' },
    out: { type: 'string', default: 'bench/results/snapshot-representation.md' },
  },
});
const ITEMS = Number(args.items);
const SNAPSHOTS = Number(args.snapshots);
const CHANGED = Math.round(ITEMS * Number(args.changed));

function open(file) {
  const db = openDatabase(file);
  db.pragma('page_size = 65536');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

/** Item indices changed before snapshot s (deterministic, spread over the items). */
function changedAt(s) {
  const list = [];
  for (let k = 0; k < CHANGED; k++) list.push((s * 7919 + k * 104729) % ITEMS);
  return [...new Set(list)];
}

const hashOf = (i, v) => `${i.toString(16).padStart(8, '0')}${v.toString(16).padStart(56, '0')}`;

function intervals(file) {
  const db = open(file);
  db.exec(`CREATE TABLE v (id INTEGER PRIMARY KEY, content_type TEXT NOT NULL, item_id TEXT NOT NULL,
             content_id INTEGER NOT NULL, content_hash TEXT NOT NULL, from_run INTEGER NOT NULL,
             to_run INTEGER, last_seen_run INTEGER NOT NULL);
           CREATE UNIQUE INDEX v_item ON v (content_type, item_id, from_run);`);
  const insert = db.prepare(
    'INSERT INTO v (content_type, item_id, content_id, content_hash, from_run, last_seen_run) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const current = db.prepare(
    "SELECT id FROM v WHERE content_type = 'dashboard' AND item_id = ? AND to_run IS NULL",
  );
  const touch = db.prepare('UPDATE v SET last_seen_run = ? WHERE id = ?');
  const close = db.prepare('UPDATE v SET to_run = ? WHERE id = ?');
  const version = new Int32Array(ITEMS);
  let contentId = 0;
  const writeMs = [];
  for (let s = 1; s <= SNAPSHOTS; s++) {
    const changed = new Set(s === 1 ? [] : changedAt(s));
    const started = performance.now();
    db.transaction(() => {
      for (let i = 0; i < ITEMS; i++) {
        const id = String(i + 1);
        if (s === 1) {
          insert.run('dashboard', id, ++contentId, hashOf(i, 0), s, s);
          continue;
        }
        const row = current.get(id);
        if (changed.has(i)) {
          close.run(s, row.id);
          version[i] += 1;
          insert.run('dashboard', id, ++contentId, hashOf(i, version[i]), s, s);
        } else touch.run(s, row.id);
      }
    })();
    if (s > 1) writeMs.push(performance.now() - started);
  }
  const snapshotQuery = db.prepare(
    'SELECT item_id, content_hash FROM v WHERE from_run <= ? AND (to_run IS NULL OR to_run > ?)',
  );
  const read = (s) => {
    const t = performance.now();
    const n = snapshotQuery.all(s, s).length;
    if (n !== ITEMS) throw new Error(`intervals: snapshot ${s} has ${n} items`);
    return performance.now() - t;
  };
  const readOldest = read(1);
  const readNewest = read(SNAPSHOTS);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const sizeBefore = statSync(file).size;
  const half = Math.floor(SNAPSHOTS / 2);
  const t = performance.now();
  db.prepare('DELETE FROM v WHERE to_run IS NOT NULL AND to_run <= ?').run(half + 1);
  const forgetMs = performance.now() - t;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { writeMs, readOldest, readNewest, forgetMs, sizeBefore };
}

function membership(file) {
  const db = open(file);
  db.exec(`CREATE TABLE v (id INTEGER PRIMARY KEY, content_type TEXT NOT NULL, item_id TEXT NOT NULL,
             content_id INTEGER NOT NULL, content_hash TEXT NOT NULL);
           CREATE INDEX v_item ON v (content_type, item_id);
           CREATE TABLE m (snapshot INTEGER NOT NULL, version INTEGER NOT NULL,
             PRIMARY KEY (snapshot, version)) WITHOUT ROWID;`);
  const insertVersion = db.prepare(
    'INSERT INTO v (content_type, item_id, content_id, content_hash) VALUES (?, ?, ?, ?)',
  );
  const member = db.prepare('INSERT INTO m (snapshot, version) VALUES (?, ?)');
  const versionIds = new Float64Array(ITEMS);
  const version = new Int32Array(ITEMS);
  let contentId = 0;
  const writeMs = [];
  for (let s = 1; s <= SNAPSHOTS; s++) {
    const changed = new Set(s === 1 ? [] : changedAt(s));
    const started = performance.now();
    db.transaction(() => {
      for (let i = 0; i < ITEMS; i++) {
        if (s === 1 || changed.has(i)) {
          if (s > 1) version[i] += 1;
          versionIds[i] = Number(
            insertVersion.run('dashboard', String(i + 1), ++contentId, hashOf(i, version[i]))
              .lastInsertRowid,
          );
        }
        member.run(s, versionIds[i]);
      }
    })();
    if (s > 1) writeMs.push(performance.now() - started);
  }
  const snapshotQuery = db.prepare(
    'SELECT v.item_id, v.content_hash FROM m JOIN v ON v.id = m.version WHERE m.snapshot = ?',
  );
  const read = (s) => {
    const t = performance.now();
    const n = snapshotQuery.all(s).length;
    if (n !== ITEMS) throw new Error(`membership: snapshot ${s} has ${n} items`);
    return performance.now() - t;
  };
  const readOldest = read(1);
  const readNewest = read(SNAPSHOTS);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const sizeBefore = statSync(file).size;
  const half = Math.floor(SNAPSHOTS / 2);
  const t = performance.now();
  db.transaction(() => {
    db.prepare('DELETE FROM m WHERE snapshot <= ?').run(half);
    db.prepare('DELETE FROM v WHERE id NOT IN (SELECT version FROM m)').run();
  })();
  const forgetMs = performance.now() - t;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { writeMs, readOldest, readNewest, forgetMs, sizeBefore };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'lookervault-repr-'));
const rows = [];
try {
  for (const [name, fn] of [
    ['intervals (chosen)', intervals],
    ['membership', membership],
  ]) {
    const file = path.join(dir, `${name.split(' ')[0]}.db`);
    const started = performance.now();
    const result = fn(file);
    const sizeMb = result.sizeBefore / 1024 / 1024;
    const meanWrite = result.writeMs.reduce((a, b) => a + b, 0) / result.writeMs.length;
    rows.push(
      `| ${name} | ${sizeMb.toFixed(1)} | ${meanWrite.toFixed(0)} | ${result.readOldest.toFixed(0)} | ${result.readNewest.toFixed(0)} | ${result.forgetMs.toFixed(0)} | ${((performance.now() - started) / 1000).toFixed(1)} |`,
    );
    process.stderr.write(`${rows.at(-1)}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const report = [
  '# Snapshot bookkeeping: intervals against per-snapshot membership',
  '',
  `Written by \`node bench/snapshot-representation.js\`: ${ITEMS.toLocaleString('en')} items, ${SNAPSHOTS} snapshots, ${CHANGED} items (${Number(args.changed) * 100}%) changed before each one; bookkeeping only (contents are stored alike by both). Recorded ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}.`,
  '',
  '| design | file MB after the last snapshot (before forget) | ms to record one incremental snapshot | ms to read the oldest snapshot | ms to read the newest | ms to forget the oldest half | total s |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows,
  '',
].join('\n');
writeFileSync(args.out, report);
process.stdout.write(report);
