import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../../src/store/sqlite.js';
import { DatabaseError, ExitCode } from '../../../src/errors.js';
import { openVault } from '../../../src/store/vault.js';
import { APPLICATION_ID, PAGE_SIZE, SCHEMA_VERSION } from '../../../src/store/schema.js';
import { makeTempDir } from '../../helpers/tmp.js';

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir('lookervault-vault-'));
});
afterEach(() => {
  cleanup();
});

/** Runs `open`, expects a DatabaseError (exit code 2) that names `file`, and returns it. */
function expectDatabaseError(open: () => unknown, file: string): DatabaseError {
  let caught: unknown;
  try {
    open();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DatabaseError);
  const error = caught as DatabaseError;
  expect(error.exitCode).toBe(ExitCode.Usage);
  expect(error.message).toContain(file);
  expect(error.hint).toBeTruthy();
  return error;
}

function foreignDatabase(file: string, setup: string): void {
  const db = openDatabase(file);
  db.exec(setup);
  db.close();
}

describe('openVault', () => {
  it('creates a new backup: our meta, WAL mode, large pages, application id', () => {
    const file = path.join(dir, 'looker.db');
    const vault = openVault(file, { create: true, toolVersion: '1.2.3' });
    expect(vault.path).toBe(file);
    expect(vault.created).toBe(true);
    expect(vault.schemaVersion).toBe(SCHEMA_VERSION);
    const meta = Object.fromEntries(
      vault.db
        .prepare<[], { key: string; value: string }>('SELECT key, value FROM meta')
        .all()
        .map((row) => [row.key, row.value]),
    );
    expect(meta).toMatchObject({
      app: 'lookervault',
      schema_version: String(SCHEMA_VERSION),
      created_by: '1.2.3',
    });
    expect(vault.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(vault.db.pragma('synchronous', { simple: true })).toBe(1);
    expect(vault.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(vault.db.pragma('page_size', { simple: true })).toBe(PAGE_SIZE);
    expect(vault.db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(vault.integrityCheck()).toEqual({ ok: true, problems: [] });
    expect(vault.fileSizeBytes()).toBeGreaterThan(0);
    vault.close();
    vault.close();
  });

  it('reopens an existing backup without recreating it', () => {
    const file = path.join(dir, 'looker.db');
    openVault(file, { create: true }).close();
    const vault = openVault(file, { create: true });
    expect(vault.created).toBe(false);
    vault.close();
  });

  it('creates the backup, its -wal and -shm readable by the owner only, whatever the umask', () => {
    const file = path.join(dir, 'looker.db');
    const umask = process.umask(0o022);
    try {
      const vault = openVault(file, { create: true });
      vault.db.exec('CREATE TABLE scratch (x); INSERT INTO scratch VALUES (1);');
      for (const name of [file, `${file}-wal`, `${file}-shm`]) {
        expect({ name, mode: statSync(name).mode & 0o777 }).toEqual({ name, mode: 0o600 });
      }
      vault.close();
    } finally {
      process.umask(umask);
    }
  });

  it("leaves an existing file's mode alone", () => {
    const file = path.join(dir, 'looker.db');
    openVault(file, { create: true }).close();
    chmodSync(file, 0o640);
    openVault(file, { create: true }).close();
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  it('opens read-only: nothing can be written', () => {
    const file = path.join(dir, 'looker.db');
    openVault(file, { create: true }).close();
    const vault = openVault(file, { readonly: true });
    expect(vault.readonly).toBe(true);
    expect(() => vault.db.exec("INSERT INTO meta VALUES ('x', 'y')")).toThrow();
    vault.close();
  });

  it('refuses a missing file unless asked to create it, and creates nothing', () => {
    const file = path.join(dir, 'missing.db');
    expectDatabaseError(() => openVault(file), file);
    expectDatabaseError(() => openVault(file, { readonly: true, create: true }), file);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a file that is not SQLite, and leaves it untouched', () => {
    const file = path.join(dir, 'notes.db');
    const content = 'these are my notes, not a database\n'.repeat(200);
    writeFileSync(file, content);
    const error = expectDatabaseError(() => openVault(file, { create: true }), file);
    expect(error.message).toBe(`\`${file}\` is not a SQLite database (file is not a database)`);
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(readdirSync(dir)).toEqual(['notes.db']);
  });

  it('refuses a file with a SQLite header but no database behind it', () => {
    const file = path.join(dir, 'fake.db');
    const content = Buffer.concat([
      Buffer.from('SQLite format 3\0', 'latin1'),
      Buffer.alloc(200, 7),
    ]);
    writeFileSync(file, content);
    expectDatabaseError(() => openVault(file, { create: true }), file);
    expect(readFileSync(file).equals(content)).toBe(true);
  });

  it('refuses a SQLite database that is not a lookervault backup, and leaves it untouched', () => {
    const file = path.join(dir, 'app.db');
    foreignDatabase(
      file,
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'ann')",
    );
    const before = readFileSync(file);
    const error = expectDatabaseError(() => openVault(file, { create: true }), file);
    expect(error.message).toContain('not a lookervault backup');
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['app.db']);
  });

  it('refuses a foreign database that happens to have a meta table', () => {
    const file = path.join(dir, 'other.db');
    foreignDatabase(
      file,
      "CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('app', 'other')",
    );
    const error = expectDatabaseError(() => openVault(file, { create: true }), file);
    expect(error.message).toContain('not a lookervault backup');
    const odd = path.join(dir, 'odd.db');
    foreignDatabase(odd, 'CREATE TABLE meta (version INTEGER)');
    expectDatabaseError(() => openVault(odd, { create: true }), odd);
  });

  it('refuses a backup written by a newer version, and leaves it untouched', () => {
    const file = path.join(dir, 'looker.db');
    openVault(file, { create: true }).close();
    const db = openDatabase(file);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(
      String(SCHEMA_VERSION + 1),
    );
    db.close();
    const before = readFileSync(file);
    for (const options of [{ create: true }, { readonly: true }]) {
      const error = expectDatabaseError(() => openVault(file, options), file);
      expect(error.message).toContain('newer lookervault');
      expect(error.message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
    }
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a backup whose schema version is damaged', () => {
    const file = path.join(dir, 'looker.db');
    openVault(file, { create: true }).close();
    const db = openDatabase(file);
    db.prepare("UPDATE meta SET value = 'x1' WHERE key = 'schema_version'").run();
    db.close();
    const error = expectDatabaseError(() => openVault(file, { create: true }), file);
    expect(error.message).toContain('damaged meta');
  });

  it('refuses a path in a directory that does not exist', () => {
    const file = path.join(dir, 'no', 'such', 'dir', 'looker.db');
    const error = expectDatabaseError(() => openVault(file, { create: true }), file);
    expect(error.message).toContain('does not exist');
    expect(existsSync(path.join(dir, 'no'))).toBe(false);
  });

  it('refuses a path that is a directory', () => {
    const file = path.join(dir, 'backups');
    mkdirSync(file);
    const error = expectDatabaseError(() => openVault(file, { create: true }), file);
    expect(error.message).toContain('is a directory');
  });

  it('refuses a path that goes through a regular file', () => {
    const blocker = path.join(dir, 'file.txt');
    writeFileSync(blocker, 'x');
    const file = path.join(blocker, 'looker.db');
    expectDatabaseError(() => openVault(file, { create: true }), file);
    expect(readFileSync(blocker, 'utf8')).toBe('x');
  });

  // Permission bits do not bind root, so this case can only be checked as another user.
  const asNonRoot = process.getuid?.() === 0 ? it.skip : it;
  asNonRoot('refuses a directory it cannot write to', () => {
    const locked = path.join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    const file = path.join(locked, 'looker.db');
    try {
      expectDatabaseError(() => openVault(file, { create: true }), file);
    } finally {
      chmodSync(locked, 0o700);
    }
  });

  // procfs refuses new files even to root: an unwritable directory on any Linux machine.
  const onLinux = process.platform === 'linux' ? it : it.skip;
  onLinux('refuses a directory where no file can be created', () => {
    const file = '/proc/lookervault-test.db';
    const error = expectDatabaseError(() => openVault(file, { create: true }), file);
    // Created by lookervault (0600) before SQLite opens it: the system's code names the cause.
    expect(error.message).toMatch(/SQLITE_CANTOPEN|ENOENT/);
    expect(error.hint).toContain('writable');
  });

  it('initialises an empty file when creating, and refuses it otherwise', () => {
    const file = path.join(dir, 'empty.db');
    writeFileSync(file, '');
    expectDatabaseError(() => openVault(file, { readonly: true }), file);
    expect(readFileSync(file).length).toBe(0);
    const vault = openVault(file, { create: true });
    expect(vault.created).toBe(true);
    vault.close();
  });

  it('finishes a file left without tables by an interrupted first open', () => {
    const file = path.join(dir, 'half.db');
    foreignDatabase(file, 'PRAGMA journal_mode = WAL');
    const error = expectDatabaseError(() => openVault(file, { readonly: true }), file);
    expect(error.message).toContain('empty database');
    const vault = openVault(file, { create: true });
    expect(vault.created).toBe(true);
    expect(vault.schemaVersion).toBe(SCHEMA_VERSION);
    vault.close();
  });

  it('reports damage found by the integrity check', () => {
    const file = path.join(dir, 'looker.db');
    const vault = openVault(file, { create: true });
    vault.db.pragma('foreign_keys = OFF');
    vault.db
      .prepare(
        `INSERT INTO checkpoints (run_id, content_type, unit_key, status, updated_at)
         VALUES (99, 'dashboard', 'offset:0', 'done', 'now')`,
      )
      .run();
    const report = vault.integrityCheck();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(['a checkpoints row refers to a missing runs row']);
    vault.close();
  });

  it('never modifies a foreign WAL-mode file: its leftover -wal stays as it was', () => {
    // A WAL-mode database of another program, copied while it ran: its last commit is only
    // in the -wal file beside it.
    const source = path.join(dir, 'app.db');
    const db = openDatabase(source);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('kept in the WAL')");
    const file = path.join(dir, 'copy.db');
    writeFileSync(file, readFileSync(source));
    writeFileSync(`${file}-wal`, readFileSync(`${source}-wal`));
    db.close();
    const before = { db: readFileSync(file), wal: readFileSync(`${file}-wal`) };

    const error = expectDatabaseError(() => openVault(file, { toolVersion: 'test' }), file);
    expect(error.message).toContain('not a lookervault backup');
    expect(readFileSync(file).equals(before.db)).toBe(true);
    expect(existsSync(`${file}-wal`)).toBe(true);
    expect(readFileSync(`${file}-wal`).equals(before.wal)).toBe(true);
  });

  it('refuses --db naming a -wal, -shm or -journal file, before touching it', () => {
    for (const suffix of ['-wal', '-shm', '-journal']) {
      const file = path.join(dir, `looker.db${suffix}`);
      const error = expectDatabaseError(() => openVault(file, { create: true }), file);
      expect(error.message).toMatch(/is SQLite's .+ of another file, not a backup/);
      expect(error.hint).toContain('looker.db');
      expect(existsSync(file)).toBe(false);
    }
  });
});
