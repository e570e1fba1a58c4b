import { setMaxListeners } from 'node:events';
/**
 * A restore, start to end: check the target is a Looker and log in, read the target and decide
 * the plan (nothing written anywhere yet), then — unless it is a dry run or the caller declines
 * — record it as a run, carry it out through the same request pipeline (gate, retries, counters)
 * as an extraction, and finish the run with its summary.
 */
import { AuthError, LookervaultError, UsageError } from '../errors.js';
import { createRequestPipeline, type RequestPipeline } from '../engine/request-pipeline.js';
import type { ExtractEvent } from '../engine/events.js';
import type { LookerClient } from '../looker/client.js';
import { ClientRequestError } from '../looker/errors.js';
import { readRestoreItems, RestoreJournal } from '../store/restore-journal.js';
import { HEARTBEAT_INTERVAL_MS } from '../store/owner.js';
import { RunStore } from '../store/runs.js';
import { instanceKey } from '../store/sanitize.js';
import { resolveSnapshot } from '../store/snapshots.js';
import type { FinalRunStatus } from '../store/types.js';
import type { Vault } from '../store/vault.js';
import { executePlan } from './executor.js';
import { RestoreProgress } from './progress.js';
import {
  planRestore,
  vaultSnapshotContent,
  type PlanningState,
  type SnapshotContent,
} from './planner.js';
import type { ExportedTree } from '../export/tree-reader.js';
import type { Selector } from './selectors.js';
import {
  RESTORE_ACTIONS,
  RESTORE_TYPES,
  type ConflictPolicy,
  type PlannedItem,
  type RestoreAction,
  type RestoreItemResult,
  type RestorePlan,
  type RestoreType,
} from './types.js';

export interface RestoreOptions {
  /** Snapshot to restore from; undefined: the latest. */
  snapshotId?: number;
  types: RestoreType[];
  selectors: Selector[];
  onConflict: ConflictPolicy;
  workers: number;
  maxRetries: number;
  ratePerSecond?: number;
  ratePerMinute?: number;
  /** Plan only for the failed and skipped items of this earlier restore run. */
  retryRun?: number;
  /** The target is another instance than the backup's (named explicitly by the user). */
  otherInstance: boolean;
  /** Restore from this exported tree instead of a snapshot (`restore --from-dir`). */
  fromTree?: ExportedTree;
}

export type RestoreStatus = 'success' | 'partial' | 'failed' | 'interrupted';

export interface RestoreSummary {
  runId: number | null;
  status: RestoreStatus;
  dryRun: boolean;
  /** null: restored from an exported tree (`fromDir`). */
  snapshotId: number | null;
  fromDir: string | null;
  source: string;
  target: string;
  /** Per type: planned actions and outcomes. */
  types: {
    type: RestoreType;
    planned: Record<RestoreAction, number>;
    done: number;
    failed: number;
    skipped: number;
  }[];
  failures: { type: RestoreType; id: string; title: string; error: string }[];
  warnings: string[];
  requests: number;
  durationMs: number;
  itemsPerSecond: number;
}

export class Restore {
  readonly #vault: Vault;
  readonly #client: LookerClient;
  readonly #options: RestoreOptions;
  readonly #toolVersion: string;
  readonly #abort = new AbortController();
  readonly #listeners = new Set<(event: RestoreEvent) => void>();
  readonly #pipeline: RequestPipeline;
  #state: PlanningState | undefined;
  /** What the progress renderers read (the same ones `extract` uses). */
  readonly progress: RestoreProgress;
  readonly #startedAt = Date.now();
  #interrupted = false;

  constructor(
    deps: { vault: Vault; client: LookerClient; toolVersion: string },
    options: RestoreOptions,
  ) {
    this.#vault = deps.vault;
    this.#client = deps.client;
    this.#options = options;
    this.#toolVersion = deps.toolVersion;
    // A dashboard's tiles are written in parallel: many queued requests listen to the run's
    // signal at once (they are bounded by the plan, not by the worker count).
    setMaxListeners(0, this.#abort.signal);
    this.#pipeline = createRequestPipeline(deps.client, {
      workers: options.workers,
      ratePerSecond: options.ratePerSecond,
      ratePerMinute: options.ratePerMinute,
      maxRetries: options.maxRetries,
      signal: this.#abort.signal,
      emit: (event) => {
        this.progress.emit(event);
        this.#emit({ kind: 'engine', event });
      },
    });
    this.progress = new RestoreProgress(
      options.workers,
      this.#pipeline.metrics,
      this.#pipeline.gate,
    );
  }

  onEvent(listener: (event: RestoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: RestoreEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  /** Stops at the next item boundary; requests in flight are abandoned. */
  interrupt(): void {
    this.#interrupted = true;
    this.#abort.abort(new UsageError('interrupted'));
  }

  /** Reads the backup and the target, and decides. Writes nothing, anywhere. */
  async plan(): Promise<RestorePlan> {
    const tree = this.#options.fromTree;
    let snapshotId: number | null = null;
    let source: string;
    let content: SnapshotContent;
    if (tree) {
      source = tree.source;
      content = treeContent(tree);
    } else {
      const id = resolveSnapshot(this.#vault, this.#options.snapshotId).id;
      snapshotId = id;
      source = instanceKey(new RunStore(this.#vault).get(id)?.baseUrl ?? '');
      content = vaultSnapshotContent(this.#vault, id);
    }
    const target = instanceKey(this.#client.baseUrl);
    if (source === target && this.#options.otherInstance) {
      // Named explicitly and it is the same one: fine, it is a same-instance restore.
    } else if (source !== target && !this.#options.otherInstance) {
      throw new UsageError(
        `The backup's ${content.label} comes from ${source}, but the configured Looker is ${target}`,
        {
          hint: 'To restore into another instance, name it explicitly with --to-base-url (and --to-config/--to-section or --to-client-id), so that a mistaken setting never writes into the wrong Looker.',
        },
      );
    }
    await this.#client.versions(this.#abort.signal);
    await this.#pipeline.login();
    let only: Set<string> | undefined;
    if (this.#options.retryRun !== undefined) {
      only = new Set(
        readRestoreItems(this.#vault, this.#options.retryRun)
          .filter((row) => row.status !== 'done')
          .map((row) => `${row.type}:${row.sourceId}`),
      );
    }
    this.#state = await planRestore({
      vault: this.#vault,
      api: this.#pipeline.api,
      snapshotId,
      content,
      sourceInstance: source,
      targetInstance: target,
      types: this.#options.types,
      selectors: this.#options.selectors,
      onConflict: this.#options.onConflict,
      workers: this.#options.workers,
      signal: this.#abort.signal,
      ...(only ? { only } : {}),
    });
    if (tree) this.#state.plan.warnings.unshift(...treeWarnings(tree));
    return this.#state.plan;
  }

  /** Carries out the plan `plan()` made; records the restore as a run of the backup file. */
  async execute(): Promise<RestoreSummary> {
    const state = this.#state;
    if (!state) throw new LookervaultError('plan() must run before execute()');
    const { plan } = state;
    const tree = this.#options.fromTree;
    const runs = new RunStore(this.#vault);
    const run = runs.start({
      kind: 'restore',
      types: [...new Set(plan.items.map((item) => item.type))],
      config: {
        snapshot: plan.snapshotId,
        ...(tree ? { fromDir: tree.directory } : {}),
        source: plan.sourceInstance,
        target: plan.targetInstance,
        types: this.#options.types,
        selectors: this.#options.selectors.map((s) => `${s.type}:${s.id}`),
        onConflict: this.#options.onConflict,
        workers: this.#options.workers,
        ...(this.#options.retryRun === undefined ? {} : { retryOf: this.#options.retryRun }),
      },
      baseUrl: this.#client.baseUrl,
      toolVersion: this.#toolVersion,
    });
    const journal = new RestoreJournal(this.#vault, run.id, {
      source: plan.sourceInstance,
      target: plan.targetInstance,
    });
    journal.recordPlan(
      plan.items.map((item) => ({
        type: item.type,
        sourceId: item.sourceId,
        title: item.title,
        action: item.action,
        reason: item.reason,
        targetId: item.targetId,
        targetCreatedAt:
          item.targetId === null ? null : state.target.createdAt(item.type, item.targetId),
        stableKey: item.stableKey,
      })),
    );
    this.progress.planned(run.id, plan.items, this.#vault.path, this.#client.baseUrl);
    this.#emit({ kind: 'started', runId: run.id, plan });
    let results: RestoreItemResult[] = [];
    let fatal: unknown;
    // One item may take long (a large dashboard under a rate limit): the lock stays fresh.
    const heartbeat = setInterval(() => {
      journal.heartbeat();
    }, HEARTBEAT_INTERVAL_MS);
    heartbeat.unref();
    try {
      results = await executePlan({
        api: this.#pipeline.api,
        once: this.#pipeline.once,
        journal,
        state,
        workers: this.#options.workers,
        maxRetries: this.#options.maxRetries,
        signal: this.#abort.signal,
        onStart: (item) => {
          this.progress.itemStarted(item);
          this.#emit({ kind: 'item-started', item });
        },
        onItem: (result) => {
          this.progress.itemFinished(result);
          this.#emit({ kind: 'item', result });
        },
      });
    } catch (error) {
      fatal = error;
    } finally {
      clearInterval(heartbeat);
    }
    const status: RestoreStatus = this.#interrupted
      ? 'interrupted'
      : fatal !== undefined
        ? 'failed'
        : results.some((r) => r.outcome !== 'done')
          ? 'partial'
          : 'success';
    const summary = this.summarize(plan, results, run.id, status, false);
    const runStatus: FinalRunStatus = status;
    runs.finish(run.id, runStatus, summary);
    if (fatal !== undefined && !this.#interrupted) throw asRestoreError(fatal);
    return summary;
  }

  /** The summary of a plan that is not carried out (dry run, or declined). */
  summarizePlan(): RestoreSummary {
    const state = this.#state;
    if (!state) throw new LookervaultError('plan() must run before summarizePlan()');
    return this.summarize(state.plan, [], null, 'success', true);
  }

  summarize(
    plan: RestorePlan,
    results: readonly RestoreItemResult[],
    runId: number | null,
    status: RestoreStatus,
    dryRun: boolean,
  ): RestoreSummary {
    const types = RESTORE_TYPES.filter((type) => plan.items.some((item) => item.type === type)).map(
      (type) => {
        const planned = Object.fromEntries(RESTORE_ACTIONS.map((a) => [a, 0])) as Record<
          RestoreAction,
          number
        >;
        for (const item of plan.items) if (item.type === type) planned[item.action] += 1;
        const ofType = results.filter((r) => r.type === type);
        return {
          type,
          planned,
          done: ofType.filter((r) => r.outcome === 'done').length,
          failed: ofType.filter((r) => r.outcome === 'failed').length,
          skipped: ofType.filter((r) => r.outcome === 'skipped').length,
        };
      },
    );
    const durationMs = Date.now() - this.#startedAt;
    const written = results.filter((r) => r.outcome === 'done' && r.action !== 'skip').length;
    return {
      runId,
      status,
      dryRun,
      snapshotId: plan.snapshotId,
      fromDir: this.#options.fromTree?.directory ?? null,
      source: plan.sourceInstance,
      target: plan.targetInstance,
      types,
      failures: results
        .filter((r) => r.outcome !== 'done')
        .map((r) => ({ type: r.type, id: r.sourceId, title: r.title, error: r.error ?? '' })),
      warnings: plan.warnings,
      requests: this.#pipeline.metrics.snapshot().requests,
      durationMs,
      itemsPerSecond: durationMs > 0 ? (written * 1000) / durationMs : 0,
    };
  }

  get planned(): PlannedItem[] {
    return this.#state?.plan.items ?? [];
  }
}

export type RestoreEvent =
  | { kind: 'started'; runId: number; plan: RestorePlan }
  | { kind: 'item-started'; item: PlannedItem }
  | { kind: 'item'; result: RestoreItemResult }
  | { kind: 'engine'; event: ExtractEvent };

/** Files of the tree edited or deleted since the export: said in the plan. */
function treeWarnings(tree: ExportedTree): string[] {
  return [
    ...tree.edited.map((file) => `${file} changed since the export: restored as it is now`),
    ...tree.missing.map((file) => `${file} is in the tree's manifest but gone: not restored`),
  ];
}

/** An exported tree as the planner's source. */
function treeContent(tree: ExportedTree): SnapshotContent {
  const byType = new Map<string, ExportedTree['items']>();
  const emails = new Map<string, string>();
  for (const item of tree.items) {
    const ofType = byType.get(item.type);
    if (ofType) ofType.push(item);
    else byType.set(item.type, [item]);
    if (item.type === 'user') {
      const email = (JSON.parse(item.json) as { email?: unknown }).email;
      if (typeof email === 'string' && email !== '') emails.set(item.id, email.toLowerCase());
    }
  }
  return {
    label: `the tree at ${tree.directory}`,
    items: (type) => byType.get(type) ?? [],
    userEmails: () => emails,
  };
}

function asRestoreError(error: unknown): LookervaultError {
  if (error instanceof ClientRequestError && error.status === 403) {
    return new AuthError(
      `The API user may not write this content in the target: ${error.message}`,
      {
        hint: 'Restoring needs an API user who may create and edit content in the target folders (the Admin role, or a role with save_content, manage_spaces and save_dashboards).',
        cause: error,
      },
    );
  }
  if (error instanceof LookervaultError) return error;
  return new LookervaultError(error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}
