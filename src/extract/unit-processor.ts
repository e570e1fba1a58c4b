import pLimit, { type LimitFunction } from 'p-limit';
import { AuthError, RequestAbortedError } from '../errors.js';
import { InvalidResponseError, LookerApiError, NotFoundError } from '../looker/errors.js';
import { splitJsonArray, type ArrayItem } from '../looker/json-scan.js';
import { utf8Text } from '../looker/json-body.js';
import { embedMergeResults, hasMergeResults } from '../looker/merge-results.js';
import type {
  ChangeListing,
  ContentTypeSpec,
  PageRequest,
  WholeListing,
} from '../looker/registry.js';
import { compareProbes, probeIndexes, type ProbeVerdict } from './listing-trust.js';
import { classifyListed, idsOfListed } from './change-detection.js';
import type { ItemProblem, PageWrite } from '../store/index.js';
import {
  collectFetched,
  describeUnfetched,
  describeUnit,
  emptyFetched,
  failedUnitWrite,
  listedIdProblems,
  listedIds,
  toPageWrite,
  validateListed,
  type FetchedItems,
} from './page-writes.js';
import type { RunContext } from './run-context.js';
import { wholePageSize } from './options.js';
import type { ApiCaller } from '../looker/client.js';
import { isScopedType } from './scope.js';
import { storedChildIds } from './stored-children.js';
import {
  type ChildrenUnit,
  type IdsUnit,
  type PageUnit,
  type ReconcileUnit,
  type WorkUnit,
} from './streams.js';

/** Far beyond any real trash. */
const MAX_TRASH_ITEMS = 10_000_000;

/**
 * Does one claimed unit of work: lists a page (and fetches its items in full when the listing
 * is abbreviated), fetches a parent's children, or reconciles a type against its id listing;
 * then hands the page to the writer and reports the unit to the coordinator.
 */
export class UnitProcessor {
  private readonly pageSlots: LimitFunction;
  /** Streams whose total is being counted with an id listing (at most once per run). */
  private readonly counting = new Set<string>();

  constructor(private readonly ctx: RunContext) {
    // Enough pages filling at once to queue twice the workers' worth of detail requests.
    const { workers } = ctx.options;
    this.pageSlots = pLimit(Math.max(2, Math.ceil((2 * workers) / ctx.run.batchSize)));
  }

  /**
   * Processes `unit`. A unit whose requests failed for good is recorded as failed and the run
   * goes on; an abort gives the unit back; anything else (auth, the database) is thrown.
   */
  async process(workerId: number, unit: WorkUnit): Promise<void> {
    const { coordinator, progress } = this.ctx;
    try {
      switch (unit.kind) {
        case 'page':
          await this.storePage(workerId, unit);
          return;
        case 'children':
          await this.storeChildren(workerId, unit);
          return;
        case 'ids':
          await this.storeIds(workerId, unit);
          return;
        case 'reconcile':
          await this.reconcile(workerId, unit);
          return;
      }
    } catch (error) {
      if (this.ctx.stopping() || error instanceof RequestAbortedError) {
        coordinator.release(unit);
        return;
      }
      if (!(error instanceof LookerApiError) || error instanceof AuthError) throw error;
      progress.workerFailed(workerId);
      await this.write(
        0,
        unit,
        failedUnitWrite(unit, error.message, error.attempts ?? this.ctx.options.maxRetries + 1),
      );
      coordinator.fail(unit);
    }
  }

  /** A page of a listing: hydrate (when the listing is abbreviated), validate, and write it. */
  private async storePage(workerId: number, unit: PageUnit): Promise<void> {
    const spec = this.spec(unit);
    if (spec.listing.kind !== 'paged') throw new Error(`${unit.type} is not paged`);
    this.ctx.progress.worker(workerId, 'listing', describeUnit(unit));
    if (spec.changeListing && this.ctx.run.incremental.has(unit.type)) {
      const listed = await this.storeChanges(workerId, unit, spec, spec.changeListing, {
        page: pageOf(unit),
        trash: false,
      });
      if (listed.unfetched > 0) this.ctx.coordinator.fail(unit, listed.rawCount);
      else this.ctx.coordinator.complete(unit, listed.rawCount);
      return;
    }
    if (spec.wholeListing && this.ctx.trust.usesListing(unit.type)) {
      await this.storeWholePage(workerId, unit, spec, spec.wholeListing);
      return;
    }
    const listedRaw = await spec.listing.fetchPage(
      this.api(unit),
      pageOf(unit),
      this.ctx.signal,
      this.totalListener(unit),
    );
    this.countIfUnknown(unit, listedRaw.length);
    // A folder scope's scheduled plans: listed whole, kept when they show scoped content.
    const inScope = this.ctx.scopeFilters.get(unit.type);
    const raw = inScope ? listedRaw.filter(inScope) : listedRaw;
    let fetched: FetchedItems;
    if (spec.needsDetail) {
      fetched = await this.fillPage(
        workerId,
        unit,
        listedIds(raw),
        listedRaw.length,
        listedIdProblems(raw),
      );
    } else {
      this.ctx.progress.received(unit.type, listedRaw.length);
      fetched = validateListed(spec, raw);
      await this.write(workerId, unit, toPageWrite(unit, listedRaw.length, fetched));
    }
    if (fetched.unfetched.length > 0) this.ctx.coordinator.fail(unit, listedRaw.length);
    else this.ctx.coordinator.complete(unit, listedRaw.length);
  }

  /**
   * A page of whole objects, taken as listed when its probes pass (see ListingTrust). If they
   * fail with the server's default shape, the listing is asked once more with `fields` naming
   * every property the spec gives the type; if that fails too, the page is fetched by id, and so
   * is the rest of the type.
   */
  private async storeWholePage(
    workerId: number,
    unit: PageUnit,
    spec: ContentTypeSpec,
    whole: WholeListing,
  ): Promise<void> {
    const { fetched, rawCount } = await this.fetchWholePage(workerId, unit, spec, whole, {
      page: pageOf(unit),
      trash: false,
    });
    if (fetched.unfetched.length > 0) this.ctx.coordinator.fail(unit, rawCount);
    else this.ctx.coordinator.complete(unit, rawCount);
  }

  /**
   * A page of whole objects (of the trash, with `trash`), probed, written under `unit`'s key;
   * by id when the listing is not proven to give items in full.
   */
  private async fetchWholePage(
    workerId: number,
    unit: WorkUnit,
    spec: ContentTypeSpec,
    whole: WholeListing,
    request: { page: PageRequest; trash: boolean },
  ): Promise<{ fetched: FetchedItems; rawCount: number }> {
    const { ctx } = this;
    let probed = await this.probeListing(unit, spec, whole, ctx.trust.fields(unit.type), request);
    /** Listing requests and probes this page took. */
    let requests = 1 + probed.probes;
    const retryFields =
      probed.verdict === undefined
        ? undefined
        : ctx.trust.retryWithFields(unit.type, probed.verdict, whole.keys);
    if (retryFields !== undefined && probed.verdict) {
      ctx.trust.record(unit.type, probed.probes, probed.verdict, false);
      probed = await this.probeListing(unit, spec, whole, retryFields, request);
      requests += 1 + probed.probes;
    }
    const { items, verdict } = probed;
    if (verdict) ctx.trust.record(unit.type, probed.probes, verdict);
    let fetched: FetchedItems;
    if (verdict?.ok === true) {
      // As listed, for the writer thread to parse and check like any item fetched by id.
      ctx.progress.received(unit.type, items.length);
      fetched = emptyFetched();
      for (const item of items) {
        fetched.items.push({ id: item.id ?? '', rawJson: item.bytes, unchecked: true });
      }
      await this.embedMergeResults(unit, fetched);
      await this.write(workerId, unit, {
        ...toPageWrite(unit, items.length, fetched),
        attempts: requests,
      });
    } else {
      // Not proven complete: every item of the page by id, as without a whole listing.
      const ids = items.flatMap((item) => (item.id ? [item.id] : []));
      const noId = items
        .filter((item) => !item.id)
        .map(() => ({ error: 'listed without a string id' }));
      fetched = await this.fillPage(workerId, unit, ids, items.length, noId);
    }
    return { fetched, rawCount: items.length };
  }

  /**
   * One page of a change listing: items unchanged since their stored version are recorded as
   * seen; the others are fetched in full (all of them when the type is not incremental, as for
   * the trash in a full run). Writes the page under `unit`'s key.
   */
  private async storeChanges(
    workerId: number,
    unit: WorkUnit,
    spec: ContentTypeSpec,
    listing: ChangeListing,
    request: { page: { offset: number; limit: number }; trash: boolean },
  ): Promise<{ rawCount: number; unfetched: number }> {
    const { ctx } = this;
    const raw = await listing.fetchPage(
      this.api(unit),
      request.page,
      request.trash,
      ctx.signal,
      request.trash ? undefined : this.totalListener(unit),
    );
    if (!request.trash && unit.kind === 'page') this.countIfUnknown(unit, raw.length);
    const stored = ctx.run.incremental.has(unit.type)
      ? ctx.ledger.fingerprints(unit.type, idsOfListed(spec, raw))
      : new Map();
    const { seen, changed, problems } = classifyListed(spec, raw, stored);
    ctx.progress.received(unit.type, seen.length);
    const fetched = await this.fillPage(workerId, unit, changed, raw.length, problems, seen);
    return { rawCount: raw.length, unfetched: fetched.unfetched.length };
  }

  /**
   * One page of a whole listing and the probe of it: some of its items fetched by id and
   * compared. `verdict` is undefined when no probed item could be fetched (all deleted since).
   */
  private async probeListing(
    unit: WorkUnit,
    spec: ContentTypeSpec,
    whole: WholeListing,
    fields: string | undefined,
    { page, trash }: { page: PageRequest; trash: boolean },
  ): Promise<{ items: ArrayItem[]; verdict: ProbeVerdict | undefined; probes: number }> {
    const { ctx } = this;
    const bytes = await whole.fetchPage(
      this.api(unit),
      trash ? { ...page, trash } : page,
      fields,
      ctx.signal,
      // The trash's total is not the type's.
      trash ? undefined : this.totalListener(unit),
    );
    const items = splitJsonArray(bytes, whole.parts);
    if (items === undefined) {
      throw new InvalidResponseError(
        `${whole.operation}: expected a JSON array of objects (${bytes.byteLength} bytes).`,
        { operation: whole.operation },
      );
    }
    if (!trash && unit.kind === 'page') this.countIfUnknown(unit, items.length);
    if (items.length === 0) return { items, verdict: { ok: true }, probes: 0 };
    const picks = probeIndexes(
      items.length,
      ctx.trust.probeCount(unit.type),
      page.offset / page.limit,
    );
    const probes = await Promise.all(
      picks.map(async (index) => {
        const item = items[index];
        if (item?.id === undefined || item.id === '') return undefined;
        const listed = JSON.parse(utf8Text(item.bytes)) as unknown;
        try {
          const detail = await spec.fetchById(this.api(unit), item.id, ctx.signal);
          return isRecord(listed) && isRecord(detail) ? { listed, detail } : undefined;
        } catch (error) {
          if (error instanceof NotFoundError) return undefined;
          throw error;
        }
      }),
    );
    const answered = probes.filter((probe) => probe !== undefined);
    const missing = new Set<string>();
    for (const item of items)
      for (const part of whole.parts) if (!item.has.has(part)) missing.add(part);
    const verdict = answered.length === 0 ? undefined : compareProbes(answered, missing);
    return { items, verdict, probes: picks.length };
  }

  /** A chunk of a fixed list of ids (a folder scope's folders), each fetched by id. */
  private async storeIds(workerId: number, unit: IdsUnit): Promise<void> {
    const fetched = await this.fillPage(workerId, unit, unit.ids, unit.ids.length);
    if (fetched.unfetched.length > 0) this.ctx.coordinator.fail(unit);
    else this.ctx.coordinator.complete(unit, unit.ids.length);
  }

  /** Explores of one LookML model: the model's stored copy names them; fetch each in full. */
  private async storeChildren(workerId: number, unit: ChildrenUnit): Promise<void> {
    const listing = this.spec(unit).listing;
    if (listing.kind !== 'children') throw new Error(`${unit.type} is not listed from a parent`);
    const childIds = storedChildIds(this.ctx, listing, unit.parentId);
    let toFetch = childIds;
    let seen: string[] = [];
    if (this.ctx.run.incremental.has(unit.type)) {
      // A parent this run found unchanged has unchanged children: only missing ones are fetched.
      const parentVersion = this.ctx.ledger.fingerprints(listing.parent, [unit.parentId]);
      if ((parentVersion.get(unit.parentId)?.fromRun ?? this.ctx.run.runId) < this.ctx.run.runId) {
        const stored = this.ctx.ledger.fingerprints(unit.type, childIds);
        seen = childIds.filter((id) => stored.has(id));
        toFetch = childIds.filter((id) => !stored.has(id));
      }
    }
    this.ctx.progress.received(unit.type, seen.length);
    const fetched = await this.fillPage(workerId, unit, toFetch, childIds.length, [], seen);
    if (fetched.unfetched.length > 0) this.ctx.coordinator.fail(unit);
    else this.ctx.coordinator.complete(unit, childIds.length);
  }

  /**
   * Offset paging over a live instance can skip items that moved between pages. Compare a
   * full id listing with what this run stored and fetch whatever is missing.
   */
  private async reconcile(workerId: number, unit: ReconcileUnit): Promise<void> {
    const { ctx } = this;
    ctx.progress.worker(workerId, 'reconciling', `${unit.type} ids`);
    await ctx.writer.flush();
    const ids = await this.reconcileIds(unit);
    const missing = ctx.ledger.missingFromRun(ctx.run.runId, unit.type, ids);
    const chunkSize = ctx.run.batchSize;
    const unfetched: ItemProblem[] = [];
    for (let start = 0; start < missing.length; start += chunkSize) {
      const chunk = missing.slice(start, start + chunkSize);
      const chunkUnit = { ...unit, unitKey: `${unit.unitKey}#${start / chunkSize + 1}` };
      const fetched = await this.fillPage(workerId, chunkUnit, chunk, chunk.length);
      unfetched.push(...fetched.unfetched);
    }
    const spec = this.spec(unit);
    const { changeListing } = spec;
    if (changeListing) {
      // The trash of each folder of a scope (all at once: the gate bounds them), or the whole trash.
      const folders =
        ctx.scope && spec.listFolderIds
          ? ctx.scope.folders.map((folder) => folder.id)
          : [undefined];
      const trashed = await Promise.all(
        folders.map((folderId) => this.storeTrash(workerId, unit, spec, changeListing, folderId)),
      );
      unfetched.push(...trashed.flat());
    }
    const marker = toPageWrite(unit, ids.length, emptyFetched());
    if (unfetched.length > 0) marker.failure = describeUnfetched(unfetched);
    // Every item the id listing names is stored: pages of the listing that failed are made good.
    else marker.recoversListing = true;
    await this.write(workerId, unit, marker);
    if (unfetched.length > 0) ctx.coordinator.fail(unit);
    else ctx.coordinator.complete(unit, ids.length);
  }

  /**
   * Looker's trash, which the listing leaves out: trashed items are backed up too (flagged), so
   * they can be restored after the trash is emptied. Paged like the change listing; each page is
   * written under its own key.
   */
  private async storeTrash(
    workerId: number,
    unit: ReconcileUnit,
    spec: ContentTypeSpec,
    listing: ChangeListing,
    folderId: string | undefined,
  ): Promise<ItemProblem[]> {
    const { ctx } = this;
    const unfetched: ItemProblem[] = [];
    // A full run takes the trash as whole objects where the type's listing proved complete: one
    // request a page instead of one per trashed item. An incremental run lists its changes.
    const whole =
      spec.wholeListing && !ctx.run.incremental.has(unit.type) && ctx.trust.usesListing(unit.type)
        ? spec.wholeListing
        : undefined;
    const limit = whole
      ? wholePageSize(ctx.run.batchSize, whole.typicalItemBytes)
      : listing.pageSize;
    const where = folderId === undefined ? '' : `f${folderId}`;
    // Bounded, so a server that never sends a short page cannot keep the run here forever.
    for (let offset = 0; offset < MAX_TRASH_ITEMS; offset += limit) {
      ctx.progress.worker(workerId, 'reconciling', `${unit.type} trash`);
      const trashUnit = { ...unit, unitKey: `${unit.unitKey}#trash${where}@${offset}` };
      const page = { offset, limit, ...(folderId === undefined ? {} : { folderId }) };
      const listed = whole
        ? await this.fetchWholePage(workerId, trashUnit, spec, whole, { page, trash: true }).then(
            ({ fetched, rawCount }) => ({ rawCount, unfetched: fetched.unfetched.length }),
          )
        : await this.storeChanges(workerId, trashUnit, spec, listing, { page, trash: true });
      if (listed.unfetched > 0) {
        unfetched.push({ error: `${listed.unfetched} trashed item(s) at offset ${offset}` });
      }
      if (listed.rawCount < limit) return unfetched;
    }
    return unfetched;
  }

  /**
   * The ids a reconciliation compares with what the run stored: the type's whole id listing, a
   * folder's (listed by the server) in a folder scope, or a scope's scheduled plans.
   */
  private async reconcileIds(unit: ReconcileUnit): Promise<string[]> {
    const { ctx } = this;
    const spec = this.spec(unit);
    const { scope } = ctx;
    const byFolder = spec.listFolderIds?.bind(spec);
    if (scope !== undefined && byFolder !== undefined) {
      // Every folder at once: a dashboard moved between two of them is in one listing or other.
      const perFolder = await Promise.all(
        scope.folders.map((folder) => byFolder(this.api(unit), folder.id, ctx.signal)),
      );
      return [...new Set(perFolder.flat())];
    }
    const { listing } = spec;
    if (scope !== undefined && isScopedType(unit.type) && listing.kind === 'children') {
      // A scope's folder access: that of the scope's folders, which this run stored.
      const parents = ctx.ledger.idsInRun(ctx.run.runId, listing.parent);
      return parents.flatMap((parentId) => storedChildIds(ctx, listing, parentId));
    }
    const scoped = ctx.scopeIds.get(unit.type);
    return scoped ? scoped(this.api(unit), ctx.signal) : spec.listIds(this.api(unit), ctx.signal);
  }

  /** Where a listing page tells its stream's total (progress: n of N, percentage, ETA). */
  private totalListener(unit: WorkUnit): (total: number) => void {
    return (total) => {
      this.ctx.coordinator.setTotal(unit.stream, total);
    };
  }

  /**
   * A full page without a total from the server (no `X-Total-Count`): count the type once with
   * its cheap id listing, in the background, so progress has a total long before the last page.
   * Best effort: a count that fails only leaves the total unknown.
   */
  private countIfUnknown(unit: PageUnit, rawCount: number): void {
    const { ctx } = this;
    if (rawCount < unit.limit || ctx.coordinator.hasTotal(unit.stream)) return;
    if (this.counting.has(unit.stream)) return;
    this.counting.add(unit.stream);
    const spec = this.spec(unit);
    const scoped = ctx.scopeIds.get(unit.type);
    const counted =
      unit.folderId !== undefined && spec.listFolderIds
        ? spec.listFolderIds(this.api(unit), unit.folderId, ctx.signal)
        : scoped
          ? scoped(this.api(unit), ctx.signal)
          : spec.listIds(this.api(unit), ctx.signal);
    counted.then(
      (ids) => {
        if (!ctx.coordinator.hasTotal(unit.stream))
          ctx.coordinator.setTotal(unit.stream, ids.length);
      },
      () => undefined,
    );
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
    ids: readonly string[],
    rawCount: number,
    listingProblems: ItemProblem[] = [],
    seen: string[] = [],
  ): Promise<FetchedItems> {
    return this.pageSlots(async () => {
      const fetched = await this.hydrate(workerId, unit, ids);
      await this.embedMergeResults(unit, fetched);
      fetched.invalid.push(...listingProblems);
      const page = toPageWrite(unit, rawCount, fetched);
      if (seen.length > 0) page.seen = seen;
      await this.write(workerId, unit, page);
      return fetched;
    });
  }

  /**
   * Fetches each id in full (bounded fan-out; the gate still caps requests in flight at the
   * worker count). An item deleted since it was listed (404) is skipped.
   */
  private async hydrate(
    workerId: number,
    unit: WorkUnit,
    ids: readonly string[],
  ): Promise<FetchedItems> {
    const { ctx } = this;
    const spec = this.spec(unit);
    ctx.progress.worker(workerId, 'hydrating', `${describeUnit(unit)} (${ids.length} items)`);
    const limit = pLimit(this.fanOut());
    const fetched = emptyFetched();
    await Promise.all(
      ids.map((id) =>
        limit(async () => {
          if (ctx.stopping()) return;
          try {
            collectFetched(id, await spec.fetchItem(this.api(unit), id, ctx.signal), fetched);
            ctx.progress.received(unit.type, 1);
          } catch (error) {
            if (error instanceof NotFoundError) {
              ctx.progress.received(unit.type, 1);
              return;
            }
            if (!(error instanceof LookerApiError) || error instanceof AuthError) throw error;
            fetched.unfetched.push({ id, error: error.message });
          }
        }),
      ),
    );
    if (ctx.stopping()) throw new RequestAbortedError('Stopped before the page was complete.');
    fetched.items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return fetched;
  }

  /**
   * Detail requests one unit may queue at once. A whole page's worth: the gate serves requests
   * in the order they were queued, so a page's details run as one block and pages complete one
   * after another instead of all advancing together. Memory then holds about one page being
   * filled at a time, whatever the worker count.
   */
  private fanOut(): number {
    return Math.max(this.ctx.options.workers, this.ctx.run.batchSize);
  }

  private async write(workerId: number, unit: WorkUnit, page: PageWrite): Promise<void> {
    const { ctx } = this;
    if (ctx.scope !== undefined && isScopedType(unit.type)) page.scoped = true;
    ctx.progress.worker(workerId, 'writing', describeUnit(unit));
    for (const problem of page.invalid) {
      ctx.emit({
        kind: 'item-invalid',
        type: unit.type,
        id: problem.id ?? null,
        unitKey: page.unitKey,
        error: problem.error,
      });
    }
    if (page.failure) {
      ctx.emit({
        kind: 'page-failed',
        type: unit.type,
        unitKey: page.unitKey,
        error: page.failure.error,
        attempts: page.failure.attempts,
      });
    }
    await ctx.writer.enqueue(page);
  }

  /**
   * Keeps the merge queries of the page's merged-results tiles in their dashboards (a quick look
   * at each item's bytes finds the few that have one). An item whose merge cannot be fetched
   * is not stored: it counts as unfetched, so the page is fetched again by a later run.
   */
  private async embedMergeResults(unit: WorkUnit, fetched: FetchedItems): Promise<void> {
    const { ctx } = this;
    if (this.spec(unit).embedsMergeResults !== true) return;
    const failed = new Set<number>();
    await Promise.all(
      fetched.items.map(async (item, index) => {
        if (!hasMergeResults(item.rawJson)) return;
        let value: unknown;
        try {
          const { rawJson } = item;
          value = JSON.parse(typeof rawJson === 'string' ? rawJson : utf8Text(rawJson));
        } catch {
          return; // the writer reports the item as invalid
        }
        if (!isRecord(value)) return;
        try {
          await embedMergeResults(this.api(unit), value, ctx.signal);
        } catch (error) {
          if (!(error instanceof LookerApiError) || error instanceof AuthError) throw error;
          failed.add(index);
          fetched.unfetched.push({
            id: itemId(item),
            error: `its merged results: ${error.message}`,
          });
          return;
        }
        fetched.items[index] = { ...item, rawJson: JSON.stringify(value) };
      }),
    );
    if (failed.size > 0) fetched.items = fetched.items.filter((_, index) => !failed.has(index));
  }

  /** The API with the unit's requests booked to its type. */
  private api(unit: WorkUnit): ApiCaller {
    return this.ctx.apiFor(unit.type);
  }

  private spec(unit: WorkUnit): ContentTypeSpec {
    return this.ctx.registry[unit.type];
  }
}

/** The listing request of a page unit (with its folder in a folder scope). */
function pageOf(unit: PageUnit): PageRequest {
  return {
    offset: unit.offset,
    limit: unit.limit,
    ...(unit.folderId === undefined ? {} : { folderId: unit.folderId }),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The id of a fetched item, for a failure about it. */
function itemId(item: FetchedItems['items'][number]): string {
  return item.id;
}
