import { randomUUID } from 'node:crypto';
import { DatabaseBusyError, DatabaseError, LookervaultError, UsageError } from '../errors.js';
import { leaseToken, registerLease, releaseLease } from './lease.js';
import { defaultOwnerEnvironment, describeOwner, isOwnerAlive } from './owner.js';
import type { OwnerEnvironment } from './owner.js';
import {
  readCompletedUnits,
  readFailedUnits,
  readItemFailures,
  readLatestRunId,
  readRun,
  readRunningRuns,
  readRuns,
  readTypeStates,
} from './queries.js';
import { sanitizeBaseUrl, sanitizeConfig, sanitizeText } from './sanitize.js';
import { toDatabaseError } from './sqlite-errors.js';
import { RESUMABLE_STATUSES } from './types.js';
import type {
  FailedUnitRecord,
  FinalRunStatus,
  ItemFailureRecord,
  RunRecord,
  TypeStateRecord,
  UnitRecord,
} from './types.js';
import type { Vault } from './vault.js';

/**
 * Runs: starting one, finding and resuming an interrupted one, finishing it, and what resume
 * needs to know about it. Starting or resuming takes the database's lock: in one
 * `BEGIN IMMEDIATE` transaction, a run still `running` under a live owner refuses us
 * (DatabaseBusyError), and one whose owner died becomes `interrupted` (resumable). The lock is
 * the run's row itself (owner pid, host, heartbeat and a fencing token), so it survives
 * crashes without lock files and a dead owner never blocks anyone.
 */

export interface StartRunInput {
  /** The content types this run backs up, in order; each gets a `pending` row. */
  types: string[];
  /** The run's effective configuration. Secret-looking keys are dropped before storing. */
  config: Record<string, unknown>;
  baseUrl: string;
  toolVersion: string;
  /** @default 'extract' */
  kind?: 'extract' | 'restore';
}

/** Identity, clock and liveness check; tests override them. */
export type RunStoreOptions = Partial<OwnerEnvironment>;

export interface IdQueryOptions {
  /** Only count an id as stored if that run saw it (reconciliation of a full run). */
  seenInRun?: number;
}

export class RunStore {
  readonly #vault: Vault;
  readonly #env: OwnerEnvironment;

  constructor(vault: Vault, options: RunStoreOptions = {}) {
    this.#vault = vault;
    this.#env = defaultOwnerEnvironment(options);
  }

  /**
   * Runs `fn` in one write transaction while no extract is running (the same lock a run takes:
   * a live run refuses with DatabaseBusyError; a dead one becomes interrupted). For maintenance
   * that must not race a run: forget, prune.
   */
  exclusive<T>(what: string, fn: () => T): T {
    return this.#write(what, () =>
      this.#db
        .transaction(() => {
          this.#claimDatabase();
          return fn();
        })
        .immediate(),
    );
  }

  /** Records a new run owned by this process. Throws DatabaseBusyError if a live run exists. */
  start(input: StartRunInput): RunRecord {
    const token = randomUUID();
    const runId = this.#write('start a run in', () =>
      this.#db
        .transaction(() => {
          this.#claimDatabase();
          const now = this.#now();
          const { lastInsertRowid } = this.#db
            .prepare(
              `INSERT INTO runs (kind, status, started_at, types_json, config_json, base_url,
                                 tool_version, owner_pid, owner_host, owner_token, heartbeat_at)
               VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              input.kind ?? 'extract',
              now,
              JSON.stringify(input.types),
              JSON.stringify(sanitizeConfig(input.config)),
              sanitizeBaseUrl(input.baseUrl),
              input.toolVersion,
              this.#env.pid,
              this.#env.hostname,
              token,
              now,
            );
          const id = Number(lastInsertRowid);
          const addType = this.#db.prepare(
            `INSERT INTO run_types (run_id, content_type, updated_at) VALUES (?, ?, ?)
             ON CONFLICT DO NOTHING`,
          );
          // A restore's progress per type lives in restore_items, not in run_types.
          if (input.kind !== 'restore') for (const type of input.types) addType.run(id, type, now);
          return id;
        })
        .immediate(),
    );
    registerLease(this.#vault.path, runId, { token, pid: this.#env.pid });
    return this.#mustGet(runId);
  }

  /**
   * The run a new `extract` should continue: the most recent run, if it is interrupted or
   * failed, or still marked running by an owner that died (it is marked
   * interrupted now). A run older than the latest is never resumed: its pages would be older
   * than what a later run stored. Undefined when there is nothing to resume, or when the
   * latest run is alive in another process (`start`/`resume` will then refuse).
   */
  findResumable(): RunRecord | undefined {
    return this.#write('inspect runs in', () =>
      this.#db
        .transaction(() => {
          const latestId = readLatestRunId(this.#db);
          if (latestId === undefined) return undefined;
          const latest = this.#mustGet(latestId);
          if (latest.status === 'running') {
            if (isOwnerAlive(latest, this.#env)) return undefined;
            this.#markInterrupted(latest);
            return this.#mustGet(latestId);
          }
          return RESUMABLE_STATUSES.includes(latest.status) ? latest : undefined;
        })
        .immediate(),
    );
  }

  /** Takes over a resumable run for this process (the lock, as `start` takes it). */
  resume(runId: number): RunRecord {
    const token = randomUUID();
    this.#write('resume a run in', () => {
      this.#db
        .transaction(() => {
          if (!readRun(this.#db, runId)) throw this.#noSuchRun(runId);
          this.#claimDatabase();
          const run = this.#mustGet(runId);
          if (!RESUMABLE_STATUSES.includes(run.status)) {
            throw new UsageError(`Run ${runId} is ${run.status}; there is nothing to resume`, {
              hint: 'Start a new run instead.',
            });
          }
          const now = this.#now();
          this.#db
            .prepare(
              `UPDATE runs SET status = 'running', ended_at = NULL, owner_pid = ?, owner_host = ?,
                      owner_token = ?, heartbeat_at = ?, resume_count = resume_count + 1
                WHERE id = ?`,
            )
            .run(this.#env.pid, this.#env.hostname, token, now, runId);
        })
        .immediate();
    });
    registerLease(this.#vault.path, runId, { token, pid: this.#env.pid });
    return this.#mustGet(runId);
  }

  /** Ends a run this process owns and releases the lock. */
  finish(runId: number, status: FinalRunStatus, summary: unknown): RunRecord {
    const token = leaseToken(this.#vault.path, runId, this.#env.pid);
    this.#write('finish a run in', () => {
      this.#db.transaction(() => {
        const now = this.#now();
        const changes =
          token === undefined
            ? 0
            : this.#db
                .prepare(
                  `UPDATE runs SET status = ?, ended_at = ?, heartbeat_at = ?, owner_token = NULL,
                          summary_json = ?
                    WHERE id = ? AND owner_token = ? AND status = 'running'`,
                )
                .run(
                  status,
                  now,
                  now,
                  summary === undefined ? null : sanitizeText(JSON.stringify(summary)),
                  runId,
                  token,
                ).changes;
        if (changes === 0) throw this.#notOwned(runId);
        // The per-page counters leave out what failed pages stored (a page retried later would
        // count its items twice): the finished run's count is what it actually holds.
        this.#db
          .prepare(
            `UPDATE run_types SET items_stored =
               (SELECT count(*) FROM item_versions v
                 WHERE v.content_type = run_types.content_type AND v.last_seen_run = run_types.run_id)
              WHERE run_id = ?`,
          )
          .run(runId);
      })();
    });
    releaseLease(this.#vault.path, runId, this.#env.pid);
    return this.#mustGet(runId);
  }

  get(runId: number): RunRecord | undefined {
    return this.#read(() => readRun(this.#db, runId));
  }

  /** The most recent runs first. */
  list(limit = 20): RunRecord[] {
    return this.#read(() => readRuns(this.#db, limit));
  }

  typeStates(runId: number): TypeStateRecord[] {
    return this.#read(() => readTypeStates(this.#db, runId));
  }

  /** Pages checkpointed as done: resume skips them. */
  completedUnits(runId: number): UnitRecord[] {
    return this.#read(() => readCompletedUnits(this.#db, runId));
  }

  /** Pages whose last attempt failed: resume fetches them again. */
  failedUnits(runId: number): FailedUnitRecord[] {
    return this.#read(() => readFailedUnits(this.#db, runId));
  }

  itemFailures(runId: number, limit = 100): ItemFailureRecord[] {
    return this.#read(() => readItemFailures(this.#db, runId, limit));
  }

  /** Every stored id of a type (or only those `seenInRun`). Holds them all in memory. */
  storedIds(type: string, options: IdQueryOptions = {}): Set<string> {
    return this.#read(() => {
      const ids =
        options.seenInRun === undefined
          ? this.#db
              .prepare<[string], string>('SELECT id FROM content_items WHERE content_type = ?')
              .pluck()
              .iterate(type)
          : this.#db
              .prepare<[string, number], string>(
                'SELECT id FROM content_items WHERE content_type = ? AND last_seen_run = ?',
              )
              .pluck()
              .iterate(type, options.seenInRun);
      return new Set(ids);
    });
  }

  /**
   * The ids of `ids` not stored (or not seen by `seenInRun`), in input order: one indexed
   * lookup per id, so memory stays flat however many ids are checked.
   */
  missingIds(type: string, ids: Iterable<string>, options: IdQueryOptions = {}): string[] {
    return this.#read(() => {
      const lookup = this.#db
        .prepare<[string, string], number>(
          'SELECT last_seen_run FROM content_items WHERE content_type = ? AND id = ?',
        )
        .pluck();
      const missing: string[] = [];
      for (const id of ids) {
        const seen = lookup.get(type, id);
        if (seen === undefined || (options.seenInRun !== undefined && seen !== options.seenInRun)) {
          missing.push(id);
        }
      }
      return missing;
    });
  }

  /** Whether this process holds `runId` (started or resumed it, and has not finished it). */
  owns(runId: number): boolean {
    return leaseToken(this.#vault.path, runId, this.#env.pid) !== undefined;
  }

  get #db() {
    return this.#vault.db;
  }

  #now(): string {
    return new Date(this.#env.now()).toISOString();
  }

  /**
   * Inside a write transaction: refuses if any run is running under a live owner, and marks
   * runs whose owner died as interrupted.
   */
  #claimDatabase(): void {
    for (const run of readRunningRuns(this.#db)) {
      if (isOwnerAlive(run, this.#env)) throw this.#busy(run);
      this.#markInterrupted(run);
    }
  }

  #markInterrupted(run: RunRecord): void {
    this.#db
      .prepare(
        `UPDATE runs SET status = 'interrupted', ended_at = coalesce(heartbeat_at, started_at),
                owner_token = NULL
          WHERE id = ? AND status = 'running'`,
      )
      .run(run.id);
  }

  #busy(run: RunRecord): DatabaseBusyError {
    const heartbeat = run.heartbeatAt === null ? Number.NaN : Date.parse(run.heartbeatAt);
    const age = Number.isFinite(heartbeat)
      ? `, last heartbeat ${Math.max(0, Math.round((this.#env.now() - heartbeat) / 1000))} s ago`
      : '';
    const sameHost = run.ownerHost === this.#env.hostname;
    const staleMinutes = Math.ceil(this.#env.staleAfterMs / 60_000);
    return new DatabaseBusyError(
      `\`${this.#vault.path}\` is in use: run ${run.id} is running in lookervault ${describeOwner(run)}${age}`,
      {
        hint: sameHost
          ? `Wait for it to finish, or stop it (kill ${String(run.ownerPid)}); the next extract resumes run ${run.id}.`
          : `Wait for it to finish, or stop it on ${String(run.ownerHost)}. If that process is gone, run again once its heartbeat is ${staleMinutes} minutes old; the run is then resumed.`,
      },
    );
  }

  #notOwned(runId: number): LookervaultError {
    const run = readRun(this.#db, runId);
    if (!run) return this.#noSuchRun(runId);
    if (run.status === 'running') {
      return new DatabaseBusyError(
        `Run ${runId} in \`${this.#vault.path}\` was taken over by lookervault ${describeOwner(run)}`,
        { hint: 'This process stopped writing; the other process continues the run.' },
      );
    }
    return new DatabaseError(
      `Run ${runId} in \`${this.#vault.path}\` is ${run.status}, not running in this process`,
      { hint: 'Run the same command again: a new run (or the resumed one) is started for it.' },
    );
  }

  #noSuchRun(runId: number): UsageError {
    return new UsageError(`There is no run ${runId} in \`${this.#vault.path}\``, {
      hint: 'Run `lookervault status` to list the runs.',
    });
  }

  #mustGet(runId: number): RunRecord {
    const run = readRun(this.#db, runId);
    if (!run) throw this.#noSuchRun(runId);
    return run;
  }

  #write<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw toDatabaseError(error, `Could not ${what} \`${this.#vault.path}\``);
    }
  }

  #read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw toDatabaseError(error, `Could not read \`${this.#vault.path}\``);
    }
  }
}
