import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  loadSqliteDriver,
  sqliteCodeName,
  SQLITE_DRIVER_ENV,
  type SqliteDriver,
  type SqliteDriverName,
} from '../../../src/store/sqlite.js';
import { errorCode } from '../../../src/store/sqlite-errors.js';
import { openVault } from '../../../src/store/vault.js';

/**
 * The store is written against one small API; both drivers must behave the same through it.
 * Each test runs on every driver this Node can load (better-sqlite3 on Node 20, node:sqlite on
 * Node 22.16+, both where better-sqlite3 is also installed): CI runs the suite on Node 20 and 24.
 */
const names: SqliteDriverName[] = ['better-sqlite3', 'node:sqlite'];
const available = names
  .map((name) => loadSqliteDriver(name))
  .filter((driver): driver is SqliteDriver => typeof driver !== 'string');

function withDriver(driver: SqliteDriver, use: (dir: string) => void): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lookervault-sqlite-'));
  try {
    use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SQLite driver seam', () => {
  it('finds at least one driver on this Node', () => {
    expect(available.length).toBeGreaterThan(0);
  });

  it("names node:sqlite's numeric result codes as SQLite does, extended codes included", () => {
    expect(sqliteCodeName(13)).toBe('SQLITE_FULL');
    expect(sqliteCodeName(5)).toBe('SQLITE_BUSY');
    expect(sqliteCodeName(517)).toBe('SQLITE_BUSY_SNAPSHOT');
    expect(sqliteCodeName(778)).toBe('SQLITE_IOERR_WRITE');
    expect(sqliteCodeName(1811)).toBe('SQLITE_CONSTRAINT_TRIGGER');
    expect(sqliteCodeName(2067)).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(sqliteCodeName(26)).toBe('SQLITE_NOTADB');
    expect(sqliteCodeName(19 | (99 << 8))).toBe('SQLITE_CONSTRAINT');
    expect(sqliteCodeName(200)).toBeUndefined();
  });

  describe.each(available.map((driver) => [driver.name, driver] as const))('%s', (_, driver) => {
    it('binds positional and named parameters (ignoring unused names) and shapes rows', () => {
      withDriver(driver, (dir) => {
        const db = driver.open(path.join(dir, 'a.db'), {});
        db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, size INTEGER)');
        const insert = db.prepare<{ id: number; name: string; size: number }>(
          'INSERT INTO t VALUES (@id, @name, @size)',
        );
        expect(insert.run({ id: 1, name: 'one', size: 10 }).changes).toBe(1);
        insert.run({ id: 2, name: 'two', size: 20, unused: 'ignored' } as never);
        db.prepare('INSERT INTO t VALUES (?, ?, ?)').run(3, 'three', null);

        const row = db.prepare<[number], { name: string }>('SELECT name FROM t WHERE id = ?');
        expect({ ...row.get(2) }).toEqual({ name: 'two' });
        expect(row.get(9)).toBeUndefined();
        const names = db.prepare<[], string>('SELECT name FROM t ORDER BY id').pluck();
        expect(names.all()).toEqual(['one', 'two', 'three']);
        expect([...names.iterate()]).toEqual(['one', 'two', 'three']);
        expect(db.prepare<[], number>('SELECT count(*) FROM t').pluck().get()).toBe(3);
        const raw = db.prepare<[], unknown[]>('SELECT id, name, size FROM t ORDER BY id').raw();
        expect(raw.all()).toEqual([
          [1, 'one', 10],
          [2, 'two', 20],
          [3, 'three', null],
        ]);
        expect(raw.raw(false).get()).toEqual({ id: 1, name: 'one', size: 10 });
        expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
        expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
        expect(db.pragma('journal_mode = WAL', { simple: true })).toBe('wal');
        expect(db.name).toBe(path.join(dir, 'a.db'));
        expect(db.open).toBe(true);
        db.close();
        expect(db.open).toBe(false);
      });
    });

    it('commits, rolls back on throw, and nests as savepoints', () => {
      withDriver(driver, (dir) => {
        const db = driver.open(path.join(dir, 'tx.db'), {});
        db.exec('CREATE TABLE t (v TEXT UNIQUE)');
        const insert = db.prepare<[string]>('INSERT INTO t VALUES (?)');
        const count = db.prepare<[], number>('SELECT count(*) FROM t').pluck();

        expect(db.transaction((v: string) => insert.run(v).changes)('a')).toBe(1);
        expect(() =>
          db.transaction(() => {
            insert.run('b');
            throw new Error('boom');
          })(),
        ).toThrow('boom');
        expect(count.get()).toBe(1);

        const inner = db.transaction((v: string) => {
          insert.run(v);
          insert.run('a'); // UNIQUE violation: undoes this savepoint only
        });
        db.transaction(() => {
          insert.run('c');
          expect(() => {
            inner('d');
          }).toThrow();
          insert.run('e');
        }).immediate();
        const values = db.prepare<[], string>('SELECT v FROM t ORDER BY v').pluck().all();
        expect(values).toEqual(['a', 'c', 'e']);
        db.close();
      });
    });

    it('gives errors SQLite result-code names', () => {
      withDriver(driver, (dir) => {
        const db = driver.open(path.join(dir, 'e.db'), {});
        db.exec('CREATE TABLE t (v TEXT UNIQUE)');
        db.prepare('INSERT INTO t VALUES (?)').run('x');
        let thrown: unknown;
        try {
          db.prepare('INSERT INTO t VALUES (?)').run('x');
        } catch (error) {
          thrown = error;
        }
        // Extended names, as better-sqlite3 gives them: messages and tests match across drivers.
        expect(errorCode(thrown)).toBe('SQLITE_CONSTRAINT_UNIQUE');
        expect(() => db.prepare('SELECT * FROM missing')).toThrow(/no such table/);
        db.close();

        let missing: unknown;
        try {
          driver.open(path.join(dir, 'absent.db'), { fileMustExist: true });
        } catch (error) {
          missing = error;
        }
        expect(errorCode(missing)).toBe('SQLITE_CANTOPEN');

        let readOnly: unknown;
        const reader = driver.open(path.join(dir, 'e.db'), { readonly: true });
        try {
          reader.prepare('INSERT INTO t VALUES (?)').run('y');
        } catch (error) {
          readOnly = error;
        }
        reader.close();
        expect(errorCode(readOnly)).toMatch(/^SQLITE_READONLY/);
      });
    });
  });

  it(`refuses an unknown ${SQLITE_DRIVER_ENV} with a usage error (exit 2), before touching the file`, () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lookervault-sqlite-'));
    try {
      const file = path.join(dir, 'looker.db');
      openVault(file, { create: true }).close();
      const before = readFileSync(file);
      const result = spawnSync(process.execPath, ['bin/run.js', 'status', '--db', file], {
        encoding: 'utf8',
        env: { ...process.env, [SQLITE_DRIVER_ENV]: 'postgres' },
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`${SQLITE_DRIVER_ENV}=postgres is not a SQLite driver`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(readFileSync(file).equals(before)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
