import { compareIds, type ContentType } from '../content-types.js';
import type { ApiCaller } from './client.js';
import { REGISTRY, type ContentTypeSpec } from './registry.js';

/**
 * `verify --live`: what changed in Looker since a snapshot, from cheap listings only, never
 * downloading content. Dashboards and looks are listed with their change fields (`updated_at`,
 * trash state; the trash too), so new, changed and gone items are told apart; every other type
 * by its id listing, which tells new and gone (a change inside such an item needs its content).
 */

export interface StoredFingerprint {
  updatedAt: string | null;
  trashed: boolean;
}

export interface LiveTypeComparison {
  type: ContentType;
  /** Items the snapshot holds. */
  snapshot: number;
  /** Items Looker holds now (trash included where the type has one). */
  live: number;
  new: string[];
  changed: string[];
  gone: string[];
  /** Whether changes inside items can be seen for this type (dashboards, looks). */
  changesKnown: boolean;
}

/** Far beyond any real instance: a server that never sends a short page cannot loop forever. */
const MAX_PAGES = 100_000;

export async function compareLive(
  api: ApiCaller,
  type: ContentType,
  stored: ReadonlyMap<string, StoredFingerprint>,
  signal?: AbortSignal,
  registry: Record<ContentType, ContentTypeSpec> = REGISTRY,
): Promise<LiveTypeComparison> {
  const spec = registry[type];
  const live = new Map<string, StoredFingerprint | null>();
  const listing = spec.changeListing;
  if (listing) {
    for (const trash of [false, true]) {
      for (let page = 0; page < MAX_PAGES; page++) {
        const limit = listing.pageSize;
        const items = await listing.fetchPage(api, { offset: page * limit, limit }, trash, signal);
        for (const raw of items) {
          const parsed = spec.parseItem(raw);
          if (parsed.ok) {
            live.set(parsed.id, { updatedAt: parsed.updatedAt, trashed: parsed.deleted });
          }
        }
        if (items.length < limit) break;
      }
    }
  }
  // Ids the change listing cannot show (LookML dashboards), and every id of the other types.
  for (const id of await spec.listIds(api, signal)) if (!live.has(id)) live.set(id, null);

  const comparison: LiveTypeComparison = {
    type,
    snapshot: stored.size,
    live: live.size,
    new: [],
    changed: [],
    gone: [],
    changesKnown: listing !== undefined,
  };
  for (const [id, now] of live) {
    const then = stored.get(id);
    if (then === undefined) comparison.new.push(id);
    else if (now !== null && (now.updatedAt !== then.updatedAt || now.trashed !== then.trashed)) {
      comparison.changed.push(id);
    }
  }
  for (const id of stored.keys()) if (!live.has(id)) comparison.gone.push(id);
  for (const list of [comparison.new, comparison.changed, comparison.gone]) list.sort(compareIds);
  return comparison;
}
