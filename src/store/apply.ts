import { performance } from 'node:perf_hooks';
import type { SqlDatabase } from './sqlite.js';
import { DatabaseBusyError } from '../errors.js';
import { describeOwner } from './owner.js';
import { readRun } from './queries.js';
import { sanitizeText } from './sanitize.js';
import { canonicalJson, contentHash } from './canonical.js';
import type {
  ItemCounts,
  ItemMetadata,
  ItemProblem,
  ItemValidator,
  ItemWrite,
  PageCommitResult,
  PageWrite,
  RawItemWrite,
  TypeState,
  UncheckedItemWrite,
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
 * `unchecked` marks JSON nobody has parsed: the applier also validates it and reads its
 * metadata (the metadata fields are placeholders until then).
 */
export interface StoredItem extends Omit<ItemWrite, 'json' | 'hash'> {
  json: string | Uint8Array;
  hash: string | null;
  unchecked?: true;
}

/** The writer's form of an item: raw items keep their text and get their hash when applied. */
export function toStoredItem(item: ItemWrite | RawItemWrite | UncheckedItemWrite): StoredItem {
  if ('unchecked' in item) {
    const { id, rawJson } = item;
    const size = typeof rawJson === 'string' ? rawJson.length : rawJson.byteLength;
    return {
      id,
      name: null,
      folderId: null,
      ownerId: null,
      createdAt: null,
      updatedAt: null,
      deleted: false,
      json: rawJson,
      hash: null,
      size,
      unchecked: true,
    };
  }
  if (!('rawJson' in item)) return item;
  const { rawJson, ...metadata } = item;
  const size = typeof rawJson === 'string' ? rawJson.length : rawJson.byteLength;
  return { ...metadata, json: rawJson, hash: null, size };
}

const utf8 = new TextDecoder();

interface Canonical {
  json: string | Uint8Array;
  hash: string;
  size: number;
}

/** Canonical JSON, hash and size of an item whose metadata is known. */
function canonicalized(item: StoredItem): Canonical {
  if (item.hash !== null) return { json: item.json, hash: item.hash, size: item.size };
  return canonicalOf(JSON.parse(textOf(item)) as unknown);
}

/** Encodes the canonical text once: hashed, measured and bound to SQLite as the same bytes. */
function canonicalOf(value: unknown): Canonical {
  const json = Buffer.from(canonicalJson(value), 'utf8');
  return { json, hash: contentHash(json), size: json.byteLength };
}

function textOf(item: StoredItem): string {
  return typeof item.json === 'string' ? item.json : utf8.decode(item.json);
}

/**
 * Parses and validates an unchecked item: its metadata and canonical form, or the problem to
 * record instead. Parsed once, here, for both.
 */
function checked(
  item: StoredItem,
  type: string,
  validate: ItemValidator | undefined,
): { metadata: ItemMetadata; canonical: Canonical } | ItemProblem {
  if (!validate) {
    throw new TypeError(`An unchecked ${type} item reached a writer that has no item validator.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(textOf(item)) as unknown;
  } catch {
    return { id: item.id, error: `${type}: the server sent JSON that does not parse` };
  }
  const check = validate(type, value);
  if (!check.ok) return { id: check.id ?? item.id, error: check.error };
  const metadata: ItemMetadata = {
    id: check.id,
    name: check.name,
    folderId: check.folderId,
    ownerId: check.ownerId,
    createdAt: check.createdAt,
    updatedAt: check.updatedAt,
    deleted: check.deleted,
  };
  return { metadata, canonical: canonicalOf(value) };
}

export interface StoredPage extends Omit<PageWrite, 'items'> {
  items: readonly StoredItem[];
}

export type WriterOp =
  | { kind: 'page'; page: StoredPage }
  | {
      kind: 'type-state';
      type: string;
      state: TypeState;
      endOffset?: number;
      /** With `done`: close the versions of items this run did not see, unless this type or one of `also` has failed units. */
      sweep?: { also: readonly string[] };
    }
  | { kind: 'heartbeat' };

/** Within a busy stream of transactions, refresh the heartbeat at most this often. */
const HEARTBEAT_WRITE_INTERVAL_MS = 5_000;

/** An earlier version of an item: its content, and the item's first sighting. */
type VersionRow = [contentId: number, hash: string, firstSeenRun: number, firstSeenAt: string];

/** What a version row says beside its content, bound by name in the statements below. */
interface VersionColumns {
  name: string | null;
  folderId: string | null;
  ownerId: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  trashed: 0 | 1;
  runId: number;
  now: string;
}

interface NewVersion {
  type: string;
  itemId: string;
  contentId: number;
  hash: string;
  firstSeenRun: number;
  firstSeenAt: string;
}

const SET_VERSION_COLUMNS = `name = @name, folder_id = @folderId, owner_id = @ownerId,
  created_at = @createdAt, updated_at = @updatedAt, trashed = @trashed,
  last_seen_run = @runId, last_seen_at = @now`;

/** The current version of an item: its row, content hash, and the run that stored it. */
type CurrentRow = [versionId: number, hash: string, fromRun: number, contentId: number];

export class BatchApplier {
  readonly #db: SqlDatabase;
  readonly #runId: number;
  readonly #token: string;
  readonly #validate: ItemValidator | undefined;
  #lastHeartbeatMs = Number.NEGATIVE_INFINITY;

  readonly #ownerToken;
  readonly #heartbeat;
  readonly #selectCurrent;
  readonly #selectVersions;
  readonly #insertContentRow;
  readonly #insertVersion;
  readonly #replaceVersion;
  readonly #closeVersion;
  readonly #touchVersion;
  readonly #repairContent;
  readonly #markSeen;
  readonly #failedUnits;
  readonly #closeUnseenStatement;
  readonly #addDeleted;
  readonly #recoverPages;
  readonly #addScopeItem;
  readonly #dropRecoveredFailures;
  readonly #deleteFailures;
  readonly #insertFailure;
  readonly #doneCheckpoint;
  readonly #failedCheckpoint;
  readonly #addCounts;
  readonly #setTypeState;
  readonly #transaction;

  constructor(db: SqlDatabase, runId: number, ownerToken: string, validate?: ItemValidator) {
    this.#db = db;
    this.#validate = validate;
    this.#runId = runId;
    this.#token = ownerToken;
    this.#ownerToken = db
      .prepare<[number], string | null>('SELECT owner_token FROM runs WHERE id = ?')
      .pluck();
    this.#heartbeat = db.prepare<[string, number]>('UPDATE runs SET heartbeat_at = ? WHERE id = ?');
    this.#selectCurrent = db
      .prepare<[string, string], CurrentRow>(
        `SELECT id, content_hash, from_run, content_id FROM item_versions
          WHERE content_type = ? AND item_id = ? AND to_run IS NULL`,
      )
      .raw();
    this.#selectVersions = db
      .prepare<[string, string], VersionRow>(
        `SELECT content_id, content_hash, first_seen_run, first_seen_at FROM item_versions
          WHERE content_type = ? AND item_id = ?`,
      )
      .raw();
    // JSON arrives as a string or as UTF-8 bytes; CAST stores bytes as TEXT without transcoding.
    this.#insertContentRow = db.prepare<[string, number, string | Uint8Array]>(
      'INSERT INTO contents (hash, size, json) VALUES (?, ?, CAST(? AS TEXT))',
    );
    this.#insertVersion = db.prepare<[VersionColumns & NewVersion]>(
      `INSERT INTO item_versions (content_type, item_id, content_id, content_hash, name,
         folder_id, owner_id, created_at, updated_at, trashed, from_run, from_at, last_seen_run,
         last_seen_at, first_seen_run, first_seen_at)
       VALUES (@type, @itemId, @contentId, @hash, @name, @folderId, @ownerId, @createdAt,
         @updatedAt, @trashed, @runId, @now, @runId, @now, @firstSeenRun, @firstSeenAt)`,
    );
    this.#replaceVersion = db.prepare<
      [VersionColumns & { versionId: number; contentId: number; hash: string }]
    >(
      `UPDATE item_versions SET content_id = @contentId, content_hash = @hash, ${SET_VERSION_COLUMNS}
       WHERE id = @versionId`,
    );
    this.#closeVersion = db.prepare<[number, string, number]>(
      `UPDATE item_versions SET to_run = ?, to_at = ?, ended = 'changed' WHERE id = ?`,
    );
    this.#touchVersion = db.prepare<[VersionColumns & { versionId: number }]>(
      `UPDATE item_versions SET ${SET_VERSION_COLUMNS} WHERE id = @versionId`,
    );
    // The bytes the server sent again are the stored content's by hash; if the stored bytes
    // differ (damaged on disk or by hand), they are written back. SQLite compares the two texts
    // itself, so an intact row costs a read and no write.
    this.#repairContent = db.prepare<[string | Uint8Array, number, number, string | Uint8Array]>(
      `UPDATE contents SET json = CAST(? AS TEXT), size = ?
        WHERE id = ? AND json IS NOT CAST(? AS TEXT)`,
    );
    this.#markSeen = db.prepare<[number, string, string, string]>(
      `UPDATE item_versions SET last_seen_run = ?, last_seen_at = ?
        WHERE content_type = ? AND item_id = ? AND to_run IS NULL`,
    );
    this.#failedUnits = db
      .prepare<[number, string], number>(
        `SELECT count(*) FROM checkpoints
          WHERE run_id = ? AND content_type = ? AND status = 'failed'`,
      )
      .pluck();
    this.#closeUnseenStatement = db.prepare<[number, string, string, number]>(
      `UPDATE item_versions SET to_run = ?, to_at = ?, ended = 'deleted'
        WHERE content_type = ? AND to_run IS NULL AND last_seen_run < ?`,
    );
    this.#addScopeItem = db.prepare<[number, string, string]>(
      'INSERT OR IGNORE INTO run_scope_items (run_id, content_type, item_id) VALUES (?, ?, ?)',
    );
    // A folder stream's reconciliation (`f12/reconcile`) recovers that folder's pages only.
    this.#recoverPages = db.prepare<[number, string, string, string]>(
      `UPDATE checkpoints SET status = 'done',
              error = 'recovered by reconciliation after: ' || coalesce(error, 'a failure')
        WHERE run_id = ? AND content_type = ? AND status = 'failed' AND unit_key <> ?
          AND unit_key LIKE ? ESCAPE '\\'`,
    );
    this.#dropRecoveredFailures = db.prepare<[number, string, string, number]>(
      `DELETE FROM item_failures
        WHERE run_id = ? AND content_type = ? AND item_id IN
          (SELECT item_id FROM item_versions
            WHERE content_type = ? AND last_seen_run = ? AND to_run IS NULL)`,
    );
    this.#addDeleted = db.prepare<[number, number, string]>(
      `UPDATE run_types SET items_deleted = items_deleted + ? WHERE run_id = ? AND content_type = ?`,
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
    const startedAt = performance.now();
    const results = this.#transaction.immediate(ops, nowMs);
    // The commit itself (WAL append, checkpoints) is shared out as the pages' own time was.
    const ownMs = results.reduce((sum, result) => sum + (result.writeMs ?? 0), 0);
    const totalMs = performance.now() - startedAt;
    for (const result of results) {
      result.writeMs =
        ownMs > 0 ? ((result.writeMs ?? 0) * totalMs) / ownMs : totalMs / results.length;
    }
    return results;
  }

  #applyAll(ops: readonly WriterOp[], nowMs: number): PageCommitResult[] {
    const now = new Date(nowMs).toISOString();
    this.#checkOwnership(ops, nowMs, now);
    const counts = new Map<string, ItemCounts>();
    const results: PageCommitResult[] = [];
    for (const op of ops) {
      if (op.kind === 'page') {
        const startedAt = performance.now();
        const result = this.#applyPage(op.page, now);
        result.writeMs = performance.now() - startedAt;
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
        if (op.state === 'done' && op.sweep) this.#closeUnseen(op.type, op.sweep.also, now);
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
  ): { added: number; changed: number; unchanged: number; problems: ItemProblem[] } {
    const runId = this.#runId;
    let added = 0;
    let changed = 0;
    let unchanged = 0;
    const problems: ItemProblem[] = [];
    for (const stored of page.items) {
      let item: ItemMetadata = stored;
      let canonical: Canonical;
      if (stored.unchecked) {
        const result = checked(stored, page.type, this.#validate);
        if (!('metadata' in result)) {
          problems.push(result);
          continue;
        }
        item = result.metadata;
        canonical = result.canonical;
      } else {
        canonical = canonicalized(stored);
      }
      const outcome = this.#storeVersion(page.type, item, canonical, now);
      if (outcome === 'new') added++;
      else if (outcome === 'changed') changed++;
      else unchanged++;
      if (page.scoped === true) this.#addScopeItem.run(runId, page.type, item.id);
    }
    for (const id of page.seen ?? []) {
      if (this.#markSeen.run(runId, now, page.type, id).changes > 0) {
        unchanged++;
        if (page.scoped === true) this.#addScopeItem.run(runId, page.type, id);
      } else problems.push({ id, error: `${page.type} ${id}: listed as unchanged but not stored` });
    }
    return { added, changed, unchanged, problems };
  }

  /**
   * Makes `canonical` the current version of the item in this run: a new item gets its first
   * version; a changed one closes its current version at this run (which keeps it for earlier
   * snapshots) and opens a new one, unless this run opened the current version itself (a resumed
   * page, an item changed twice during the run), which is then replaced in place.
   */
  #storeVersion(
    type: string,
    item: ItemMetadata,
    canonical: Canonical,
    now: string,
  ): 'new' | 'changed' | 'unchanged' {
    const runId = this.#runId;
    const columns: VersionColumns = {
      name: item.name,
      folderId: item.folderId,
      ownerId: item.ownerId,
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
      trashed: item.deleted ? 1 : 0,
      runId,
      now,
    };
    const current = this.#selectCurrent.get(type, item.id);
    if (current !== undefined && current[1] === canonical.hash) {
      this.#touchVersion.run({ ...columns, versionId: current[0] });
      this.#repairContent.run(canonical.json, canonical.size, current[3], canonical.json);
      return 'unchanged';
    }
    // The item's stored versions (a few): an earlier one may have this content already (an
    // item back to an old content shares it), and all carry the item's first sighting.
    const versions = this.#selectVersions.all(type, item.id);
    const hash = canonical.hash;
    const contentId =
      versions.find((version) => version[1] === hash)?.[0] ?? this.#insertContent(canonical);
    if (current !== undefined && current[2] === runId) {
      this.#replaceVersion.run({ ...columns, versionId: current[0], contentId, hash });
      return 'changed';
    }
    if (current !== undefined) this.#closeVersion.run(runId, now, current[0]);
    // An item deleted earlier and back again keeps its first sighting.
    const earlier = versions[0];
    const firstSeen: [number, string] = earlier ? [earlier[2], earlier[3]] : [runId, now];
    this.#insertVersion.run({
      ...columns,
      type,
      itemId: item.id,
      contentId,
      hash,
      firstSeenRun: firstSeen[0],
      firstSeenAt: firstSeen[1],
    });
    return current === undefined ? 'new' : 'changed';
  }

  /** A new content row. */
  #insertContent({ json, hash, size }: Canonical): number {
    return Number(this.#insertContentRow.run(hash, size, json).lastInsertRowid);
  }

  /**
   * A type whose listing finished with nothing failed saw every item the instance holds: items
   * it did not see were deleted, as of this run (their versions stay for earlier snapshots).
   */
  #closeUnseen(type: string, also: readonly string[], now: string): void {
    for (const checked of [type, ...also]) {
      if (this.#failedUnits.get(this.#runId, checked) !== 0) return;
    }
    const closed = this.#closeUnseenStatement.run(this.#runId, now, type, this.#runId).changes;
    if (closed > 0) this.#addDeleted.run(closed, this.#runId, type);
  }

  #recordItemFailures(page: StoredPage, problems: readonly ItemProblem[], now: string): void {
    this.#deleteFailures.run(this.#runId, page.type, page.unitKey);
    for (const failure of [...page.invalid, ...problems]) {
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
    const { added, changed, unchanged, problems } = this.#upsertItems(page, now);
    const invalid = page.invalid.length + problems.length;
    if (page.failure) {
      this.#recordItemFailures(page, problems, now);
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
        invalid,
        failed: true,
        problems,
      };
    }
    this.#recordItemFailures(page, problems, now);
    if (page.recoversListing === true) {
      this.#recoverPages.run(runId, page.type, page.unitKey, `${likePrefix(page.unitKey)}%`);
      this.#dropRecoveredFailures.run(runId, page.type, page.type, runId);
    }
    this.#doneCheckpoint.run(
      runId,
      page.type,
      page.unitKey,
      offset,
      limit,
      page.rawCount,
      page.items.length - problems.length,
      invalid,
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
      invalid,
      failed: false,
      problems,
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

/** The folder prefix of a checkpoint key (`f12/`), escaped for LIKE; empty for a whole type. */
function likePrefix(unitKey: string): string {
  const slash = unitKey.indexOf('/');
  const prefix = unitKey.startsWith('f') && slash > 0 ? unitKey.slice(0, slash + 1) : '';
  return prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
}
