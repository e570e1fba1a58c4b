import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DatabaseError, LookervaultError } from '../errors.js';
import { runtimeHeapFlags } from '../heap.js';
import { BatchApplier, toStoredItem } from './apply.js';
import type { WriterOp } from './apply.js';
import { DEFAULT_BUSY_TIMEOUT_MS } from './connection.js';
import { leaseToken } from './lease.js';
import { HEARTBEAT_INTERVAL_MS } from './owner.js';
import { toDatabaseError } from './sqlite-errors.js';
import { BufferPool, deserializeError, encodeBatch } from './thread-protocol.js';
import type { FromWriterThread, ToWriterThread, WriterThreadData } from './thread-protocol.js';
import type { ItemValidator, PageCommitResult, PageWrite, TypeState } from './types.js';
import type { Vault } from './vault.js';

/**
 * VaultWriter: the ONE writer of a run's content. Workers `enqueue` pages into a bounded
 * queue (when it is full they wait: backpressure keeps memory flat however large the
 * instance); a drain loop takes what is queued and commits it in one transaction (items,
 * checkpoints, item failures, counters, heartbeat), then yields. The first failed transaction
 * is rolled back and stops the writer: every pending and later call rejects with that error.
 *
 * By default the transactions run in a worker thread with its own SQLite connection, so the
 * event loop (HTTP, timers, progress) never waits for the disk and SQLite gets the second core.
 * `mode: 'inline'` commits on the Vault's own connection instead (same semantics).
 */

export interface VaultWriterOptions {
  /**
   * Operations (pages, state changes) accepted but not yet committed before `enqueue` waits.
   * `queueDepth` and `capacity` report it. Minimum 1. @default 64
   */
  maxQueuedPages?: number;
  /**
   * Item bytes accepted but not yet committed before `enqueue` waits; a page larger than this
   * is still accepted when the queue is empty. Minimum 1. @default 64 MiB
   */
  maxQueuedBytes?: number;
  /** Most operations committed in one transaction. Minimum 1. @default 32 */
  maxPagesPerTransaction?: number;
  /**
   * Most item bytes committed in one transaction (at least one page is always taken): bounds
   * how long one commit takes. Minimum 1. @default 16 MiB
   */
  maxBytesPerTransaction?: number;
  /** Called after each commit with one result per page, in enqueue order. */
  onCommit?: (results: PageCommitResult[]) => void;
  /**
   * `thread` commits in a worker thread, `inline` on the event loop with the Vault's
   * connection. `auto` picks `thread` when the compiled thread script is present (running
   * from dist/) and `inline` otherwise (running TypeScript sources, e.g. under ts-jest).
   * @default 'auto'
   */
  mode?: 'auto' | 'thread' | 'inline';
  /** When nothing was committed for this long, commit a heartbeat. Minimum 1000. @default 30000 */
  heartbeatIntervalMs?: number;
  /** How long the thread's connection waits for another process's lock, ms. @default 5000 */
  busyTimeoutMs?: number;
  /** Clock for the timestamps written, in epoch ms. @default Date.now */
  now?: () => number;
  /**
   * Checks unchecked items (see `UncheckedItemWrite`). The writer thread cannot be handed a
   * function, so it imports `exportName` from `moduleUrl`; `validate` (the same function) is
   * used inline. Without it, enqueueing an unchecked item fails the commit.
   */
  validator?: { validate: ItemValidator; moduleUrl: string; exportName: string };
}

interface Entry {
  seq: number;
  op: WriterOp;
  bytes: number;
  /** State changes and heartbeats are tiny and never wait for room. */
  bypass: boolean;
  accept?: () => void;
  refuse?: (error: LookervaultError) => void;
}

interface FlushWaiter {
  seq: number;
  resolve: () => void;
  reject: (error: LookervaultError) => void;
}

interface CommitEngine {
  /** Batches that may be committing at once. */
  readonly maxInFlight: number;
  commit(ops: WriterOp[], nowMs: number): Promise<PageCommitResult[]>;
  close(): Promise<void>;
}

const THREAD_SCRIPT = new URL('./writer-thread.js', import.meta.url);
const MiB = 1024 * 1024;
/** Per-item allowance on top of its JSON, for the queue's byte accounting. */
const ITEM_OVERHEAD_BYTES = 256;

export class VaultWriter {
  readonly #path: string;
  readonly #engine: CommitEngine;
  readonly #mode: 'thread' | 'inline';
  readonly #maxQueued: number;
  readonly #maxQueuedBytes: number;
  readonly #maxPerTransaction: number;
  readonly #maxBytesPerTransaction: number;
  readonly #onCommit: ((results: PageCommitResult[]) => void) | undefined;
  readonly #now: () => number;
  readonly #heartbeatTimer: NodeJS.Timeout;

  /** Accepted, not yet handed to the engine. */
  readonly #queue: Entry[] = [];
  /** Waiting for room, in call order. */
  readonly #waiting: Entry[] = [];
  readonly #flushWaiters: FlushWaiter[] = [];
  /** Accepted and not yet committed (queued + committing). */
  #held = 0;
  #heldBytes = 0;
  #inFlight = 0;
  #issuedSeq = 0;
  #committedSeq = 0;
  #lastActivityMs: number;
  #pumpScheduled = false;
  #failure: LookervaultError | undefined;
  #closing = false;
  #closed: Promise<void> | undefined;

  constructor(vault: Vault, runId: number, options: VaultWriterOptions = {}) {
    this.#path = vault.path;
    const token = leaseToken(vault.path, runId);
    if (token === undefined) {
      throw new DatabaseError(
        `Run ${runId} in \`${vault.path}\` is not held by this process; start or resume it first`,
      );
    }
    if (vault.readonly) {
      throw new DatabaseError(
        `\`${vault.path}\` was opened read-only; the writer needs write access`,
      );
    }
    this.#maxQueued = atLeast(1, options.maxQueuedPages ?? 64);
    this.#maxQueuedBytes = atLeast(1, options.maxQueuedBytes ?? 64 * MiB);
    this.#maxPerTransaction = atLeast(1, options.maxPagesPerTransaction ?? 32);
    this.#maxBytesPerTransaction = atLeast(1, options.maxBytesPerTransaction ?? 16 * MiB);
    this.#onCommit = options.onCommit;
    this.#now = options.now ?? Date.now;
    this.#lastActivityMs = this.#now();

    const mode = options.mode ?? 'auto';
    const useThread = mode === 'thread' || (mode === 'auto' && threadScriptAvailable());
    this.#mode = useThread ? 'thread' : 'inline';
    this.#engine = useThread
      ? new ThreadEngine({
          path: vault.path,
          runId,
          token,
          busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
          v8Flags: runtimeHeapFlags(),
          ...(options.validator
            ? {
                validator: {
                  moduleUrl: options.validator.moduleUrl,
                  exportName: options.validator.exportName,
                },
              }
            : {}),
        })
      : new InlineEngine(new BatchApplier(vault.db, runId, token, options.validator?.validate));

    const heartbeatMs = atLeast(1000, options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS);
    this.#heartbeatTimer = setInterval(() => {
      this.#heartbeatIfIdle(heartbeatMs);
    }, heartbeatMs);
    this.#heartbeatTimer.unref();
  }

  /** Where transactions run: in the worker thread, or inline on the event loop. */
  get mode(): 'thread' | 'inline' {
    return this.#mode;
  }

  /** Accepted and not yet committed operations: the queue's fill level, for progress. */
  get queueDepth(): number {
    return this.#held;
  }

  /** `maxQueuedPages`. */
  get capacity(): number {
    return this.#maxQueued;
  }

  /** The error that stopped the writer, if one did. */
  get failure(): LookervaultError | undefined {
    return this.#failure;
  }

  /**
   * Resolves once the page is accepted into the queue (at once while there is room; otherwise
   * when commits make room). Rejects with a DatabaseError once the writer has failed or closed.
   */
  enqueue(page: PageWrite): Promise<void> {
    const refusal = this.#refusal();
    if (refusal) return Promise.reject(refusal);
    let bytes = 0;
    const items = page.items.map(toStoredItem);
    for (const item of items) bytes += item.size + ITEM_OVERHEAD_BYTES;
    return new Promise<void>((accept, refuse) => {
      this.#offer({
        seq: ++this.#issuedSeq,
        op: { kind: 'page', page: { ...page, items } },
        bytes,
        bypass: false,
        accept,
        refuse,
      });
    });
  }

  /**
   * Records a content type's state in the run, in order with the pages enqueued before and
   * after it. Never waits; a failure surfaces through the next `enqueue`, `flush` or `close`.
   */
  setTypeState(
    type: string,
    state: TypeState,
    details: { endOffset?: number; sweep?: { also: readonly string[] } } = {},
  ): void {
    if (this.#refusal()) return;
    const op: WriterOp = { kind: 'type-state', type, state };
    if (details.endOffset !== undefined) op.endOffset = details.endOffset;
    if (details.sweep !== undefined) op.sweep = details.sweep;
    this.#offer({ seq: ++this.#issuedSeq, op, bytes: 0, bypass: true });
  }

  /** Resolves when everything enqueued (or set) before this call is committed. */
  flush(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const seq = this.#issuedSeq;
    if (this.#committedSeq >= seq) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#flushWaiters.push({ seq, resolve, reject });
    });
  }

  /**
   * Flushes, then stops the writer (and its thread). Rejects with the writer's failure if it
   * failed; resources are released either way. Idempotent.
   */
  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    this.#closing = true;
    let failure: unknown;
    try {
      await this.flush();
    } catch (error) {
      failure = error;
    }
    clearInterval(this.#heartbeatTimer);
    try {
      await this.#engine.close();
    } catch (error) {
      failure ??= error;
    }
    if (failure !== undefined) throw toDatabaseError(failure, `Could not close \`${this.#path}\``);
  }

  #refusal(): LookervaultError | undefined {
    if (this.#failure) return this.#failure;
    if (this.#closing) {
      return new DatabaseError(`The writer for \`${this.#path}\` is closed`, {
        hint: 'This is a bug in lookervault: pages were enqueued after the writer was closed.',
      });
    }
    return undefined;
  }

  #offer(entry: Entry): void {
    if (this.#waiting.length === 0 && this.#hasRoom(entry)) this.#accept(entry);
    else this.#waiting.push(entry);
  }

  #hasRoom(entry: Entry): boolean {
    if (entry.bypass || this.#held === 0) return true;
    return this.#held < this.#maxQueued && this.#heldBytes + entry.bytes <= this.#maxQueuedBytes;
  }

  #accept(entry: Entry): void {
    this.#queue.push(entry);
    this.#held++;
    this.#heldBytes += entry.bytes;
    entry.accept?.();
    this.#schedulePump();
  }

  #schedulePump(): void {
    if (this.#pumpScheduled || this.#failure) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  /** Hands batches to the engine while it has room for them. */
  #pump(): void {
    while (!this.#failure && this.#inFlight < this.#engine.maxInFlight && this.#queue.length > 0) {
      const batch: Entry[] = [];
      let bytes = 0;
      for (const entry of this.#queue) {
        if (batch.length === this.#maxPerTransaction) break;
        if (batch.length > 0 && bytes + entry.bytes > this.#maxBytesPerTransaction) break;
        batch.push(entry);
        bytes += entry.bytes;
      }
      this.#queue.splice(0, batch.length);
      this.#inFlight++;
      this.#engine
        .commit(
          batch.map((entry) => entry.op),
          this.#now(),
        )
        .then(
          (results) => {
            this.#committed(batch, bytes, results);
          },
          (error: unknown) => {
            this.#fail(toDatabaseError(error, `Could not write to \`${this.#path}\``));
          },
        );
    }
  }

  #committed(batch: Entry[], bytes: number, results: PageCommitResult[]): void {
    if (this.#failure) return;
    this.#inFlight--;
    this.#held -= batch.length;
    this.#heldBytes -= bytes;
    this.#committedSeq = batch[batch.length - 1]?.seq ?? this.#committedSeq;
    this.#lastActivityMs = this.#now();
    while (this.#waiting.length > 0) {
      const next = this.#waiting[0];
      if (!next || !this.#hasRoom(next)) break;
      this.#waiting.shift();
      this.#accept(next);
    }
    if (results.length > 0 && this.#onCommit) {
      try {
        this.#onCommit(results);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.#fail(
          new LookervaultError(`The writer's onCommit handler failed: ${message}`, {
            cause: error,
          }),
        );
        return;
      }
    }
    const done = this.#flushWaiters.filter((waiter) => waiter.seq <= this.#committedSeq);
    if (done.length > 0) {
      this.#flushWaiters.splice(
        0,
        this.#flushWaiters.length,
        ...this.#flushWaiters.filter((w) => w.seq > this.#committedSeq),
      );
      for (const waiter of done) waiter.resolve();
    }
    if (this.#queue.length > 0) this.#schedulePump();
  }

  #fail(error: LookervaultError): void {
    if (this.#failure) return;
    this.#failure = error;
    clearInterval(this.#heartbeatTimer);
    const waiting = this.#waiting.splice(0);
    this.#queue.splice(0);
    this.#held = 0;
    this.#heldBytes = 0;
    for (const entry of waiting) entry.refuse?.(error);
    for (const waiter of this.#flushWaiters.splice(0)) waiter.reject(error);
    // Release the thread and its connection now; close() will find it closed.
    this.#engine.close().catch(() => undefined);
  }

  #heartbeatIfIdle(intervalMs: number): void {
    if (this.#failure || this.#closing || this.#held > 0) return;
    if (this.#now() - this.#lastActivityMs < intervalMs) return;
    this.#offer({ seq: ++this.#issuedSeq, op: { kind: 'heartbeat' }, bytes: 0, bypass: true });
  }
}

function atLeast(minimum: number, value: number): number {
  return Number.isFinite(value) ? Math.max(minimum, Math.floor(value)) : minimum;
}

function threadScriptAvailable(): boolean {
  return THREAD_SCRIPT.protocol === 'file:' && existsSync(fileURLToPath(THREAD_SCRIPT));
}

/** Commits on the caller's connection, synchronously; the pump's setImmediate is the yield. */
class InlineEngine implements CommitEngine {
  readonly maxInFlight = 1;
  readonly #applier: BatchApplier;

  constructor(applier: BatchApplier) {
    this.#applier = applier;
  }

  commit(ops: WriterOp[], nowMs: number): Promise<PageCommitResult[]> {
    // A throw in the executor rejects with SQLite's error as it is: its `code` is what the
    // message is made from (wrapping it by an `instanceof Error` test lost it for errors from
    // another realm, e.g. under Jest).
    return new Promise((resolve) => {
      resolve(this.#applier.apply(ops, nowMs));
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Commits in a worker thread. Two batches may be in flight so the thread starts the next
 * transaction while the main thread handles the previous result. The thread keeps the event
 * loop alive only while a batch is in flight.
 */
class ThreadEngine implements CommitEngine {
  readonly maxInFlight = 2;
  readonly #worker: Worker;
  readonly #buffers = new BufferPool();
  readonly #pending = new Map<
    number,
    { resolve: (results: PageCommitResult[]) => void; reject: (error: unknown) => void }
  >();
  #nextId = 0;
  #exited = false;
  #exitError: LookervaultError | undefined;
  #closing: Promise<void> | undefined;
  readonly #exit: Promise<void>;

  constructor(data: WriterThreadData) {
    // The thread parses and canonicalizes every item: all garbage that dies young. A small
    // young generation collects it before V8 grows the thread's heap (about 30 MB less RSS).
    this.#worker = new Worker(THREAD_SCRIPT, {
      workerData: data,
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
      // Not the host's command-line options: a program run with `node --input-type=module -e`
      // would hand the thread an option it refuses for a file, and the thread needs none (its
      // heap flags come in workerData).
      execArgv: [],
    });
    this.#worker.unref();
    this.#worker.on('message', (message: FromWriterThread) => {
      if (message.kind === 'closed') {
        if (message.error) this.#exitError = deserializeError(message.error);
        return;
      }
      this.#buffers.give(message.json);
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      // Closing keeps the thread referenced until it exits: a failed batch answered after
      // close() began must not let the process end (exit 13) while the thread closes the file.
      if (this.#pending.size === 0 && this.#closing === undefined) this.#worker.unref();
      if (message.kind === 'committed') pending.resolve(message.results);
      else pending.reject(deserializeError(message.error));
    });
    this.#worker.on('error', (error) => {
      this.#rejectAll(
        new DatabaseError(`The writer thread for \`${data.path}\` crashed: ${error.message}`, {
          cause: error,
          hint: 'The run is resumable: run the same command again. If this keeps happening, report it with the output of LOOKERVAULT_DEBUG=1.',
        }),
      );
    });
    this.#exit = new Promise((resolve) => {
      this.#worker.once('exit', (code) => {
        this.#exited = true;
        this.#rejectAll(
          new DatabaseError(`The writer thread for \`${data.path}\` stopped (exit code ${code})`, {
            hint: 'The run is resumable: run the same command again. If this keeps happening, report it with the output of LOOKERVAULT_DEBUG=1.',
          }),
        );
        resolve();
      });
    });
  }

  commit(ops: WriterOp[], nowMs: number): Promise<PageCommitResult[]> {
    if (this.#exited || this.#closing) {
      return Promise.reject(new DatabaseError('The writer thread has stopped'));
    }
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.ref();
      const batch = encodeBatch(ops, this.#buffers);
      this.#worker.postMessage(
        { kind: 'commit', id, ops: batch.ops, json: batch.json, nowMs } satisfies ToWriterThread,
        [batch.json],
      );
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (!this.#exited) {
        this.#worker.ref();
        this.#post({ kind: 'close' });
      }
      await this.#exit;
      if (this.#exitError) throw this.#exitError;
    })();
    return this.#closing;
  }

  #post(message: ToWriterThread): void {
    this.#worker.postMessage(message);
  }

  #rejectAll(error: LookervaultError): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const { reject } of pending) reject(error);
  }
}
