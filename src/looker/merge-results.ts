import type { ApiCaller } from './client.js';
import { NotFoundError } from './errors.js';

/**
 * Merged-results tiles. A dashboard tile that shows merged results has no query of its own: it
 * points at a merge query (`merge_result_id`), which names its source queries by id, and
 * `dashboard(id)` gives neither. A backup that kept only the id could not rebuild the tile
 * anywhere, so the merge and its source queries are kept in the tile, as `merge_result` with
 * each source's `query` beside its `query_id` — the shape looker-cli's `dashboard cat` writes
 * (internal/cmd/dashboard.go). Both are immutable in Looker (editing a merged tile makes a new
 * merge with a new id, and updates the dashboard), so a stored copy stays right as long as the
 * dashboard does.
 */

type Json = Record<string, unknown>;

/** A tile's merge id as Looker writes it (compact JSON), or pretty-printed. */
const MARKERS = ['"merge_result_id":"', '"merge_result_id": "'].map((marker) =>
  Buffer.from(marker, 'utf8'),
);
const MERGE_ID = /"merge_result_id"\s*:\s*"/;

/** Whether a dashboard's JSON has a tile with a merge (a look at its bytes, no parse). */
export function hasMergeResults(json: string | Uint8Array): boolean {
  if (typeof json === 'string') return MERGE_ID.test(json);
  const bytes = Buffer.from(json.buffer, json.byteOffset, json.byteLength);
  return MARKERS.some((marker) => bytes.includes(marker));
}

/**
 * Puts each merged tile's merge query, with its source queries, into the tile (`merge_result`),
 * fetching each merge and query once. A merge or query the server no longer has (404) is kept
 * as null, so the rest of the dashboard is still backed up; other errors are thrown.
 * Returns how many requests it sent.
 */
export async function embedMergeResults(
  api: ApiCaller,
  dashboard: Json,
  signal?: AbortSignal,
): Promise<number> {
  const elements = Array.isArray(dashboard.dashboard_elements)
    ? (dashboard.dashboard_elements as unknown[]).filter(isObject)
    : [];
  const mergeIds = new Set<string>();
  for (const element of elements) {
    if (typeof element.merge_result_id === 'string') mergeIds.add(element.merge_result_id);
  }
  if (mergeIds.size === 0) return 0;
  let requests = 0;
  const merges = new Map<string, Json | null>();
  await Promise.all(
    [...mergeIds].map(async (id) => {
      requests += 1;
      const merge = await orNull(() =>
        api.call('merge_query', (sdk, options) => sdk.merge_query(id, undefined, options), signal),
      );
      if (merge === null) {
        merges.set(id, null);
        return;
      }
      const sources = Array.isArray(merge.source_queries)
        ? (merge.source_queries as unknown[]).filter(isObject)
        : [];
      const withQueries = await Promise.all(
        sources.map(async (source) => {
          const queryId = source.query_id;
          if (typeof queryId !== 'string') return { ...source, query: null };
          requests += 1;
          const query = await orNull(() =>
            api.call('query', (sdk, options) => sdk.query(queryId, undefined, options), signal),
          );
          return { ...source, query };
        }),
      );
      merges.set(id, { ...merge, source_queries: withQueries });
    }),
  );
  for (const element of elements) {
    if (typeof element.merge_result_id === 'string') {
      element.merge_result = merges.get(element.merge_result_id) ?? null;
    }
  }
  return requests;
}

async function orNull(fetch: () => Promise<unknown>): Promise<Json | null> {
  try {
    const value = await fetch();
    return isObject(value) ? value : null;
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
