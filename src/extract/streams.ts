import type { ContentType } from '../content-types.js';
import type { TypeState } from '../engine/states.js';

/**
 * One content type's listing within a run, as the coordinator sees it: what can be claimed
 * next, what is in flight, when the listing has run out of work. A paged listing walks offsets;
 * a child listing walks the ids of its parent type. Reconciliation (after the listing) and the
 * type's state are common to both and live in {@link TypeStream}.
 */

export type WorkUnit = PageUnit | ChildrenUnit | IdsUnit | ReconcileUnit;
interface UnitBase {
  type: ContentType;
  /** The stream the unit belongs to (see {@link streamKey}). */
  stream: string;
  /** The unit's checkpoint key, unique within its type (a folder stream's keys carry its prefix). */
  unitKey: string;
  /** The folder a folder-scoped stream lists. */
  folderId?: string;
}
export interface PageUnit extends UnitBase {
  kind: 'page';
  offset: number;
  limit: number;
}
export interface ChildrenUnit extends UnitBase {
  kind: 'children';
  parentId: string;
}
/** A chunk of a fixed list of ids, each fetched by id (a scope's folders). */
export interface IdsUnit extends UnitBase {
  kind: 'ids';
  ids: string[];
}
export interface ReconcileUnit extends UnitBase {
  kind: 'reconcile';
}
/** A unit of the listing itself (not its reconciliation). */
export type ListingUnit = PageUnit | ChildrenUnit | IdsUnit;

export interface TypeListingProgress {
  state: TypeState;
  pagesDone: number;
  pagesFailed: number;
  pagesInFlight: number;
  /** Items the listing holds, once its end is known. */
  expected: number | null;
}

export const RECONCILE_KEY = 'reconcile';
export const pageKey = (offset: number): string => `o:${offset}`;
export const childrenKey = (parentId: string): string => `p:${parentId}`;
export const idsKey = (chunk: number): string => `i:${chunk}`;

/** A type's stream: the type itself, or one folder of a folder-scoped type (`dashboard@12`). */
export function streamKey(type: ContentType, folderId?: string): string {
  return folderId === undefined ? type : `${type}@${folderId}`;
}

/** The prefix of a folder stream's checkpoint keys (`f12/o:100`): empty for a whole type. */
export function folderKeyPrefix(folderId: string | undefined): string {
  return folderId === undefined ? '' : `f${folderId}/`;
}

/** Splits a checkpoint key into its folder (if any) and its key within the stream. */
export function splitUnitKey(unitKey: string): { folderId?: string; key: string } {
  const slash = unitKey.indexOf('/');
  if (!unitKey.startsWith('f') || slash < 0) return { key: unitKey };
  return { folderId: unitKey.slice(1, slash), key: unitKey.slice(slash + 1) };
}

export abstract class TypeStream<U extends ListingUnit = ListingUnit> {
  state: TypeState;
  private reconcileInFlight = false;
  /** Items the listing holds as the server (or an id listing) last said; null until known. */
  protected total: number | null = null;
  readonly key: string;
  /** Prefix of this stream's checkpoint keys. */
  protected readonly prefix: string;

  constructor(
    readonly type: ContentType,
    initial: TypeState,
    readonly folderId?: string,
  ) {
    this.state = initial;
    this.key = streamKey(type, folderId);
    this.prefix = folderKeyPrefix(folderId);
  }

  /** The next unit: a listing unit while listing, then the one reconcile unit. */
  claim(): WorkUnit | undefined {
    if (this.state === 'reconciling') {
      if (this.reconcileInFlight) return undefined;
      this.reconcileInFlight = true;
      return { kind: 'reconcile', ...this.unitBase(RECONCILE_KEY) };
    }
    return this.state === 'listing' ? this.claimListing() : undefined;
  }

  /** Starts a stream that waited for other types (scheduled plans of a folder scope). */
  start(): void {
    if (this.state === 'waiting') this.state = 'listing';
    this.advance();
  }

  protected unitBase(key: string): UnitBase {
    return {
      type: this.type,
      stream: this.key,
      unitKey: this.prefix + key,
      ...(this.folderId === undefined ? {} : { folderId: this.folderId }),
    };
  }

  /** Whether the listing is followed by a reconciliation (a fixed list of ids is not). */
  protected reconciles(): boolean {
    return true;
  }

  complete(unit: WorkUnit, rawCount: number): void {
    if (unit.kind === 'reconcile') {
      this.reconcileInFlight = false;
      this.state = 'done';
    } else {
      this.completeListing(unit as U, rawCount);
    }
    this.advance();
  }

  fail(unit: WorkUnit, rawCount: number | undefined): void {
    if (unit.kind === 'reconcile') {
      // After a clean listing only the cross-check is missing: the type is finished. After a
      // listing with failures nothing vouches for the type any more.
      this.reconcileInFlight = false;
      this.state = this.listingClean() ? 'done' : 'failed';
    } else {
      this.failListing(unit as U, rawCount);
    }
    this.advance();
  }

  release(unit: WorkUnit): void {
    if (unit.kind === 'reconcile') this.reconcileInFlight = false;
    else this.releaseListing(unit as U);
  }

  hasWorkInFlight(): boolean {
    return this.reconcileInFlight || this.listingInFlight();
  }

  isFinished(): boolean {
    return this.state === 'done' || this.state === 'failed';
  }

  /** Takes back a unit an earlier attempt of the run committed. */
  restore(unitKey: string, rawCount: number): void {
    if (unitKey === RECONCILE_KEY) this.state = 'done';
    else this.restoreListing(unitKey, rawCount);
  }

  /** The listing's total, as the server said it (it may change while the run goes on). */
  setTotal(total: number): void {
    this.total = total;
  }

  hasTotal(): boolean {
    return this.total !== null;
  }

  /** Moves to reconciliation when the listing has run out of work. */
  advance(): void {
    if (this.state === 'listing' && this.listingExhausted()) this.state = this.afterListing();
  }

  /** Whether every unit of the listing succeeded (a failed page makes it unclean). */
  isListingClean(): boolean {
    return this.listingClean();
  }

  /**
   * Where a finished listing goes: its reconciliation; a fixed list of ids has none; a folder
   * of a scoped type is reconciled with the type's other folders (see {@link ScopeReconcileStream}).
   */
  protected afterListing(): TypeState {
    if (this.reconciles()) return 'reconciling';
    return this.listingClean() ? 'done' : 'failed';
  }

  abstract progress(): TypeListingProgress;
  protected abstract claimListing(): U | undefined;
  protected abstract completeListing(unit: U, rawCount: number): void;
  protected abstract failListing(unit: U, rawCount: number | undefined): void;
  protected abstract releaseListing(unit: U): void;
  protected abstract listingInFlight(): boolean;
  protected abstract listingExhausted(): boolean;
  protected abstract listingClean(): boolean;
  protected abstract restoreListing(unitKey: string, rawCount: number): void;
}

/**
 * Offsets of a paged listing. Its end is learnt from a short page; until then claims run ahead
 * of the last confirmed-full page by a window that grows with every full page (slow start).
 */
export class PagedStream extends TypeStream<PageUnit> {
  /** Completed page offsets → items the server returned. */
  private readonly pagesDone = new Map<number, number>();
  private readonly pagesFailed = new Set<number>();
  private readonly pagesInFlight = new Set<number>();
  /** First offset past the end, once a short page revealed it. */
  private endOffset: number | null = null;
  /** Offset past the highest page confirmed full. */
  private confirmedFull = 0;
  private fullPages = 0;
  /** Every page offset below this is done, failed or in flight (where the next claim scans from). */
  private scanFrom = 0;

  /** A folder of a scoped type: reconciled together with the type's other folders. */
  private readonly reconciledWithType: boolean;

  constructor(
    type: ContentType,
    private readonly pageSize: number,
    private readonly maxWindow: number,
    options: { folderId?: string; waiting?: boolean } = {},
  ) {
    super(type, options.waiting === true ? 'waiting' : 'listing', options.folderId);
    this.reconciledWithType = options.folderId !== undefined;
  }

  protected override afterListing(): TypeState {
    // Its failed pages are left to the type's reconciliation, which recovers or fails them.
    return this.reconciledWithType ? 'done' : super.afterListing();
  }

  /** The first page, while no page has been claimed or returned yet (sizes are learnt early). */
  claimFirstPage(): PageUnit | undefined {
    if (this.state !== 'listing') return undefined;
    const probing = this.pagesDone.size === 0 && this.pagesInFlight.size === 0;
    return probing && !this.pagesFailed.has(0) ? this.claimPage(0) : undefined;
  }

  progress(): TypeListingProgress {
    return {
      state: this.state,
      pagesDone: this.pagesDone.size,
      pagesFailed: this.pagesFailed.size,
      pagesInFlight: this.pagesInFlight.size,
      // The end a short page revealed is exact; before it, the total the server announced.
      expected: this.endOffset ?? this.total,
    };
  }

  protected claimListing(): PageUnit | undefined {
    const offset = this.nextPageOffset();
    return offset === undefined ? undefined : this.claimPage(offset);
  }

  protected completeListing(unit: PageUnit, rawCount: number): void {
    this.pagesInFlight.delete(unit.offset);
    this.pagesFailed.delete(unit.offset);
    this.recordPage(unit.offset, rawCount);
  }

  /**
   * For a page whose listing worked but whose items could not all be fetched, `rawCount` still
   * tells where the list ends. If the first page fails for good, its other pages would most
   * likely fail the same way: go straight to the id listing, which fetches every item by id
   * (or fails the type in turn).
   */
  protected failListing(unit: PageUnit, rawCount: number | undefined): void {
    this.pagesInFlight.delete(unit.offset);
    this.pagesFailed.add(unit.offset);
    if (rawCount !== undefined) this.learnFromPage(unit.offset, rawCount);
    else if (unit.offset === 0 && this.pagesDone.size === 0) this.state = this.afterListing();
  }

  protected releaseListing(unit: PageUnit): void {
    this.pagesInFlight.delete(unit.offset);
    this.scanFrom = Math.min(this.scanFrom, unit.offset);
  }

  protected listingInFlight(): boolean {
    return this.pagesInFlight.size > 0;
  }

  /**
   * Nothing left to claim and nothing in flight. Either the end is known and every page before
   * it is done or failed, or every page past the last full one failed, so the end cannot be
   * learnt from the listing: reconciliation (a full id listing) covers the rest.
   */
  protected listingExhausted(): boolean {
    if (this.pagesInFlight.size > 0 || this.nextPageOffset() !== undefined) return false;
    return this.endOffset !== null || this.pagesFailed.size > 0;
  }

  protected listingClean(): boolean {
    return this.pagesFailed.size === 0;
  }

  protected restoreListing(unitKey: string, rawCount: number): void {
    if (unitKey.startsWith('o:')) this.recordPage(Number(unitKey.slice(2)), rawCount);
  }

  /** The next offset worth claiming now, without claiming it. */
  private nextPageOffset(): number | undefined {
    // Until a first page has come back there is nothing to run ahead of.
    const anyPageReturned =
      this.pagesDone.size > 0 || this.fullPages > 0 || this.endOffset !== null;
    if (!anyPageReturned) return undefined;
    const limit = this.pageSize;
    const end = this.endOffset ?? Number.POSITIVE_INFINITY;
    const window = Math.min(this.maxWindow, this.fullPages + 1);
    // Pages within the total the server announced are not speculative: claim them without
    // waiting for the window to grow (beyond it, pages still run ahead as before).
    const announced = this.total === null ? 0 : Math.ceil(this.total / limit) * limit;
    const horizon = Math.min(end, Math.max(this.confirmedFull + window * limit, announced));
    while (this.scanFrom < horizon && this.isTaken(this.scanFrom)) this.scanFrom += limit;
    return this.scanFrom < horizon ? this.scanFrom : undefined;
  }

  private isTaken(offset: number): boolean {
    return (
      this.pagesDone.has(offset) || this.pagesFailed.has(offset) || this.pagesInFlight.has(offset)
    );
  }

  private claimPage(offset: number): PageUnit {
    this.pagesInFlight.add(offset);
    return {
      kind: 'page',
      ...this.unitBase(pageKey(offset)),
      offset,
      limit: this.pageSize,
    };
  }

  private recordPage(offset: number, rawCount: number): void {
    this.pagesDone.set(offset, rawCount);
    this.learnFromPage(offset, rawCount);
  }

  /** A full page moves the run-ahead frontier; a short one reveals the end. */
  private learnFromPage(offset: number, rawCount: number): void {
    if (rawCount >= this.pageSize) {
      this.fullPages += 1;
      this.confirmedFull = Math.max(this.confirmedFull, offset + this.pageSize);
    } else {
      const end = offset + rawCount;
      this.endOffset = this.endOffset === null ? end : Math.min(this.endOffset, end);
    }
  }
}

/** The children of each id of a parent type; waits until the parent's ids are provided. */
/** A stream whose listing units are tracked by key: children per parent, chunks of ids. */
abstract class KeyedStream<U extends ListingUnit, K> extends TypeStream<U> {
  protected readonly done = new Set<K>();
  protected readonly failed = new Set<K>();
  protected readonly inFlight = new Set<K>();

  progress(): TypeListingProgress {
    return {
      state: this.state,
      pagesDone: this.done.size,
      pagesFailed: this.failed.size,
      pagesInFlight: this.inFlight.size,
      expected: this.total,
    };
  }
}

export class ChildStream extends KeyedStream<ChildrenUnit, string> {
  /** Parent ids to list children of (set when the parent type is done). */
  private parents: string[] | null = null;

  constructor(
    type: ContentType,
    readonly parent: ContentType,
  ) {
    super(type, 'waiting');
  }

  get awaitingParents(): boolean {
    return this.parents === null;
  }

  provideParents(parentIds: readonly string[]): void {
    this.parents = [...parentIds];
    if (this.state === 'waiting') this.state = 'listing';
    this.advance();
  }

  protected claimListing(): ChildrenUnit | undefined {
    const parentId = this.parents?.find(
      (id) => !this.done.has(id) && !this.failed.has(id) && !this.inFlight.has(id),
    );
    if (parentId === undefined) return undefined;
    this.inFlight.add(parentId);
    return { kind: 'children', ...this.unitBase(childrenKey(parentId)), parentId };
  }

  protected completeListing(unit: ChildrenUnit): void {
    this.inFlight.delete(unit.parentId);
    this.done.add(unit.parentId);
  }

  protected failListing(unit: ChildrenUnit): void {
    this.inFlight.delete(unit.parentId);
    this.failed.add(unit.parentId);
  }

  protected releaseListing(unit: ChildrenUnit): void {
    this.inFlight.delete(unit.parentId);
  }

  protected listingInFlight(): boolean {
    return this.inFlight.size > 0;
  }

  protected listingExhausted(): boolean {
    return (
      this.parents !== null &&
      this.inFlight.size === 0 &&
      this.parents.every((id) => this.done.has(id) || this.failed.has(id))
    );
  }

  protected listingClean(): boolean {
    return this.failed.size === 0;
  }

  protected restoreListing(unitKey: string): void {
    if (unitKey.startsWith('p:')) this.done.add(unitKey.slice(2));
  }
}

/** A fixed list of ids in chunks, each fetched by id; no reconciliation (the list is the truth). */
export class IdsStream extends KeyedStream<IdsUnit, number> {
  private readonly chunks: string[][] = [];

  constructor(type: ContentType, ids: readonly string[], chunkSize: number) {
    super(type, 'listing');
    for (let start = 0; start < ids.length; start += chunkSize) {
      this.chunks.push(ids.slice(start, start + chunkSize));
    }
    this.total = ids.length;
  }

  protected override reconciles(): boolean {
    return false;
  }

  protected claimListing(): IdsUnit | undefined {
    const chunk = this.chunks.findIndex(
      (_, index) => !this.done.has(index) && !this.failed.has(index) && !this.inFlight.has(index),
    );
    if (chunk < 0) return undefined;
    this.inFlight.add(chunk);
    return { kind: 'ids', ...this.unitBase(idsKey(chunk)), ids: this.chunks[chunk] ?? [] };
  }

  protected completeListing(unit: IdsUnit): void {
    const chunk = chunkOf(unit.unitKey);
    this.inFlight.delete(chunk);
    this.failed.delete(chunk);
    this.done.add(chunk);
  }

  protected failListing(unit: IdsUnit): void {
    const chunk = chunkOf(unit.unitKey);
    this.inFlight.delete(chunk);
    this.failed.add(chunk);
  }

  protected releaseListing(unit: IdsUnit): void {
    this.inFlight.delete(chunkOf(unit.unitKey));
  }

  protected listingInFlight(): boolean {
    return this.inFlight.size > 0;
  }

  protected listingExhausted(): boolean {
    return this.inFlight.size === 0 && this.done.size + this.failed.size === this.chunks.length;
  }

  protected listingClean(): boolean {
    return this.failed.size === 0;
  }

  protected restoreListing(unitKey: string): void {
    if (unitKey.startsWith('i:')) this.done.add(Number(unitKey.slice(2)));
  }
}

function chunkOf(unitKey: string): number {
  return Number(splitUnitKey(unitKey).key.slice(2));
}

/**
 * The reconciliation of a folder-scoped type, once all its folders are listed: the id listing of
 * every folder of the scope at once (so a dashboard moved between two scoped folders while they
 * were listed is in one of them), then what the listings missed, by id. Its checkpoint key is
 * the type's own (`reconcile`).
 */
export class ScopeReconcileStream extends TypeStream<never> {
  constructor(
    type: ContentType,
    private readonly folders: readonly TypeStream[],
  ) {
    super(type, 'waiting');
  }

  override claim(): WorkUnit | undefined {
    if (this.state === 'waiting' && this.folders.every((folder) => folder.isFinished())) {
      this.state = 'reconciling';
    }
    return super.claim();
  }

  progress(): TypeListingProgress {
    return { state: this.state, pagesDone: 0, pagesFailed: 0, pagesInFlight: 0, expected: 0 };
  }

  protected claimListing(): undefined {
    return undefined;
  }

  protected completeListing(): void {
    throw new Error('A scope reconciliation has no listing units');
  }

  protected failListing(): void {
    throw new Error('A scope reconciliation has no listing units');
  }

  protected releaseListing(): void {
    // No listing units.
  }

  protected listingInFlight(): boolean {
    return false;
  }

  protected listingExhausted(): boolean {
    return false;
  }

  protected listingClean(): boolean {
    return this.folders.every((folder) => folder.isListingClean());
  }

  protected restoreListing(): void {
    // Only its reconcile key is ever restored.
  }
}
