import type { ContentType } from '../content-types.js';
import type { TypeState } from '../engine/states.js';
import {
  ChildStream,
  IdsStream,
  PagedStream,
  ScopeReconcileStream,
  splitUnitKey,
  streamKey,
  type TypeListingProgress,
  type TypeStream,
  type WorkUnit,
} from './streams.js';

/**
 * The OffsetCoordinator owns all listing state; workers own none. A worker asks `claim()` for
 * the next unit of work, does it, and reports `complete()` or `fail()`.
 *
 * Policy:
 * - Every type's first page is claimed before any type's second, so small types finish early
 *   and each type's size is learnt as soon as possible. After that, claims go round-robin over
 *   the types that still have work, so an idle worker always helps the biggest remaining type.
 * - A type's end is learnt from a short page; ranges past it are never handed out. Until it is
 *   known, claims run ahead of the last confirmed-full page by a window that grows with every
 *   full page (slow start): a big type soon has every worker on it, a small one wastes at most
 *   a request or two.
 * - When a type's pages are all done, one `reconcile` unit is handed out (compare against a full
 *   id listing, fetch what offset paging missed); the type is done when it completes.
 * - Types listed from a parent (explores from LookML models) wait until the parent is done.
 * - A folder-scoped type has one stream per folder (`dashboard@12`): first pages of every
 *   stream first, then round-robin over the streams with work, so one big folder and twenty
 *   small ones keep every worker busy; each stream learns its own end from its own short page
 *   and is reconciled on its own. A type is done when all its streams are. A type that waits for
 *   others (a scope's scheduled plans, for the scope's dashboards and looks) starts with
 *   {@link OffsetCoordinator.start}.
 * - If a type's first page fails for good, its listing is abandoned (its other pages would most
 *   likely fail the same way) and it goes straight to reconcile, whose id listing and fetches by
 *   id recover the items; any other failed page is recorded and the listing goes on. A type
 *   whose listing had failures and whose reconcile fails too ends `failed`.
 */

export type { TypeListingProgress, WorkUnit } from './streams.js';
export { RECONCILE_KEY, childrenKey, pageKey } from './streams.js';

export type StreamPlan =
  /**
   * `pageSize`: this type's page size (@default the coordinator's); `folderId`: one folder of a
   * folder-scoped type; `waitFor`: types that must be done before it starts.
   */
  | {
      type: ContentType;
      listing: 'paged';
      pageSize?: number;
      folderId?: string;
      waitFor?: ContentType[];
    }
  | { type: ContentType; listing: 'children'; parent: ContentType }
  /** A fixed list of ids (a scope's folders), fetched by id in chunks of the page size. */
  | { type: ContentType; listing: 'ids'; ids: string[] };

/** What an earlier attempt of the same run already committed. */
export interface ResumePoint {
  /** Checkpoints with status done: their unit keys and how many items the server returned. */
  completed: Array<{ unitKey: string; rawCount: number }>;
}

export interface CoordinatorOptions {
  /** Items per page (`limit`). Must match the run's original page size when resuming. */
  pageSize: number;
  /** The largest run-ahead window, in pages. @default 64 */
  maxWindow?: number;
  resume?: Partial<Record<ContentType, ResumePoint>>;
}

export class OffsetCoordinator {
  /** Every stream, by key: a type, or a type's folder. */
  private readonly streams = new Map<string, TypeStream>();
  private readonly byType = new Map<ContentType, TypeStream[]>();
  private readonly order: string[];
  private readonly typeOrder: ContentType[] = [];
  /** Types waiting for others to be done, and which. */
  private readonly waitFor = new Map<ContentType, ContentType[]>();
  private cursor = 0;
  private stopped = false;
  private changed = deferred();

  constructor(plans: StreamPlan[], options: CoordinatorOptions) {
    if (!Number.isInteger(options.pageSize) || options.pageSize < 1) {
      throw new RangeError(`pageSize must be a positive integer, got ${options.pageSize}`);
    }
    const maxWindow = options.maxWindow ?? 64;
    for (const plan of plans) {
      const stream = this.build(plan, options.pageSize, maxWindow);
      if (this.streams.has(stream.key)) throw new Error(`Stream ${stream.key} planned twice`);
      this.streams.set(stream.key, stream);
      const ofType = this.byType.get(plan.type);
      if (ofType) ofType.push(stream);
      else {
        this.byType.set(plan.type, [stream]);
        this.typeOrder.push(plan.type);
      }
    }
    // A folder-scoped type is reconciled once all its folders are listed (its own stream).
    for (const [type, streams] of this.byType) {
      if (!streams.some((stream) => stream.folderId !== undefined)) continue;
      const reconcile = new ScopeReconcileStream(type, [...streams]);
      this.streams.set(reconcile.key, reconcile);
      streams.push(reconcile);
    }
    this.order = [...this.streams.keys()];
    for (const [type, point] of Object.entries(options.resume ?? {}) as [
      ContentType,
      ResumePoint,
    ][]) {
      for (const { unitKey, rawCount } of point.completed) {
        const { folderId, key } = splitUnitKey(unitKey);
        this.streams.get(streamKey(type, folderId))?.restore(key, rawCount);
      }
    }
    for (const stream of this.streams.values()) stream.advance();
  }

  private build(plan: StreamPlan, pageSize: number, maxWindow: number): TypeStream {
    switch (plan.listing) {
      case 'paged': {
        const waiting = plan.waitFor !== undefined && plan.waitFor.length > 0;
        if (waiting) this.waitFor.set(plan.type, plan.waitFor ?? []);
        return new PagedStream(plan.type, plan.pageSize ?? pageSize, maxWindow, {
          ...(plan.folderId === undefined ? {} : { folderId: plan.folderId }),
          waiting,
        });
      }
      case 'children':
        return new ChildStream(plan.type, plan.parent);
      case 'ids':
        return new IdsStream(plan.type, plan.ids, pageSize);
    }
  }

  /** The next unit of work, or undefined when nothing can be handed out right now. */
  claim(): WorkUnit | undefined {
    if (this.stopped) return undefined;
    for (const stream of this.streams.values()) {
      const firstPage = stream instanceof PagedStream ? stream.claimFirstPage() : undefined;
      if (firstPage) return firstPage;
    }
    for (let i = 0; i < this.order.length; i++) {
      const type = this.order[(this.cursor + i) % this.order.length];
      if (type === undefined) continue;
      const unit = this.stream(type).claim();
      if (unit) {
        this.cursor = (this.cursor + i + 1) % this.order.length;
        return unit;
      }
    }
    return undefined;
  }

  /** The unit is done and committed; `rawCount` is how many items the server listed. */
  complete(unit: WorkUnit, rawCount = 0): void {
    this.stream(unit.stream).complete(unit, rawCount);
    this.notify();
  }

  /**
   * The unit failed for good (after retries). For a page whose listing worked but whose items
   * could not all be fetched, pass `rawCount` so the page still tells where the list ends.
   */
  fail(unit: WorkUnit, rawCount?: number): void {
    this.stream(unit.stream).fail(unit, rawCount);
    this.notify();
  }

  /** Give a claimed unit back untouched (the worker was stopped before finishing it). */
  release(unit: WorkUnit): void {
    this.stream(unit.stream).release(unit);
    this.notify();
  }

  /** Types waiting for other types that are now all finished: ready to {@link start}. */
  typesReadyToStart(): ContentType[] {
    const ready: ContentType[] = [];
    for (const [type, needs] of this.waitFor) {
      if (needs.every((need) => this.byType.get(need)?.every((s) => s.isFinished()) ?? true)) {
        ready.push(type);
      }
    }
    return ready;
  }

  /** Starts a type that waited for others. */
  start(type: ContentType): void {
    this.waitFor.delete(type);
    for (const stream of this.streamsOf(type)) stream.start();
    this.notify();
  }

  /** Hands a waiting child type its parents' ids (explores get their models' names). */
  provideParents(type: ContentType, parentIds: readonly string[]): void {
    const stream = this.stream(streamKey(type));
    if (!(stream instanceof ChildStream)) {
      throw new Error(`${type} is not listed from a parent type`);
    }
    stream.provideParents(parentIds);
    this.notify();
  }

  /** Types whose parent is done but which have not been given their parents' ids yet. */
  typesAwaitingParents(): ContentType[] {
    const waiting: ContentType[] = [];
    for (const stream of this.streams.values()) {
      if (!(stream instanceof ChildStream) || !stream.awaitingParents) continue;
      const parents = this.byType.get(stream.parent) ?? [];
      if (parents.every((parent) => parent.isFinished())) waiting.push(stream.type);
    }
    return waiting;
  }

  /** Stop handing out work (Ctrl-C, fatal error). Waiters are woken. */
  stop(): void {
    this.stopped = true;
    this.notify();
  }

  /** Every type is done or failed. */
  isFinished(): boolean {
    for (const stream of this.streams.values()) if (!stream.isFinished()) return false;
    return true;
  }

  /** Anything claimed and not yet completed, failed or released. */
  hasWorkInFlight(): boolean {
    for (const stream of this.streams.values()) if (stream.hasWorkInFlight()) return true;
    return false;
  }

  /** Resolves at the next state change (a completion, failure, release, or new parents). */
  waitForChange(): Promise<void> {
    return this.changed.promise;
  }

  /** Records the total a stream's listing holds (from `X-Total-Count`, or an id listing). */
  setTotal(stream: string, total: number): void {
    this.stream(stream).setTotal(total);
  }

  hasTotal(stream: string): boolean {
    return this.stream(stream).hasTotal();
  }

  /** A type's progress: its streams together (one stream unless the type is folder-scoped). */
  progress(type: ContentType): TypeListingProgress {
    const streams = this.streamsOf(type);
    const [only] = streams;
    if (streams.length === 1 && only) return only.progress();
    const parts = streams.map((stream) => stream.progress());
    let expected: number | null = 0;
    for (const part of parts)
      expected = part.expected === null || expected === null ? null : expected + part.expected;
    return {
      state: combinedState(parts.map((part) => part.state)),
      pagesDone: sum(parts, (part) => part.pagesDone),
      pagesFailed: sum(parts, (part) => part.pagesFailed),
      pagesInFlight: sum(parts, (part) => part.pagesInFlight),
      expected,
    };
  }

  types(): ContentType[] {
    return [...this.typeOrder];
  }

  private streamsOf(type: ContentType): TypeStream[] {
    const streams = this.byType.get(type);
    if (!streams) throw new Error(`No listing planned for content type ${type}`);
    return streams;
  }

  private stream(key: string): TypeStream {
    const stream = this.streams.get(key);
    if (!stream) throw new Error(`No listing planned for ${key}`);
    return stream;
  }

  private notify(): void {
    const { resolve } = this.changed;
    this.changed = deferred();
    resolve();
  }
}

/** A type's state from its streams' states. */
function combinedState(states: readonly TypeState[]): TypeState {
  if (states.length === 0) return 'done';
  const finished = states.every((state) => state === 'done' || state === 'failed');
  if (finished) return states.includes('failed') ? 'failed' : 'done';
  if (states.every((state) => state === 'waiting')) return 'waiting';
  if (states.includes('listing') || states.includes('waiting')) return 'listing';
  return 'reconciling';
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += of(item);
  return total;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
