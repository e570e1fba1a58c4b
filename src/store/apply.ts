import type Database from 'better-sqlite3';
import { DatabaseBusyError } from '../errors.js';
import { describeOwner } from './owner.js';
import { readRun } from './queries.js';
import { sanitizeText } from './sanitize.js';
import { canonicalJson, contentHash } from './canonical.js';
import type {
  ItemCounts,
  ItemWrite,
  PageCommitResult,
  PageWrite,
  RawItemWrite,
  TypeState,
} from './types.js';

/**
 * The body of the writer: commits a batch of operations in ONE immediate transaction, on
 * whichever connection it is given (the writer thread's, or the Vault's own when the writer
 * runs inline). Synchronous and free of scheduling concerns, so it is tested directly.
 *
 * Per page: items upserted by (type, id), compared with the stored hash to count new, changed
 * and unchanged (unchanged still records that this run saw it); the page's item failures
 * replaced; its checkpoint written. A failed page stores the items it has and a failed
 * checkpoint, which never replaces a done one. Items that arrive as the server sent them are
 * canonicalized and hashed here, in the writer thread when there is one. Per batch: per-type counters, and a check that this process still owns
 * the run (fencing), with a heartbeat.
 */

/**
 * An item as the applier receives it: its JSON as a string (inline), or as UTF-8 bytes (sent
 * to the writer thread in one transferred buffer, so the thread never builds large strings).
 * `hash: null` marks JSON as the server sent it: the applier canonicalizes and hashes it.
 */
export interface StoredItem extends Omit<ItemWrite, 'json' | 'hash'> {
  json: string | Uint8Array;
  hash: string | null;
}

/** The writer's form of an item: raw items keep their text and get their hash when applied. */
export function toStoredItem(item: ItemWrite | RawItemWrite): StoredItem {
  if (!('rawJson' in item)) return item;
  const { rawJson, ...metadata } = item;
  const size = typeof rawJson === 'string' ? rawJson.length : rawJson.byteLength;
  return { ...metadata, json: rawJson, hash: null, size };
}

const utf8 = new TextDecoder();

/** Canonical JSON, hash and size of an item, computing them for raw items. */
function canonicalized(item: StoredItem): {
  json: string | Uint8Array;
  hash: string;
  size: number;
} {
  if (item.hash !== null) return { json: item.json, hash: item.hash, size: item.size };
  const text = typeof item.json === 'string' ? item.json : utf8.decode(item.json);
  const json = canonicalJson(JSON.parse(text) as unknown);
  return { json, hash: contentHash(json), size: Buffer.byteLength(json, 'utf8') };
}

export interface StoredPage extends Omit<PageWrite, 'items'> {
  items: readonly StoredItem[];
}

export type WriterOp =
  | { kind: 'page'; page: StoredPage }
  | { kind: 'type-state'; type: string; state: TypeState; endOffset?: number }
  | { kind: 'heartbeat' };

/** Within a busy stream of transactions, refresh the heartbeat at most this often. */
const HEARTBEAT_WRITE_INTERVAL_MS = 5_000;

type ItemRow = [rowid: number, hash: string];

export class BatchApplier {
  readonly #db: Database.Database;
  readonly #runId: number;
  readonly #token: string;
  #lastHeartbeatMs = Number.NEGATIVE_INFINITY;

  readonly #ownerToken;
  readonly #heartbeat;
  readonly #selectItem;
  readonly #insertItem;
  readonly #updateItem;
  readonly #touchItem;
  readonly #deleteFailures;
  readonly #insertFailure;
  readonly #doneCheckpoint;
  readonly #failedCheckpoint;
  readonly #addCounts;
  readonly #setTypeState;
  readonly #transaction;

  constructor(db: Database.Database, runId: number, ownerToken: string) {
    this.#db = db;
    this.#runId = runId;
    this.#token = ownerToken;
    this.#ownerToken = db
      .prepare<[number], string | null>('SELECT owner_token FROM runs WHERE id = ?')
      .pluck();
    this.#heartbeat = db.prepare<[string, number]>('UPDATE runs SET heartbeat_at = ? WHERE id = ?');
    this.#selectItem = db
      .prepare<[string, string], ItemRow>(
        'SELECT rowid, content_hash FROM content_items WHERE content_type = ? AND id = ?',
      )
      .raw();
    // JSON arrives as a string or as UTF-8 bytes; CAST stores bytes as TEXT without transcoding.
    this.#insertItem = db.prepare(
      `INSERT INTO content_items (content_type, id, name, folder_id, owner_id, created_at,
         updated_at, deleted, content_hash, content_size, first_seen_run, last_seen_run,
         changed_run, first_seen_at, last_seen_at, changed_at, content_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT))`,
    );
    this.#updateItem = db.prepare(
      `UPDATE content_items SET name = ?, folder_id = ?, owner_id = ?, created_at = ?,
         updated_at = ?, deleted = ?, content_hash = ?, content_size = ?, last_seen_run = ?,
         changed_run = ?, last_seen_at = ?, changed_at = ?, content_json = CAST(? AS TEXT)
       WHERE rowid = ?`,
    );
    this.#touchItem = db.prepare(
      `UPDATE content_items SET name = ?, folder_id = ?, owner_id = ?, created_at = ?,
         updated_at = ?, deleted = ?, last_seen_run = ?, last_seen_at = ?
       WHERE rowid = ?`,
    );
    this.#deleteFailures = db.prepare(
      'DELETE FROM item_failures WHERE run_id = ? AND content_type = ? AND unit_key = ?',
    );
    this.#insertFailure = db.prepare(
      `INSERT INTO item_failures (run_id, content_type, unit_key, item_id, error, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#doneCheckpoint = db.prepare(
      `INSERT INTO checkpoints (run_id, content_type, unit_key, page_offset, page_limit, raw_count,
         item_count, invalid_count, status, error, attempts, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'done', NULL, ?, ?)
       ON CONFLICT (run_id, content_type, unit_key) DO UPDATE SET
         page_offset = excluded.page_offset, page_limit = excluded.page_limit,
         raw_count = excluded.raw_count, item_count = excluded.item_count,
         invalid_count = excluded.invalid_count, status = 'done', error = NULL,
         attempts = attempts + excluded.attempts, updated_at = excluded.updated_at`,
    );
    this.#failedCheckpoint = db.prepare(
      `INSERT INTO checkpoints (run_id, content_type, unit_key, page_offset, page_limit, raw_count,
         item_count, invalid_count, status, error, attempts, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, 0, 'failed', ?, ?, ?)
       ON CONFLICT (run_id, content_type, unit_key) DO UPDATE SET
         page_offset = excluded.page_offset, page_limit = excluded.page_limit,
         raw_count = excluded.raw_count, error = excluded.error,
         attempts = attempts + excluded.attempts, updated_at = excluded.updated_at
       WHERE status = 'failed'`,
    );
    this.#addCounts = db.prepare(
      `INSERT INTO run_types (run_id, content_type, items_stored, items_new, items_changed,
         items_unchanged, items_invalid, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, content_type) DO UPDATE SET
         items_stored = items_stored + excluded.items_stored,
         items_new = items_new + excluded.items_new,
         items_changed = items_changed + excluded.items_changed,
         items_unchanged = items_unchanged + excluded.items_unchanged,
         items_invalid = items_invalid + excluded.items_invalid,
         updated_at = excluded.updated_at`,
    );
    this.#setTypeState = db.prepare(
      `INSERT INTO run_types (run_id, content_type, state, end_offset, started_at, updated_at,
         finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, content_type) DO UPDATE SET
         state = excluded.state, end_offset = coalesce(excluded.end_offset, end_offset),
         started_at = coalesce(started_at, excluded.started_at),
         updated_at = excluded.updated_at, finished_at = excluded.finished_at`,
    );
    this.#transaction = db.transaction((ops: readonly WriterOp[], nowMs: number) =>
      this.#applyAll(ops, nowMs),
    );
  }

  /**
   * Commits `ops` in one transaction and returns one result per page, in order. Throws (after
   * rolling back) if anything fails, including DatabaseBusyError when another process took
   * the run over.
   */
  apply(ops: readonly WriterOp[], nowMs: number): PageCommitResult[] {
    return this.#transaction.immediate(ops, nowMs);
  }

  #applyAll(ops: readonly WriterOp[], nowMs: number): PageCommitResult[] {
    const now = new Date(nowMs).toISOString();
    this.#checkOwnership(ops, nowMs, now);
    const counts = new Map<string, ItemCounts>();
    const results: PageCommitResult[] = [];
    for (const op of ops) {
      if (op.kind === 'page') {
        const result = this.#applyPage(op.page, now);
        results.push(result);
        if (!result.failed) addCounts(counts, result);
      } else if (op.kind === 'type-state') {
        const finished = op.state === 'done' || op.state === 'failed';
        this.#setTypeState.run(
          this.#runId,
          op.type,
          op.state,
          op.endOffset ?? null,
          op.state === 'pending' || op.state === 'waiting' ? null : now,
          now,
          finished ? now : null,
        );
      }
    }
    for (const [type, c] of counts) {
      this.#addCounts.run(
        this.#runId,
        type,
        c.stored,
        c.new,
        c.changed,
        c.unchanged,
        c.invalid,
        now,
      );
    }
    return results;
  }

  /** Fencing: the run must still carry this process's token. Refreshes the heartbeat. */
  #checkOwnership(ops: readonly WriterOp[], nowMs: number, now: string): void {
    if (this.#ownerToken.get(this.#runId) !== this.#token) {
      const run = readRun(this.#db, this.#runId);
      const by =
        run?.status === 'running' ? `lookervault ${describeOwner(run)}` : 'another process';
      throw new DatabaseBusyError(
        `Run ${this.#runId} in \`${this.#db.name}\` was taken over by ${by}; this process stopped writing to it`,
        {
          hint: 'Only one extract can write to a backup at a time. Nothing this process committed is lost.',
        },
      );
    }
    const due = nowMs - this.#lastHeartbeatMs >= HEARTBEAT_WRITE_INTERVAL_MS;
    if (due || ops.some((op) => op.kind === 'heartbeat')) {
      this.#heartbeat.run(now, this.#runId);
      this.#lastHeartbeatMs = nowMs;
    }
  }

  #upsertItems(
    page: StoredPage,
    now: string,
  ): { added: number; changed: number; unchanged: number } {
    const runId = this.#runId;
    let added = 0;
    let changed = 0;
    let unchanged = 0;
    for (const item of page.items) {
      const deleted = item.deleted ? 1 : 0;
      const { json, hash, size } = canonicalized(item);
      const row = this.#selectItem.get(page.type, item.id);
      if (row === undefined) {
        this.#insertItem.run(
          page.type,
          item.id,
          item.name,
          item.folderId,
          item.ownerId,
          item.createdAt,
          item.updatedAt,
          deleted,
          hash,
          size,
          runId,
          runId,
          runId,
          now,
          now,
          now,
          json,
        );
        added++;
      } else if (row[1] !== hash) {
        this.#updateItem.run(
          item.name,
          item.folderId,
          item.ownerId,
          item.createdAt,
          item.updatedAt,
          deleted,
          hash,
          size,
          runId,
          runId,
          now,
          now,
          json,
          row[0],
        );
        changed++;
      } else {
        this.#touchItem.run(
          item.name,
          item.folderId,
          item.ownerId,
          item.createdAt,
          item.updatedAt,
          deleted,
          runId,
          now,
          row[0],
        );
        unchanged++;
      }
    }
    return { added, changed, unchanged };
  }

  #recordItemFailures(page: StoredPage, now: string): void {
    this.#deleteFailures.run(this.#runId, page.type, page.unitKey);
    for (const failure of page.invalid) {
      this.#insertFailure.run(
        this.#runId,
        page.type,
        page.unitKey,
        failure.id ?? null,
        sanitizeText(failure.error),
        now,
      );
    }
  }

  #applyPage(page: StoredPage, now: string): PageCommitResult {
    const runId = this.#runId;
    const offset = page.offset ?? null;
    const limit = page.limit ?? null;
    // A page that failed part-way still stores the items it did fetch (upserts are
    // idempotent); its failed checkpoint makes a resume fetch the whole page again.
    const { added, changed, unchanged } = this.#upsertItems(page, now);
    if (page.failure) {
      this.#recordItemFailures(page, now);
      this.#failedCheckpoint.run(
        runId,
        page.type,
        page.unitKey,
        offset,
        limit,
        page.rawCount,
        sanitizeText(page.failure.error),
        Math.max(1, page.failure.attempts),
        now,
      );
      return {
        type: page.type,
        unitKey: page.unitKey,
        stored: added + changed + unchanged,
        new: added,
        changed,
        unchanged,
        invalid: page.invalid.length,
        failed: true,
      };
    }
    this.#recordItemFailures(page, now);
    this.#doneCheckpoint.run(
      runId,
      page.type,
      page.unitKey,
      offset,
      limit,
      page.rawCount,
      page.items.length,
      page.invalid.length,
      Math.max(1, page.attempts ?? 1),
      now,
    );
    return {
      type: page.type,
      unitKey: page.unitKey,
      stored: added + changed + unchanged,
      new: added,
      changed,
      unchanged,
      invalid: page.invalid.length,
      failed: false,
    };
  }
}

function addCounts(counts: Map<string, ItemCounts>, result: PageCommitResult): void {
  let c = counts.get(result.type);
  if (!c) {
    c = { stored: 0, new: 0, changed: 0, unchanged: 0, invalid: 0 };
    counts.set(result.type, c);
  }
  c.stored += result.stored;
  c.new += result.new;
  c.changed += result.changed;
  c.unchanged += result.unchanged;
  c.invalid += result.invalid;
}
