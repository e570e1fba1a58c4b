import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ConfigError } from '../errors.js';
import { messageOf } from './sqlite-errors.js';

/**
 * The one seam between the store and a SQLite driver. The store is written against the small
 * part of better-sqlite3's API it uses; better-sqlite3 provides it as it is, and `node:sqlite`
 * (built into Node 22.16 and newer: no native build) through {@link NodeSqliteDatabase}. Which one
 * runs: `LOOKERVAULT_SQLITE_DRIVER` (`node` or `better-sqlite3`) when set, else node:sqlite where
 * Node has it (better-sqlite3 is an optional dependency), else better-sqlite3. Measured on
 * Node 24 (bench/results/sqlite-drivers.md): the writer ~20% faster on node:sqlite, a whole
 * run at zero latency within the noise.
 */

export interface SqlRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface SqlStatement<Params extends unknown[] = unknown[], Result = unknown> {
  run(...params: Params): SqlRunResult;
  get(...params: Params): Result | undefined;
  all(...params: Params): Result[];
  iterate(...params: Params): IterableIterator<Result>;
  /** Rows become their first column's value. */
  pluck(toggle?: boolean): this;
  /** Rows become arrays of column values, in the SELECT's order. */
  raw(toggle?: boolean): this;
}

/** A function run in a transaction: BEGIN (a SAVEPOINT when nested), COMMIT, ROLLBACK on throw. */
export interface SqlTransaction<Args extends unknown[], Result> {
  (...args: Args): Result;
  /** BEGIN IMMEDIATE: takes the write lock first, so reads inside cannot go stale. */
  immediate(...args: Args): Result;
}

export interface SqlDatabase {
  /** The path it was opened with. */
  readonly name: string;
  readonly open: boolean;
  prepare<Params extends unknown[] | object = unknown[], Result = unknown>(
    source: string,
  ): Params extends unknown[] ? SqlStatement<Params, Result> : SqlStatement<[Params], Result>;
  exec(source: string): unknown;
  transaction<Args extends unknown[], Result>(
    fn: (...args: Args) => Result,
  ): SqlTransaction<Args, Result>;
  /** `PRAGMA <source>`: its rows, or with `simple` the first column of the first row. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): void;
}

export interface OpenDatabaseOptions {
  readonly?: boolean;
  /** Fail (SQLITE_CANTOPEN) instead of creating a missing file. */
  fileMustExist?: boolean;
}

export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3';

/** Environment variable that picks the driver. */
export const SQLITE_DRIVER_ENV = 'LOOKERVAULT_SQLITE_DRIVER';

/** better-sqlite3's default, kept for both drivers (node:sqlite's own default is 0). */
const DEFAULT_TIMEOUT_MS = 5_000;

const require = createRequire(import.meta.url);

type Opener = (path: string, options: OpenDatabaseOptions) => SqlDatabase;

export interface SqliteDriver {
  readonly name: SqliteDriverName;
  readonly open: Opener;
}

let chosen: SqliteDriver | undefined;

/** Opens a connection with the driver this process uses. */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): SqlDatabase {
  return currentDriver().open(path, options);
}

/** The driver {@link openDatabase} uses: chosen on first use, from the environment. */
export function currentDriver(): SqliteDriver {
  chosen ??= chooseDriver(process.env[SQLITE_DRIVER_ENV]);
  return chosen;
}

/** One driver by name, or why it cannot run here. */
export function loadSqliteDriver(name: SqliteDriverName): SqliteDriver | string {
  return name === 'node:sqlite' ? loadNodeSqlite() : loadBetterSqlite3();
}

function chooseDriver(requested: string | undefined): SqliteDriver {
  const wanted = requested?.trim().toLowerCase() ?? '';
  const named: SqliteDriverName | undefined =
    wanted === 'node' || wanted === 'node:sqlite'
      ? 'node:sqlite'
      : wanted === 'better-sqlite3'
        ? 'better-sqlite3'
        : undefined;
  if (named !== undefined) {
    const driver = loadSqliteDriver(named);
    if (typeof driver !== 'string') return driver;
    throw new ConfigError(`${SQLITE_DRIVER_ENV}=${requested ?? ''}: ${driver}`, {
      hint:
        named === 'node:sqlite'
          ? `Use Node 22.16 or newer, or unset ${SQLITE_DRIVER_ENV} to use better-sqlite3.`
          : `Install it (npm install better-sqlite3), or unset ${SQLITE_DRIVER_ENV} to use node:sqlite.`,
    });
  }
  if (wanted !== '') {
    throw new ConfigError(`${SQLITE_DRIVER_ENV}=${requested ?? ''} is not a SQLite driver`, {
      hint: `Set it to \`node\` or \`better-sqlite3\`, or unset it to choose automatically.`,
    });
  }
  const native = loadNodeSqlite();
  if (typeof native !== 'string') return native;
  const addon = loadBetterSqlite3();
  if (typeof addon !== 'string') return addon;
  throw new ConfigError(`No SQLite driver: ${native}, and ${addon}`, {
    hint: `Use Node 22.16 or newer (node:sqlite is built in), or install better-sqlite3 (npm install better-sqlite3; it needs a C++ compiler where no prebuilt binary fits).`,
  });
}

function loadBetterSqlite3(): SqliteDriver | string {
  let Database: new (path: string, options: object) => SqlDatabase;
  try {
    Database = require('better-sqlite3') as typeof Database;
  } catch (error) {
    const firstLine = messageOf(error).split('\n')[0] ?? '';
    return `better-sqlite3 is not installed or not built for this Node (${firstLine})`;
  }
  return {
    name: 'better-sqlite3',
    open: (path, options) =>
      new Database(path, {
        readonly: options.readonly ?? false,
        fileMustExist: options.fileMustExist ?? false,
        timeout: DEFAULT_TIMEOUT_MS,
      }),
  };
}

/** The parts of node:sqlite used here (its types are not in the @types/node this builds with). */
interface NodeStatement {
  run(...params: unknown[]): SqlRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  setReturnArrays(enabled: boolean): void;
  setAllowUnknownNamedParameters(enabled: boolean): void;
}

interface NodeDatabase {
  prepare(source: string): NodeStatement;
  exec(source: string): void;
  close(): void;
}

interface NodeSqliteModule {
  DatabaseSync: new (
    path: string,
    options: { readOnly: boolean; timeout: number; enableForeignKeyConstraints: boolean },
  ) => NodeDatabase;
  StatementSync: { prototype: Partial<NodeStatement> };
}

function loadNodeSqlite(): SqliteDriver | string {
  let sqlite: NodeSqliteModule;
  try {
    sqlite = requireQuietly('node:sqlite') as NodeSqliteModule;
  } catch {
    return `Node ${process.versions.node} has no node:sqlite usable without a flag (Node 22.16 and newer have)`;
  }
  const statement = sqlite.StatementSync.prototype;
  if (
    typeof statement.setReturnArrays !== 'function' ||
    typeof statement.setAllowUnknownNamedParameters !== 'function'
  ) {
    return `the node:sqlite of Node ${process.versions.node} is too old (Node 22.16 or newer has what lookervault needs)`;
  }
  return {
    name: 'node:sqlite',
    open: (path, options) => {
      if ((options.fileMustExist ?? false) && !existsSync(path)) {
        throw Object.assign(new Error('unable to open database file'), {
          code: 'SQLITE_CANTOPEN',
        });
      }
      return new NodeSqliteDatabase(
        path,
        new sqlite.DatabaseSync(path, {
          readOnly: options.readonly ?? false,
          timeout: DEFAULT_TIMEOUT_MS,
          enableForeignKeyConstraints: true,
        }),
      );
    },
  };
}

/**
 * Node 22 announces node:sqlite with an ExperimentalWarning on stderr when it is loaded; users
 * asked for none (the module's API is stable enough for the part used here, and tests cover it).
 */
function requireQuietly(id: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(process, 'emitWarning');
  const emitWarning: unknown = descriptor?.value;
  if (descriptor === undefined || typeof emitWarning !== 'function') return require(id);
  const quiet = function (this: NodeJS.Process, ...args: unknown[]): void {
    const [warning, second] = args;
    const type =
      typeof second === 'string'
        ? second
        : ((second as { type?: unknown } | undefined)?.type ??
          (warning instanceof Error ? warning.name : undefined));
    const text = warning instanceof Error ? warning.message : String(warning);
    if (type === 'ExperimentalWarning' && /sqlite/i.test(text)) return;
    Reflect.apply(emitWarning, this, args);
  };
  Object.defineProperty(process, 'emitWarning', { ...descriptor, value: quiet });
  try {
    return require(id);
  } finally {
    Object.defineProperty(process, 'emitWarning', descriptor);
  }
}

/** node:sqlite's error codes are numbers; the store (and users) know SQLite's names. */
const RESULT_CODE_NAMES: readonly string[] = [
  'SQLITE_OK',
  'SQLITE_ERROR',
  'SQLITE_INTERNAL',
  'SQLITE_PERM',
  'SQLITE_ABORT',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_NOMEM',
  'SQLITE_READONLY',
  'SQLITE_INTERRUPT',
  'SQLITE_IOERR',
  'SQLITE_CORRUPT',
  'SQLITE_NOTFOUND',
  'SQLITE_FULL',
  'SQLITE_CANTOPEN',
  'SQLITE_PROTOCOL',
  'SQLITE_EMPTY',
  'SQLITE_SCHEMA',
  'SQLITE_TOOBIG',
  'SQLITE_CONSTRAINT',
  'SQLITE_MISMATCH',
  'SQLITE_MISUSE',
  'SQLITE_NOLFS',
  'SQLITE_AUTH',
  'SQLITE_FORMAT',
  'SQLITE_RANGE',
  'SQLITE_NOTADB',
  'SQLITE_NOTICE',
  'SQLITE_WARNING',
];

/**
 * Extended result codes (primary | n << 8), named as better-sqlite3 names them: index n - 1
 * of each list (sqlite3.h).
 */
const EXTENDED_CODE_NAMES: Readonly<Record<string, readonly string[]>> = {
  SQLITE_ERROR: ['MISSING_COLLSEQ', 'RETRY', 'SNAPSHOT'],
  SQLITE_IOERR: [
    'READ',
    'SHORT_READ',
    'WRITE',
    'FSYNC',
    'DIR_FSYNC',
    'TRUNCATE',
    'FSTAT',
    'UNLOCK',
    'RDLOCK',
    'DELETE',
    'BLOCKED',
    'NOMEM',
    'ACCESS',
    'CHECKRESERVEDLOCK',
    'LOCK',
    'CLOSE',
    'DIR_CLOSE',
    'SHMOPEN',
    'SHMSIZE',
    'SHMLOCK',
    'SHMMAP',
    'SEEK',
    'DELETE_NOENT',
    'MMAP',
    'GETTEMPPATH',
    'CONVPATH',
    'VNODE',
    'AUTH',
    'BEGIN_ATOMIC',
    'COMMIT_ATOMIC',
    'ROLLBACK_ATOMIC',
    'DATA',
    'CORRUPTFS',
    'IN_PAGE',
  ],
  SQLITE_LOCKED: ['SHAREDCACHE', 'VTAB'],
  SQLITE_BUSY: ['RECOVERY', 'SNAPSHOT', 'TIMEOUT'],
  SQLITE_CANTOPEN: ['NOTEMPDIR', 'ISDIR', 'FULLPATH', 'CONVPATH', 'DIRTYWAL', 'SYMLINK'],
  SQLITE_CORRUPT: ['VTAB', 'SEQUENCE', 'INDEX'],
  SQLITE_READONLY: ['RECOVERY', 'CANTLOCK', 'ROLLBACK', 'DBMOVED', 'CANTINIT', 'DIRECTORY'],
  SQLITE_ABORT: ['', 'ROLLBACK'],
  SQLITE_CONSTRAINT: [
    'CHECK',
    'COMMITHOOK',
    'FOREIGNKEY',
    'FUNCTION',
    'NOTNULL',
    'PRIMARYKEY',
    'TRIGGER',
    'UNIQUE',
    'VTAB',
    'ROWID',
    'PINNED',
    'DATATYPE',
  ],
  SQLITE_NOTICE: ['RECOVER_WAL', 'RECOVER_ROLLBACK'],
  SQLITE_WARNING: ['AUTOINDEX'],
  SQLITE_AUTH: ['USER'],
};

/** `SQLITE_CONSTRAINT_UNIQUE` for 2067, `SQLITE_FULL` for 13; undefined for an unknown code. */
export function sqliteCodeName(code: number): string | undefined {
  const primary = RESULT_CODE_NAMES[code & 0xff];
  if (primary === undefined) return undefined;
  const extended = code >> 8;
  if (extended === 0) return primary;
  const suffix = EXTENDED_CODE_NAMES[primary]?.[extended - 1];
  return suffix ? `${primary}_${suffix}` : primary;
}

/** Gives a node:sqlite error better-sqlite3's `code` (`SQLITE_BUSY`…), keeping the rest. */
function withSqliteCode(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  if (code !== 'ERR_SQLITE_ERROR' || typeof errcode !== 'number') return error;
  const name = sqliteCodeName(errcode);
  if (name !== undefined) Object.assign(error, { code: name });
  return error;
}

function translated<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw withSqliteCode(error);
  }
}

class NodeSqliteStatement implements SqlStatement {
  readonly #statement: NodeStatement;
  #shape: 'object' | 'array' | 'value' = 'object';

  constructor(statement: NodeStatement) {
    this.#statement = statement;
    // better-sqlite3 ignores named parameters the statement does not use; callers rely on it.
    statement.setAllowUnknownNamedParameters(true);
  }

  run(...params: unknown[]): SqlRunResult {
    return translated(() => this.#statement.run(...params));
  }

  get(...params: unknown[]): unknown {
    const row = translated(() => this.#statement.get(...params));
    return this.#shape === 'value' && row !== undefined ? (row as unknown[])[0] : row;
  }

  all(...params: unknown[]): unknown[] {
    const rows = translated(() => this.#statement.all(...params));
    return this.#shape === 'value' ? rows.map((row) => (row as unknown[])[0]) : rows;
  }

  iterate(...params: unknown[]): IterableIterator<unknown> {
    const rows = translated(() => this.#statement.iterate(...params));
    if (this.#shape !== 'value') return rows;
    return (function* pluck(): IterableIterator<unknown> {
      for (const row of rows) yield (row as unknown[])[0];
    })();
  }

  pluck(toggle = true): this {
    return this.#setShape(toggle ? 'value' : 'object');
  }

  raw(toggle = true): this {
    return this.#setShape(toggle ? 'array' : 'object');
  }

  #setShape(shape: 'object' | 'array' | 'value'): this {
    this.#shape = shape;
    this.#statement.setReturnArrays(shape !== 'object');
    return this;
  }
}

class NodeSqliteDatabase implements SqlDatabase {
  readonly name: string;
  readonly #db: NodeDatabase;
  #open = true;
  #depth = 0;

  constructor(name: string, db: NodeDatabase) {
    this.name = name;
    this.#db = db;
  }

  get open(): boolean {
    return this.#open;
  }

  prepare<Params extends unknown[] | object = unknown[], Result = unknown>(
    source: string,
  ): Params extends unknown[] ? SqlStatement<Params, Result> : SqlStatement<[Params], Result> {
    const statement = new NodeSqliteStatement(translated(() => this.#db.prepare(source)));
    return statement as unknown as Params extends unknown[]
      ? SqlStatement<Params, Result>
      : SqlStatement<[Params], Result>;
  }

  exec(source: string): this {
    translated(() => {
      this.#db.exec(source);
    });
    return this;
  }

  pragma(source: string, options: { simple?: boolean } = {}): unknown {
    const statement = this.prepare(`PRAGMA ${source}`);
    return options.simple === true ? statement.pluck().get() : statement.all();
  }

  transaction<Args extends unknown[], Result>(
    fn: (...args: Args) => Result,
  ): SqlTransaction<Args, Result> {
    const run =
      (begin: string) =>
      (...args: Args): Result =>
        this.#inTransaction(begin, () => fn(...args));
    return Object.assign(run('BEGIN'), { immediate: run('BEGIN IMMEDIATE') });
  }

  close(): void {
    if (!this.#open) return;
    translated(() => {
      this.#db.close();
    });
    this.#open = false;
  }

  /** Like better-sqlite3: the outermost call BEGINs, nested ones use SAVEPOINTs. */
  #inTransaction<Result>(begin: string, body: () => Result): Result {
    const nested = this.#depth > 0;
    const savepoint = `lookervault_${String(this.#depth)}`;
    this.exec(nested ? `SAVEPOINT ${savepoint}` : begin);
    this.#depth += 1;
    let result: Result;
    try {
      result = body();
    } catch (error) {
      this.#depth -= 1;
      this.#undo(nested ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : 'ROLLBACK');
      throw error;
    }
    this.#depth -= 1;
    try {
      this.exec(nested ? `RELEASE ${savepoint}` : 'COMMIT');
    } catch (error) {
      this.#undo(nested ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : 'ROLLBACK');
      throw error;
    }
    return result;
  }

  /** SQLite may already have rolled back (SQLITE_FULL, SQLITE_IOERR): nothing left to undo. */
  #undo(statement: string): void {
    try {
      this.exec(statement);
    } catch {
      // No transaction is active any more.
    }
  }
}
