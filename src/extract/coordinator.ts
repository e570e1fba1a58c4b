import type { ContentType } from '../content-types.js';
import type { TypeState } from '../progress/events.js';

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

export type UnitKind = 'page' | 'all' | 'children' | 'reconcile';

export type WorkUnit =
  | { kind: 'page'; type: ContentType; unitKey: string; offset: number; limit: number }
  | { kind: 'all'; type: ContentType; unitKey: string }
  | { kind: 'children'; type: ContentType; unitKey: string; parentId: string }
  | { kind: 'reconcile'; type: ContentType; unitKey: string };

export type StreamPlan =
  | { type: ContentType; listing: 'paged' }
  | { type: ContentType; listing: 'unpaged' }
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

export interface TypeListingProgress {
  state: TypeState;
  pagesDone: number;
  pagesFailed: number;
  pagesInFlight: number;
  /** Items the listing holds, once its end is known. */
  expected: number | null;
}

export const RECONCILE_KEY = 'reconcile';
export const ALL_KEY = 'all';
export const pageKey = (offset: number): string => `o:${offset}`;
export const childrenKey = (parentId: string): string => `p:${parentId}`;

interface Stream {
  plan: StreamPlan;
  state: TypeState;
  /** Completed page offsets → items the server returned. */
  pagesDone: Map<number, number>;
  pagesFailed: Set<number>;
  pagesInFlight: Set<number>;
  /** First offset past the end, once a short page revealed it. */
  endOffset: number | null;
  /** Offset past the highest page confirmed full. */
  confirmedFull: number;
  fullPages: number;
  /** Every page offset below this is done, failed or in flight (where the next claim scans from). */
  scanFrom: number;
  /** Parent ids to list children of (set when the parent type is done). */
  parents: string[] | null;
  childrenDone: Set<string>;
  childrenFailed: Set<string>;
  childrenInFlight: Set<string>;
  allDone: boolean;
  allFailed: boolean;
  allInFlight: boolean;
  reconcileInFlight: boolean;
}

export class OffsetCoordinator {
  private readonly streams = new Map<ContentType, Stream>();
  private readonly order: ContentType[];
  private readonly pageSize: number;
  private readonly maxWindow: number;
  private cursor = 0;
  private stopped = false;
  private changed = deferred();

  constructor(plans: StreamPlan[], options: CoordinatorOptions) {
    if (!Number.isInteger(options.pageSize) || options.pageSize < 1) {
      throw new RangeError(`pageSize must be a positive integer, got ${options.pageSize}`);
    }
    this.pageSize = options.pageSize;
    this.maxWindow = options.maxWindow ?? 64;
    this.order = plans.map((plan) => plan.type);
    for (const plan of plans) {
      const stream = newStream(plan);
      this.streams.set(plan.type, stream);
      this.restore(stream, options.resume?.[plan.type]);
    }
    for (const stream of this.streams.values()) this.advance(stream);
  }

  /** The next unit of work, or undefined when nothing can be handed out right now. */
  claim(): WorkUnit | undefined {
    if (this.stopped) return undefined;
    const firstPage = this.claimFirstPages();
    if (firstPage) return firstPage;
    for (let i = 0; i < this.order.length; i++) {
      const type = this.order[(this.cursor + i) % this.order.length];
      if (type === undefined) continue;
      const unit = this.claimFrom(this.stream(type));
      if (unit) {
        this.cursor = (this.cursor + i + 1) % this.order.length;
        return unit;
      }
    }
    return undefined;
  }

  /** The unit is done and committed; `rawCount` is how many items the server listed. */
  complete(unit: WorkUnit, rawCount = 0): void {
    const stream = this.stream(unit.type);
    switch (unit.kind) {
      case 'page': {
        stream.pagesInFlight.delete(unit.offset);
        stream.pagesFailed.delete(unit.offset);
        this.recordPage(stream, unit.offset, rawCount);
        break;
      }
      case 'all':
        stream.allInFlight = false;
        stream.allDone = true;
        break;
      case 'children':
        stream.childrenInFlight.delete(unit.parentId);
        stream.childrenDone.add(unit.parentId);
        break;
      case 'reconcile':
        stream.reconcileInFlight = false;
        stream.state = 'done';
        break;
    }
    this.advance(stream);
    this.notify();
  }

  /**
   * The unit failed for good (after retries). For a page whose listing worked but whose items
   * could not all be fetched, pass `rawCount` so the page still tells where the list ends.
   */
  fail(unit: WorkUnit, rawCount?: number): void {
    const stream = this.stream(unit.type);
    switch (unit.kind) {
      case 'page': {
        stream.pagesInFlight.delete(unit.offset);
        stream.pagesFailed.add(unit.offset);
        if (rawCount !== undefined) {
          this.learnFromPage(stream, unit.offset, rawCount);
        } else if (unit.offset === 0 && stream.pagesDone.size === 0) {
          // Its other pages would most likely fail the same way: go straight to the id
          // listing, which fetches every item by id (or fails the type in turn).
          stream.state = 'reconciling';
        }
        break;
      }
      case 'all':
        stream.allInFlight = false;
        stream.allFailed = true;
        stream.state = 'reconciling';
        break;
      case 'children':
        stream.childrenInFlight.delete(unit.parentId);
        stream.childrenFailed.add(unit.parentId);
        break;
      case 'reconcile':
        // After a clean listing only the cross-check is missing: the type is finished. After
        // a listing with failures nothing vouches for the type any more.
        stream.reconcileInFlight = false;
        stream.state = this.listingClean(stream) ? 'done' : 'failed';
        break;
    }
    this.advance(stream);
    this.notify();
  }

  private listingClean(stream: Stream): boolean {
    return stream.pagesFailed.size === 0 && stream.childrenFailed.size === 0 && !stream.allFailed;
  }

  /** Give a claimed unit back untouched (the worker was stopped before finishing it). */
  release(unit: WorkUnit): void {
    const stream = this.stream(unit.type);
    switch (unit.kind) {
      case 'page':
        stream.pagesInFlight.delete(unit.offset);
        stream.scanFrom = Math.min(stream.scanFrom, unit.offset);
        break;
      case 'all':
        stream.allInFlight = false;
        break;
      case 'children':
        stream.childrenInFlight.delete(unit.parentId);
        break;
      case 'reconcile':
        stream.reconcileInFlight = false;
        break;
    }
    this.notify();
  }

  /** Hands a waiting child type its parents' ids (explores get their models' names). */
  provideParents(type: ContentType, parentIds: readonly string[]): void {
    const stream = this.stream(type);
    if (stream.plan.listing !== 'children') {
      throw new Error(`${type} is not listed from a parent type`);
    }
    stream.parents = [...parentIds];
    this.advance(stream);
    this.notify();
  }

  /** Types whose parent is done but which have not been given their parents' ids yet. */
  typesAwaitingParents(): ContentType[] {
    const waiting: ContentType[] = [];
    for (const stream of this.streams.values()) {
      const { plan } = stream;
      if (plan.listing !== 'children' || stream.parents !== null) continue;
      const parent = this.streams.get(plan.parent);
      if (parent === undefined || parent.state === 'done' || parent.state === 'failed') {
        waiting.push(plan.type);
      }
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
    for (const stream of this.streams.values()) {
      if (stream.state !== 'done' && stream.state !== 'failed') return false;
    }
    return true;
  }

  /** Anything claimed and not yet completed, failed or released. */
  hasWorkInFlight(): boolean {
    for (const stream of this.streams.values()) {
      if (
        stream.pagesInFlight.size > 0 ||
        stream.childrenInFlight.size > 0 ||
        stream.allInFlight ||
        stream.reconcileInFlight
      ) {
        return true;
      }
    }
    return false;
  }

  /** Resolves at the next state change (a completion, failure, release, or new parents). */
  waitForChange(): Promise<void> {
    return this.changed.promise;
  }

  progress(type: ContentType): TypeListingProgress {
    const stream = this.stream(type);
    const { plan } = stream;
    if (plan.listing === 'paged') {
      return {
        state: stream.state,
        pagesDone: stream.pagesDone.size,
        pagesFailed: stream.pagesFailed.size,
        pagesInFlight: stream.pagesInFlight.size,
        expected: stream.endOffset,
      };
    }
    if (plan.listing === 'children') {
      return {
        state: stream.state,
        pagesDone: stream.childrenDone.size,
        pagesFailed: stream.childrenFailed.size,
        pagesInFlight: stream.childrenInFlight.size,
        expected: null,
      };
    }
    return {
      state: stream.state,
      pagesDone: stream.allDone ? 1 : 0,
      pagesFailed: stream.allFailed ? 1 : 0,
      pagesInFlight: stream.allInFlight ? 1 : 0,
      expected: null,
    };
  }

  types(): ContentType[] {
    return [...this.order];
  }

  private claimFirstPages(): WorkUnit | undefined {
    for (const type of this.order) {
      const stream = this.stream(type);
      if (stream.plan.listing !== 'paged' || stream.state !== 'listing') continue;
      const probing = stream.pagesDone.size === 0 && stream.pagesInFlight.size === 0;
      if (probing && !stream.pagesFailed.has(0)) return this.claimPage(stream, 0);
    }
    return undefined;
  }

  private claimFrom(stream: Stream): WorkUnit | undefined {
    if (stream.state === 'reconciling') {
      if (stream.reconcileInFlight) return undefined;
      stream.reconcileInFlight = true;
      return { kind: 'reconcile', type: stream.plan.type, unitKey: RECONCILE_KEY };
    }
    if (stream.state !== 'listing') return undefined;
    switch (stream.plan.listing) {
      case 'paged':
        return this.claimNextPage(stream);
      case 'unpaged':
        if (stream.allInFlight || stream.allDone || stream.allFailed) return undefined;
        stream.allInFlight = true;
        return { kind: 'all', type: stream.plan.type, unitKey: ALL_KEY };
      case 'children': {
        const parentId = stream.parents?.find(
          (id) =>
            !stream.childrenDone.has(id) &&
            !stream.childrenFailed.has(id) &&
            !stream.childrenInFlight.has(id),
        );
        if (parentId === undefined) return undefined;
        stream.childrenInFlight.add(parentId);
        return {
          kind: 'children',
          type: stream.plan.type,
          unitKey: childrenKey(parentId),
          parentId,
        };
      }
    }
  }

  private claimNextPage(stream: Stream): WorkUnit | undefined {
    const offset = this.nextPageOffset(stream);
    return offset === undefined ? undefined : this.claimPage(stream, offset);
  }

  /** The next offset worth claiming now, without claiming it. */
  private nextPageOffset(stream: Stream): number | undefined {
    // Until a first page has come back there is nothing to run ahead of.
    const anyPageReturned =
      stream.pagesDone.size > 0 || stream.fullPages > 0 || stream.endOffset !== null;
    if (!anyPageReturned) return undefined;
    const limit = this.pageSize;
    const end = stream.endOffset ?? Number.POSITIVE_INFINITY;
    const window = Math.min(this.maxWindow, stream.fullPages + 1);
    const horizon = Math.min(end, stream.confirmedFull + window * limit);
    while (stream.scanFrom < horizon && this.isTaken(stream, stream.scanFrom)) {
      stream.scanFrom += limit;
    }
    return stream.scanFrom < horizon ? stream.scanFrom : undefined;
  }

  private isTaken(stream: Stream, offset: number): boolean {
    return (
      stream.pagesDone.has(offset) ||
      stream.pagesFailed.has(offset) ||
      stream.pagesInFlight.has(offset)
    );
  }

  private claimPage(stream: Stream, offset: number): WorkUnit {
    stream.pagesInFlight.add(offset);
    return {
      kind: 'page',
      type: stream.plan.type,
      unitKey: pageKey(offset),
      offset,
      limit: this.pageSize,
    };
  }

  private recordPage(stream: Stream, offset: number, rawCount: number): void {
    stream.pagesDone.set(offset, rawCount);
    this.learnFromPage(stream, offset, rawCount);
  }

  /** A full page moves the run-ahead frontier; a short one reveals the end. */
  private learnFromPage(stream: Stream, offset: number, rawCount: number): void {
    if (rawCount >= this.pageSize) {
      stream.fullPages += 1;
      stream.confirmedFull = Math.max(stream.confirmedFull, offset + this.pageSize);
    } else {
      const end = offset + rawCount;
      stream.endOffset = stream.endOffset === null ? end : Math.min(stream.endOffset, end);
    }
  }

  /** Moves a stream to its next state when its current stage has run out of work. */
  private advance(stream: Stream): void {
    if (stream.state === 'waiting' && stream.parents !== null) stream.state = 'listing';
    if (stream.state !== 'listing') return;
    if (this.listingExhausted(stream)) stream.state = 'reconciling';
  }

  private listingExhausted(stream: Stream): boolean {
    switch (stream.plan.listing) {
      case 'paged': {
        if (stream.pagesInFlight.size > 0 || this.nextPageOffset(stream) !== undefined) {
          return false;
        }
        // Nothing left to claim and nothing in flight. Either the end is known and every page
        // before it is done or failed, or every page past the last full one failed, so the end
        // cannot be learnt from the listing: reconciliation (a full id listing) covers the rest.
        return stream.endOffset !== null || stream.pagesFailed.size > 0;
      }
      case 'unpaged':
        return stream.allDone;
      case 'children':
        return (
          stream.parents !== null &&
          stream.childrenInFlight.size === 0 &&
          stream.parents.every((id) => stream.childrenDone.has(id) || stream.childrenFailed.has(id))
        );
    }
  }

  private restore(stream: Stream, resume: ResumePoint | undefined): void {
    if (!resume) return;
    for (const { unitKey, rawCount } of resume.completed) {
      if (unitKey === RECONCILE_KEY) {
        stream.state = 'done';
      } else if (unitKey === ALL_KEY) {
        stream.allDone = true;
      } else if (unitKey.startsWith('o:')) {
        this.recordPage(stream, Number(unitKey.slice(2)), rawCount);
      } else if (unitKey.startsWith('p:')) {
        stream.childrenDone.add(unitKey.slice(2));
      }
    }
  }

  private stream(type: ContentType): Stream {
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

function newStream(plan: StreamPlan): Stream {
  return {
    plan,
    state: plan.listing === 'children' ? 'waiting' : 'listing',
    pagesDone: new Map(),
    pagesFailed: new Set(),
    pagesInFlight: new Set(),
    endOffset: null,
    confirmedFull: 0,
    fullPages: 0,
    scanFrom: 0,
    parents: null,
    childrenDone: new Set(),
    childrenFailed: new Set(),
    childrenInFlight: new Set(),
    allDone: false,
    allFailed: false,
    allInFlight: false,
    reconcileInFlight: false,
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
