/**
 * The write operations a restore needs, with Looker's behaviour (see the spec README's "Facts
 * for restore and migration"): bodies arrive already validated against the operation's schema
 * (the server answers 422 before a handler runs); handlers check references (404 for a path id,
 * 422 for a body reference), keep queries immutable (`create_query` returns a new id), create a
 * dashboard's default layout with it and a layout component per new element, keep slugs unique
 * (trash included), and move dashboards and looks in and out of the trash through `deleted`.
 *
 * What is written replaces the generated item for good (`Dataset.insert`/`replace`), so later
 * reads, listings and extracts see it.
 */
import type { CollectionName } from './data/collection.js';
import { CONTENT_CAN } from './data/content.js';
import { GROUP_CAN, ROLE_CAN, SET_CAN } from './data/people.js';
import { QUERY_CAN } from './data/queries.js';
import { FOLDER_CAN, INSTANCE_HOST, isoTime } from './data/world.js';
import type { Dataset } from './dataset.js';
import { DOCUMENTATION_URL, errorBody } from './looker-errors.js';
import { json, notFound, type Call, type Handler, type Reply } from './operations.js';
import { Rng, hash3 } from './prng.js';
import type { Spec } from './spec.js';

type Json = Record<string, unknown>;

const PART_CAN = { show: true, update: true, destroy: true, index: true, create: true };
const LAYOUT_CAN = { show: true, update: true, destroy: true, index: true };
/** Ids of parts written here start far above generated ones, so the two never meet. */
const WRITTEN_ID_BASE = 7_000_000_000;
const API_USER_ID = '1';
const DEFAULT_TILE = { width: 8, height: 6 };

export interface WriteHandlerOptions {
  clock: () => number;
  seed: number;
}

/** Answers 422 the way Looker does: `{message, errors[], documentation_url}`. */
export function validationFailed(
  errors: { field: string; code: string; message: string }[],
): Reply {
  return json(422, {
    message: 'Validation Failed',
    errors: errors.map((e) => ({ ...e, documentation_url: DOCUMENTATION_URL })),
    documentation_url: DOCUMENTATION_URL,
  });
}

function conflict(message: string): Reply {
  return json(409, errorBody(409, message));
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Where each dashboard part lives: part id → dashboard index. */
interface PartIndex {
  element: Map<string, number>;
  filter: Map<string, number>;
  layout: Map<string, number>;
  component: Map<string, number>;
}

export function createWriteHandlers(
  dataset: Dataset,
  spec: Spec,
  options: WriteHandlerOptions,
): Record<string, Handler> {
  let nextPartId = WRITTEN_ID_BASE;
  const newId = (): string => String(++nextPartId);
  const rng = new Rng(hash3(options.seed, 0x5ab1, 7));
  const now = (): string => isoTime(options.clock());
  let parts: PartIndex | undefined;

  function skeleton(schema: string): Json {
    return spec.skeleton(schema);
  }

  /** The writable properties of `body` a schema declares (read-only ones are ignored). */
  function writable(schema: string, body: Json): Json {
    const allowed = spec.writableProperties(schema);
    return Object.fromEntries(Object.entries(body).filter(([key]) => allowed.has(key)));
  }

  function bodyOf(call: Call): Json {
    return (call.body ?? {}) as Json;
  }

  function exists(name: CollectionName, id: unknown): number | undefined {
    return typeof id === 'string' ? dataset.find(name, id) : undefined;
  }

  function liveIndex(name: CollectionName, id: unknown): number | undefined {
    const index = exists(name, id);
    return index !== undefined && dataset.state(name, index) === 'live' ? index : undefined;
  }

  function folderBase(index: number): Json {
    return dataset.item('folder', index, 'base');
  }

  function queryById(id: unknown): Json | undefined {
    return typeof id === 'string' ? dataset.query(id) : undefined;
  }

  function mergeQueryById(id: unknown): Json | undefined {
    return typeof id === 'string' ? dataset.mergeQuery(id) : undefined;
  }

  // ── dashboard parts ──────────────────────────────────────────────────────────────────────

  /** Which dashboard holds each element, filter, layout and component (built on first need). */
  function partIndex(): PartIndex {
    if (parts) return parts;
    parts = { element: new Map(), filter: new Map(), layout: new Map(), component: new Map() };
    const total = dataset.total('dashboard');
    for (let index = 0; index < total; index++) {
      if (dataset.state('dashboard', index) === 'gone') continue;
      indexParts(index, dataset.written('dashboard', index));
    }
    return parts;
  }

  function indexParts(index: number, dashboard: Json): void {
    if (!parts) return;
    for (const e of array(dashboard.dashboard_elements)) parts.element.set(String(e.id), index);
    for (const f of array(dashboard.dashboard_filters)) parts.filter.set(String(f.id), index);
    for (const l of array(dashboard.dashboard_layouts)) {
      parts.layout.set(String(l.id), index);
      for (const c of array(l.dashboard_layout_components)) {
        parts.component.set(String(c.id), index);
      }
    }
  }

  function saveDashboard(index: number, dashboard: Json, touch = true): void {
    if (touch) dashboard.updated_at = now();
    dataset.replace('dashboard', index, dashboard);
    indexParts(index, dashboard);
  }

  function activeLayout(dashboard: Json): Json | undefined {
    const layouts = array(dashboard.dashboard_layouts);
    return layouts.find((l) => l.active === true) ?? layouts[0];
  }

  function slugTaken(slug: string, except?: number): boolean {
    const total = dataset.total('dashboard');
    for (let index = 0; index < total; index++) {
      if (index === except || dataset.state('dashboard', index) === 'gone') continue;
      if (dataset.fieldValue('dashboard', index, 'slug') === slug) return true;
    }
    return false;
  }

  function newSlug(): string {
    for (;;) {
      const slug = rng.slug(22);
      if (!slugTaken(slug)) return slug;
    }
  }

  /** The dashboard holding a part, as a copy to edit, or a 404 reply. */
  function owningDashboard(
    kind: keyof PartIndex,
    id: string,
  ): { index: number; dashboard: Json } | Reply {
    const index = partIndex()[kind].get(id);
    if (index === undefined || dataset.state('dashboard', index) === 'gone') return notFound();
    return { index, dashboard: dataset.written('dashboard', index) };
  }

  function element(body: Json, id: string, dashboardId: string, layoutId: string | null): Json {
    const query = queryById(body.query_id);
    return {
      ...skeleton('DashboardElement'),
      can: PART_CAN,
      ...writable('DashboardElement', body),
      id,
      dashboard_id: dashboardId,
      dashboard_layout_id: layoutId,
      query: query ?? null,
      query_id: str(body.query_id),
      look: null,
      look_id: str(body.look_id),
      merge_result_id: str(body.merge_result_id),
      type: str(body.type) ?? 'vis',
      result_maker: isObject(body.result_maker)
        ? { ...body.result_maker, id: str(body.query_id) ?? id }
        : null,
      result_maker_id: str(body.query_id),
      body_text_as_html: str(body.body_text),
      note_text_as_html: str(body.note_text),
      title_text_as_html: str(body.title_text),
      subtitle_text_as_html: str(body.subtitle_text),
      alert_count: 0,
      edit_uri: null,
      lookml_link_id: null,
    };
  }

  /** Checks the references of an element body; returns the 422 errors. */
  function elementReferences(body: Json): { field: string; code: string; message: string }[] {
    const errors: { field: string; code: string; message: string }[] = [];
    if (body.query_id != null && queryById(str(body.query_id)) === undefined) {
      errors.push({ field: 'query_id', code: 'invalid', message: 'Query not found.' });
    }
    if (body.look_id != null && liveIndex('look', body.look_id) === undefined) {
      errors.push({ field: 'look_id', code: 'invalid', message: 'Look not found.' });
    }
    if (body.merge_result_id != null && mergeQueryById(str(body.merge_result_id)) === undefined) {
      errors.push({ field: 'merge_result_id', code: 'invalid', message: 'Merge query not found.' });
    }
    return errors;
  }

  const PART_LISTS: Record<'element' | 'filter' | 'layout', string> = {
    element: 'dashboard_elements',
    filter: 'dashboard_filters',
    layout: 'dashboard_layouts',
  };

  /** A part of a dashboard (a copy of the dashboard to edit, the part's list and place). */
  function findPart(
    kind: 'element' | 'filter' | 'layout',
    id: string,
  ): { reply: Reply } | { index: number; dashboard: Json; parts: Json[]; at: number; part: Json } {
    const owner = owningDashboard(kind, id);
    if (!('dashboard' in owner)) return { reply: owner };
    const parts = array(owner.dashboard[PART_LISTS[kind]]);
    const at = parts.findIndex((p) => String(p.id) === id);
    const part = parts[at];
    if (part === undefined) return { reply: notFound() };
    return { ...owner, parts, at, part };
  }

  /** PATCH of a part: its writable fields from the body, then what `after` adds. */
  function updatePart(
    kind: 'element' | 'filter' | 'layout',
    param: string,
    schema: string,
    after?: (updated: Json, body: Json) => void,
  ): Handler {
    return (call) => {
      const found = findPart(kind, call.params[param] ?? '');
      if ('reply' in found) return found.reply;
      const body = bodyOf(call);
      if (kind === 'element') {
        const errors = elementReferences(body);
        if (errors.length > 0) return validationFailed(errors);
      }
      const updated = { ...found.part, ...writable(schema, body) };
      after?.(updated, body);
      found.parts[found.at] = updated;
      found.dashboard[PART_LISTS[kind]] = found.parts;
      saveDashboard(found.index, found.dashboard);
      return json(200, updated);
    };
  }

  /** DELETE of a part (and what `also` removes with it). */
  function deletePart(
    kind: 'element' | 'filter',
    param: string,
    also?: (dashboard: Json, id: string) => void,
  ): Handler {
    return (call) => {
      const id = call.params[param] ?? '';
      const found = findPart(kind, id);
      if ('reply' in found) return found.reply;
      found.dashboard[PART_LISTS[kind]] = found.parts.filter((p) => String(p.id) !== id);
      also?.(found.dashboard, id);
      partIndex()[kind].delete(id);
      saveDashboard(found.index, found.dashboard);
      return { status: 204 };
    };
  }

  // ── handlers ─────────────────────────────────────────────────────────────────────────────

  const handlers: Record<string, Handler> = {
    create_query: (call) => {
      const body = bodyOf(call);
      const id = newId();
      const clientId = rng.slug(22);
      const query: Json = {
        ...skeleton('Query'),
        can: QUERY_CAN,
        ...writable('Query', body),
        id,
        slug: rng.slug(7),
        client_id: clientId,
        share_url: `https://${INSTANCE_HOST}/x/${clientId}`,
        expanded_share_url: `https://${INSTANCE_HOST}/explore/${String(body.model)}/${String(body.view)}?qid=${clientId}`,
        url: `/explore/${String(body.model)}/${String(body.view)}?qid=${clientId}`,
        has_table_calculations: false,
      };
      dataset.saveQuery(id, query);
      return json(200, query);
    },
    query: (call) => {
      const query = queryById(call.params.query_id);
      return query ? json(200, query) : notFound();
    },
    create_merge_query: (call) => {
      const body = bodyOf(call);
      // Each source is a saved query: a merge of queries the server does not have is refused.
      const errors = array(body.source_queries).flatMap((source, i) =>
        queryById(str(source.query_id)) === undefined
          ? [
              {
                field: `source_queries[${String(i)}].query_id`,
                code: 'invalid',
                message: 'Query not found.',
              },
            ]
          : [],
      );
      if (errors.length > 0) return validationFailed(errors);
      const id = newId();
      const merge: Json = {
        ...skeleton('MergeQuery'),
        can: { show: true, create: true },
        ...writable('MergeQuery', body),
        id,
        result_maker_id: id,
      };
      dataset.saveMergeQuery(id, merge);
      return json(200, merge);
    },
    merge_query: (call) => {
      const merge = mergeQueryById(call.params.merge_query_id);
      return merge ? json(200, merge) : notFound();
    },

    // folders
    create_folder: (call) => {
      const body = bodyOf(call);
      const parent = exists('folder', body.parent_id);
      if (parent === undefined) {
        return validationFailed([
          { field: 'parent_id', code: 'invalid', message: 'Parent folder not found.' },
        ]);
      }
      if (siblingNamed(String(body.parent_id), String(body.name)) !== undefined) {
        return conflict(`A folder named "${String(body.name)}" already exists in this folder.`);
      }
      const index = dataset.insert('folder', (id) => ({
        ...skeleton('Folder'),
        name: body.name,
        parent_id: body.parent_id,
        id,
        content_metadata_id: newId(),
        created_at: now(),
        creator_id: API_USER_ID,
        child_count: 0,
        external_id: null,
        is_embed: false,
        is_embed_shared_root: false,
        is_embed_users_root: false,
        is_personal: false,
        // Inside a personal folder (at any depth), as Looker flags it.
        is_personal_descendant: isPersonalPlace(folderBase(parent)),
        is_shared_root: false,
        is_users_root: false,
        can: FOLDER_CAN,
      }));
      return json(200, dataset.item('folder', index, 'detail'));
    },
    update_folder: (call) => {
      const index = exists('folder', call.params.folder_id);
      if (index === undefined) return notFound();
      const body = bodyOf(call);
      const folder = dataset.written('folder', index);
      if (body.parent_id != null) {
        if (exists('folder', body.parent_id) === undefined) {
          return validationFailed([
            { field: 'parent_id', code: 'invalid', message: 'Parent folder not found.' },
          ]);
        }
        folder.parent_id = body.parent_id;
        const parent = exists('folder', body.parent_id);
        if (parent !== undefined && folder.is_personal !== true) {
          folder.is_personal_descendant = isPersonalPlace(folderBase(parent));
        }
      }
      if (typeof body.name === 'string') {
        const sibling = siblingNamed(String(folder.parent_id), body.name);
        if (sibling !== undefined && sibling !== index) {
          return conflict(`A folder named "${body.name}" already exists in this folder.`);
        }
        folder.name = body.name;
      }
      dataset.replace('folder', index, folder);
      return json(200, dataset.item('folder', index, 'detail'));
    },

    // looks
    create_look: (call) => {
      const body = bodyOf(call);
      const errors = lookErrors(body, true);
      if (errors.length > 0) return validationFailed(errors);
      const folderIndex = exists('folder', body.folder_id) as number;
      const at = now();
      const index = dataset.insert('look', (id) => ({
        ...skeleton('LookWithQuery'),
        can: CONTENT_CAN,
        content_metadata_id: newId(),
        ...writable('LookWithQuery', body),
        id,
        user_id: str(body.user_id) ?? API_USER_ID,
        created_at: at,
        updated_at: at,
        deleted: false,
        deleted_at: null,
        deleter_id: null,
        is_run_on_load: body.is_run_on_load === true,
        public: body.public === true,
        favorite_count: 0,
        view_count: 0,
        usage_count: 0,
        is_owner_disabled: false,
        last_updater_id: API_USER_ID,
        query: queryById(body.query_id),
        folder: folderBase(folderIndex),
        url: `/looks/${id}`,
        short_url: `/looks/${id}`,
        model: { id: queryById(body.query_id)?.model ?? null, label: null },
      }));
      return json(200, dataset.item('look', index, 'detail'));
    },
    update_look: (call) => {
      const index = exists('look', call.params.look_id);
      if (index === undefined) return notFound();
      const body = bodyOf(call);
      const errors = lookErrors(body, false);
      if (errors.length > 0) return validationFailed(errors);
      const look = { ...dataset.written('look', index), ...writable('LookWithQuery', body) };
      if (body.query_id != null) look.query = queryById(body.query_id);
      if (body.folder_id != null)
        look.folder = folderBase(exists('folder', body.folder_id) as number);
      const state = trashState(look, body, index, 'look');
      look.updated_at = now();
      dataset.replace('look', index, look, state);
      return json(200, dataset.item('look', index, 'detail'));
    },
    delete_look: (call) => {
      const index = exists('look', call.params.look_id);
      if (index === undefined) return notFound();
      dataset.purge('look', index);
      return { status: 204 };
    },
    move_look: (call) => {
      const index = exists('look', call.params.look_id);
      const folderIndex = exists('folder', call.query.get('folder_id'));
      if (index === undefined || folderIndex === undefined) return notFound();
      const look = dataset.written('look', index);
      look.folder_id = call.query.get('folder_id');
      look.folder = folderBase(folderIndex);
      dataset.replace('look', index, look);
      return json(200, dataset.item('look', index, 'detail'));
    },

    // dashboards
    create_dashboard: (call) => {
      const body = bodyOf(call);
      const errors = dashboardErrors(body, true, undefined);
      if (errors.length > 0) return validationFailed(errors);
      const folderIndex = exists('folder', body.folder_id) as number;
      const at = now();
      const layoutId = newId();
      const index = dataset.insert('dashboard', (id) => ({
        ...skeleton('Dashboard'),
        can: CONTENT_CAN,
        content_metadata_id: newId(),
        ...writable('Dashboard', body),
        id,
        slug: str(body.slug) ?? newSlug(),
        user_id: str(body.user_id) ?? API_USER_ID,
        folder: folderBase(folderIndex),
        created_at: at,
        updated_at: at,
        deleted: false,
        deleted_at: null,
        deleter_id: null,
        hidden: body.hidden === true,
        readonly: false,
        favorite_count: 0,
        view_count: 0,
        usage_count: 0,
        is_owner_disabled: false,
        last_updater_id: API_USER_ID,
        url: `/dashboards/${id}`,
        dashboard_elements: [],
        dashboard_filters: [],
        dashboard_layouts: [
          {
            can: LAYOUT_CAN,
            id: layoutId,
            dashboard_id: id,
            type: 'newspaper',
            active: true,
            column_width: null,
            width: null,
            deleted: false,
            dashboard_title: body.title ?? null,
            dashboard_layout_components: [],
            label: null,
            description: null,
            order: null,
            lookml_link_id: null,
          },
        ],
      }));
      indexParts(index, dataset.written('dashboard', index));
      partIndex().layout.set(layoutId, index);
      return json(200, dataset.item('dashboard', index, 'detail'));
    },
    update_dashboard: (call) => {
      const found = dataset.locate('dashboard', call.params.dashboard_id ?? '');
      if (!found || found.name !== 'dashboard') return notFound();
      const body = bodyOf(call);
      const errors = dashboardErrors(body, false, found.index);
      if (errors.length > 0) return validationFailed(errors);
      const dashboard = {
        ...dataset.written('dashboard', found.index),
        ...writable('Dashboard', body),
      };
      if (body.folder_id != null) {
        dashboard.folder = folderBase(exists('folder', body.folder_id) as number);
      }
      const state = trashState(dashboard, body, found.index, 'dashboard');
      dashboard.updated_at = now();
      dataset.replace('dashboard', found.index, dashboard, state);
      indexParts(found.index, dashboard);
      return json(200, dataset.item('dashboard', found.index, 'detail'));
    },
    delete_dashboard: (call) => {
      const found = dataset.locate('dashboard', call.params.dashboard_id ?? '');
      if (!found || found.name !== 'dashboard') return notFound();
      dataset.purge('dashboard', found.index);
      return { status: 204 };
    },
    move_dashboard: (call) => {
      const found = dataset.locate('dashboard', call.params.dashboard_id ?? '');
      const folderIndex = exists('folder', call.query.get('folder_id'));
      if (!found || found.name !== 'dashboard' || folderIndex === undefined) return notFound();
      const dashboard = dataset.written('dashboard', found.index);
      dashboard.folder_id = call.query.get('folder_id');
      dashboard.folder = folderBase(folderIndex);
      saveDashboard(found.index, dashboard);
      return json(200, dataset.item('dashboard', found.index, 'detail'));
    },

    create_dashboard_element: (call) => {
      const body = bodyOf(call);
      const index = liveIndex('dashboard', body.dashboard_id);
      if (index === undefined) {
        return validationFailed([
          { field: 'dashboard_id', code: 'invalid', message: 'Dashboard not found.' },
        ]);
      }
      const errors = elementReferences(body);
      if (errors.length > 0) return validationFailed(errors);
      const dashboard = dataset.written('dashboard', index);
      const layout = activeLayout(dashboard);
      const id = newId();
      const created = element(body, id, String(dashboard.id), layout ? String(layout.id) : null);
      if (created.look_id !== null) {
        const lookIndex = liveIndex('look', created.look_id) as number;
        created.look = dataset.item('look', lookIndex, 'detail');
      }
      dashboard.dashboard_elements = [...array(dashboard.dashboard_elements), created];
      if (layout) {
        const components = array(layout.dashboard_layout_components);
        const row = components.reduce((max, c) => Math.max(max, num(c.row) + num(c.height)), 0);
        layout.dashboard_layout_components = [
          ...components,
          {
            can: LAYOUT_CAN,
            id: newId(),
            dashboard_layout_id: layout.id,
            dashboard_element_id: id,
            row,
            column: 0,
            width: DEFAULT_TILE.width,
            height: DEFAULT_TILE.height,
            deleted: false,
            element_title: created.title ?? null,
            element_title_hidden: created.title_hidden === true,
            vis_type: visType(created),
            granular_row: row * 2,
            granular_column: 0,
            granular_width: DEFAULT_TILE.width * 2,
            granular_height: DEFAULT_TILE.height * 2,
          },
        ];
      }
      saveDashboard(index, dashboard);
      return json(200, created);
    },
    update_dashboard_element: updatePart(
      'element',
      'dashboard_element_id',
      'DashboardElement',
      (updated, body) => {
        if (body.query_id != null) updated.query = queryById(body.query_id) ?? null;
      },
    ),
    delete_dashboard_element: deletePart('element', 'dashboard_element_id', (dashboard, id) => {
      // A tile's layout components go with it.
      for (const layout of array(dashboard.dashboard_layouts)) {
        layout.dashboard_layout_components = array(layout.dashboard_layout_components).filter(
          (c) => String(c.dashboard_element_id) !== id,
        );
      }
    }),

    create_dashboard_filter: (call) => {
      const body = bodyOf(call);
      const index = liveIndex('dashboard', body.dashboard_id);
      if (index === undefined) {
        return validationFailed([
          { field: 'dashboard_id', code: 'invalid', message: 'Dashboard not found.' },
        ]);
      }
      const dashboard = dataset.written('dashboard', index);
      const filters = array(dashboard.dashboard_filters);
      if (filters.some((f) => f.name === body.name)) {
        return validationFailed([
          { field: 'name', code: 'already_exists', message: 'Filter name is already in use.' },
        ]);
      }
      const created: Json = {
        ...skeleton('DashboardFilter'),
        can: PART_CAN,
        ...writable('CreateDashboardFilter', body),
        id: newId(),
        dashboard_id: String(dashboard.id),
        listens_to_filters: Array.isArray(body.listens_to_filters) ? body.listens_to_filters : [],
        allow_multiple_values: body.allow_multiple_values === true,
        required: body.required === true,
        row: typeof body.row === 'number' ? body.row : filters.length,
      };
      dashboard.dashboard_filters = [...filters, created];
      saveDashboard(index, dashboard);
      return json(200, created);
    },
    update_dashboard_filter: updatePart('filter', 'dashboard_filter_id', 'DashboardFilter'),
    delete_dashboard_filter: deletePart('filter', 'dashboard_filter_id'),

    dashboard_dashboard_layouts: (call) => {
      const found = dataset.locate('dashboard', call.params.dashboard_id ?? '');
      if (!found) return notFound();
      return json(200, array(dataset.written(found.name, found.index).dashboard_layouts));
    },
    dashboard_layout: (call) => {
      const found = findPart('layout', call.params.dashboard_layout_id ?? '');
      return 'reply' in found ? found.reply : json(200, found.part);
    },
    dashboard_layout_dashboard_layout_components: (call) => {
      const found = findPart('layout', call.params.dashboard_layout_id ?? '');
      return 'reply' in found
        ? found.reply
        : json(200, array(found.part.dashboard_layout_components));
    },
    update_dashboard_layout: updatePart('layout', 'dashboard_layout_id', 'DashboardLayout'),
    create_dashboard_layout: (call) => {
      const body = bodyOf(call);
      const index = liveIndex('dashboard', body.dashboard_id);
      if (index === undefined) {
        return validationFailed([
          { field: 'dashboard_id', code: 'invalid', message: 'Dashboard not found.' },
        ]);
      }
      const dashboard = dataset.written('dashboard', index);
      const created: Json = {
        ...skeleton('DashboardLayout'),
        can: LAYOUT_CAN,
        ...writable('DashboardLayout', body),
        id: newId(),
        dashboard_id: String(dashboard.id),
        active: false,
        deleted: false,
        dashboard_layout_components: [],
      };
      dashboard.dashboard_layouts = [...array(dashboard.dashboard_layouts), created];
      saveDashboard(index, dashboard);
      return json(200, created);
    },
    update_dashboard_layout_component: (call) => {
      const id = call.params.dashboard_layout_component_id ?? '';
      const owner = owningDashboard('component', id);
      if (!('dashboard' in owner)) return owner;
      const body = writable('DashboardLayoutComponent', bodyOf(call));
      delete body.dashboard_layout_id;
      delete body.dashboard_element_id;
      for (const layout of array(owner.dashboard.dashboard_layouts)) {
        const components = array(layout.dashboard_layout_components);
        const at = components.findIndex((c) => String(c.id) === id);
        if (at < 0) continue;
        const updated = { ...(components[at] as Json), ...body };
        components[at] = updated;
        layout.dashboard_layout_components = components;
        saveDashboard(owner.index, owner.dashboard);
        return json(200, updated);
      }
      return notFound();
    },

    // boards
    create_board: (call) => {
      const body = bodyOf(call);
      if (str(body.title) === null) {
        return validationFailed([
          { field: 'title', code: 'missing', message: 'This field is required.' },
        ]);
      }
      const at = now();
      const index = dataset.insert('board', (id) => ({
        ...skeleton('Board'),
        can: PART_CAN,
        content_metadata_id: newId(),
        ...writable('Board', body),
        id,
        created_at: at,
        updated_at: at,
        deleted_at: null,
        board_sections: [],
        section_order: [],
        user_id: str(body.user_id) ?? API_USER_ID,
        primary_homepage: false,
        secondary_homepages: [],
        url: `/boards/${id}`,
      }));
      return json(200, dataset.item('board', index, 'detail'));
    },
    update_board: (call) => {
      const index = exists('board', call.params.board_id);
      if (index === undefined) return notFound();
      const board = { ...dataset.written('board', index), ...writable('Board', bodyOf(call)) };
      board.updated_at = now();
      dataset.replace('board', index, board);
      return json(200, dataset.item('board', index, 'detail'));
    },
    create_board_section: (call) => {
      const body = bodyOf(call);
      const index = exists('board', body.board_id);
      if (index === undefined) {
        return validationFailed([
          { field: 'board_id', code: 'invalid', message: 'Board not found.' },
        ]);
      }
      const board = dataset.written('board', index);
      const at = now();
      const section: Json = {
        ...skeleton('BoardSection'),
        can: PART_CAN,
        ...writable('BoardSection', body),
        id: newId(),
        board_id: String(board.id),
        board_items: [],
        item_order: [],
        visible_item_order: [],
        created_at: at,
        updated_at: at,
        deleted_at: null,
      };
      board.board_sections = [...array(board.board_sections), section];
      board.section_order = [...strings(board.section_order), section.id];
      board.updated_at = at;
      dataset.replace('board', index, board);
      return json(200, section);
    },
    create_board_item: (call) => {
      const body = bodyOf(call);
      const sectionId = str(body.board_section_id) ?? '';
      const total = dataset.total('board');
      for (let index = 0; index < total; index++) {
        if (dataset.state('board', index) === 'gone') continue;
        const board = dataset.written('board', index);
        const section = array(board.board_sections).find((s) => String(s.id) === sectionId);
        if (!section) continue;
        if (body.dashboard_id != null && liveIndex('dashboard', body.dashboard_id) === undefined) {
          return validationFailed([
            { field: 'dashboard_id', code: 'invalid', message: 'Dashboard not found.' },
          ]);
        }
        if (body.look_id != null && liveIndex('look', body.look_id) === undefined) {
          return validationFailed([
            { field: 'look_id', code: 'invalid', message: 'Look not found.' },
          ]);
        }
        const item: Json = {
          ...skeleton('BoardItem'),
          can: PART_CAN,
          ...writable('BoardItem', body),
          id: newId(),
          board_section_id: sectionId,
          order: typeof body.order === 'number' ? body.order : array(section.board_items).length,
        };
        section.board_items = [...array(section.board_items), item];
        section.item_order = [...strings(section.item_order), item.id];
        section.visible_item_order = section.item_order;
        dataset.replace('board', index, board);
        return json(200, item);
      }
      return validationFailed([
        { field: 'board_section_id', code: 'invalid', message: 'Board section not found.' },
      ]);
    },
    all_board_sections: () => {
      const sections: Json[] = [];
      const total = dataset.total('board');
      for (let index = 0; index < total; index++) {
        if (dataset.state('board', index) === 'gone') continue;
        sections.push(...array(dataset.written('board', index).board_sections));
      }
      return json(200, sections);
    },
    all_board_items: (call) => {
      const sectionId = call.query.get('board_section_id');
      const items: Json[] = [];
      const total = dataset.total('board');
      for (let index = 0; index < total; index++) {
        if (dataset.state('board', index) === 'gone') continue;
        for (const section of array(dataset.written('board', index).board_sections)) {
          if (sectionId && String(section.id) !== sectionId) continue;
          items.push(...array(section.board_items));
        }
      }
      return json(200, items);
    },

    // scheduled plans
    create_scheduled_plan: (call) => {
      const body = bodyOf(call);
      const errors = planErrors(body, true);
      if (errors.length > 0) return validationFailed(errors);
      const at = now();
      const index = dataset.insert('scheduled_plan', (id) => ({
        ...skeleton('ScheduledPlan'),
        can: { show: true, create: true, index: true, update: true, destroy: true },
        ...writable('ScheduledPlan', body),
        id,
        user_id: str(body.user_id) ?? API_USER_ID,
        scheduled_plan_destination: destinations(body.scheduled_plan_destination, id),
        created_at: at,
        updated_at: at,
        title: null,
        user: null,
        next_run_at: null,
        last_run_at: null,
      }));
      return json(200, dataset.item('scheduled_plan', index, 'detail'));
    },
    update_scheduled_plan: (call) => {
      const index = exists('scheduled_plan', call.params.scheduled_plan_id);
      if (index === undefined) return notFound();
      const body = bodyOf(call);
      const errors = planErrors(body, false);
      if (errors.length > 0) return validationFailed(errors);
      const plan = {
        ...dataset.written('scheduled_plan', index),
        ...writable('ScheduledPlan', body),
      };
      if (body.scheduled_plan_destination !== undefined) {
        plan.scheduled_plan_destination = destinations(
          body.scheduled_plan_destination,
          String(plan.id),
        );
      }
      plan.updated_at = now();
      dataset.replace('scheduled_plan', index, plan);
      return json(200, dataset.item('scheduled_plan', index, 'detail'));
    },
  };

  /** The index of a live item of a collection whose `name` is `name`, if any. */
  function named(
    collection: 'group' | 'role' | 'permission_set' | 'model_set',
    name: string,
  ): number | undefined {
    const total = dataset.total(collection);
    for (let index = 0; index < total; index++) {
      if (dataset.state(collection, index) !== 'live') continue;
      if (dataset.fieldValue(collection, index, 'name') === name) return index;
    }
    return undefined;
  }

  function nameErrors(
    collection: 'group' | 'role' | 'permission_set' | 'model_set',
    body: Json,
    creating: boolean,
    self?: number,
  ): { field: string; code: string; message: string }[] {
    const name = str(body.name);
    if (name === null) {
      return creating
        ? [{ field: 'name', code: 'missing', message: 'This field is required.' }]
        : [];
    }
    const other = named(collection, name);
    return other !== undefined && other !== self
      ? [{ field: 'name', code: 'already_exists', message: 'Name has already been taken.' }]
      : [];
  }

  /** A role embeds its permission set and model set. */
  function roleParts(role: Json): Json | { field: string; code: string; message: string }[] {
    const errors: { field: string; code: string; message: string }[] = [];
    const permissionSet = exists('permission_set', role.permission_set_id);
    const modelSet = exists('model_set', role.model_set_id);
    if (role.permission_set_id != null && permissionSet === undefined) {
      errors.push({
        field: 'permission_set_id',
        code: 'invalid',
        message: 'Permission set not found.',
      });
    }
    if (role.model_set_id != null && modelSet === undefined) {
      errors.push({ field: 'model_set_id', code: 'invalid', message: 'Model set not found.' });
    }
    if (errors.length > 0) return errors;
    return {
      ...(permissionSet === undefined
        ? {}
        : { permission_set: dataset.item('permission_set', permissionSet, 'detail') }),
      ...(modelSet === undefined
        ? {}
        : { model_set: dataset.item('model_set', modelSet, 'detail') }),
    };
  }

  type ConfigName = 'group' | 'permission_set' | 'model_set' | 'role';
  const CONFIG_SCHEMA: Record<ConfigName, string> = {
    group: 'Group',
    permission_set: 'PermissionSet',
    model_set: 'ModelSet',
    role: 'Role',
  };
  const CONFIG_DEFAULTS: Record<ConfigName, (id: string) => Json> = {
    group: () => ({
      can: GROUP_CAN,
      can_add_to_content_metadata: false,
      contains_current_user: false,
      external_group_id: null,
      externally_managed: false,
      include_by_default: false,
      user_count: 0,
    }),
    permission_set: (id) => ({
      can: SET_CAN,
      all_access: false,
      built_in: false,
      permissions: [],
      url: `https://${INSTANCE_HOST}/api/4.0/permission_sets/${id}`,
    }),
    model_set: (id) => ({
      can: SET_CAN,
      all_access: false,
      built_in: false,
      models: [],
      url: `https://${INSTANCE_HOST}/api/4.0/model_sets/${id}`,
    }),
    role: (id) => ({
      can: ROLE_CAN,
      url: `https://${INSTANCE_HOST}/api/4.0/roles/${id}`,
      users_url: `https://${INSTANCE_HOST}/api/4.0/roles/${id}/users`,
    }),
  };

  function createConfig(name: ConfigName): Handler {
    return (call) => {
      const body = bodyOf(call);
      const errors = nameErrors(name, body, true);
      if (errors.length > 0) return validationFailed(errors);
      let parts: Json = {};
      if (name === 'role') {
        const found = roleParts(body);
        if (Array.isArray(found)) return validationFailed(found);
        parts = found;
      }
      const index = dataset.insert(name, (id) => ({
        ...skeleton(CONFIG_SCHEMA[name]),
        ...CONFIG_DEFAULTS[name](id),
        ...writable(CONFIG_SCHEMA[name], body),
        ...parts,
        id,
      }));
      return json(200, dataset.item(name, index, 'detail'));
    };
  }

  function updateConfig(name: ConfigName, param: string): Handler {
    return (call) => {
      const index = exists(name, call.params[param]);
      if (index === undefined) return notFound();
      const body = bodyOf(call);
      const errors = nameErrors(name, body, false, index);
      if (errors.length > 0) return validationFailed(errors);
      const current = dataset.written(name, index);
      if (current.built_in === true) {
        return validationFailed([
          { field: 'base', code: 'invalid', message: 'Built-in sets cannot be changed.' },
        ]);
      }
      let parts: Json = {};
      if (name === 'role') {
        const found = roleParts(body);
        if (Array.isArray(found)) return validationFailed(found);
        parts = found;
      }
      dataset.replace(name, index, {
        ...current,
        ...writable(CONFIG_SCHEMA[name], body),
        ...parts,
      });
      return json(200, dataset.item(name, index, 'detail'));
    };
  }

  handlers.create_group = createConfig('group');
  handlers.update_group = updateConfig('group', 'group_id');
  handlers.create_permission_set = createConfig('permission_set');
  handlers.update_permission_set = updateConfig('permission_set', 'permission_set_id');
  handlers.create_model_set = createConfig('model_set');
  handlers.update_model_set = updateConfig('model_set', 'model_set_id');
  handlers.create_role = createConfig('role');
  handlers.update_role = updateConfig('role', 'role_id');

  function destinations(value: unknown, planId: string): Json[] {
    return array(value).map((d) => ({ ...d, id: newId(), scheduled_plan_id: planId }));
  }

  function planErrors(
    body: Json,
    creating: boolean,
  ): { field: string; code: string; message: string }[] {
    const errors: { field: string; code: string; message: string }[] = [];
    if (creating && str(body.name) === null) {
      errors.push({ field: 'name', code: 'missing', message: 'This field is required.' });
    }
    if (
      creating &&
      str(body.crontab) === null &&
      str(body.datagroup) === null &&
      body.run_once !== true
    ) {
      errors.push({
        field: 'crontab',
        code: 'missing',
        message: 'A crontab or a datagroup is required.',
      });
    }
    if (body.look_id != null && liveIndex('look', body.look_id) === undefined) {
      errors.push({ field: 'look_id', code: 'invalid', message: 'Look not found.' });
    }
    if (body.dashboard_id != null && liveIndex('dashboard', body.dashboard_id) === undefined) {
      errors.push({ field: 'dashboard_id', code: 'invalid', message: 'Dashboard not found.' });
    }
    if (body.user_id != null && exists('user', body.user_id) === undefined) {
      errors.push({ field: 'user_id', code: 'invalid', message: 'User not found.' });
    }
    if (
      creating &&
      body.look_id == null &&
      body.dashboard_id == null &&
      body.lookml_dashboard_id == null
    ) {
      errors.push({
        field: 'look_id',
        code: 'missing',
        message: 'A look or a dashboard is required.',
      });
    }
    return errors;
  }

  function siblingNamed(parentId: string, name: string): number | undefined {
    const total = dataset.total('folder');
    for (let index = 0; index < total; index++) {
      if (dataset.state('folder', index) !== 'live') continue;
      if (
        dataset.fieldValue('folder', index, 'parent_id') === parentId &&
        dataset.fieldValue('folder', index, 'name') === name
      ) {
        return index;
      }
    }
    return undefined;
  }

  function lookErrors(
    body: Json,
    creating: boolean,
  ): { field: string; code: string; message: string }[] {
    const errors: { field: string; code: string; message: string }[] = [];
    if (creating && str(body.title) === null) {
      errors.push({ field: 'title', code: 'missing', message: 'This field is required.' });
    }
    if ((creating || body.folder_id != null) && exists('folder', body.folder_id) === undefined) {
      errors.push({ field: 'folder_id', code: 'invalid', message: 'Folder not found.' });
    }
    if ((creating || body.query_id != null) && queryById(String(body.query_id)) === undefined) {
      errors.push({ field: 'query_id', code: 'invalid', message: 'Query not found.' });
    }
    return errors;
  }

  function dashboardErrors(
    body: Json,
    creating: boolean,
    self: number | undefined,
  ): { field: string; code: string; message: string }[] {
    const errors: { field: string; code: string; message: string }[] = [];
    if (creating && str(body.title) === null) {
      errors.push({ field: 'title', code: 'missing', message: 'This field is required.' });
    }
    if ((creating || body.folder_id != null) && exists('folder', body.folder_id) === undefined) {
      errors.push({ field: 'folder_id', code: 'invalid', message: 'Folder not found.' });
    }
    const slug = str(body.slug);
    if (slug !== null && slugTaken(slug, self)) {
      errors.push({
        field: 'slug',
        code: 'already_exists',
        message: 'Slug has already been taken.',
      });
    }
    return errors;
  }

  /** `deleted` in an update moves the item in or out of the trash. */
  function trashState(
    item: Json,
    body: Json,
    index: number,
    name: 'look' | 'dashboard',
  ): 'live' | 'deleted' {
    const current = dataset.state(name, index) === 'deleted' ? 'deleted' : 'live';
    if (body.deleted === false && current === 'deleted') {
      item.deleted = false;
      item.deleted_at = null;
      item.deleter_id = null;
      return 'live';
    }
    if (body.deleted === true && current === 'live') {
      item.deleted = true;
      item.deleted_at = now();
      item.deleter_id = API_USER_ID;
      return 'deleted';
    }
    return current;
  }

  return handlers;
}

function isPersonalPlace(folder: Json): boolean {
  return folder.is_personal === true || folder.is_personal_descendant === true;
}

function array(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => String(v)) : [];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function visType(element: Json): string | null {
  const query = element.query as Json | null;
  const vis = query?.vis_config as Json | null | undefined;
  return typeof vis?.type === 'string' ? vis.type : element.type === 'text' ? 'text' : null;
}
