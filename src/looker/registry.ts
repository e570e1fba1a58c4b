import type { ITransportSettings, SDKResponse } from '@looker/sdk-rtl';
import type { Looker40SDK } from '@looker/sdk';
import { z } from 'zod';
import { CONTENT_TYPE_PLURALS, compareIds, type ContentType } from '../content-types.js';
import type { ApiCaller } from './client.js';
import { type LookerRequestOptions } from './http-types.js';
import { rawJsonOf, UnparsedJson } from './json-body.js';
import { InvalidResponseError, NotFoundError } from './errors.js';

/**
 * The content-type registry: one declarative row per Looker type saying how it is listed
 * (paged, or from a parent type), whether each item needs a detail call to be complete, how to
 * fetch one item by id, how to list every id cheaply, and how to validate an item at the
 * boundary. Extraction, `check` and `info` read this table; adding a type is one row. The
 * simulator does not read it.
 *
 * API facts honoured here (see docs/client.md):
 * - the big types are listed with the paged `search_*` forms, `limit`/`offset`, `sorts=id`;
 * - `search_dashboards` returns abbreviated, user-defined dashboards only: list ids there and
 *   fetch `dashboard(id)`; LookML dashboards ("model::name") appear only in `all_dashboards`,
 *   which is what `listIds` uses, so reconciliation picks them up;
 * - looks are fetched with `look(id)` (LookWithQuery);
 * - scheduled plans are asked for with `all_users=true` (otherwise only the caller's own);
 * - LookML models are keyed by name; explores come from `lookml_model_explore(model, name)`
 *   for each explore a stored model lists, with ids "model::explore".
 */

export interface PageRequest {
  offset: number;
  limit: number;
  /** Only the items of this folder (folder-scoped runs: dashboards and looks). */
  folderId?: string;
  /** The trash instead of the live items (whole listings). */
  trash?: boolean;
}

/** Listed page by page with `limit`/`offset`, sorted by a stable key. */
export interface PagedListing {
  kind: 'paged';
  operation: string;
  /** One page, sorted by a stable key (`sorts=id`). */
  fetchPage(
    api: ApiCaller,
    page: PageRequest,
    signal?: AbortSignal,
    onTotal?: TotalListener,
  ): Promise<unknown[]>;
}

/**
 * Told the total a paged listing holds (all pages together) when the server says it: Looker
 * answers requests that pass `limit` with `X-Total-Count` when it knows the total.
 */
export type TotalListener = (total: number) => void;

/** Listed from the stored items of a parent type (explores from their LookML models). */
export interface ChildListing {
  kind: 'children';
  parent: ContentType;
  /** Ids of the children a stored parent lists (explores: "model::explore"). */
  childIds(parent: ParsedItem): string[];
  /**
   * A child can change while its parent does not (a folder's access): fetched again on every
   * run, never taken as unchanged from an unchanged parent.
   */
  changesAlone?: boolean;
}

export type Listing = PagedListing | ChildListing;

export interface WholeListing {
  operation: string;
  /**
   * One page of whole objects, sorted by id, as the response's JSON bytes (unparsed: the
   * engine splits it and the writer thread parses each item); `fields` names the keys to ask
   * for (undefined: the server's default).
   */
  fetchPage(
    api: ApiCaller,
    page: PageRequest,
    fields: string | undefined,
    signal?: AbortSignal,
    onTotal?: TotalListener,
  ): Promise<Uint8Array>;
  /** A typical item's JSON size, to keep a page of them within a byte budget. */
  typicalItemBytes: number;
  /** The nested parts a listing may leave out (every item has them in full): checked on every listed item. */
  parts: readonly string[];
  /**
   * Every top-level property the spec gives the type: what `fields` asks for when the default
   * shape proved incomplete (asking only for the keys probed items had would silently drop
   * optional keys other items have).
   */
  keys: readonly string[];
}

/**
 * A listing of the fields that tell whether an item changed (`updated_at`, trash state, folder,
 * title), for incremental runs: items whose fields match their stored version are not fetched
 * again. Also lists the trash, which the main listing leaves out.
 */
export interface ChangeListing {
  operation: string;
  /** Items per page (light items: far more than a page of whole objects). */
  pageSize: number;
  /** One page, sorted by id: live items, or (`trash`) only the items in Looker's trash. */
  fetchPage(
    api: ApiCaller,
    page: PageRequest,
    trash: boolean,
    signal?: AbortSignal,
    onTotal?: TotalListener,
  ): Promise<unknown[]>;
}

/**
 * One item fetched by id, as the engine stores it: the response's JSON bytes left unparsed
 * (large items: the store's writer validates them with {@link validateItem} off the event
 * loop), or the item parsed and checked here, with the response's own JSON text when known.
 */
export type FetchedItem =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'parsed'; item: ParsedItem | InvalidItem; json: string | Uint8Array | undefined };

export interface ContentTypeSpec {
  type: ContentType;
  /** Plural, as users see it in tables. */
  label: string;
  listing: Listing;
  /** Whether a listed item is abbreviated, so each one is fetched again by id (dashboards, looks, explores). */
  needsDetail: boolean;
  /**
   * A listing whose pages may carry whole objects (the spec's `search_dashboards` answers
   * `Dashboard[]`). Whether a server fills every part cannot be assumed: the engine takes items
   * from these pages only while probes show them equal to `fetchById`'s.
   */
  wholeListing?: WholeListing;
  /**
   * Its items have merged-results tiles: their merge queries and source queries are fetched
   * and kept in the item (see merge-results.ts).
   */
  embedsMergeResults?: boolean;
  /** Types with `updated_at` and a trash (dashboards, looks): see {@link ChangeListing}. */
  changeListing?: ChangeListing;
  /**
   * Fetches one complete item by id (the detail call, or the type's single-item operation) and
   * resolves with its JSON value. A 404 rejects with NotFoundError.
   */
  fetchById(api: ApiCaller, id: string, signal?: AbortSignal): Promise<unknown>;
  /** The same fetch, in the form the engine stores (see {@link FetchedItem}). */
  fetchItem(api: ApiCaller, id: string, signal?: AbortSignal): Promise<FetchedItem>;
  /** A cheap listing of every current id (fields=id), for reconciliation and `info` counts. Each HTTP request it makes goes through `api`. */
  listIds(api: ApiCaller, signal?: AbortSignal): Promise<string[]>;
  /**
   * Types that live in folders (dashboards, looks): the ids of one folder's live items, listed
   * by the server with `folder_id` (folder-scoped runs reconcile each folder with it).
   */
  listFolderIds?(api: ApiCaller, folderId: string, signal?: AbortSignal): Promise<string[]>;
  /** zod at the boundary: never throws. */
  parseItem(raw: unknown): ParsedItem | InvalidItem;
}

export interface ParsedItem {
  ok: true;
  id: string;
  name: string | null;
  folderId: string | null;
  ownerId: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  deleted: boolean;
  value: Record<string, unknown>;
}

export interface InvalidItem {
  ok: false;
  id?: string;
  error: string;
}

/** Page size of id-only listings (`listIds` of paged-only types). */
export const ID_PAGE_LIMIT = 1000;
/** Safety stop for id paging: far beyond any real instance, so a server that never sends a short page cannot loop forever. */
const MAX_ID_PAGES = 100_000;

type Invoke<T> = (
  sdk: Looker40SDK,
  options: Partial<ITransportSettings>,
) => Promise<SDKResponse<T, unknown>>;

async function list(
  api: ApiCaller,
  operation: string,
  invoke: Invoke<unknown>,
  signal?: AbortSignal,
  onTotal?: TotalListener,
): Promise<unknown[]> {
  const value = await api.call(operation, withTotal(invoke, onTotal), signal);
  if (!Array.isArray(value)) {
    throw new InvalidResponseError(`${operation}: expected a JSON array, got ${describe(value)}.`, {
      operation,
    });
  }
  return value as unknown[];
}

/** `invoke`, telling `onTotal` the response's `X-Total-Count` when it has a valid one. */
function withTotal<T>(invoke: Invoke<T>, onTotal: TotalListener | undefined): Invoke<T> {
  if (onTotal === undefined) return invoke;
  return (sdk, options) =>
    invoke(sdk, {
      ...options,
      onHeaders: (headers) => {
        const total = Number(headers['x-total-count']);
        if (headers['x-total-count'] !== undefined && Number.isSafeInteger(total) && total >= 0) {
          onTotal(total);
        }
      },
    } satisfies LookerRequestOptions);
}

/** A fetched response as the engine stores it: its bytes when left unparsed, else checked. */
function asFetchedItem(value: unknown, parseItem: ContentTypeSpec['parseItem']): FetchedItem {
  return value instanceof UnparsedJson
    ? { kind: 'bytes', bytes: value.bytes }
    : { kind: 'parsed', item: parseItem(value), json: rawJsonOf(value) };
}

/** A listing's JSON bytes, left unparsed by the transport (an `UnparsedJson`). */
async function listBytes(
  api: ApiCaller,
  operation: string,
  invoke: Invoke<unknown>,
  signal?: AbortSignal,
  onTotal?: TotalListener,
): Promise<Uint8Array> {
  const counted = withTotal(invoke, onTotal);
  const value = await api.call(
    operation,
    (sdk, options) => counted(sdk, { ...options, deferParse: true } satisfies LookerRequestOptions),
    signal,
  );
  // A caller that does not defer (a test's fake) hands back the parsed value.
  return value instanceof UnparsedJson ? value.bytes : Buffer.from(JSON.stringify(value));
}

/**
 * Ids of an id-only listing. A numeric id is kept as a string and an entry without one is
 * skipped: the item is then reported invalid where it is listed or fetched in full, and an id
 * listing never fails for one bad entry.
 */
function idsOf(items: unknown[], key = 'id'): string[] {
  return items.flatMap((item) => {
    const value = (item as Record<string, unknown> | null)?.[key];
    if (typeof value === 'string' && value !== '') return [value];
    if (typeof value === 'number' && Number.isFinite(value)) return [String(value)];
    return [];
  });
}

type ByIdInvoke = (
  sdk: Looker40SDK,
  id: string,
  options: Partial<ITransportSettings>,
) => Promise<SDKResponse<unknown, unknown>>;

/**
 * `fetchById` and `fetchItem` for operations shaped `sdk.<op>(id, fields, options)`. With
 * `deferParse`, `fetchItem` leaves the response unparsed for the writer thread (large items).
 */
function byId(
  operation: string,
  invoke: ByIdInvoke,
  parseItem: ContentTypeSpec['parseItem'],
  {
    deferParse = false,
    listedShape,
  }: {
    deferParse?: boolean;
    /** Keys the single-item call adds to what the listing carries: left out, one shape per type. */
    listedShape?: readonly string[];
  } = {},
): Pick<ContentTypeSpec, 'fetchById' | 'fetchItem'> {
  const fetch = (
    api: ApiCaller,
    itemId: string,
    signal: AbortSignal | undefined,
    extra: LookerRequestOptions,
  ): Promise<unknown> =>
    api.call(operation, (sdk, options) => invoke(sdk, itemId, { ...options, ...extra }), signal);
  const shaped = (value: unknown): unknown => {
    if (listedShape === undefined || typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).filter(
        ([key]) => !listedShape.includes(key),
      ),
    );
  };
  return {
    fetchById: async (api, itemId, signal) => shaped(await fetch(api, itemId, signal, {})),
    fetchItem: async (api, itemId, signal) => {
      const value = await fetch(api, itemId, signal, deferParse ? { deferParse: true } : {});
      // Reshaped: its own text no longer matches, so the writer serializes the value.
      if (listedShape !== undefined)
        return { kind: 'parsed', item: parseItem(shaped(value)), json: undefined };
      return asFetchedItem(value, parseItem);
    },
  };
}

/** Pages a listing until a short page, mapping each page (e.g. to ids). */
async function pageAll<T>(
  fetchPage: (page: PageRequest) => Promise<unknown[]>,
  map: (items: unknown[]) => T[],
  limit = ID_PAGE_LIMIT,
): Promise<T[]> {
  const all: T[] = [];
  for (let page = 0; page < MAX_ID_PAGES; page++) {
    const items = await fetchPage({ offset: page * limit, limit });
    all.push(...map(items));
    if (items.length < limit) return all;
  }
  return all;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

// ---- validation at the boundary -------------------------------------------------------------

const id = z.string().min(1, 'must not be empty');
const text = z.string().nullish();
const flag = z.boolean().nullish();

interface Extracted {
  id: string;
  name?: string | null | undefined;
  folderId?: string | null | undefined;
  ownerId?: string | null | undefined;
  createdAt?: string | null | undefined;
  updatedAt?: string | null | undefined;
  deleted?: boolean | null | undefined;
}

/**
 * Builds a parser from a zod schema of the fields lookervault relies on and a mapping to the
 * ParsedItem columns. Other fields pass through untouched in `value`.
 */
function parser<S extends z.ZodType>(
  type: ContentType,
  schema: S,
  extract: (item: z.infer<S>) => Extracted,
): (raw: unknown) => ParsedItem | InvalidItem {
  return (raw) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return { ok: false, error: `${type}: expected an object, got ${describe(raw)}` };
    }
    const result = schema.safeParse(raw);
    if (!result.success) {
      const issues = result.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.message}`)
        .join('; ');
      const rawId = (raw as Record<string, unknown>).id;
      const guess =
        typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : undefined;
      return {
        ok: false,
        ...(guess === undefined ? {} : { id: guess }),
        error: `${type}: ${issues}`,
      };
    }
    const fields = extract(result.data);
    return {
      ok: true,
      id: fields.id,
      name: fields.name ?? null,
      folderId: fields.folderId ?? null,
      ownerId: fields.ownerId ?? null,
      createdAt: fields.createdAt ?? null,
      updatedAt: fields.updatedAt ?? null,
      deleted: fields.deleted ?? false,
      value: raw as Record<string, unknown>,
    };
  };
}

const contentSchema = z.object({
  id,
  title: text,
  folder_id: text,
  user_id: text,
  created_at: text,
  updated_at: text,
  deleted: flag,
});

const parseContent = (type: ContentType) =>
  parser(type, contentSchema, (item) => ({
    id: item.id,
    name: item.title,
    folderId: item.folder_id,
    ownerId: item.user_id,
    createdAt: item.created_at,
    updatedAt: item.updated_at,
    deleted: item.deleted,
  }));

const namedSchema = z.object({ id, name: text });
const parseNamed = (type: ContentType) =>
  parser(type, namedSchema, (item) => ({ id: item.id, name: item.name }));

// ---- the table ------------------------------------------------------------------------------

/** The properties of the spec's `Dashboard` schema (API 4.0, 26.12), in its order. */
const DASHBOARD_KEYS = [
  'can',
  'content_favorite_id',
  'content_metadata_id',
  'description',
  'hidden',
  'id',
  'model',
  'query_timezone',
  'readonly',
  'refresh_interval',
  'refresh_interval_to_i',
  'folder',
  'title',
  'user_id',
  'slug',
  'preferred_viewer',
  'certification_metadata',
  'alert_sync_with_dashboard_filter_enabled',
  'chat_enabled',
  'background_color',
  'created_at',
  'crossfilter_enabled',
  'dashboard_elements',
  'dashboard_filters',
  'dashboard_layouts',
  'deleted',
  'deleted_at',
  'deleter_id',
  'edit_uri',
  'enable_viz_full_screen',
  'favorite_count',
  'filters_bar_collapsed',
  'filters_location_top',
  'last_accessed_at',
  'last_viewed_at',
  'updated_at',
  'last_updater_id',
  'last_updater_name',
  'user_name',
  'load_configuration',
  'lookml_link_id',
  'show_filters_bar',
  'show_title',
  'folder_id',
  'text_tile_text_color',
  'tile_background_color',
  'tile_text_color',
  'title_color',
  'view_count',
  'appearance',
  'usage_count',
  'is_owner_disabled',
  'url',
  'preserve_desktop_layout',
  'download_settings',
] as const;

/** The `folder_id` filter of a page request, when it has one. */
function inFolder(page: PageRequest): { folder_id?: string } {
  return page.folderId === undefined ? {} : { folder_id: page.folderId };
}

/** `search_dashboards` / `search_looks` listing ids only: each item is then fetched in full. */
function idPages(
  operation: 'search_dashboards' | 'search_looks',
  search: (
    sdk: Looker40SDK,
    page: PageRequest,
    options: Partial<ITransportSettings>,
  ) => Promise<SDKResponse<unknown, unknown>>,
): PagedListing {
  return {
    kind: 'paged',
    operation,
    fetchPage: (api, page, signal, onTotal) =>
      list(api, operation, (sdk, options) => search(sdk, page, options), signal, onTotal),
  };
}

/** The fields of a change listing: what `parseContent` reads, and nothing else. */
const CHANGE_FIELDS = 'id,title,folder_id,user_id,created_at,updated_at,deleted';

function changeListing(
  operation: 'search_dashboards' | 'search_looks',
  search: (
    sdk: Looker40SDK,
    request: {
      fields: string;
      deleted: string;
      limit: number;
      offset: number;
      sorts: string;
      folder_id?: string;
    },
    options: Partial<ITransportSettings>,
  ) => Promise<SDKResponse<unknown, unknown>>,
): ChangeListing {
  return {
    operation,
    pageSize: ID_PAGE_LIMIT,
    fetchPage: (api, page, trash, signal, onTotal) =>
      list(
        api,
        operation,
        (sdk, options) =>
          search(
            sdk,
            {
              fields: CHANGE_FIELDS,
              deleted: String(trash),
              limit: page.limit,
              offset: page.offset,
              sorts: 'id',
              ...inFolder(page),
            },
            options,
          ),
        signal,
        onTotal,
      ),
  };
}

const parseDashboard = parseContent('dashboard');
const dashboard: ContentTypeSpec = {
  type: 'dashboard',
  label: CONTENT_TYPE_PLURALS.dashboard,
  listing: idPages('search_dashboards', (sdk, page, options) =>
    sdk.search_dashboards(
      {
        fields: 'id',
        deleted: 'false',
        limit: page.limit,
        offset: page.offset,
        sorts: 'id',
        ...inFolder(page),
      },
      options,
    ),
  ),
  needsDetail: true,
  embedsMergeResults: true,
  wholeListing: {
    operation: 'search_dashboards',
    fetchPage: (api, page, fields, signal, onTotal) =>
      listBytes(
        api,
        'search_dashboards',
        (sdk, options) =>
          sdk.search_dashboards(
            {
              deleted: String(page.trash === true),
              limit: page.limit,
              offset: page.offset,
              sorts: 'id',
              ...inFolder(page),
              ...(fields === undefined ? {} : { fields }),
            },
            options,
          ),
        signal,
        onTotal,
      ),
    // Real dashboards run from a few KB to hundreds; the simulator's average is 16 KB.
    typicalItemBytes: 16 * 1024,
    parts: ['dashboard_elements', 'dashboard_filters', 'dashboard_layouts'],
    keys: DASHBOARD_KEYS,
  },
  changeListing: changeListing('search_dashboards', (sdk, request, options) =>
    sdk.search_dashboards(request, options),
  ),
  ...byId(
    'dashboard',
    (sdk, itemId, options) => sdk.dashboard(itemId, undefined, options),
    parseDashboard,
    { deferParse: true },
  ),
  listIds: async (api, signal) =>
    idsOf(
      await list(
        api,
        'all_dashboards',
        (sdk, options) => sdk.all_dashboards('id', options),
        signal,
      ),
    ),
  listFolderIds: (api, folderId, signal) =>
    pageAll(
      (page) =>
        list(
          api,
          'search_dashboards',
          (sdk, options) =>
            sdk.search_dashboards(
              { fields: 'id', deleted: 'false', sorts: 'id', folder_id: folderId, ...page },
              options,
            ),
          signal,
        ),
      (items) => idsOf(items),
    ),
  parseItem: parseDashboard,
};

const parseLook = parseContent('look');
const look: ContentTypeSpec = {
  type: 'look',
  label: CONTENT_TYPE_PLURALS.look,
  listing: idPages('search_looks', (sdk, page, options) =>
    sdk.search_looks(
      {
        fields: 'id',
        deleted: false,
        limit: page.limit,
        offset: page.offset,
        sorts: 'id',
        ...inFolder(page),
      },
      options,
    ),
  ),
  needsDetail: true,
  changeListing: changeListing('search_looks', (sdk, request, options) =>
    sdk.search_looks({ ...request, deleted: request.deleted === 'true' }, options),
  ),
  ...byId('look', (sdk, itemId, options) => sdk.look(itemId, undefined, options), parseLook, {
    deferParse: true,
  }),
  listIds: async (api, signal) =>
    idsOf(await list(api, 'all_looks', (sdk, options) => sdk.all_looks('id', options), signal)),
  listFolderIds: (api, folderId, signal) =>
    pageAll(
      (page) =>
        list(
          api,
          'search_looks',
          (sdk, options) =>
            sdk.search_looks(
              { fields: 'id', deleted: false, sorts: 'id', folder_id: folderId, ...page },
              options,
            ),
          signal,
        ),
      (items) => idsOf(items),
    ),
  parseItem: parseLook,
};

const parseFolder = parser(
  'folder',
  z.object({ id, name: text, parent_id: text, creator_id: text, created_at: text }),
  (item) => ({
    id: item.id,
    name: item.name,
    folderId: item.parent_id,
    ownerId: item.creator_id,
    createdAt: item.created_at,
  }),
);
const folder: ContentTypeSpec = {
  type: 'folder',
  label: CONTENT_TYPE_PLURALS.folder,
  listing: searchListing('search_folders', (sdk, request, options) =>
    sdk.search_folders(request, options),
  ).listing,
  needsDetail: false,
  listIds: async (api, signal) =>
    idsOf(await list(api, 'all_folders', (sdk, options) => sdk.all_folders('id', options), signal)),
  // folder(id) embeds the folder's dashboards and looks (backed up as items of their own);
  // search_folders does not: a folder is stored as listed, however it was fetched.
  ...byId('folder', (sdk, itemId, options) => sdk.folder(itemId, undefined, options), parseFolder, {
    listedShape: ['dashboards', 'looks'],
  }),
  parseItem: parseFolder,
};

// Boards have `deleted_at` but no trash listing in API 4.0.
const parseBoard = parser(
  'board',
  z.object({
    id,
    title: text,
    user_id: text,
    created_at: text,
    updated_at: text,
    deleted_at: text,
  }),
  (item) => ({
    id: item.id,
    name: item.title,
    ownerId: item.user_id,
    createdAt: item.created_at,
    updatedAt: item.updated_at,
    deleted: item.deleted_at !== null && item.deleted_at !== undefined,
  }),
);
const board: ContentTypeSpec = {
  type: 'board',
  label: CONTENT_TYPE_PLURALS.board,
  listing: searchListing('search_boards', (sdk, request, options) =>
    sdk.search_boards(request, options),
  ).listing,
  needsDetail: false,
  listIds: async (api, signal) =>
    idsOf(await list(api, 'all_boards', (sdk, options) => sdk.all_boards('id', options), signal)),
  ...byId('board', (sdk, itemId, options) => sdk.board(itemId, undefined, options), parseBoard),
  parseItem: parseBoard,
};

/** A paged `search_*` listing of complete objects and its id-only twin. */
function searchListing(
  operation: string,
  search: (
    sdk: Looker40SDK,
    request: { fields?: string; limit: number; offset: number; sorts: string },
    options: Partial<ITransportSettings>,
  ) => Promise<SDKResponse<unknown, unknown>>,
): { listing: PagedListing; pageIds: ContentTypeSpec['listIds'] } {
  return {
    listing: {
      kind: 'paged',
      operation,
      fetchPage: (api, page, signal, onTotal) =>
        list(
          api,
          operation,
          (sdk, options) =>
            search(sdk, { limit: page.limit, offset: page.offset, sorts: 'id' }, options),
          signal,
          onTotal,
        ),
    },
    pageIds: (api, signal) =>
      pageAll(
        (page) =>
          list(
            api,
            operation,
            (sdk, options) =>
              search(
                sdk,
                { fields: 'id', limit: page.limit, offset: page.offset, sorts: 'id' },
                options,
              ),
            signal,
          ),
        (items) => idsOf(items),
      ),
  };
}

const users = searchListing('search_users', (sdk, request, options) =>
  sdk.search_users(request, options),
);
const parseUser = parser(
  'user',
  z.object({ id, display_name: text, first_name: text, last_name: text, email: text }),
  (item) => ({
    id: item.id,
    name:
      item.display_name ??
      ([item.first_name, item.last_name].filter(Boolean).join(' ') || item.email),
  }),
);
const user: ContentTypeSpec = {
  type: 'user',
  label: CONTENT_TYPE_PLURALS.user,
  listing: users.listing,
  needsDetail: false,
  listIds: users.pageIds,
  ...byId('user', (sdk, itemId, options) => sdk.user(itemId, undefined, options), parseUser),
  parseItem: parseUser,
};

const groups = searchListing('search_groups', (sdk, request, options) =>
  sdk.search_groups(request, options),
);
const parseGroup = parseNamed('group');
const group: ContentTypeSpec = {
  type: 'group',
  label: CONTENT_TYPE_PLURALS.group,
  listing: groups.listing,
  needsDetail: false,
  listIds: groups.pageIds,
  ...byId('group', (sdk, itemId, options) => sdk.group(itemId, undefined, options), parseGroup),
  parseItem: parseGroup,
};

/** A small type: paged `search_*` for the content, one unpaged `all_*?fields=id` for ids. */
function smallType(
  type: ContentType,
  searchOperation: string,
  search: Parameters<typeof searchListing>[1],
  allOperation: string,
  allIds: (
    sdk: Looker40SDK,
    options: Partial<ITransportSettings>,
  ) => Promise<SDKResponse<unknown, unknown>>,
  fetchOne: ByIdInvoke,
): ContentTypeSpec {
  const parseItem = parseNamed(type);
  return {
    type,
    label: CONTENT_TYPE_PLURALS[type],
    listing: searchListing(searchOperation, search).listing,
    needsDetail: false,
    listIds: async (api, signal) => idsOf(await list(api, allOperation, allIds, signal)),
    ...byId(type, fetchOne, parseItem),
    parseItem,
  };
}

const role = smallType(
  'role',
  'search_roles',
  (sdk, request, options) => sdk.search_roles(request, options),
  'all_roles',
  (sdk, options) => sdk.all_roles({ fields: 'id' }, options),
  (sdk, itemId, options) => sdk.role(itemId, options),
);
const permissionSet = smallType(
  'permission_set',
  'search_permission_sets',
  (sdk, request, options) => sdk.search_permission_sets(request, options),
  'all_permission_sets',
  (sdk, options) => sdk.all_permission_sets('id', options),
  (sdk, itemId, options) => sdk.permission_set(itemId, undefined, options),
);
const modelSet = smallType(
  'model_set',
  'search_model_sets',
  (sdk, request, options) => sdk.search_model_sets(request, options),
  'all_model_sets',
  (sdk, options) => sdk.all_model_sets('id', options),
  (sdk, itemId, options) => sdk.model_set(itemId, undefined, options),
);

/** `all_lookml_models` pages with limit/offset but takes no `sorts`; its order is by name. */
function fetchModels(
  api: ApiCaller,
  page: PageRequest,
  fields: string | undefined,
  signal?: AbortSignal,
  onTotal?: TotalListener,
): Promise<unknown[]> {
  return list(
    api,
    'all_lookml_models',
    (sdk, options) =>
      sdk.all_lookml_models(
        { limit: page.limit, offset: page.offset, ...(fields === undefined ? {} : { fields }) },
        options,
      ),
    signal,
    onTotal,
  );
}

const exploreNameSchema = z.object({ name: z.string().min(1) });
const modelExploresSchema = z.object({
  name: z.string().min(1),
  explores: z.array(z.unknown()).nullish(),
});

/** "model::explore" ids of the explores a model lists; entries without a name are skipped. */
function exploreIdsOf(model: unknown): string[] {
  const parsed = modelExploresSchema.safeParse(model);
  if (!parsed.success) return [];
  const ids: string[] = [];
  for (const explore of parsed.data.explores ?? []) {
    const named = exploreNameSchema.safeParse(explore);
    if (named.success) ids.push(`${parsed.data.name}::${named.data.name}`);
  }
  return ids;
}

const parseModel = parser(
  'lookml_model',
  z.object({ name: id, label: text, project_name: text }),
  (item) => ({ id: item.name, name: item.label ?? item.name }),
);
const lookmlModel: ContentTypeSpec = {
  type: 'lookml_model',
  label: CONTENT_TYPE_PLURALS.lookml_model,
  listing: {
    kind: 'paged',
    operation: 'all_lookml_models',
    fetchPage: (api, page, signal, onTotal) => fetchModels(api, page, undefined, signal, onTotal),
  },
  needsDetail: false,
  listIds: (api, signal) =>
    pageAll(
      (page) => fetchModels(api, page, 'name', signal),
      (models) => idsOf(models, 'name'),
    ),
  ...byId(
    'lookml_model',
    (sdk, name, options) => sdk.lookml_model(name, undefined, options),
    parseModel,
  ),
  parseItem: parseModel,
};

/** Splits "model::explore" at the first `::` (LookML names cannot contain it). */
export function splitExploreId(exploreId: string): { model: string; explore: string } | undefined {
  const at = exploreId.indexOf('::');
  if (at <= 0 || at + 2 >= exploreId.length) return undefined;
  return { model: exploreId.slice(0, at), explore: exploreId.slice(at + 2) };
}

function fetchExplore(api: ApiCaller, exploreId: string, signal?: AbortSignal): Promise<unknown> {
  const parts = splitExploreId(exploreId);
  if (!parts) {
    return Promise.reject(
      new NotFoundError(`lookml_model_explore: "${exploreId}" is not a "model::explore" id.`, {
        operation: 'lookml_model_explore',
      }),
    );
  }
  return api.call(
    'lookml_model_explore',
    (sdk, options) =>
      sdk.lookml_model_explore(
        { lookml_model_name: parts.model, explore_name: parts.explore },
        options,
      ),
    signal,
  );
}

const parseExplore = parser(
  'explore',
  z.object({ id: text, name: id, model_name: id, label: text, title: text }),
  (item) => ({
    id: `${item.model_name}::${item.name}`,
    name: item.label ?? item.title ?? item.name,
  }),
);
const explore: ContentTypeSpec = {
  type: 'explore',
  label: CONTENT_TYPE_PLURALS.explore,
  listing: {
    kind: 'children',
    parent: 'lookml_model',
    childIds: (parent) => exploreIdsOf(parent.value),
  },
  needsDetail: true,
  fetchById: fetchExplore,
  fetchItem: async (api, exploreId, signal) =>
    asFetchedItem(await fetchExplore(api, exploreId, signal), parseExplore),
  listIds: (api, signal) =>
    pageAll(
      (page) => fetchModels(api, page, 'name,explores(name)', signal),
      (models) => models.flatMap(exploreIdsOf),
    ),
  parseItem: parseExplore,
};

const parseScheduledPlan = parser(
  'scheduled_plan',
  z.object({ id, name: text, user_id: text, created_at: text, updated_at: text }),
  (item) => ({
    id: item.id,
    name: item.name,
    ownerId: item.user_id,
    createdAt: item.created_at,
    updatedAt: item.updated_at,
  }),
);
const scheduledPlan: ContentTypeSpec = {
  type: 'scheduled_plan',
  label: CONTENT_TYPE_PLURALS.scheduled_plan,
  // Every user's plans, not only the API user's own.
  listing: searchListing('search_scheduled_plans', (sdk, request, options) =>
    sdk.search_scheduled_plans({ ...request, all_users: true }, options),
  ).listing,
  needsDetail: false,
  listIds: async (api, signal) =>
    idsOf(
      await list(
        api,
        'all_scheduled_plans',
        (sdk, options) => sdk.all_scheduled_plans({ fields: 'id', all_users: true }, options),
        signal,
      ),
    ),
  ...byId(
    'scheduled_plan',
    (sdk, itemId, options) => sdk.scheduled_plan(itemId, undefined, options),
    parseScheduledPlan,
  ),
  parseItem: parseScheduledPlan,
};

// ---- user attributes ---------------------------------------------------------------------

const parseUserAttribute = parser(
  'user_attribute',
  z.object({ id, name: text, label: text, group_values: z.array(z.unknown()).nullish() }),
  (item) => ({ id: item.id, name: item.name }),
);

/** An attribute with the values groups give it (`group_values`, in precedence order). */
async function fetchUserAttribute(
  api: ApiCaller,
  attributeId: string,
  signal?: AbortSignal,
): Promise<unknown> {
  const [attribute, groupValues] = await Promise.all([
    api.call(
      'user_attribute',
      (sdk, options) => sdk.user_attribute(attributeId, undefined, options),
      signal,
    ),
    list(
      api,
      'all_user_attribute_group_values',
      (sdk, options) => sdk.all_user_attribute_group_values(attributeId, undefined, options),
      signal,
    ),
  ]);
  const value = attribute as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return { ...value, group_values: groupValues };
}

/** `all_user_attributes` is not paged: each page is cut from the whole list, sorted by id. */
async function userAttributeIds(api: ApiCaller, signal?: AbortSignal): Promise<string[]> {
  const rows = await list(
    api,
    'all_user_attributes',
    (sdk, options) => sdk.all_user_attributes({ fields: 'id', sorts: 'id' }, options),
    signal,
  );
  return idsOf(rows).sort(compareIds);
}

const userAttribute: ContentTypeSpec = {
  type: 'user_attribute',
  label: CONTENT_TYPE_PLURALS.user_attribute,
  listing: {
    kind: 'paged',
    operation: 'all_user_attributes',
    fetchPage: async (api, page, signal) =>
      (await userAttributeIds(api, signal))
        .slice(page.offset, page.offset + page.limit)
        .map((attributeId) => ({ id: attributeId })),
  },
  needsDetail: true,
  listIds: userAttributeIds,
  fetchById: fetchUserAttribute,
  fetchItem: async (api, attributeId, signal) => ({
    kind: 'parsed',
    item: parseUserAttribute(await fetchUserAttribute(api, attributeId, signal)),
    json: undefined,
  }),
  parseItem: parseUserAttribute,
};

// ---- folder access -------------------------------------------------------------------------

/**
 * Folders whose access can be set: not the Users roots, not personal folders or folders inside
 * them (Looker fixes who sees those).
 */
function managesAccess(folder: Record<string, unknown>): boolean {
  return !(
    folder.is_personal === true ||
    folder.is_personal_descendant === true ||
    folder.is_users_root === true ||
    folder.is_embed_users_root === true
  );
}

const parseFolderAccess = parser(
  'folder_access',
  z.object({
    id,
    content_metadata: z.object({ name: text, inherits: flag }),
    access: z.array(z.unknown()),
  }),
  (item) => ({ id: item.id, name: item.content_metadata.name, folderId: item.id }),
);

/**
 * A folder's access, kept under the folder's id: its `content_metadata` (`inherits`) and its
 * `content_metadata_access` rows (group or user, view or edit), sorted by id.
 */
async function fetchFolderAccess(
  api: ApiCaller,
  folderId: string,
  signal?: AbortSignal,
): Promise<unknown> {
  const folder = (await api.call(
    'folder',
    (sdk, options) => sdk.folder(folderId, 'id,content_metadata_id', options),
    signal,
  )) as unknown;
  const metadataId =
    typeof folder === 'object' && folder !== null
      ? (folder as Record<string, unknown>).content_metadata_id
      : undefined;
  if (typeof metadataId !== 'string' || metadataId === '') {
    throw new InvalidResponseError(
      `folder ${folderId}: the server gave no content_metadata_id, so its access cannot be read.`,
      { operation: 'folder' },
    );
  }
  const [metadata, rows] = await Promise.all([
    api.call(
      'content_metadata',
      (sdk, options) => sdk.content_metadata(metadataId, undefined, options),
      signal,
    ),
    list(
      api,
      'all_content_metadata_accesses',
      (sdk, options) => sdk.all_content_metadata_accesses(metadataId, undefined, options),
      signal,
    ),
  ]);
  const rowId = (row: unknown): string => {
    const value = (row as Record<string, unknown> | null)?.id;
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  };
  return {
    id: folderId,
    content_metadata: metadata,
    access: [...rows].sort((a, b) => compareIds(rowId(a), rowId(b))),
  };
}

const folderAccess: ContentTypeSpec = {
  type: 'folder_access',
  label: CONTENT_TYPE_PLURALS.folder_access,
  listing: {
    kind: 'children',
    parent: 'folder',
    childIds: (parent) => (managesAccess(parent.value) ? [parent.id] : []),
    changesAlone: true,
  },
  needsDetail: true,
  fetchById: fetchFolderAccess,
  fetchItem: async (api, folderId, signal) => ({
    kind: 'parsed',
    item: parseFolderAccess(await fetchFolderAccess(api, folderId, signal)),
    json: undefined,
  }),
  listIds: async (api, signal) =>
    (
      await list(
        api,
        'all_folders',
        (sdk, options) =>
          sdk.all_folders(
            'id,is_personal,is_personal_descendant,is_users_root,is_embed_users_root',
            options,
          ),
        signal,
      )
    )
      .filter(
        (row): row is Record<string, unknown> =>
          typeof row === 'object' && row !== null && managesAccess(row as Record<string, unknown>),
      )
      .flatMap((row) => idsOf([row])),
  parseItem: parseFolderAccess,
};

export const REGISTRY: Record<ContentType, ContentTypeSpec> = {
  dashboard,
  look,
  folder,
  folder_access: folderAccess,
  board,
  user,
  group,
  role,
  permission_set: permissionSet,
  model_set: modelSet,
  user_attribute: userAttribute,
  lookml_model: lookmlModel,
  explore,
  scheduled_plan: scheduledPlan,
};

/**
 * The registry's check of one parsed item of `type` (its zod validation and metadata), in the
 * shape the store's writer takes as its ItemValidator: the writer thread imports it from here
 * to check items fetched with `unparsed`.
 */
export function validateItem(type: string, value: unknown): ParsedItem | InvalidItem {
  const spec = (REGISTRY as Partial<Record<string, ContentTypeSpec>>)[type];
  if (!spec) return { ok: false, error: `${type}: not a content type lookervault knows` };
  return spec.parseItem(value);
}
