import type { ContentType } from '../content-types.js';
import {
  ChildStream,
  PagedStream,
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
 * - If a type's first page fails for good, its listing is abandoned (its other pages would most
 *   likely fail the same way) and it goes straight to reconcile, whose id listing and fetches by
 *   id recover the items; any other failed page is recorded and the listing goes on. A type
 *   whose listing had failures and whose reconcile fails too ends `failed`.
 */

export type { TypeListingProgress, WorkUnit } from './streams.js';
export { RECONCILE_KEY, childrenKey, pageKey } from './streams.js';

export type StreamPlan =
  /** `pageSize`: this type's page size. @default the coordinator's */
  | { type: ContentType; listing: 'paged'; pageSize?: number }
  | { type: ContentType; listing: 'children'; parent: ContentType };

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
  private readonly streams = new Map<ContentType, TypeStream>();
  private readonly order: ContentType[];
  private cursor = 0;
  private stopped = false;
  private changed = deferred();

  constructor(plans: StreamPlan[], options: CoordinatorOptions) {
    if (!Number.isInteger(options.pageSize) || options.pageSize < 1) {
      throw new RangeError(`pageSize must be a positive integer, got ${options.pageSize}`);
    }
    const maxWindow = options.maxWindow ?? 64;
    this.order = plans.map((plan) => plan.type);
    for (const plan of plans) {
      const stream =
        plan.listing === 'paged'
          ? new PagedStream(plan.type, plan.pageSize ?? options.pageSize, maxWindow)
          : new ChildStream(plan.type, plan.parent);
      for (const { unitKey, rawCount } of options.resume?.[plan.type]?.completed ?? []) {
        stream.restore(unitKey, rawCount);
      }
      this.streams.set(plan.type, stream);
    }
    for (const stream of this.streams.values()) stream.advance();
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
    this.stream(unit.type).complete(unit, rawCount);
    this.notify();
  }

  /**
   * The unit failed for good (after retries). For a page whose listing worked but whose items
   * could not all be fetched, pass `rawCount` so the page still tells where the list ends.
   */
  fail(unit: WorkUnit, rawCount?: number): void {
    this.stream(unit.type).fail(unit, rawCount);
    this.notify();
  }

  /** Give a claimed unit back untouched (the worker was stopped before finishing it). */
  release(unit: WorkUnit): void {
    this.stream(unit.type).release(unit);
    this.notify();
  }

  /** Hands a waiting child type its parents' ids (explores get their models' names). */
  provideParents(type: ContentType, parentIds: readonly string[]): void {
    const stream = this.stream(type);
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
      const parent = this.streams.get(stream.parent);
      if (parent === undefined || parent.isFinished()) waiting.push(stream.type);
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

  /** Records the total a listing holds (from `X-Total-Count`, or an id listing). */
  setTotal(type: ContentType, total: number): void {
    this.stream(type).setTotal(total);
  }

  hasTotal(type: ContentType): boolean {
    return this.stream(type).hasTotal();
  }

  progress(type: ContentType): TypeListingProgress {
    return this.stream(type).progress();
  }

  types(): ContentType[] {
    return [...this.order];
  }

  private stream(type: ContentType): TypeStream {
    const stream = this.streams.get(type);
    if (!stream) throw new Error(`No listing planned for content type ${type}`);
    return stream;
  }

  private notify(): void {
    const { resolve } = this.changed;
    this.changed = deferred();
    resolve();
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
