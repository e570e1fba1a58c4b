import { scopeSummary } from './scope.js';
import { setMaxListeners } from 'node:events';
import type { ContentType } from '../content-types.js';
import type {
  ExtractEvent,
  ExtractEventListener,
  ProgressSnapshot,
  ProgressSource,
} from '../engine/events.js';
import type { RunSummary } from '../engine/run-summary.js';
import type { StopReason, TypeState } from '../engine/states.js';
import { LookervaultError } from '../errors.js';
import type { ApiCaller, LookerClient } from '../looker/client.js';
import {
  REGISTRY,
  type ChildListing,
  type ContentTypeSpec,
  validateItem,
} from '../looker/registry.js';
import { VaultWriter, type Vault } from '../store/index.js';
import { OffsetCoordinator } from './coordinator.js';
import type { RequestGate } from '../engine/gate.js';
import { createRequestPipeline, type RequestPipeline } from '../engine/request-pipeline.js';
import { ListingTrust } from './listing-trust.js';
import type { RequestMetrics } from '../engine/metrics.js';
import type { ExtractOptions } from './options.js';
import { ProgressState, progressSnapshot } from './progress-state.js';
import type { RunContext } from './run-context.js';
import { RunLedger, type PreparedRun } from './run-ledger.js';
import {
  isScopedType,
  planInScope,
  resolveScope,
  scopedPlanIds,
  type FolderScope,
} from './scope.js';
import { buildSummary } from './summary-builder.js';
import { storedChildIds } from './stored-children.js';
import { describeRunScope } from '../progress/event-lines.js';
import { UnitProcessor } from './unit-processor.js';

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
  private readonly metrics: RequestMetrics;
  private readonly gate: RequestGate;
  private readonly api: ApiCaller;
  private readonly pipeline: RequestPipeline;
  private readonly login: () => Promise<void>;
  private readonly startedAt: number;
  /** Set once the run is prepared; the snapshot reads it while the run goes on. */
  private ctx: RunContext | undefined;
  private stopReason: StopReason | undefined;
  private fatalCause: LookervaultError | undefined;
  private readonly typeStates = new Map<ContentType, TypeState>();
  private feedingParents = false;

  constructor(
    private readonly deps: ExtractDependencies,
    private readonly options: ExtractOptions,
  ) {
    this.registry = deps.registry ?? REGISTRY;
    this.now = deps.now ?? Date.now;
    this.startedAt = this.now();
    // Every queued request and backoff sleep listens to the run's signal: thousands, by design.
    setMaxListeners(0, this.abort.signal);
    const pipeline = createRequestPipeline(deps.client, {
      ...options,
      signal: this.abort.signal,
      emit: (event) => {
        this.emit(event);
      },
    });
    this.pipeline = pipeline;
    ({ gate: this.gate, metrics: this.metrics, api: this.api, login: this.login } = pipeline);
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
    await this.login();
    const ledger = new RunLedger(this.deps.vault, this.registry);
    let run: PreparedRun;
    try {
      // A new scoped run resolves its folders first (an unknown one stops it before any
      // content request); a resumed run keeps the folders it resolved.
      let scope: FolderScope | undefined;
      const { folders } = this.options;
      if (folders !== undefined && !ledger.willResume(this.options)) {
        scope = await resolveScope(
          this.api,
          { folders, recursive: this.options.recursive === true },
          this.abort.signal,
        );
      }
      run = ledger.prepare(this.options, {
        baseUrl: this.deps.client.baseUrl,
        toolVersion: this.deps.toolVersion,
        typesGiven: this.deps.typesGiven ?? false,
        ...(scope ? { scope } : {}),
      });
    } catch (error) {
      // No run to work on (the database is busy, the flags conflict): end the session now.
      await this.deps.client.logout().catch(() => undefined);
      throw error;
    }
    for (const notice of run.notices) this.emit({ kind: 'notice', message: notice });
    if (run.scope) {
      this.emit({
        kind: 'notice',
        message: `Backing up ${describeRunScope({
          ...scopeSummary(run.scope),
          wholeTypes: run.wholeTypes,
        })}.`,
      });
    }
    const ctx = this.startRun(run, ledger);
    this.ctx = ctx;
    for (const type of run.types) this.typeStates.set(type, ctx.coordinator.progress(type).state);

    this.emit({
      kind: 'run-started',
      runId: run.runId,
      resumed: run.resumed,
      types: run.types,
      workers: this.options.workers,
      dbPath: this.deps.vault.path,
      baseUrl: this.deps.client.baseUrl,
      ...(run.scope ? { scope: { ...scopeSummary(run.scope), wholeTypes: run.wholeTypes } } : {}),
    });
    for (const type of run.types) this.noteTypeState(ctx, type);

    const processor = new UnitProcessor(ctx);
    const workers = Array.from({ length: this.options.workers }, (_, index) =>
      this.workerLoop(ctx, processor, index + 1),
    );
    await Promise.all(workers);
    await this.gate.stop();
    try {
      await ctx.writer.close();
    } catch (error) {
      this.fatal(error);
    }

    const status = this.finalStatus(ctx);
    const summary = buildSummary({
      run,
      status,
      typeStates: new Map(run.types.map((type) => [type, ctx.coordinator.progress(type).state])),
      ledger,
      vault: this.deps.vault,
      progress: ctx.progress,
      metrics: this.metrics.snapshot(),
      limiter: this.gate.snapshot(),
      workers: this.options.workers,
      startedAt: this.startedAt,
      endedAt: this.now(),
      maxFailures: SUMMARY_FAILURES,
      listings: ctx.trust.decisions(),
      ...(this.fatalCause ? { error: this.fatalCause } : {}),
    });
    ledger.finish(run.runId, status, summary);
    await this.deps.client.logout().catch(() => undefined);
    this.emit({ kind: 'run-finished', summary });
    return summary;
  }

  snapshot(): ProgressSnapshot {
    const ctx = this.ctx;
    return progressSnapshot({
      elapsedMs: this.now() - this.startedAt,
      workers: this.options.workers,
      metrics: this.metrics.snapshot(),
      limiter: this.gate.snapshot(),
      costs: this.pipeline.costs,
      ...(ctx ? { run: { runId: ctx.run.runId, ...ctx } } : {}),
    });
  }

  /** The run's coordinator, counters and writer, built once for the prepared run. */
  private startRun(run: PreparedRun, ledger: RunLedger): RunContext {
    const coordinator = new OffsetCoordinator(run.plans, {
      pageSize: run.batchSize,
      resume: run.resumePoints,
    });
    const progress = new ProgressState(run.types, this.options.workers, run.storedBefore);
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
      // A scoped snapshot holds exactly the items of these types that the run saw.
      ...(run.scope ? { scopedTypes: run.types.filter(isScopedType) } : {}),
    });
    const wholeListed = run.types.filter((type) => this.registry[type].wholeListing !== undefined);
    return {
      run,
      ledger,
      coordinator,
      writer,
      progress,
      trust: new ListingTrust(wholeListed, run.fetch),
      registry: this.registry,
      options: this.options,
      scope: run.scope,
      scopeFilters: new Map(),
      scopeIds: new Map(),
      api: this.api,
      apiFor: (type) => this.pipeline.apiFor(type),
      signal: this.abort.signal,
      stopping: () => this.stopReason !== undefined,
      emit: (event) => {
        this.emit(event);
      },
    };
  }

  private async workerLoop(ctx: RunContext, processor: UnitProcessor, id: number): Promise<void> {
    const { coordinator, progress } = ctx;
    while (this.stopReason === undefined) {
      // A child type (explores) is fed as soon as its parent is done, not when the big types
      // have run dry, so it shares the workers with them.
      if (await this.feedWaitingTypes(ctx)) continue;
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
        await processor.process(id, unit);
      } catch (error) {
        this.fatal(error);
      }
      this.noteTypeState(ctx, unit.type);
    }
    progress.worker(id, 'done');
  }

  /**
   * Explores wait for their models: once the models are stored, hand the coordinator their
   * names. Returns whether anything was fed (so the caller claims again).
   */
  private async feedWaitingTypes(ctx: RunContext): Promise<boolean> {
    const waiting = ctx.coordinator.typesAwaitingParents();
    const ready = ctx.coordinator.typesReadyToStart();
    if ((waiting.length === 0 && ready.length === 0) || this.feedingParents) return false;
    this.feedingParents = true;
    try {
      await ctx.writer.flush();
      for (const type of ready) {
        // A scope's scheduled plans are those of the dashboards and looks the run stored.
        const stored = (other: ContentType): Set<string> =>
          new Set(ctx.run.types.includes(other) ? ctx.ledger.idsInRun(ctx.run.runId, other) : []);
        const inScope = planInScope(stored('dashboard'), stored('look'));
        ctx.scopeFilters.set(type, inScope);
        ctx.scopeIds.set(type, (api, signal) => scopedPlanIds(api, inScope, signal));
        ctx.coordinator.start(type);
        this.noteTypeState(ctx, type);
      }
      for (const type of waiting) {
        const listing = this.registry[type].listing;
        if (listing.kind !== 'children') continue;
        const parents = ctx.ledger.idsInRun(ctx.run.runId, listing.parent);
        ctx.coordinator.provideParents(type, parents);
        ctx.coordinator.setTotal(type, this.childCount(ctx, listing, parents));
        this.noteTypeState(ctx, type);
      }
    } finally {
      this.feedingParents = false;
    }
    return true;
  }

  /** How many children the stored parents list (explores of the models): the type's total. */
  private childCount(ctx: RunContext, listing: ChildListing, parentIds: readonly string[]): number {
    let count = 0;
    for (const parentId of parentIds) count += storedChildIds(ctx, listing, parentId).length;
    return count;
  }

  private noteTypeState(ctx: RunContext, type: ContentType): void {
    const { state, expected } = ctx.coordinator.progress(type);
    if (this.typeStates.get(type) === state) return;
    this.typeStates.set(type, state);
    const listing = this.registry[type].listing;
    // A finished type saw every item: the writer closes the versions of the ones it did not.
    // Not in a folder scope: what the run did not see may only be elsewhere (its snapshot holds
    // what it saw; a whole-instance run closes what is gone).
    const sweeps = state === 'done' && !(ctx.scope !== undefined && isScopedType(type));
    ctx.writer.setTypeState(type, state, {
      ...(expected === null ? {} : { endOffset: expected }),
      ...(sweeps ? { sweep: { also: listing.kind === 'children' ? [listing.parent] : [] } } : {}),
    });
    this.emit({ kind: 'type-state', type, state, expected });
  }

  private finalStatus(ctx: RunContext): RunSummary['status'] {
    if (this.fatalCause) return 'failed';
    if (this.stopReason === 'interrupt') return 'interrupted';
    const { run, coordinator, ledger } = ctx;
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
    this.ctx?.coordinator.stop();
    this.abort.abort();
    void this.gate.stop();
  }

  private emit(event: ExtractEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
