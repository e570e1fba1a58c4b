import { afterEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
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
  const db = new Database(file, { readonly: true });
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
    const db = new Database(file);
    db.exec('CREATE TABLE contents (x INTEGER)'); // makes the migration's CREATE TABLE fail
    db.close();

    expect(() => openVault(file, { toolVersion: 'test' })).toThrow(DatabaseError);
    const after = new Database(file, { readonly: true });
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
