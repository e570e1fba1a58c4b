import { afterEach, describe, expect, it } from '@jest/globals';
import { openDatabase } from '../../../src/store/sqlite.js';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { DatabaseError } from '../../../src/errors.js';
import {
  itemHistory,
  listSnapshots,
  openVault,
  SCHEMA_VERSION,
  snapshotEntries,
} from '../../../src/store/index.js';
import { makeTempDir } from '../../helpers/tmp.js';

/**
 * A backup written by release 0.1.0 (schema 1: one row per item, no history): two runs over a
 * small simulated instance, three items changed between them.
 */
const FIXTURE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/schema-v1-release-0.1.0.db.gz',
);

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function v1File(): string {
  const { dir, cleanup } = makeTempDir('lookervault-migrate-');
  cleanups.push(cleanup);
  const file = path.join(dir, 'looker.db');
  writeFileSync(file, gunzipSync(readFileSync(FIXTURE)), { mode: 0o600 });
  return file;
}

interface ItemRow {
  content_type: string;
  id: string;
  content_hash: string;
  content_json: string;
  first_seen_run: number;
  last_seen_run: number;
  changed_run: number;
  deleted: number;
}

function itemRows(file: string): ItemRow[] {
  const db = openDatabase(file, { readonly: true });
  try {
    return db
      .prepare<[], ItemRow>(
        `SELECT content_type, id, content_hash, content_json, first_seen_run, last_seen_run,
                changed_run, deleted
           FROM content_items ORDER BY content_type, id`,
      )
      .all();
  } finally {
    db.close();
  }
}

describe('upgrading a schema 1 backup', () => {
  it('keeps every item as it was, and its newest run becomes its first snapshot', () => {
    const file = v1File();
    const before = itemRows(file);
    expect(before.length).toBeGreaterThan(50);

    const vault = openVault(file, { toolVersion: 'test' });
    try {
      expect(vault.schemaVersion).toBe(SCHEMA_VERSION);
      const snapshots = listSnapshots(vault);
      // Run 1's content was overwritten by run 2 in schema 1: only run 2 is a snapshot.
      expect(snapshots.map((snapshot) => snapshot.id)).toEqual([2]);
      expect(snapshotEntries(vault, 2).map((e) => `${e.type} ${e.id} ${e.hash}`)).toEqual(
        before.map((row) => `${row.content_type} ${row.id} ${row.content_hash}`),
      );
      const changed = before.find((row) => row.changed_run === 2 && row.first_seen_run === 1);
      expect(changed).toBeDefined();
      const history = itemHistory(vault, changed?.content_type ?? '', changed?.id ?? '');
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({ fromRun: 2, toRun: null, hash: changed?.content_hash });
    } finally {
      vault.close();
    }
    // The view answers the queries users wrote against the table, with the same values.
    expect(itemRows(file)).toEqual(before);
  });

  it('is one transaction: a migration that fails leaves the file at schema 1, whole', () => {
    const file = v1File();
    const before = itemRows(file);
    const db = openDatabase(file);
    db.exec('CREATE TABLE contents (x INTEGER)'); // makes the migration's CREATE TABLE fail
    db.close();

    expect(() => openVault(file, { toolVersion: 'test' })).toThrow(DatabaseError);
    const after = openDatabase(file, { readonly: true });
    try {
      expect(
        after.prepare('SELECT value FROM meta WHERE key = ?').pluck().get('schema_version'),
      ).toBe('1');
      expect(
        after.prepare("SELECT type FROM sqlite_master WHERE name = 'content_items'").pluck().get(),
      ).toBe('table');
    } finally {
      after.close();
    }
    expect(itemRows(file)).toEqual(before);
  });

  it('is not upgraded by a command that only reads', () => {
    const file = v1File();
    expect(() => openVault(file, { readonly: true })).toThrow(/older schema \(version 1\)/);
  });
});

/**
 * A backup written at commit bd03103 (schema 2: snapshots, before restore): two runs over a small
 * simulated instance, a dashboard changed, a look trashed and a dashboard deleted between them.
 */
const FIXTURE_V2 = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/schema-v2-bd03103.db.gz',
);

function v2File(): string {
  const { dir, cleanup } = makeTempDir('lookervault-migrate-');
  cleanups.push(cleanup);
  const file = path.join(dir, 'looker.db');
  writeFileSync(file, gunzipSync(readFileSync(FIXTURE_V2)), { mode: 0o600 });
  return file;
}

describe('upgrading a schema 2 backup', () => {
  it('keeps its snapshots and versions; its runs are extractions; the restore tables are there', () => {
    const file = v2File();
    const read = (sql: string): unknown[] => {
      const db = openDatabase(file, { readonly: true });
      try {
        return db.prepare(sql).all();
      } finally {
        db.close();
      }
    };
    const versionsBefore = read('SELECT * FROM item_versions ORDER BY id');
    const vault = openVault(file, { toolVersion: 'test' });
    try {
      expect(vault.schemaVersion).toBe(SCHEMA_VERSION);
      expect(listSnapshots(vault).map((s) => [s.id, s.deleted])).toEqual([
        [1, 0],
        [2, 1],
      ]);
      expect(itemHistory(vault, 'dashboard', '5').map((v) => [v.fromRun, v.toRun])).toEqual([
        [1, 2],
        [2, null],
      ]);
    } finally {
      vault.close();
    }
    expect(read('SELECT * FROM item_versions ORDER BY id')).toEqual(versionsBefore);
    expect(read('SELECT id, kind FROM runs ORDER BY id')).toEqual([
      { id: 1, kind: 'extract' },
      { id: 2, kind: 'extract' },
    ]);
    expect(read('SELECT count(*) AS n FROM id_map')).toEqual([{ n: 0 }]);
    expect(read('SELECT count(*) AS n FROM restore_items')).toEqual([{ n: 0 }]);
  });
});
