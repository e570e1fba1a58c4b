/**
 * What each API operation answers: one handler per operationId of the spec subset. Handlers
 * are synchronous and pure over the dataset: the server owns auth, limits, faults and I/O.
 *
 * Realism the client relies on:
 * - search_dashboards: user-defined dashboards only, whole (`Dashboard[]`: tiles, filters and
 *   layouts included), unless `dashboardListing` leaves parts out; all_dashboards:
 *   DashboardBase of user-defined and LookML dashboards, unpaged.
 * - search_looks / all_looks: Look without `query`; look(id) and folder_looks: LookWithQuery.
 * - searches exclude the trash unless `deleted=true`, which lists only the trash; detail
 *   operations serve trashed items too.
 * - scheduled plans: only the caller's own unless `all_users=true` (or `user_id=` given).
 */
import type { CollectionName } from './data/collection.js';
import type { Dataset, Variant, ViewFilter, ViewSpec } from './dataset.js';
import { parseFields, project, FieldsSyntaxError, type FieldTree } from './fields.js';
import { errorBody } from './looker-errors.js';
import { BadRequest, parseMatcher, parseSorts, resolvePaging, type Paging } from './search.js';
import type { Operation, Spec } from './spec.js';
import type { SimListingShape } from './types.js';

export interface Call {
  op: Operation;
  /** The request's path (with the API prefix), for links to other pages. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The caller's user index (0: the API user). */
  user: number;
  /** The parsed JSON request body of a write (validated against its schema). */
  body?: unknown;
}

export interface Reply {
  status: number;
  body?: Buffer;
  /** A large body produced in chunks (streamed, no Content-Length). */
  chunks?: () => Iterable<Buffer>;
  contentType?: string;
  /** For list pages: the key counted in `pageRequests`. */
  pageKey?: string;
  /** Response headers beside the content type (paging: `X-Total-Count`, `Link`). */
  headers?: Record<string, string>;
}

export type Handler = (call: Call) => Reply;

const JSON_OPEN = Buffer.from('[');
const JSON_CLOSE = Buffer.from(']');
const JSON_COMMA = Buffer.from(',');
const STREAM_THRESHOLD = 1000;
const CHUNK_BYTES = 256 * 1024;

/** Query parameters that steer a list instead of filtering on a field of the same name. */
const CONTROL_PARAMS = new Set([
  'fields',
  'page',
  'per_page',
  'limit',
  'offset',
  'sorts',
  'filter_or',
  'deleted',
  'all_users',
  'ids',
]);

/** Search parameters whose field has another name, per operation. */
const ALIASES: Record<string, Record<string, string>> = {
  search_boards: { creator_id: 'user_id' },
  search_users: { full_name: 'display_name' },
  search_roles: { model_set_ids: 'model_set_id', permission_set_ids: 'permission_set_id' },
};

/** What an abbreviated dashboard leaves out. */
const HEAVY_DASHBOARD_PARTS = ['dashboard_elements', 'dashboard_filters', 'dashboard_layouts'];

/** Filters on fields of the page key (so per-folder pages are told apart). */
const PAGE_KEY_PARAMS = ['folder_id', 'parent_id', 'user_id', 'all_users', 'deleted'];

export function json(status: number, value: unknown): Reply {
  return { status, body: Buffer.from(JSON.stringify(value)) };
}

export function notFound(): Reply {
  return json(404, errorBody(404));
}

function badRequest(message: string): Reply {
  return json(400, errorBody(400, message));
}

interface ListOptions {
  collection: CollectionName;
  variant: Variant;
  /** Reshapes one listed item (the listing leaves parts out); null: as served. */
  reshape?: ((name: CollectionName, index: number) => Record<string, unknown> | null) | undefined;
  /** More collections appended to the result (all_dashboards: LookML dashboards). */
  also?: CollectionName[];
  /** Filters the operation always applies (its path parameter, ownership). */
  scope?: ViewFilter[];
}

export interface HandlerOptions {
  dashboardListing: SimListingShape | undefined;
  /** Answer paged lists with `X-Total-Count` and `Link`. */
  totalCount: boolean;
}

export function createHandlers(
  dataset: Dataset,
  spec: Spec,
  handlerOptions: HandlerOptions = { dashboardListing: undefined, totalCount: true },
): Record<string, Handler> {
  const world = dataset.world;
  /** `search_dashboards` pages served so far (the trash listing not counted). */
  let dashboardPages = 0;

  function integer(call: Call, name: string): number | undefined {
    const raw = call.query.get(name);
    if (raw === null || raw === '' || call.op.query.get(name) !== 'integer') return undefined;
    if (!/^-?\d+$/.test(raw))
      throw new BadRequest(`Invalid value "${raw}" for ${name}: expected an integer`);
    return Number(raw);
  }

  function bool(call: Call, name: string): boolean | undefined {
    if (!call.op.query.has(name)) return undefined;
    const raw = call.query.get(name);
    if (raw === null || raw === '') return undefined;
    const lower = raw.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw new BadRequest(`Invalid value "${raw}" for ${name}: expected true or false`);
  }

  function fieldsOf(call: Call): FieldTree | undefined {
    if (!call.op.query.has('fields')) return undefined;
    const raw = call.query.get('fields');
    if (raw === null || raw.trim() === '') return undefined;
    return parseFields(raw);
  }

  function serialize(
    entries: [CollectionName, number][],
    variant: Variant,
    tree: FieldTree | undefined,
    reshape?: ListOptions['reshape'],
  ): Reply {
    if (tree || reshape) {
      return json(
        200,
        entries.map(([name, index]) => {
          const item = reshape?.(name, index) ?? dataset.item(name, index, variant);
          return tree ? project(item, tree) : item;
        }),
      );
    }
    if (entries.length > STREAM_THRESHOLD) {
      return {
        status: 200,
        chunks: function* () {
          let parts: Buffer[] = [JSON_OPEN];
          let size = 1;
          for (let i = 0; i < entries.length; i++) {
            const [name, index] = entries[i] as [CollectionName, number];
            if (i > 0) parts.push(JSON_COMMA);
            const body = dataset.json(name, index, variant);
            parts.push(body);
            size += body.length + 1;
            if (size >= CHUNK_BYTES) {
              yield Buffer.concat(parts);
              parts = [];
              size = 0;
            }
          }
          parts.push(JSON_CLOSE);
          yield Buffer.concat(parts);
        },
      };
    }
    const parts: Buffer[] = new Array<Buffer>(entries.length * 2 + 1);
    parts[0] = JSON_OPEN;
    for (let i = 0; i < entries.length; i++) {
      const [name, index] = entries[i] as [CollectionName, number];
      parts[i * 2 + 1] = dataset.json(name, index, variant);
      parts[i * 2 + 2] = i === entries.length - 1 ? JSON_CLOSE : JSON_COMMA;
    }
    if (entries.length === 0) return { status: 200, body: Buffer.from('[]') };
    return { status: 200, body: Buffer.concat(parts) };
  }

  function list(call: Call, options: ListOptions): Reply {
    const { op } = call;
    const collection = dataset.collections[options.collection];
    const scalars = spec.scalarProperties(collection.listSchema);
    const aliases = ALIASES[op.operationId] ?? {};
    const filters: ViewFilter[] = [...(options.scope ?? [])];
    for (const [param, value] of call.query) {
      if (!op.query.has(param) || CONTROL_PARAMS.has(param) || value === '') continue;
      if (op.operationId === 'search_users' && param === 'group_id') {
        filters.push({ field: 'group_ids', matcher: parseMatcher(value), array: true });
        continue;
      }
      const field = aliases[param] ?? param;
      if (!scalars.has(field)) continue;
      if (param.endsWith('_ids')) {
        filters.push({
          field,
          matcher: {
            kind: 'in',
            values: new Set(
              value
                .toLowerCase()
                .split(',')
                .map((v) => v.trim()),
            ),
          },
        });
      } else {
        filters.push({ field, matcher: parseMatcher(value) });
      }
    }
    const ids = op.query.get('ids') === 'array' ? call.query.get('ids') : null;
    if (ids) {
      filters.push({
        field: 'id',
        matcher: { kind: 'in', values: new Set(ids.split(',').map((v) => v.trim().toLowerCase())) },
      });
    }
    const sortsText = op.query.has('sorts') ? call.query.get('sorts') : null;
    const sorts = sortsText ? parseSorts(sortsText) : [];
    for (const sort of sorts) {
      if (sort.field !== collection.keyField && !scalars.has(sort.field)) {
        throw new BadRequest(`Invalid sort field "${sort.field}" for ${op.operationId}`);
      }
    }
    const paging: Paging = resolvePaging({
      limit: integer(call, 'limit'),
      offset: integer(call, 'offset'),
      page: integer(call, 'page'),
      per_page: integer(call, 'per_page'),
    });
    const tree = fieldsOf(call);
    const viewSpec: ViewSpec = {
      trash: collection.softDelete && bool(call, 'deleted') === true,
      filters,
      filterOr: bool(call, 'filter_or') === true,
      sorts,
    };
    const entries: [CollectionName, number][] = [];
    const end = paging.limit === undefined ? Infinity : paging.offset + paging.limit;
    let position = 0;
    for (const name of [options.collection, ...(options.also ?? [])]) {
      const view = dataset.view(
        name,
        name === options.collection ? viewSpec : { ...viewSpec, trash: false },
      );
      const from = Math.max(0, paging.offset - position);
      const to = Math.min(view.length, end - position);
      for (let i = from; i < to; i++) entries.push([name, view[i] as number]);
      position += view.length;
    }
    const reply = serialize(entries, options.variant, tree, options.reshape);
    if (paging.limit !== undefined && handlerOptions.totalCount) {
      reply.headers = pagingHeaders(call, position, paging.offset, paging.limit);
    }
    if (paging.limit !== undefined) {
      const filterKey = PAGE_KEY_PARAMS.filter((p) => call.query.has(p))
        .map((p) => `${p}=${call.query.get(p) ?? ''} `)
        .join('');
      const scopeKey = Object.entries(call.params)
        .map(([k, v]) => `${k}=${v} `)
        .join('');
      reply.pageKey = `${op.operationId} ${scopeKey}${filterKey}offset=${String(paging.offset)} limit=${String(paging.limit)}`;
    }
    return reply;
  }

  /** `X-Total-Count` and a `Link` header (RFC 8288) to the next and previous pages. */
  function pagingHeaders(
    call: Call,
    total: number,
    offset: number,
    limit: number,
  ): Record<string, string> {
    const link = (to: number, rel: string): string => {
      const query = new URLSearchParams(call.query);
      query.set('offset', String(to));
      query.set('limit', String(limit));
      return `<${call.path}?${query.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (offset + limit < total) links.push(link(offset + limit, 'next'));
    if (offset > 0) links.push(link(Math.max(0, offset - limit), 'prev'));
    return {
      'X-Total-Count': String(total),
      ...(links.length > 0 ? { Link: links.join(', ') } : {}),
    };
  }

  function detail(call: Call, name: CollectionName, index: number): Reply {
    const tree = fieldsOf(call);
    if (tree) return json(200, project(dataset.item(name, index, 'detail'), tree));
    return { status: 200, body: dataset.json(name, index, 'detail') };
  }

  /** A value built here (not a collection's item), with `fields` applied to it or to each row. */
  function projected(call: Call, value: unknown): Reply {
    const tree = fieldsOf(call);
    return json(200, tree ? project(value, tree) : value);
  }

  function byId(collection: CollectionName, param: string): Handler {
    return (call) => {
      const index = dataset.find(collection, call.params[param] ?? '');
      return index === undefined ? notFound() : detail(call, collection, index);
    };
  }

  function folderIndex(call: Call): number | undefined {
    return dataset.find('folder', call.params.folder_id ?? '');
  }

  const eq = (field: string, value: string): ViewFilter => ({
    field,
    matcher: { kind: 'eq', value: value.toLowerCase() },
  });

  /** What `dashboardListing` does to the items of the `page`-th dashboard listing page. */
  function listingReshape(page: number, asked: FieldTree | undefined): ListOptions['reshape'] {
    const shape = handlerOptions.dashboardListing;
    if (shape === undefined || page < (shape.fromPage ?? 0)) return undefined;
    if (shape.unlessAsked === true && asked !== undefined) {
      const parts = shape.omit === 'abbreviated' ? HEAVY_DASHBOARD_PARTS : shape.omit;
      if (parts.every((part) => asked.has(part))) return undefined;
    }
    const only = shape.onlyIds === undefined ? undefined : new Set(shape.onlyIds);
    return (name, index) => {
      const full = dataset.item(name, index, 'detail');
      if (only && !only.has(String(full.id))) return null;
      if (shape.omit === 'abbreviated') return dataset.item(name, index, 'summary');
      const omitted = new Set(shape.omit);
      return Object.fromEntries(Object.entries(full).filter(([key]) => !omitted.has(key)));
    };
  }

  /** Scheduled plans: the caller's own unless all_users=true or user_id given. */
  function ownership(call: Call): ViewFilter[] {
    if (bool(call, 'all_users') === true) return [];
    if (call.query.get('user_id')) return [];
    return [eq('user_id', world.userId(call.user))];
  }

  const versionsBody = {
    looker_release_version: '26.12.0',
    current_version: {
      version: '4.0',
      full_version: '4.0.26.12',
      status: 'current',
      swagger_url: 'https://looker.sim.example/api/4.0/swagger.json',
    },
    supported_versions: [
      {
        version: '3.1',
        full_version: '3.1.0',
        status: 'legacy',
        swagger_url: 'https://looker.sim.example/api/3.1/swagger.json',
      },
      {
        version: '4.0',
        full_version: '4.0.26.12',
        status: 'current',
        swagger_url: 'https://looker.sim.example/api/4.0/swagger.json',
      },
    ],
    api_server_url: 'https://looker.sim.example',
    web_server_url: 'https://looker.sim.example',
  };

  const handlers: Record<string, Handler> = {
    versions: (call) => {
      const tree = fieldsOf(call);
      return json(200, tree ? project(versionsBody, tree) : versionsBody);
    },
    me: (call) => detail(call, 'user', call.user),

    all_dashboards: (call) =>
      list(call, { collection: 'dashboard', variant: 'base', also: ['lookml_dashboard'] }),
    search_dashboards: (call) => {
      const trash = call.query.get('deleted')?.toLowerCase() === 'true';
      const page = trash ? -1 : dashboardPages++;
      return list(call, {
        collection: 'dashboard',
        variant: 'detail',
        reshape: trash ? undefined : listingReshape(page, fieldsOf(call)),
      });
    },
    dashboard: (call) => {
      const found = dataset.locate('dashboard', call.params.dashboard_id ?? '');
      return found ? detail(call, found.name, found.index) : notFound();
    },

    all_looks: (call) => list(call, { collection: 'look', variant: 'summary' }),
    search_looks: (call) => list(call, { collection: 'look', variant: 'summary' }),
    look: byId('look', 'look_id'),

    all_boards: (call) => list(call, { collection: 'board', variant: 'summary' }),
    search_boards: (call) => list(call, { collection: 'board', variant: 'summary' }),
    board: byId('board', 'board_id'),

    all_groups: (call) => list(call, { collection: 'group', variant: 'summary' }),
    search_groups: (call) => list(call, { collection: 'group', variant: 'summary' }),
    group: byId('group', 'group_id'),

    all_users: (call) => list(call, { collection: 'user', variant: 'summary' }),
    search_users: (call) => list(call, { collection: 'user', variant: 'summary' }),
    user: byId('user', 'user_id'),

    all_roles: (call) => list(call, { collection: 'role', variant: 'summary' }),
    search_roles: (call) => list(call, { collection: 'role', variant: 'summary' }),
    role: byId('role', 'role_id'),

    all_permission_sets: (call) => list(call, { collection: 'permission_set', variant: 'summary' }),
    search_permission_sets: (call) =>
      list(call, { collection: 'permission_set', variant: 'summary' }),
    permission_set: byId('permission_set', 'permission_set_id'),

    all_model_sets: (call) => list(call, { collection: 'model_set', variant: 'summary' }),
    search_model_sets: (call) => list(call, { collection: 'model_set', variant: 'summary' }),
    model_set: byId('model_set', 'model_set_id'),

    all_user_attributes: (call) => list(call, { collection: 'user_attribute', variant: 'summary' }),
    user_attribute: byId('user_attribute', 'user_attribute_id'),
    all_user_attribute_group_values: (call) => {
      const index = dataset.find('user_attribute', call.params.user_attribute_id ?? '');
      if (index === undefined) return notFound();
      return projected(call, dataset.groupValues(index));
    },

    // Folder access: the content metadata of folders (dashboards' and looks' are not served).
    content_metadata: (call) => {
      const folder = dataset.folderOfContentMetadata(call.params.content_metadata_id ?? '');
      if (folder === undefined) return notFound();
      return projected(call, dataset.folderContentMetadata(folder));
    },
    all_content_metadata_accesses: (call) => {
      const id = call.query.get('content_metadata_id');
      if (id === null || id === '') return badRequest('content_metadata_id is required');
      const folder = dataset.folderOfContentMetadata(id);
      if (folder === undefined) return notFound();
      return projected(call, dataset.folderAccess(folder).rows);
    },

    all_lookml_models: (call) => list(call, { collection: 'lookml_model', variant: 'summary' }),
    lookml_model: byId('lookml_model', 'lookml_model_name'),
    lookml_model_explore: (call) => {
      const key = `${call.params.lookml_model_name ?? ''}::${call.params.explore_name ?? ''}`;
      const index = dataset.find('explore', key);
      return index === undefined ? notFound() : detail(call, 'explore', index);
    },

    all_scheduled_plans: (call) =>
      list(call, { collection: 'scheduled_plan', variant: 'summary', scope: ownership(call) }),
    search_scheduled_plans: (call) =>
      list(call, { collection: 'scheduled_plan', variant: 'summary', scope: ownership(call) }),
    scheduled_plan: byId('scheduled_plan', 'scheduled_plan_id'),
    scheduled_plans_for_look: (call) => {
      const lookId = call.params.look_id ?? '';
      if (dataset.find('look', lookId) === undefined) return notFound();
      return list(call, {
        collection: 'scheduled_plan',
        variant: 'summary',
        scope: [eq('look_id', lookId), ...ownership(call)],
      });
    },
    scheduled_plans_for_dashboard: (call) => {
      const dashboardId = call.params.dashboard_id ?? '';
      if (dataset.locate('dashboard', dashboardId) === undefined) return notFound();
      const field = dashboardId.includes('::') ? 'lookml_dashboard_id' : 'dashboard_id';
      return list(call, {
        collection: 'scheduled_plan',
        variant: 'summary',
        scope: [eq(field, dashboardId), ...ownership(call)],
      });
    },

    all_folders: (call) => list(call, { collection: 'folder', variant: 'base' }),
    search_folders: (call) => list(call, { collection: 'folder', variant: 'summary' }),
    folder: byId('folder', 'folder_id'),
    folder_children: (call) => {
      const index = folderIndex(call);
      if (index === undefined) return notFound();
      return list(call, {
        collection: 'folder',
        variant: 'summary',
        scope: [eq('parent_id', world.folderId(index))],
      });
    },
    folder_ancestors: (call) => {
      const index = folderIndex(call);
      if (index === undefined) return notFound();
      const tree = fieldsOf(call);
      return serialize(
        world.folderAncestors(index).map((a) => ['folder', a]),
        'summary',
        tree,
      );
    },
    folder_looks: (call) => {
      const index = folderIndex(call);
      if (index === undefined) return notFound();
      return list(call, {
        collection: 'look',
        variant: 'detail',
        scope: [eq('folder_id', world.folderId(index))],
      });
    },
    folder_dashboards: (call) => {
      const index = folderIndex(call);
      if (index === undefined) return notFound();
      return list(call, {
        collection: 'dashboard',
        variant: 'summary',
        scope: [eq('folder_id', world.folderId(index))],
      });
    },
  };

  return handlers;
}

/** Turns errors thrown by handlers for bad input into 400 replies. */
export function replyForError(error: unknown): Reply | undefined {
  if (error instanceof BadRequest || error instanceof FieldsSyntaxError)
    return badRequest(error.message);
  return undefined;
}
