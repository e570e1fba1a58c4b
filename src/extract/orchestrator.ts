import { setMaxListeners } from 'node:events';
import pLimit, { type LimitFunction } from 'p-limit';
import type { ContentType } from '../content-types.js';
import { AuthError, LookervaultError } from '../errors.js';
import type { ApiCaller, LookerClient } from '../looker/client.js';
import { LookerApiError, NotFoundError, RequestAbortedError } from '../looker/errors.js';
import { rawJsonOf, UnparsedJson } from '../looker/transport.js';
import {
  REGISTRY,
  type ContentTypeSpec,
  type InvalidItem,
  type ParsedItem,
  validateItem,
} from '../looker/registry.js';
import type {
  ExtractEvent,
  ExtractEventListener,
  ProgressSnapshot,
  ProgressSource,
  TypeState,
} from '../progress/events.js';
import type { RunSummary } from '../progress/summary.js';
import {
  VaultWriter,
  type ItemProblem,
  type PageWrite,
  type RawItemWrite,
  type UncheckedItemWrite,
  type Vault,
} from '../store/index.js';
import { OffsetCoordinator, RECONCILE_KEY, type WorkUnit } from './coordinator.js';
import { RequestLimiter } from './limiter.js';
import { RequestMetrics } from './metrics.js';
import type { ExtractOptions } from './options.js';
import { ProgressState } from './progress-state.js';
import { RequestRunner } from './request-runner.js';
import { RunLedger, type PreparedRun } from './run-ledger.js';
import { buildSummary } from './summary-builder.js';

/**
 * Runs one extraction: N worker loops on this one event loop claim units from the
 * OffsetCoordinator, fetch them through the limiter (every request, one gate), validate and
 * hydrate items, and hand pages to the one VaultWriter. Emits progress; never prints.
 */

export interface ExtractDependencies {
  client: LookerClient;
  vault: Vault;
  toolVersion: string;
  /** Whether the user chose the types (resuming a run with other types is refused). @default false */
  typesGiven?: boolean;
  /** The content-type table; tests may pass a modified copy. @default REGISTRY */
  registry?: Record<ContentType, ContentTypeSpec>;
  now?: () => number;
}

type StopReason = 'interrupt' | 'fatal';

/** What fetching one unit's items produced. */
interface FetchedItems {
  /** Unchecked items (fetched unparsed) are validated by the writer, off the event loop. */
  items: (RawItemWrite | UncheckedItemWrite)[];
  /** Items the server returned that failed validation. */
  invalid: ItemProblem[];
  /** Items that could not be fetched (after retries). */
  unfetched: ItemProblem[];
}

/** Pages (and bytes) waiting for the writer: small, so memory stays flat with many workers. */
const WRITER_QUEUE_PAGES = 16;
const WRITER_QUEUE_BYTES = 8 * 1024 * 1024;
/**
 * Detail items are fetched unparsed and checked by the writer with the registry's validation;
 * its thread imports the same function from the registry's module.
 */
const ITEM_VALIDATOR = {
  validate: validateItem,
  moduleUrl: new URL('../looker/registry.js', import.meta.url).href,
  exportName: 'validateItem',
};
/** The writer thread parses each transaction's items at once: keep its share of memory small. */
const WRITER_TRANSACTION_BYTES = 4 * 1024 * 1024;
/** How many failures the summary lists; `status` shows them all. */
const SUMMARY_FAILURES = 10;

export class Extraction implements ProgressSource {
  private readonly listeners = new Set<ExtractEventListener>();
  private readonly registry: Record<ContentType, ContentTypeSpec>;
  private readonly now: () => number;
  private readonly abort = new AbortController();
  private readonly metrics = new RequestMetrics();
  private readonly limiter: RequestLimiter;
  private readonly runner: RequestRunner;
  private readonly api: ApiCaller;
  private readonly startedAt: number;
  private run: PreparedRun | undefined;
  private coordinator: OffsetCoordinator | undefined;
  private writer: VaultWriter | undefined;
  private progress: ProgressState | undefined;
  private stopReason: StopReason | undefined;
  private fatalCause: LookervaultError | undefined;
  private readonly typeStates = new Map<ContentType, TypeState>();
  private feedingParents = false;
  private readonly pageSlots: LimitFunction;

  constructor(
    private readonly deps: ExtractDependencies,
    private readonly options: ExtractOptions,
  ) {
    this.registry = deps.registry ?? REGISTRY;
    this.now = deps.now ?? Date.now;
    this.startedAt = this.now();
    // Every queued request and backoff sleep listens to the run's signal: thousands, by design.
    setMaxListeners(0, this.abort.signal);
    this.limiter = new RequestLimiter({
      maxConcurrent: options.workers,
      ...(options.ratePerSecond === undefined ? {} : { ratePerSecond: options.ratePerSecond }),
      ...(options.ratePerMinute === undefined ? {} : { ratePerMinute: options.ratePerMinute }),
    });
    this.runner = new RequestRunner({
      limiter: this.limiter,
      maxRetries: options.maxRetries,
      metrics: this.metrics,
      onRetry: ({ kind, operation, attempt, delayMs, error }) => {
        if (kind === 'transient') {
          this.emit({ kind: 'retry', operation, attempt, delayMs, error: error.message });
        }
      },
    });
    this.limiter.on('pause', ({ retryAfterMs, newEpisode }) => {
      if (!newEpisode) return;
      this.emit({
        kind: 'rate-limited',
        retryAfterMs: retryAfterMs ?? null,
        allowedRatePerSecond: this.limiter.snapshot().allowedRatePerSecond,
      });
    });
    // Enough pages filling at once to queue twice the workers' worth of detail requests.
    this.pageSlots = pLimit(Math.max(2, Math.ceil((2 * options.workers) / options.batchSize)));
    const client = deps.client;
    this.api = {
      call: (operation, invoke, signal) =>
        this.runner.run(
          operation,
          (requestSignal) => client.call(operation, invoke, requestSignal),
          signal ?? this.abort.signal,
        ),
    };
  }

  /** What stopped the run, when it ended with status `failed`. */
  get fatalError(): LookervaultError | undefined {
    return this.fatalCause;
  }

  onEvent(listener: ExtractEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ctrl-C: stop claiming, abandon requests in flight, commit what was fetched. */
  interrupt(): void {
    this.stop('interrupt');
  }

  /**
   * Logs in, opens or resumes the run, runs every worker to the end and returns the summary.
   * Throws only for what prevents a run from starting (credentials, a busy database); what
   * happens during the run is in the summary's status.
   */
  async execute(): Promise<RunSummary> {
    await this.deps.client.login();
    const ledger = this.ledger();
    let run: PreparedRun;
    try {
      run = ledger.prepare(this.options, {
        baseUrl: this.deps.client.baseUrl,
        toolVersion: this.deps.toolVersion,
        typesGiven: this.deps.typesGiven ?? false,
      });
    } catch (error) {
      // No run to work on (the database is busy, the flags conflict): end the session now.
      await this.deps.client.logout().catch(() => undefined);
      throw error;
    }
    this.run = run;
    for (const notice of run.notices) this.emit({ kind: 'notice', message: notice });

    const coordinator = new OffsetCoordinator(run.plans, {
      pageSize: run.batchSize,
      resume: run.resumePoints,
    });
    this.coordinator = coordinator;
    const progress = new ProgressState(run.types, this.options.workers, run.storedBefore);
    this.progress = progress;
    const writer = new VaultWriter(this.deps.vault, run.runId, {
      maxQueuedPages: WRITER_QUEUE_PAGES,
      maxQueuedBytes: WRITER_QUEUE_BYTES,
      maxBytesPerTransaction: WRITER_TRANSACTION_BYTES,
      onCommit: (results) => {
        progress.committed(results);
        for (const result of results) {
          for (const problem of result.problems) {
            this.emit({
              kind: 'item-invalid',
              type: result.type as ContentType,
              id: problem.id ?? null,
              unitKey: result.unitKey,
              error: problem.error,
            });
          }
        }
      },
      validator: ITEM_VALIDATOR,
    });
    this.writer = writer;
    for (const type of run.types) this.typeStates.set(type, coordinator.progress(type).state);

    this.emit({
      kind: 'run-started',
      runId: run.runId,
      resumed: run.resumed,
      types: run.types,
      workers: this.options.workers,
      dbPath: this.deps.vault.path,
      baseUrl: this.deps.client.baseUrl,
    });
    for (const type of run.types) this.noteTypeState(type);

    const workers = Array.from({ length: this.options.workers }, (_, index) =>
      this.workerLoop(index + 1),
    );
    await Promise.all(workers);
    await this.limiter.stop();
    try {
      await writer.close();
    } catch (error) {
      this.fatal(error);
    }

    const status = this.finalStatus(ledger);
    const summary = buildSummary({
      run,
      status,
      typeStates: new Map(run.types.map((type) => [type, coordinator.progress(type).state])),
      ledger,
      vault: this.deps.vault,
      progress,
      metrics: this.metrics.snapshot(),
      limiter: this.limiter.snapshot(),
      workers: this.options.workers,
      startedAt: this.startedAt,
      endedAt: this.now(),
      maxFailures: SUMMARY_FAILURES,
      ...(this.fatalCause ? { error: this.fatalCause } : {}),
    });
    ledger.finish(run.runId, status, summary);
    await this.deps.client.logout().catch(() => undefined);
    this.emit({ kind: 'run-finished', summary });
    return summary;
  }

  snapshot(): ProgressSnapshot {
    const elapsedMs = this.now() - this.startedAt;
    const metrics = this.metrics.snapshot();
    const limiter = this.limiter.snapshot();
    const coordinator = this.coordinator;
    const progress = this.progress;
    const types =
      coordinator && progress
        ? coordinator.types().map((type) => progress.typeProgress(type, coordinator.progress(type)))
        : [];
    let invalid = 0;
    let pagesFailed = 0;
    for (const type of types) {
      invalid += type.invalid;
      pagesFailed += type.pagesFailed;
    }
    return {
      runId: this.run?.runId ?? 0,
      elapsedMs,
      workers: {
        active: progress?.activeWorkers() ?? 0,
        total: this.options.workers,
        detail: progress ? progress.workers.map((worker) => ({ ...worker })) : [],
      },
      items: {
        stored: progress?.totalStored() ?? 0,
        perSecond: progress?.itemsMeter.ratePerSecond() ?? 0,
      },
      requests: {
        total: metrics.requests,
        perSecond: metrics.requestsPerSecond,
        inFlight: metrics.inFlight,
        latencyMs: {
          p50: metrics.latencyMs.p50,
          p95: metrics.latencyMs.p95,
          p99: metrics.latencyMs.p99,
        },
      },
      rateLimit: {
        hits: limiter.rateLimitedCount,
        pausedMs: limiter.pausedTotalMs,
        pausedUntil: limiter.pausedUntil,
        allowedRatePerSecond: limiter.allowedRatePerSecond,
      },
      retries: metrics.retries,
      failures: { pages: pagesFailed, items: invalid },
      writerQueue: { depth: this.writer?.queueDepth ?? 0, capacity: this.writer?.capacity ?? 0 },
      types,
    };
  }

  private async workerLoop(id: number): Promise<void> {
    const coordinator = this.required(this.coordinator);
    const progress = this.required(this.progress);
    while (this.stopReason === undefined) {
      // A child type (explores) is fed as soon as its parent is done, not when the big types
      // have run dry, so it shares the workers with them.
      if (await this.feedWaitingTypes()) continue;
      const unit = coordinator.claim();
      if (unit === undefined) {
        if (coordinator.isFinished()) break;
        if (!coordinator.hasWorkInFlight() && !this.feedingParents) {
          this.fatal(new LookervaultError('Internal error: extraction stalled with work left.'));
          break;
        }
        progress.worker(id, 'idle');
        await coordinator.waitForChange();
        continue;
      }
      try {
        await this.process(id, unit);
      } catch (error) {
        this.fatal(error);
      }
      this.noteTypeState(unit.type);
    }
    progress.worker(id, 'done');
  }

  private async process(workerId: number, unit: WorkUnit): Promise<void> {
    const coordinator = this.required(this.coordinator);
    const progress = this.required(this.progress);
    const spec = this.registry[unit.type];
    const where = describeUnit(unit);
    try {
      switch (unit.kind) {
        case 'page': {
          if (spec.listing.kind !== 'paged') throw new Error(`${unit.type} is not paged`);
          progress.worker(workerId, 'listing', where);
          const raw = await spec.listing.fetchPage(
            this.api,
            { offset: unit.offset, limit: unit.limit },
            this.abort.signal,
          );
          await this.storeListed(workerId, unit, spec, raw);
          return;
        }
        case 'all': {
          if (spec.listing.kind !== 'unpaged') throw new Error(`${unit.type} is not unpaged`);
          progress.worker(workerId, 'listing', where);
          const raw = await spec.listing.fetchAll(this.api, this.abort.signal);
          await this.storeListed(workerId, unit, spec, raw);
          return;
        }
        case 'children': {
          await this.storeChildren(workerId, unit, spec);
          return;
        }
        case 'reconcile': {
          await this.reconcile(workerId, unit, spec);
          return;
        }
      }
    } catch (error) {
      if (this.stopReason !== undefined || error instanceof RequestAbortedError) {
        coordinator.release(unit);
        return;
      }
      if (!(error instanceof LookerApiError) || error instanceof AuthError) throw error;
      progress.workerFailed(workerId);
      await this.writeFailedUnit(unit, error);
      coordinator.fail(unit);
    }
  }

  /** A listing came back: hydrate (when the registry says so), validate, and write it. */
  private async storeListed(
    workerId: number,
    unit: WorkUnit,
    spec: ContentTypeSpec,
    raw: unknown[],
  ): Promise<void> {
    const offsets = unit.kind === 'page' ? { offset: unit.offset, limit: unit.limit } : {};
    let fetched: FetchedItems;
    if (spec.detail) {
      fetched = await this.fillPage(workerId, unit, spec, listedIds(raw), raw.length, {
        offsets,
        invalid: listedIdProblems(raw),
      });
    } else {
      fetched = validateAll(spec, raw);
      await this.writePage(workerId, unit, toPageWrite(unit, raw.length, fetched, offsets));
    }
    const coordinator = this.required(this.coordinator);
    if (fetched.unfetched.length > 0) coordinator.fail(unit, raw.length);
    else coordinator.complete(unit, raw.length);
  }

  /**
   * Fetches `ids` in full and writes them as one page, inside one of a few page slots shared by
   * all workers. Items are held in memory from their fetch until the writer takes the page: the
   * slots bound how many pages do that at once (however many workers wait with a listed page),
   * while still queueing enough detail requests to keep every worker's request in flight.
   */
  private fillPage(
    workerId: number,
    unit: WorkUnit,
    spec: ContentTypeSpec,
    ids: readonly string[],
    rawCount: number,
    extra: { offsets?: { offset?: number; limit?: number }; invalid?: ItemProblem[] } = {},
  ): Promise<FetchedItems> {
    return this.pageSlots(async () => {
      const fetched = await this.hydrate(workerId, unit, spec, ids);
      if (extra.invalid) fetched.invalid.push(...extra.invalid);
      await this.writePage(workerId, unit, toPageWrite(unit, rawCount, fetched, extra.offsets));
      return fetched;
    });
  }

  /** Explores of one LookML model: the model's stored copy names them; fetch each in full. */
  private async storeChildren(
    workerId: number,
    unit: Extract<WorkUnit, { kind: 'children' }>,
    spec: ContentTypeSpec,
  ): Promise<void> {
    const listing = spec.listing;
    if (listing.kind !== 'children') throw new Error(`${unit.type} is not listed from a parent`);
    const ledger = this.ledger();
    const parentJson = ledger.storedJson(listing.parent, unit.parentId);
    const parsedParent =
      parentJson === undefined ? undefined : this.registry[listing.parent].parseItem(parentJson);
    const childIds = parsedParent?.ok ? listing.childIds(parsedParent) : [];
    const fetched = await this.fillPage(workerId, unit, spec, childIds, childIds.length);
    const coordinator = this.required(this.coordinator);
    if (fetched.unfetched.length > 0) coordinator.fail(unit);
    else coordinator.complete(unit, childIds.length);
  }

  /**
   * Offset paging over a live instance can skip items that moved between pages. Compare a
   * full id listing with what this run stored and fetch whatever is missing.
   */
  private async reconcile(workerId: number, unit: WorkUnit, spec: ContentTypeSpec): Promise<void> {
    const progress = this.required(this.progress);
    const writer = this.required(this.writer);
    const run = this.required(this.run);
    progress.worker(workerId, 'reconciling', `${unit.type} ids`);
    await writer.flush();
    const ids = await spec.listIds(this.api, this.abort.signal);
    const ledger = this.ledger();
    const missing = ledger.missingFromRun(run.runId, unit.type, ids);
    const chunkSize = run.batchSize;
    const unfetched: ItemProblem[] = [];
    for (let start = 0; start < missing.length; start += chunkSize) {
      const chunk = missing.slice(start, start + chunkSize);
      const chunkUnit = { ...unit, unitKey: `${RECONCILE_KEY}#${start / chunkSize + 1}` };
      const fetched = await this.fillPage(workerId, chunkUnit, spec, chunk, chunk.length);
      unfetched.push(...fetched.unfetched);
    }
    const summary: FetchedItems = { items: [], invalid: [], unfetched: [] };
    const marker = toPageWrite(unit, ids.length, summary);
    if (unfetched.length > 0) marker.failure = describeUnfetched(unfetched);
    await this.writePage(workerId, unit, marker);
    const coordinator = this.required(this.coordinator);
    if (unfetched.length > 0) coordinator.fail(unit);
    else coordinator.complete(unit, ids.length);
  }

  /**
   * Fetches each id in full (bounded fan-out; the limiter still caps requests in flight at
   * the worker count) and validates it. An item deleted since it was listed (404) is skipped.
   */
  private async hydrate(
    workerId: number,
    unit: WorkUnit,
    spec: ContentTypeSpec,
    ids: readonly string[],
  ): Promise<FetchedItems> {
    const progress = this.required(this.progress);
    progress.worker(workerId, 'hydrating', `${describeUnit(unit)} (${ids.length} items)`);
    const limit = pLimit(this.fanOut());
    const fetched: FetchedItems = { items: [], invalid: [], unfetched: [] };
    await Promise.all(
      ids.map((id) =>
        limit(async () => {
          if (this.stopReason !== undefined) return;
          try {
            const raw = await spec.fetchById(this.api, id, this.abort.signal, { unparsed: true });
            if (raw instanceof UnparsedJson) {
              fetched.items.push({ id, rawJson: raw.bytes, unchecked: true });
            } else {
              collect(spec.parseItem(raw), fetched, rawJsonOf(raw));
            }
          } catch (error) {
            if (error instanceof NotFoundError) return;
            if (error instanceof RequestAbortedError || error instanceof AuthError) throw error;
            if (!(error instanceof LookerApiError)) throw error;
            fetched.unfetched.push({ id, error: error.message });
          }
        }),
      ),
    );
    if (this.stopReason !== undefined) {
      throw new RequestAbortedError('Stopped before the page was complete.');
    }
    fetched.items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return fetched;
  }

  /**
   * Detail requests one unit may queue at once. A whole page's worth: the limiter serves
   * requests in the order they were queued, so a page's details run as one block and pages
   * complete one after another instead of all advancing together. Memory then holds about
   * one page being filled at a time, whatever the worker count.
   */
  private fanOut(): number {
    return Math.max(this.options.workers, this.run?.batchSize ?? this.options.batchSize);
  }

  private async writePage(workerId: number, unit: WorkUnit, page: PageWrite): Promise<void> {
    const progress = this.required(this.progress);
    progress.worker(workerId, 'writing', describeUnit(unit));
    for (const problem of page.invalid) {
      this.emit({
        kind: 'item-invalid',
        type: unit.type,
        id: problem.id ?? null,
        unitKey: page.unitKey,
        error: problem.error,
      });
    }
    if (page.failure) {
      this.emit({
        kind: 'page-failed',
        type: unit.type,
        unitKey: page.unitKey,
        error: page.failure.error,
        attempts: page.failure.attempts,
      });
    }
    await this.required(this.writer).enqueue(page);
  }

  private async writeFailedUnit(unit: WorkUnit, error: LookerApiError): Promise<void> {
    const offsets = unit.kind === 'page' ? { offset: unit.offset, limit: unit.limit } : {};
    await this.writePage(0, unit, {
      type: unit.type,
      unitKey: unit.unitKey,
      ...offsets,
      rawCount: 0,
      items: [],
      invalid: [],
      failure: { error: error.message, attempts: this.options.maxRetries + 1 },
    });
  }

  /**
   * Explores wait for their models: once the models are stored, hand the coordinator their
   * names. Returns whether anything was fed (so the caller claims again).
   */
  private async feedWaitingTypes(): Promise<boolean> {
    const coordinator = this.required(this.coordinator);
    const waiting = coordinator.typesAwaitingParents();
    if (waiting.length === 0 || this.feedingParents) return false;
    this.feedingParents = true;
    try {
      await this.required(this.writer).flush();
      const ledger = this.ledger();
      const run = this.required(this.run);
      for (const type of waiting) {
        const listing = this.registry[type].listing;
        if (listing.kind !== 'children') continue;
        coordinator.provideParents(type, ledger.idsInRun(run.runId, listing.parent));
        this.noteTypeState(type);
      }
    } finally {
      this.feedingParents = false;
    }
    return true;
  }

  private noteTypeState(type: ContentType): void {
    const coordinator = this.coordinator;
    if (!coordinator) return;
    const { state, expected } = coordinator.progress(type);
    if (this.typeStates.get(type) === state) return;
    this.typeStates.set(type, state);
    this.writer?.setTypeState(type, state, expected === null ? {} : { endOffset: expected });
    this.emit({ kind: 'type-state', type, state, expected });
  }

  private finalStatus(ledger: RunLedger): RunSummary['status'] {
    if (this.fatalCause) return 'failed';
    if (this.stopReason === 'interrupt') return 'interrupted';
    const run = this.required(this.run);
    const coordinator = this.required(this.coordinator);
    const typeFailed = run.types.some((type) => coordinator.progress(type).state === 'failed');
    const anyFailure = [...ledger.failuresByType(run.runId).values()].some(
      (counts) => counts.pages > 0 || counts.items > 0,
    );
    return typeFailed || anyFailure ? 'partial' : 'success';
  }

  private fatal(error: unknown): void {
    if (this.fatalCause === undefined) {
      this.fatalCause =
        error instanceof LookervaultError
          ? error
          : new LookervaultError(error instanceof Error ? error.message : String(error), {
              cause: error,
            });
    }
    this.stop('fatal');
  }

  private stop(reason: StopReason): void {
    if (this.stopReason !== undefined) return;
    this.stopReason = reason;
    this.emit({ kind: 'stopping', reason });
    this.coordinator?.stop();
    this.abort.abort();
    void this.limiter.stop();
  }

  private emit(event: ExtractEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private ledger(): RunLedger {
    return new RunLedger(this.deps.vault, this.registry);
  }

  private required<T>(value: T | undefined): T {
    if (value === undefined) throw new Error('Extraction used before it started');
    return value;
  }
}

function describeUnit(unit: WorkUnit): string {
  switch (unit.kind) {
    case 'page':
      return `${unit.type} offset ${unit.offset}`;
    case 'all':
      return `${unit.type} (all)`;
    case 'children':
      return `${unit.type} of ${unit.parentId}`;
    case 'reconcile':
      return `${unit.type} reconcile`;
  }
}

/**
 * Adds a validated item to the page, as JSON text for the writer to canonicalize and hash in
 * its thread: the response's own text when the item is a whole response (detail calls), else
 * the item re-serialized (items of a list page, which are small).
 */
function collect(
  parsed: ParsedItem | InvalidItem,
  into: FetchedItems,
  rawJson?: string | Uint8Array,
): void {
  if (parsed.ok) {
    const { id, name, folderId, ownerId, createdAt, updatedAt, deleted } = parsed;
    into.items.push({
      id,
      name,
      folderId,
      ownerId,
      createdAt,
      updatedAt,
      deleted,
      rawJson: rawJson ?? JSON.stringify(parsed.value),
    });
  } else {
    into.invalid.push(
      parsed.id === undefined ? { error: parsed.error } : { id: parsed.id, error: parsed.error },
    );
  }
}

function validateAll(spec: ContentTypeSpec, raw: unknown[]): FetchedItems {
  const fetched: FetchedItems = { items: [], invalid: [], unfetched: [] };
  for (const entry of raw) collect(spec.parseItem(entry), fetched);
  return fetched;
}

/** The page's checkpoint and items; a page with items that could not be fetched is failed. */
function toPageWrite(
  unit: WorkUnit,
  rawCount: number,
  fetched: FetchedItems,
  offsets: { offset?: number; limit?: number } = {},
): PageWrite {
  return {
    type: unit.type,
    unitKey: unit.unitKey,
    ...offsets,
    rawCount,
    items: fetched.items,
    invalid: [...fetched.invalid, ...fetched.unfetched],
    ...(fetched.unfetched.length > 0 ? { failure: describeUnfetched(fetched.unfetched) } : {}),
  };
}

function listedIds(raw: unknown[]): string[] {
  return raw.flatMap((entry) => {
    const id = (entry as { id?: unknown } | null)?.id;
    return typeof id === 'string' && id.length > 0 ? [id] : [];
  });
}

/** Listed entries without a usable id: reported, with the id as text when there is one. */
function listedIdProblems(raw: unknown[]): ItemProblem[] {
  return raw.flatMap((entry): ItemProblem[] => {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && id.length > 0) return [];
    const error = `listed with ${id === undefined ? 'no id' : `id ${JSON.stringify(id)}`}; expected a non-empty string id`;
    return typeof id === 'number' ? [{ id: String(id), error }] : [{ error }];
  });
}

function describeUnfetched(problems: readonly ItemProblem[]): { error: string; attempts: number } {
  const first = problems
    .slice(0, 3)
    .map((problem) => `${problem.id ?? '?'}: ${problem.error}`)
    .join('; ');
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  return { error: `${problems.length} item(s) could not be fetched: ${first}${more}`, attempts: 1 };
}
