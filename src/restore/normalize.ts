/**
 * What of an item a restore writes, and how two versions of it are compared. The same functions
 * build the request bodies (from the backup, references mapped to the target) and the
 * comparison form (of the backup and of the target's current item), so "identical" means
 * exactly "a restore would not change anything".
 *
 * Left out on purpose: ids of the item and its parts, server-set timestamps and counters
 * (created_at, updated_at, view_count, favorite_count…), `can`, urls, the owner (`user_id`:
 * mapped by email, or the API user when the owner is missing) and, for dashboards, the slug
 * (the key they are matched by). docs/restore.md lists the fields per type.
 */
import type { Json, RestoreType } from './types.js';

/**
 * Maps a backed-up id of a type to its target id; undefined while it has none. Users are
 * never restored: theirs is the target user with the same email.
 */
export type IdMapper = (type: RestoreType | 'user', sourceId: string) => string | undefined;

/** The target's own ids map to themselves. */
export const identity: IdMapper = (_type, id) => id;

const QUERY_FIELDS = [
  'model',
  'view',
  'fields',
  'pivots',
  'fill_fields',
  'filters',
  'filter_expression',
  'sorts',
  'limit',
  'column_limit',
  'total',
  'row_total',
  'subtotals',
  'vis_config',
  'filter_config',
  'visible_ui_sections',
  'dynamic_fields',
  'query_timezone',
];

const DASHBOARD_FIELDS = [
  'title',
  'description',
  'hidden',
  'query_timezone',
  'refresh_interval',
  'preferred_viewer',
  'alert_sync_with_dashboard_filter_enabled',
  'background_color',
  'crossfilter_enabled',
  'enable_viz_full_screen',
  'filters_bar_collapsed',
  'filters_location_top',
  'load_configuration',
  'show_filters_bar',
  'show_title',
  'text_tile_text_color',
  'tile_background_color',
  'tile_text_color',
  'title_color',
  'appearance',
  'preserve_desktop_layout',
];

const FILTER_FIELDS = [
  'name',
  'title',
  'type',
  'default_value',
  'model',
  'explore',
  'dimension',
  'row',
  'listens_to_filters',
  'allow_multiple_values',
  'required',
  'ui_config',
];

const ELEMENT_FIELDS = [
  'type',
  'title',
  'title_hidden',
  'title_text',
  'subtitle_text',
  'body_text',
  'note_display',
  'note_state',
  'note_text',
  'refresh_interval',
  'rich_content_json',
  'extension_id',
  'aria_description',
];

const LOOK_FIELDS = ['title', 'description', 'is_run_on_load', 'public'];

const BOARD_FIELDS = ['title', 'description'];
const SECTION_FIELDS = ['title', 'description'];
const BOARD_ITEM_FIELDS = [
  'custom_title',
  'custom_description',
  'custom_url',
  'use_custom_title',
  'use_custom_description',
  'use_custom_url',
];

const PLAN_FIELDS = [
  'name',
  'run_as_recipient',
  'enabled',
  'filters_string',
  'dashboard_filters',
  'require_results',
  'require_no_results',
  'require_change',
  'send_all_results',
  'crontab',
  'datagroup',
  'timezone',
  'run_once',
  'include_links',
  'include_dashboard_summary',
  'custom_url_base',
  'custom_url_params',
  'custom_url_label',
  'show_custom_url',
  'pdf_paper_size',
  'pdf_landscape',
  'embed',
  'color_theme',
  'long_tables',
  'pdf_page_breaks',
  'inline_table_width',
];

const DESTINATION_FIELDS = [
  'format',
  'apply_formatting',
  'apply_vis',
  'address',
  'looker_recipient',
  'type',
  'parameters',
  'message',
];

/** The fields of `item` named in `fields` that hold a value (null and absent mean "unset"). */
export function pick(item: Json, fields: readonly string[]): Json {
  const out: Json = {};
  for (const field of fields) {
    const value = item[field];
    if (value !== null && value !== undefined) out[field] = value;
  }
  return out;
}

export function array(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

/** A reference through the mapper; an unmapped one stays recognisably different. */
function mapRef(map: IdMapper, type: RestoreType | 'user', value: unknown): string | null {
  const id = text(value);
  if (id === null) return null;
  return map(type, id) ?? `unmapped:${id}`;
}

// ── queries ──────────────────────────────────────────────────────────────────────────────

/** The body of `create_query` for a saved query: its definition, not its identity. */
export function queryBody(query: Json): Json {
  return pick(query, QUERY_FIELDS);
}

/** What a merge query is made of, besides its sources (`create_merge_query`'s writable fields). */
const MERGE_FIELDS = [
  'column_limit',
  'dynamic_fields',
  'pivots',
  'sorts',
  'total',
  'limit',
  'vis_config',
];

/**
 * A merged-results tile's merge as the backup keeps it (`merge_result`, see
 * looker/merge-results.ts) without ids: its settings, and each source's name, join fields and
 * query. Two merges with the same form show the same results.
 */
export function mergeForm(merge: Json): Json {
  return {
    ...pick(merge, MERGE_FIELDS),
    sources: array(merge.source_queries).map((source) => ({
      name: source.name ?? null,
      merge_fields: source.merge_fields ?? null,
      query: isObject(source.query) ? queryBody(source.query) : null,
    })),
  };
}

/** `create_merge_query`'s body: the merge's settings and its sources, with their new query ids. */
export function mergeBody(merge: Json, queryIds: readonly string[]): Json {
  return {
    ...pick(merge, MERGE_FIELDS),
    source_queries: array(merge.source_queries).map((source, i) => ({
      name: source.name ?? null,
      merge_fields: source.merge_fields ?? null,
      query_id: queryIds[i] ?? null,
    })),
  };
}

// ── folders ──────────────────────────────────────────────────────────────────────────────

export function folderBody(folder: Json, map: IdMapper): Json {
  const name = text(folder.name) ?? '';
  const parent = mapRef(map, 'folder', folder.parent_id);
  return { name, ...(parent === null ? {} : { parent_id: parent }) };
}

/** Folders the system makes (roots, personal folders): matched in a target, never written. */
export function isSystemFolder(folder: Json): boolean {
  return (
    folder.is_shared_root === true ||
    folder.is_users_root === true ||
    folder.is_embed_shared_root === true ||
    folder.is_embed_users_root === true ||
    folder.is_personal === true ||
    folder.parent_id === null ||
    folder.parent_id === undefined
  );
}

// ── looks ────────────────────────────────────────────────────────────────────────────────

export function lookBody(look: Json, map: IdMapper): Json {
  const folder = mapRef(map, 'folder', look.folder_id);
  return { ...pick(look, LOOK_FIELDS), ...(folder === null ? {} : { folder_id: folder }) };
}

export function lookForm(look: Json, map: IdMapper): Json {
  return {
    ...lookBody(look, map),
    query: isObject(look.query) ? queryBody(look.query) : null,
  };
}

// ── dashboards ───────────────────────────────────────────────────────────────────────────

export function dashboardBody(dashboard: Json, map: IdMapper): Json {
  const folder = mapRef(map, 'folder', dashboard.folder_id);
  return {
    ...pick(dashboard, DASHBOARD_FIELDS),
    ...(folder === null ? {} : { folder_id: folder }),
  };
}

export function filterBody(filter: Json): Json {
  return pick(filter, FILTER_FIELDS);
}

/** The active layout's component of each element: element id → position. */
export function positions(dashboard: Json): Map<string, Json> {
  const layouts = array(dashboard.dashboard_layouts);
  const active = layouts.find((l) => l.active === true) ?? layouts[0];
  const byElement = new Map<string, Json>();
  for (const component of array(active?.dashboard_layout_components)) {
    const element = text(component.dashboard_element_id);
    if (element !== null) {
      byElement.set(element, pick(component, ['row', 'column', 'width', 'height']));
    }
  }
  return byElement;
}

/** Which dashboard filters a tile listens to (by filter name, which survives a restore). */
export function listenOf(element: Json): Json[] {
  const maker = isObject(element.result_maker) ? element.result_maker : {};
  return array(maker.filterables).map((filterable) => ({
    model: filterable.model ?? null,
    view: filterable.view ?? null,
    name: filterable.name ?? null,
    listen: array(filterable.listen).map((l) => pick(l, ['dashboard_filter_name', 'field'])),
  }));
}

export function elementBody(element: Json, map: IdMapper): Json {
  const look = mapRef(map, 'look', element.look_id);
  const filterables = listenOf(element);
  return {
    ...pick(element, ELEMENT_FIELDS),
    ...(look === null ? {} : { look_id: look }),
    ...(filterables.length > 0 ? { result_maker: { filterables } } : {}),
  };
}

export function elementForm(element: Json, map: IdMapper, position: Json | undefined): Json {
  return {
    ...elementBody(element, map),
    query: isObject(element.query) ? queryBody(element.query) : null,
    merge_result: isObject(element.merge_result)
      ? mergeForm(element.merge_result)
      : element.merge_result_id != null,
    position: position ?? null,
  };
}

/** Tiles in reading order (position, then title), so that their ids do not matter. */
export function orderedElements(dashboard: Json): { element: Json; position: Json | undefined }[] {
  const byElement = positions(dashboard);
  return array(dashboard.dashboard_elements)
    .map((element) => ({ element, position: byElement.get(text(element.id) ?? '') }))
    .sort((a, b) => {
      const ra = Number(a.position?.row ?? 0);
      const rb = Number(b.position?.row ?? 0);
      if (ra !== rb) return ra - rb;
      const ca = Number(a.position?.column ?? 0);
      const cb = Number(b.position?.column ?? 0);
      if (ca !== cb) return ca - cb;
      return JSON.stringify(elementBody(a.element, identity)).localeCompare(
        JSON.stringify(elementBody(b.element, identity)),
      );
    });
}

export function dashboardForm(dashboard: Json, map: IdMapper): Json {
  return {
    ...dashboardBody(dashboard, map),
    filters: array(dashboard.dashboard_filters)
      .map(filterBody)
      .sort((a, b) => String(a.name).localeCompare(String(b.name))),
    tiles: orderedElements(dashboard).map(({ element, position }) =>
      elementForm(element, map, position),
    ),
  };
}

// ── boards ───────────────────────────────────────────────────────────────────────────────

export function boardBody(board: Json): Json {
  return pick(board, BOARD_FIELDS);
}

export function sectionBody(section: Json): Json {
  return pick(section, SECTION_FIELDS);
}

export function boardItemBody(item: Json, map: IdMapper): Json {
  const dashboard = mapRef(map, 'dashboard', item.dashboard_id);
  const look = mapRef(map, 'look', item.look_id);
  return {
    ...pick(item, BOARD_ITEM_FIELDS),
    ...(dashboard === null ? {} : { dashboard_id: dashboard }),
    ...(look === null ? {} : { look_id: look }),
    ...(text(item.lookml_dashboard_id) === null
      ? {}
      : { lookml_dashboard_id: item.lookml_dashboard_id }),
  };
}

/** Sections in the board's order, items in theirs. */
export function orderedSections(board: Json): Json[] {
  const sections = array(board.board_sections);
  const order = Array.isArray(board.section_order) ? board.section_order.map(String) : [];
  return [...sections].sort((a, b) => rank(order, a.id) - rank(order, b.id));
}

export function orderedItems(section: Json): Json[] {
  const order = Array.isArray(section.item_order) ? section.item_order.map(String) : [];
  return [...array(section.board_items)].sort((a, b) => {
    const byOrder = rank(order, a.id) - rank(order, b.id);
    return byOrder !== 0 ? byOrder : Number(a.order ?? 0) - Number(b.order ?? 0);
  });
}

function rank(order: string[], id: unknown): number {
  const at = order.indexOf(String(id));
  return at < 0 ? order.length : at;
}

export function boardForm(board: Json, map: IdMapper): Json {
  return {
    ...boardBody(board),
    sections: orderedSections(board).map((section) => ({
      ...sectionBody(section),
      items: orderedItems(section).map((item) => boardItemBody(item, map)),
    })),
  };
}

// ── scheduled plans ──────────────────────────────────────────────────────────────────────

export function planBody(plan: Json, map: IdMapper): Json {
  const look = mapRef(map, 'look', plan.look_id);
  const dashboard = mapRef(map, 'dashboard', plan.dashboard_id);
  return {
    ...pick(plan, PLAN_FIELDS),
    ...(look === null ? {} : { look_id: look }),
    ...(dashboard === null ? {} : { dashboard_id: dashboard }),
    ...(text(plan.lookml_dashboard_id) === null
      ? {}
      : { lookml_dashboard_id: plan.lookml_dashboard_id }),
    scheduled_plan_destination: array(plan.scheduled_plan_destination)
      .map((d) => pick(d, DESTINATION_FIELDS))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  };
}

// ── configuration ────────────────────────────────────────────────────────────────────────

export function groupBody(group: Json): Json {
  return pick(group, ['name', 'can_add_to_content_metadata']);
}

export function permissionSetBody(set: Json): Json {
  return {
    name: text(set.name) ?? '',
    permissions: Array.isArray(set.permissions) ? set.permissions.map(String).sort() : [],
  };
}

export function modelSetBody(set: Json): Json {
  return {
    name: text(set.name) ?? '',
    models: Array.isArray(set.models) ? set.models.map(String).sort() : [],
  };
}

/** A role's permission set and model set, embedded or by id. */
export function roleRefs(role: Json): { permissionSet: string | null; modelSet: string | null } {
  const embedded = (value: unknown): string | null => (isObject(value) ? text(value.id) : null);
  return {
    permissionSet: text(role.permission_set_id) ?? embedded(role.permission_set),
    modelSet: text(role.model_set_id) ?? embedded(role.model_set),
  };
}

export function roleBody(role: Json, map: IdMapper): Json {
  const refs = roleRefs(role);
  const permissionSet =
    refs.permissionSet === null
      ? null
      : (map('permission_set', refs.permissionSet) ?? `unmapped:${refs.permissionSet}`);
  const modelSet =
    refs.modelSet === null
      ? null
      : (map('model_set', refs.modelSet) ?? `unmapped:${refs.modelSet}`);
  return {
    name: text(role.name) ?? '',
    ...(permissionSet === null ? {} : { permission_set_id: permissionSet }),
    ...(modelSet === null ? {} : { model_set_id: modelSet }),
  };
}

// ── user attributes ──────────────────────────────────────────────────────────────────────

const USER_ATTRIBUTE_FIELDS = [
  'name',
  'label',
  'type',
  'default_value',
  'value_is_hidden',
  'user_can_view',
  'user_can_edit',
  'hidden_value_domain_whitelist',
];

export function userAttributeBody(attribute: Json): Json {
  return pick(attribute, USER_ATTRIBUTE_FIELDS);
}

/** The values groups give an attribute, in precedence order (`set_user_attribute_group_values`). */
export function groupValuesBody(attribute: Json, map: IdMapper): Json[] {
  return [...array(attribute.group_values)]
    .sort((a, b) => Number(a.rank ?? 0) - Number(b.rank ?? 0))
    .map((row) => ({ group_id: mapRef(map, 'group', row.group_id), value: text(row.value) }));
}

export function userAttributeForm(attribute: Json, map: IdMapper): Json {
  return { ...userAttributeBody(attribute), group_values: groupValuesBody(attribute, map) };
}

// ── folder access ────────────────────────────────────────────────────────────────────────

/** A folder's access as the backup keeps it: inherited, or its own rows. */
export function inheritsAccess(access: Json): boolean {
  return isObject(access.content_metadata) && access.content_metadata.inherits === true;
}

/**
 * Who may see or edit a folder: `inherits`, and (when it does not inherit) one entry per group
 * or user with its permission, in a stable order. A user the target lacks has no entry (users
 * are never created): the planner warns about it.
 */
export function folderAccessForm(access: Json, map: IdMapper): Json {
  const inherits = inheritsAccess(access);
  const rows = inherits
    ? []
    : array(access.access).flatMap((row): Json[] => {
        const permission = text(row.permission_type);
        const group = text(row.group_id);
        if (group !== null)
          return [{ group_id: mapRef(map, 'group', group), permission_type: permission }];
        const user = text(row.user_id);
        const mapped = user === null ? undefined : map('user', user);
        return mapped === undefined ? [] : [{ user_id: mapped, permission_type: permission }];
      });
  return { inherits, access: rows.sort((a, b) => canonical(a).localeCompare(canonical(b))) };
}

/** Who an access row is for: "group:3", "user:7". */
export function principalOf(row: Json): string {
  const group = text(row.group_id);
  return group !== null ? `group:${group}` : `user:${text(row.user_id) ?? ''}`;
}

/** Users an access row names that the target lacks (their rows cannot be restored). */
export function unmappedUsers(access: Json, map: IdMapper): string[] {
  if (inheritsAccess(access)) return [];
  return array(access.access).flatMap((row) => {
    const user = text(row.user_id);
    return text(row.group_id) === null && user !== null && map('user', user) === undefined
      ? [user]
      : [];
  });
}

/**
 * Built-in sets, the Admin role and Looker's system user attributes come with every instance:
 * matched by name, never written.
 */
export function isBuiltIn(type: RestoreType, item: Json): boolean {
  if (type === 'permission_set' || type === 'model_set') return item.built_in === true;
  if (type === 'role') return text(item.name) === 'Admin';
  if (type === 'user_attribute') return item.is_system === true;
  return false;
}

// ── any type ─────────────────────────────────────────────────────────────────────────────

/** The comparison form of an item: equal forms mean a restore changes nothing. */
export function comparable(type: RestoreType, item: Json, map: IdMapper): Json {
  switch (type) {
    case 'folder':
      return folderBody(item, map);
    case 'look':
      return lookForm(item, map);
    case 'dashboard':
      return dashboardForm(item, map);
    case 'board':
      return boardForm(item, map);
    case 'scheduled_plan':
      return planBody(item, map);
    case 'group':
      return groupBody(item);
    case 'permission_set':
      return permissionSetBody(item);
    case 'model_set':
      return modelSetBody(item);
    case 'role':
      return roleBody(item, map);
    case 'user_attribute':
      return userAttributeForm(item, map);
    case 'folder_access':
      return folderAccessForm(item, map);
  }
}

/** Canonical JSON (sorted keys) for comparing forms. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  }
  return value;
}

/** Top-level fields whose values differ between two forms (for the plan's "why"). */
export function differingFields(a: Json, b: Json): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((key) => canonical(a[key]) !== canonical(b[key])).sort();
}

export function titleOf(type: RestoreType, item: Json): string {
  if (type === 'folder_access') {
    return isObject(item.content_metadata) ? (text(item.content_metadata.name) ?? '') : '';
  }
  const value =
    type === 'look' || type === 'dashboard' || type === 'board' ? item.title : item.name;
  return text(value) ?? '';
}
