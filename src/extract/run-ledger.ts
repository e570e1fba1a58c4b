import { CONTENT_TYPES, type ContentType, isContentType } from '../content-types.js';
import { UsageError } from '../errors.js';
import type { ContentTypeSpec } from '../looker/registry.js';
import type { FailureSummary, RunSummary } from '../engine/run-summary.js';
import {
  RunStore,
  countDeletedByType,
  countFailuresByType,
  countItemsByType,
  readFingerprints,
  readStoredItem,
  readTypesListedCompletely,
  type RunRecord,
  type StoredFingerprint,
  type Vault,
} from '../store/index.js';
import { RECONCILE_KEY, type ResumePoint, type StreamPlan } from './coordinator.js';
import { describeScope, isScopedType, sameScope, type FolderScope } from './scope.js';
import { splitUnitKey } from './streams.js';
import type { FetchMode } from './listing-trust.js';
import { wholePageSize, type ExtractOptions } from './options.js';

/** A run ready to work on: new, or an unfinished one picked up where it stopped. */
export interface PreparedRun {
  runId: number;
  resumed: boolean;
  baseUrl: string;
  /** Types in the order they are listed (explores after their models). */
  types: ContentType[];
  plans: StreamPlan[];
  batchSize: number;
  /** How items are fetched (the run's own, when resumed). */
  fetch: FetchMode;
  /**
   * Types listed with their change listing: items unchanged since their stored version are
   * recorded as seen, not fetched (the run's own, when resumed).
   */
  incremental: ReadonlySet<ContentType>;
  resumePoints: Partial<Record<ContentType, ResumePoint>>;
  /** Items of each type the run already holds (from earlier attempts). */
  storedBefore: Map<ContentType, number>;
  /** The folders the run backs up (undefined: the whole instance). */
  scope: FolderScope | undefined;
  /** Of the run's types, those backed up whole although the run has a folder scope. */
  wholeTypes: ContentType[];
  /** Things the user should be told (e.g. "resuming run 3"). */
  notices: string[];
}

/** The run configuration stored with each run (never secrets). */
interface StoredRunConfig {
  types: ContentType[];
  batchSize: number;
  workers: number;
  fetch: FetchMode;
  incremental: ContentType[];
  /** With `types`: the scoped types, whose snapshot holds only the items the run saw. */
  scope?: FolderScope & { types: ContentType[] };
}

/**
 * The engine's view of the run bookkeeping: starts or resumes a run (taking the database's
 * lock), and reads back what the run has stored. The writer remains the only writer of items.
 */
export class RunLedger {
  private readonly runs: RunStore;

  constructor(
    private readonly vault: Vault,
    private readonly registry: Record<ContentType, ContentTypeSpec>,
  ) {
    this.runs = new RunStore(vault);
  }

  /** Whether `prepare` would pick up an unfinished run (then a scope is not resolved again). */
  willResume(options: ExtractOptions): boolean {
    return options.resume && this.runs.findResumable() !== undefined;
  }

  /**
   * Starts a run, or resumes the unfinished one. `scope`: the resolved folders of a new scoped
   * run (a resumed run keeps its own).
   */
  prepare(
    options: ExtractOptions,
    context: { baseUrl: string; toolVersion: string; typesGiven: boolean; scope?: FolderScope },
  ): PreparedRun {
    this.refuseOtherInstance(context.baseUrl);
    const resumable = options.resume ? this.runs.findResumable() : undefined;
    if (resumable) return this.resume(resumable, options, context);
    if (options.folders !== undefined && context.scope === undefined) {
      throw new Error('A folder-scoped run needs its scope resolved first');
    }
    const scope = context.scope;

    const types = this.withParents(options.types, scope !== undefined);
    const fetch = options.fetch ?? 'auto';
    const incremental = options.full === true ? [] : this.incrementalTypes(types);
    const config: StoredRunConfig = {
      types,
      batchSize: options.batchSize,
      workers: options.workers,
      fetch,
      incremental,
      ...(scope ? { scope: { ...scope, types: types.filter(isScopedType) } } : {}),
    };
    const run = this.runs.start({
      types,
      config: { ...config },
      baseUrl: context.baseUrl,
      toolVersion: context.toolVersion,
    });
    const notices = types
      .filter((type) => !options.types.includes(type))
      .map((type) =>
        this.childrenOf(type).length > 0
          ? `Also backing up ${type}s: ${this.childrenOf(type).join(', ')} need them.`
          : `Also backing up the scope's ${type}s: its scheduled plans are those of its dashboards and looks.`,
      );
    return {
      runId: run.id,
      resumed: false,
      baseUrl: context.baseUrl,
      types,
      plans: this.plans(types, options.batchSize, fetch, incremental, scope),
      batchSize: options.batchSize,
      fetch,
      incremental: new Set(incremental),
      resumePoints: {},
      storedBefore: new Map(),
      notices,
      scope,
      wholeTypes: scope ? types.filter((type) => !isScopedType(type)) : [],
    };
  }

  /** JSON of an item this database holds, or undefined. */
  storedJson(type: ContentType, id: string): unknown {
    return readStoredItem(this.vault, type, id);
  }

  /** The current stored versions of those of `ids` the backup holds. */
  fingerprints(type: ContentType, ids: Iterable<string>): Map<string, StoredFingerprint> {
    return readFingerprints(this.vault, type, ids);
  }

  /** Which of `ids` this run has not stored yet (reconciliation). */
  missingFromRun(runId: number, type: ContentType, ids: readonly string[]): string[] {
    return this.runs.missingIds(type, ids, { seenInRun: runId });
  }

  idsInRun(runId: number, type: ContentType): string[] {
    return [...this.runs.storedIds(type, { seenInRun: runId })];
  }

  countsByType(runId: number): Map<ContentType, number> {
    return narrowKeys(countItemsByType(this.vault, runId));
  }

  deletedByType(runId: number): Map<ContentType, number> {
    return narrowKeys(countDeletedByType(this.vault, runId));
  }

  failuresByType(runId: number): Map<ContentType, { items: number; pages: number }> {
    return narrowKeys(countFailuresByType(this.vault, runId));
  }

  /** The first `limit` failures of the run: failed pages first, then items. */
  firstFailures(runId: number, limit: number): FailureSummary[] {
    const pages = this.runs.failedUnits(runId).slice(0, limit);
    const failures: FailureSummary[] = pages.flatMap((unit) =>
      isContentType(unit.type)
        ? [{ type: unit.type, unitKey: unit.unitKey, itemId: null, error: unit.error }]
        : [],
    );
    if (failures.length < limit) {
      for (const item of this.runs.itemFailures(runId, limit - failures.length)) {
        if (!isContentType(item.type)) continue;
        failures.push({
          type: item.type,
          unitKey: item.unitKey,
          itemId: item.itemId,
          error: item.error,
        });
      }
    }
    return failures;
  }

  finish(runId: number, status: RunSummary['status'], summary: RunSummary): void {
    this.runs.finish(runId, status, summary);
  }

  private resume(
    run: RunRecord,
    options: ExtractOptions,
    context: { baseUrl: string; typesGiven: boolean },
  ): PreparedRun {
    const stored = parseStoredConfig(run, options);
    const scope = stored.scope;
    if (options.folders !== undefined) {
      const request = { folders: options.folders, recursive: options.recursive === true };
      if (scope === undefined || !sameScope(scope, request)) {
        throw new UsageError(
          `Run ${run.id} (${run.status}) backs up ${scope ? `the folders ${describeScope(scope)}` : 'the whole instance'}; you asked for ${describeScope({ named: request.folders, recursive: request.recursive })}.`,
          {
            hint: `Run it again ${scope ? `with the same --folders${scope.recursive ? ' --recursive' : ''}` : 'without --folders'} (or leave --folders out) to resume it, or pass --no-resume to start a new run.`,
          },
        );
      }
    }
    const requested = this.withParents(options.types, scope !== undefined);
    if (context.typesGiven && !sameMembers(requested, stored.types)) {
      throw new UsageError(
        `Run ${run.id} (${run.status}) backs up ${stored.types.join(', ')}; you asked for ${requested.join(', ')}.`,
        {
          hint: 'Leave out --types to resume that run, or pass --no-resume to start a new one.',
        },
      );
    }
    const notices = [
      `Resuming run ${run.id} (${run.status}, started ${run.startedAt}${scope ? `, folders ${describeScope(scope)}` : ''}); --no-resume starts a new run instead.`,
    ];
    if (options.full === true && stored.incremental.length > 0) {
      notices.push(
        `Run ${run.id} fetches only what changed for ${stored.incremental.join(', ')}; pass --no-resume --full to start a full run instead.`,
      );
    }
    if (stored.batchSize !== options.batchSize) {
      notices.push(
        `Using the run's page size ${stored.batchSize} (not ${options.batchSize}) so its checkpoints still line up.`,
      );
    }
    this.runs.resume(run.id);
    return {
      runId: run.id,
      resumed: true,
      baseUrl: context.baseUrl,
      types: stored.types,
      plans: this.plans(stored.types, stored.batchSize, stored.fetch, stored.incremental, scope),
      batchSize: stored.batchSize,
      fetch: stored.fetch,
      incremental: new Set(stored.incremental),
      resumePoints: this.resumePoints(run.id),
      storedBefore: this.countsByType(run.id),
      notices,
      scope,
      wholeTypes: scope ? stored.types.filter((type) => !isScopedType(type)) : [],
    };
  }

  /**
   * Checkpointed units per type. A type with failed pages is reopened: its pages are fetched
   * again and it is reconciled again, even if the interrupted attempt had finished it.
   */
  private resumePoints(runId: number): Partial<Record<ContentType, ResumePoint>> {
    // Per stream: a folder's failed pages reopen that folder's reconciliation only.
    const streamOf = (type: string, unitKey: string): string =>
      `${type}\u0000${splitUnitKey(unitKey).folderId ?? ''}`;
    const failedStreams = new Set(
      this.runs.failedUnits(runId).map((unit) => streamOf(unit.type, unit.unitKey)),
    );
    const points: Partial<Record<ContentType, ResumePoint>> = {};
    for (const unit of this.runs.completedUnits(runId)) {
      if (!isContentType(unit.type)) continue;
      if (
        splitUnitKey(unit.unitKey).key === RECONCILE_KEY &&
        failedStreams.has(streamOf(unit.type, unit.unitKey))
      ) {
        continue;
      }
      const point = (points[unit.type] ??= { completed: [] });
      point.completed.push({ unitKey: unit.unitKey, rawCount: unit.rawCount });
    }
    return points;
  }

  /** One database holds the backup of one Looker instance; mixing two would corrupt both. */
  private refuseOtherInstance(baseUrl: string): void {
    const [latest] = this.runs.list(1);
    if (latest === undefined || sameInstance(latest.baseUrl, baseUrl)) return;
    throw new UsageError(
      `${this.vault.path} holds a backup of ${latest.baseUrl}, not of ${baseUrl}.`,
      { hint: 'Use a separate --db for each Looker instance.' },
    );
  }

  /**
   * Adds the types a requested type is listed from (explores need their models; in a folder
   * scope, scheduled plans need the scope's dashboards and looks).
   */
  private withParents(types: readonly ContentType[], scoped: boolean): ContentType[] {
    const wanted = new Set(types);
    for (const type of types) {
      const listing = this.registry[type].listing;
      if (listing.kind === 'children') wanted.add(listing.parent);
    }
    if (scoped && wanted.has('scheduled_plan')) {
      wanted.add('dashboard');
      wanted.add('look');
    }
    return CONTENT_TYPES.filter((type) => wanted.has(type));
  }

  private childrenOf(parent: ContentType): ContentType[] {
    return CONTENT_TYPES.filter((type) => {
      const listing = this.registry[type].listing;
      return listing.kind === 'children' && listing.parent === parent;
    });
  }

  /**
   * Types this run can take incrementally: after a finished run listed the type completely,
   * types with a change listing, and child types whose parent qualifies too.
   */
  private incrementalTypes(types: readonly ContentType[]): ContentType[] {
    const complete = readTypesListedCompletely(this.vault);
    return types.filter((type) => {
      if (!complete.has(type)) return false;
      const spec = this.registry[type];
      if (spec.listing.kind === 'children') {
        return spec.listing.changesAlone !== true && complete.has(spec.listing.parent);
      }
      return spec.changeListing !== undefined;
    });
  }

  /**
   * Pages of whole objects keep within a byte budget; change listings use their own (larger)
   * size; the others use the batch size.
   */
  private plans(
    types: readonly ContentType[],
    batchSize: number,
    fetch: FetchMode,
    incremental: readonly ContentType[],
    scope: FolderScope | undefined,
  ): StreamPlan[] {
    return types.flatMap((type): StreamPlan[] => {
      const spec = this.registry[type];
      const { listing, wholeListing, changeListing } = spec;
      if (listing.kind === 'children') {
        return [{ type, listing: 'children', parent: listing.parent }];
      }
      let pageSize = batchSize;
      if (changeListing && incremental.includes(type)) pageSize = changeListing.pageSize;
      else if (wholeListing && fetch === 'auto') {
        pageSize = wholePageSize(batchSize, wholeListing.typicalItemBytes);
      }
      if (scope === undefined || !isScopedType(type)) return [{ type, listing: 'paged', pageSize }];
      if (type === 'folder') {
        return [{ type, listing: 'ids', ids: scope.folders.map((folder) => folder.id) }];
      }
      if (spec.listFolderIds !== undefined) {
        return scope.folders.map((folder) => ({
          type,
          listing: 'paged',
          pageSize,
          folderId: folder.id,
        }));
      }
      // Scheduled plans: listed once the scope's dashboards and looks are known.
      const waitFor = types.filter((other) => other === 'dashboard' || other === 'look');
      return [{ type, listing: 'paged', pageSize, waitFor }];
    });
  }
}

function parseStoredConfig(run: RunRecord, options: ExtractOptions): StoredRunConfig {
  const config = run.config;
  const types = run.types.filter(isContentType);
  const batchSize =
    typeof config.batchSize === 'number' && Number.isInteger(config.batchSize)
      ? config.batchSize
      : options.batchSize;
  // Runs written before the fetch mode existed listed every item by id.
  const fetch: FetchMode =
    config.fetch === 'auto' || config.fetch === 'by-id' ? config.fetch : 'by-id';
  const listed: unknown = config.incremental;
  const incremental = Array.isArray(listed)
    ? listed.filter(
        (type: unknown): type is ContentType => typeof type === 'string' && isContentType(type),
      )
    : [];
  const scope = parseStoredScope(config.scope);
  return {
    types,
    batchSize,
    workers: options.workers,
    fetch,
    incremental,
    ...(scope ? { scope } : {}),
  };
}

/** A run's stored scope, or undefined for a whole-instance run (or a config it cannot read). */
export function parseStoredScope(
  value: unknown,
): (FolderScope & { types: ContentType[] }) | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const scope = value as Record<string, unknown>;
  const strings = (list: unknown): string[] =>
    Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [];
  const folders = Array.isArray(scope.folders)
    ? scope.folders.flatMap((folder: unknown) => {
        const row = folder as { id?: unknown; path?: unknown } | null;
        return typeof row?.id === 'string' && typeof row.path === 'string'
          ? [{ id: row.id, path: row.path }]
          : [];
      })
    : [];
  return {
    named: strings(scope.named),
    recursive: scope.recursive === true,
    folders,
    types: strings(scope.types).filter(isContentType),
  };
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value) => b.includes(value));
}

function sameInstance(a: string, b: string): boolean {
  const normalize = (url: string): string => url.replace(/\/+$/, '').toLowerCase();
  return normalize(a) === normalize(b);
}

function narrowKeys<V>(map: Map<string, V>): Map<ContentType, V> {
  const narrowed = new Map<ContentType, V>();
  for (const [key, value] of map) if (isContentType(key)) narrowed.set(key, value);
  return narrowed;
}
