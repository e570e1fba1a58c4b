/**
 * The simulated instance's content: generated collections plus a small overlay of what live
 * mutation changed (created items, edited fields, deletions). Lists are served from "views":
 * arrays of item indices for a (trash?, filters, sorts) combination, built on first use and
 * cached until the collection changes. Serialized bodies of items are cached in a bounded LRU.
 *
 * Memory: nothing is stored per generated item except in views and equality indexes (4–8 bytes
 * per item) and the bounded body cache; the overlay grows only with mutations.
 */
import {
  CONTENT_META_CAN,
  createUserAttributeCollection,
  generatedFolderAccess,
  generatedGroupValues,
  type FolderAccess,
} from './data/access.js';
import { NO_SHORTCUT, type Collection, type CollectionName } from './data/collection.js';
import { createContentCollections, type ContentCollections } from './data/content.js';
import { createLookmlCollections } from './data/lookml.js';
import { createPeopleCollections } from './data/people.js';
import { Templates } from './data/queries.js';
import { createScheduleCollection } from './data/schedules.js';
import { isoTime, World, type Item } from './data/world.js';
import { ByteLru } from './lru.js';
import type { ResolvedOptions } from './options.js';
import { compareValues, matches, normalize, type Matcher, type Sort } from './search.js';
import type { Spec } from './spec.js';
import type { ItemDefect, SimContentType, SimDataset } from './types.js';

export type ItemState = 'live' | 'deleted' | 'gone';

/** Shapes an item is served in. */
export type Variant = 'detail' | 'summary' | 'base';

export interface ViewFilter {
  field: string;
  matcher: Matcher;
  /** The field holds an array: the filter passes when any element matches. */
  array?: boolean;
}

export interface ViewSpec {
  /** Only items in the trash (true) or only live items (false). */
  trash: boolean;
  filters: ViewFilter[];
  filterOr: boolean;
  sorts: Sort[];
}

interface Patch {
  rev: number;
  fields: Item;
  state: ItemState | undefined;
  /** `fields` is the whole item (written through the API): nothing is generated for it. */
  whole?: boolean;
}

interface Overlay {
  created: number;
  patches: Map<number, Patch>;
  version: number;
}

const VIEW_BUDGET = 16_000_000;
/** Body-cache keys are numbers: (index × collections + collection) × 4 + variant. */
const COLLECTION_CODES = 16;
const VARIANT_CODES: Record<Variant, number> = { detail: 0, summary: 1, base: 2 };
const API_USER_ID = '1';

export class Dataset implements SimDataset {
  readonly world: World;
  readonly collections: Record<CollectionName, Collection>;
  private readonly overlays = new Map<CollectionName, Overlay>();
  private readonly cache: ByteLru;
  private readonly views = new Map<string, { version: number; indices: Int32Array }>();
  private viewEntries = 0;
  private readonly eqIndexes = new Map<string, { version: number; map: Map<string, number[]> }>();
  private readonly defects: Map<SimContentType, Map<string, ItemDefect>>;
  private readonly baseKeys: Partial<Record<CollectionName, string[]>>;
  private readonly codes: Record<CollectionName, number>;
  private readonly summaryKeys = new Map<CollectionName, string[]>();

  private readonly merges: Pick<ContentCollections, 'mergeQueryJson' | 'sourceQueryJson'>;
  private readonly savedQueries = new Map<string, Record<string, unknown>>();
  private readonly savedMergeQueries = new Map<string, Record<string, unknown>>();
  /** Group values and folder access written through the API (replacing the generated ones). */
  private readonly writtenGroupValues = new Map<number, Item[]>();
  private readonly writtenFolderAccess = new Map<number, FolderAccess>();

  constructor(options: ResolvedOptions, spec: Spec) {
    this.world = new World(options.seed, options.counts, options.dashboardsPerFolder);
    const templates = new Templates(this.world);
    const content = createContentCollections(this.world, templates);
    this.merges = content;
    const people = createPeopleCollections(this.world, options.clientId);
    const lookml = createLookmlCollections(this.world);
    this.collections = {
      dashboard: content.dashboards,
      lookml_dashboard: content.lookmlDashboards,
      look: content.looks,
      board: content.boards,
      folder: people.folders,
      user: people.users,
      group: people.groups,
      role: people.roles,
      permission_set: people.permissionSets,
      model_set: people.modelSets,
      user_attribute: createUserAttributeCollection(this.world),
      lookml_model: lookml.models,
      explore: lookml.explores,
      scheduled_plan: createScheduleCollection(this.world, content),
    };
    this.cache = new ByteLru(options.bodyCacheBytes);
    this.codes = Object.fromEntries(
      Object.keys(this.collections).map((name, code) => [name, code]),
    ) as Record<CollectionName, number>;
    this.defects = options.invalidItems;
    for (const [name, collection] of Object.entries(this.collections)) {
      this.summaryKeys.set(name as CollectionName, spec.properties(collection.listSchema));
    }
    this.baseKeys = {
      dashboard: spec.properties('DashboardBase'),
      lookml_dashboard: spec.properties('DashboardBase'),
      folder: spec.properties('FolderBase'),
    };
  }

  private overlay(name: CollectionName): Overlay {
    let overlay = this.overlays.get(name);
    if (!overlay) {
      overlay = { created: 0, patches: new Map(), version: 0 };
      this.overlays.set(name, overlay);
    }
    return overlay;
  }

  /** Base plus created items: valid indices are 0..total-1. */
  total(name: CollectionName): number {
    return this.collections[name].count + (this.overlays.get(name)?.created ?? 0);
  }

  version(name: CollectionName): number {
    return this.overlays.get(name)?.version ?? 0;
  }

  state(name: CollectionName, index: number): ItemState {
    if (index < 0 || index >= this.total(name)) return 'gone';
    const state = this.overlays.get(name)?.patches.get(index)?.state;
    if (state) return state;
    return this.collections[name].initiallyDeleted(index) ? 'deleted' : 'live';
  }

  /**
   * A merge query (a copy): one a client created, or one a merged-results tile of the dataset
   * points at.
   */
  mergeQuery(id: string): Record<string, unknown> | undefined {
    const saved = this.savedMergeQueries.get(id);
    if (saved) return structuredClone(saved);
    const json = this.merges.mergeQueryJson(id);
    return json === undefined ? undefined : (JSON.parse(json) as Record<string, unknown>);
  }

  /**
   * A query `query(id)` serves (a copy): one a client created, or a source of one of the
   * dataset's merges. (Tiles and looks carry their own queries.)
   */
  query(id: string): Record<string, unknown> | undefined {
    const saved = this.savedQueries.get(id);
    if (saved) return structuredClone(saved);
    const json = this.merges.sourceQueryJson(id);
    return json === undefined ? undefined : (JSON.parse(json) as Record<string, unknown>);
  }

  /** Keeps a query a client created (queries are immutable: never changed after). */
  saveQuery(id: string, query: Record<string, unknown>): void {
    this.savedQueries.set(id, query);
  }

  saveMergeQuery(id: string, merge: Record<string, unknown>): void {
    this.savedMergeQueries.set(id, merge);
  }

  /** The values groups give user attribute `index`, in precedence order (copies). */
  groupValues(index: number): Item[] {
    const rows = this.writtenGroupValues.get(index) ?? generatedGroupValues(this.world, index);
    return structuredClone(rows);
  }

  /** Replaces every group value of an attribute (`set_user_attribute_group_values`). */
  setGroupValues(index: number, rows: Item[]): void {
    this.writtenGroupValues.set(index, rows);
  }

  /**
   * The folder a content metadata id belongs to. Generated folders have 100,000 + their index;
   * folders created through the API have the id `create_folder` gave them.
   */
  folderOfContentMetadata(contentMetadataId: string): number | undefined {
    const total = this.total('folder');
    const generated = Number(contentMetadataId) - 100_000;
    const candidates =
      Number.isInteger(generated) && generated >= 0 && generated < total ? [generated] : [];
    for (let index = this.collections.folder.count; index < total; index++) candidates.push(index);
    return candidates.find(
      (index) =>
        this.state('folder', index) !== 'gone' &&
        this.item('folder', index, 'summary').content_metadata_id === contentMetadataId,
    );
  }

  /** Who may see or edit a folder (a copy): what was written, else the generated access. */
  folderAccess(folder: number): FolderAccess {
    const written = this.writtenFolderAccess.get(folder);
    if (written) return structuredClone(written);
    if (folder >= this.collections.folder.count) return { inherits: true, rows: [] };
    return structuredClone(generatedFolderAccess(this.world, folder));
  }

  setFolderAccess(folder: number, access: FolderAccess): void {
    this.writtenFolderAccess.set(folder, access);
  }

  /** The `content_metadata` of a folder, as `content_metadata(id)` serves it. */
  folderContentMetadata(folder: number): Item {
    const item = this.item('folder', folder, 'summary');
    const parent =
      typeof item.parent_id === 'string' ? this.find('folder', item.parent_id) : undefined;
    const parentMeta =
      parent === undefined ? null : this.item('folder', parent, 'summary').content_metadata_id;
    const { inherits } = this.folderAccess(folder);
    let inheriting: unknown = null;
    if (inherits) {
      // The nearest ancestor with access of its own.
      for (let at = parent; at !== undefined;) {
        const above = this.item('folder', at, 'summary');
        if (!this.folderAccess(at).inherits) {
          inheriting = above.content_metadata_id;
          break;
        }
        at = typeof above.parent_id === 'string' ? this.find('folder', above.parent_id) : undefined;
      }
    }
    return {
      can: CONTENT_META_CAN,
      id: item.content_metadata_id,
      name: item.name,
      parent_id: parentMeta,
      dashboard_id: null,
      look_id: null,
      folder_id: item.id,
      homepage_id: null,
      agent_id: null,
      content_type: 'space',
      inherits,
      inheriting_id: inheriting,
      slug: null,
    };
  }

  /** The index of an item by key, if it exists (live or in the trash). */
  find(name: CollectionName, key: string): number | undefined {
    const index = this.collections[name].index(key);
    if (index === undefined || this.state(name, index) === 'gone') return undefined;
    return index;
  }

  key(name: CollectionName, index: number): string {
    return this.collections[name].key(index);
  }

  // ── items ────────────────────────────────────────────────────────────────────────────────

  /** The item as served in `variant` shape (mutation patches and defects applied). */
  item(name: CollectionName, index: number, variant: Variant): Item {
    const collection = this.collections[name];
    const patch = this.overlays.get(name)?.patches.get(index);
    if (patch?.whole) return this.writtenItem(name, index, patch.fields, variant);
    let item: Item;
    if (variant === 'base' && collection.baseJson)
      item = JSON.parse(collection.baseJson(index)) as Item;
    else item = variant === 'detail' ? collection.detail(index) : collection.summary(index);
    if (patch) Object.assign(item, patch.fields);
    if (variant === 'base' && !collection.baseJson) {
      const keys = this.baseKeys[name];
      if (keys) {
        const base: Item = {};
        for (const key of keys) if (Object.hasOwn(item, key)) base[key] = item[key];
        item = base;
      }
    } else if (variant === 'base' && patch) {
      const keys = new Set(this.baseKeys[name] ?? []);
      item = Object.fromEntries(Object.entries(item).filter(([key]) => keys.has(key)));
    }
    if (name === 'folder' && variant === 'detail') this.addFolderContent(item, index);
    this.spoil(name, item);
    return item;
  }

  /** An item written through the API, in the shape asked for. */
  private writtenItem(name: CollectionName, index: number, whole: Item, variant: Variant): Item {
    const copy = structuredClone(whole);
    let item: Item = copy;
    if (variant === 'base') {
      const keys = this.baseKeys[name];
      if (keys)
        item = Object.fromEntries(
          keys.filter((k) => Object.hasOwn(copy, k)).map((k) => [k, copy[k]]),
        );
    } else if (variant === 'summary') {
      const keys = this.summaryKeys.get(name);
      if (keys)
        item = Object.fromEntries(
          keys.filter((k) => Object.hasOwn(copy, k)).map((k) => [k, copy[k]]),
        );
    }
    if (name === 'folder' && variant === 'detail') this.addFolderContent(item, index);
    return item;
  }

  /** The whole item as written, for the write handlers to edit (a copy). */
  written(name: CollectionName, index: number): Item {
    const patch = this.overlays.get(name)?.patches.get(index);
    if (patch?.whole) return structuredClone(patch.fields);
    const item = this.item(name, index, 'detail');
    if (name === 'folder') {
      delete item.dashboards;
      delete item.looks;
    }
    return item;
  }

  /** Adds an item written through the API; `build` gets its new id. Returns its index. */
  insert(name: CollectionName, build: (id: string) => Item): number {
    const overlay = this.overlay(name);
    const index = this.total(name);
    const item = build(this.key(name, index));
    overlay.created++;
    overlay.patches.set(index, { rev: 1, fields: item, state: 'live', whole: true });
    overlay.version++;
    return index;
  }

  /** Replaces an item with what was written through the API (and its state). */
  replace(name: CollectionName, index: number, item: Item, state?: ItemState): void {
    const overlay = this.overlay(name);
    const previous = overlay.patches.get(index);
    overlay.patches.set(index, {
      rev: (previous?.rev ?? 0) + 1,
      fields: item,
      state: state ?? this.state(name, index),
      whole: true,
    });
    overlay.version++;
  }

  /** Serialized item, from the body cache when possible. */
  json(name: CollectionName, index: number, variant: Variant): Buffer {
    if (name === 'folder' && variant === 'detail') {
      return Buffer.from(JSON.stringify(this.item(name, index, variant)));
    }
    const patch = this.overlays.get(name)?.patches.get(index);
    const rev = patch?.rev ?? 0;
    const key = (index * COLLECTION_CODES + this.codes[name]) * 4 + VARIANT_CODES[variant];
    let body = this.cache.get(key, rev);
    if (!body) {
      const collection = this.collections[name];
      const writer =
        variant === 'detail'
          ? collection.detailJson
          : variant === 'summary'
            ? collection.summaryJson
            : collection.baseJson;
      const direct = !patch && writer !== undefined && !this.isSpoiled(name, index);
      body = Buffer.from(direct ? writer(index) : JSON.stringify(this.item(name, index, variant)));
      this.cache.set(key, rev, body);
    }
    return body;
  }

  private isSpoiled(name: CollectionName, index: number): boolean {
    const defects = this.defects.get(name === 'lookml_dashboard' ? 'dashboard' : name);
    return defects !== undefined && defects.size > 0 && defects.has(this.key(name, index));
  }

  private spoil(name: CollectionName, item: Item): void {
    const type: SimContentType = name === 'lookml_dashboard' ? 'dashboard' : name;
    const defects = this.defects.get(type);
    if (!defects || defects.size === 0) return;
    const keyField = this.collections[name].keyField;
    const key = item[keyField];
    if (typeof key !== 'string') return;
    const defect = defects.get(key);
    if (defect === 'id-number') {
      item[keyField] = /^\d+$/.test(key) ? Number(key) : key.length;
    } else if (defect === 'missing-id') {
      if (keyField === 'id') delete item.id;
      else delete item.name;
    }
  }

  private addFolderContent(folder: Item, index: number): void {
    const folderId = this.world.folderId(index);
    const filter: ViewFilter = { field: 'folder_id', matcher: { kind: 'eq', value: folderId } };
    const spec: ViewSpec = { trash: false, filters: [filter], filterOr: false, sorts: [] };
    folder.dashboards = Array.from(this.view('dashboard', spec), (i) =>
      this.item('dashboard', i, 'base'),
    );
    folder.looks = Array.from(this.view('look', spec), (i) => {
      const look = this.item('look', i, 'summary');
      look.dashboards = [];
      return look;
    });
  }

  /** A field's value for filtering, without building the item when a shortcut exists. */
  fieldValue(name: CollectionName, index: number, field: string, summary?: () => Item): unknown {
    const patch = this.overlays.get(name)?.patches.get(index);
    if (patch && Object.hasOwn(patch.fields, field)) return patch.fields[field];
    if (patch?.whole) return undefined;
    const fast = this.collections[name].fast?.(index, field) ?? NO_SHORTCUT;
    if (fast !== NO_SHORTCUT) return fast;
    return (summary ? summary() : this.item(name, index, 'summary'))[field];
  }

  // ── views ────────────────────────────────────────────────────────────────────────────────

  /** Indices of the items a list operation returns, in order (cached per collection version). */
  view(name: CollectionName, spec: ViewSpec): Int32Array {
    const key = `${name}|${String(spec.trash)}|${String(spec.filterOr)}|${JSON.stringify(spec.filters, matcherReplacer)}|${JSON.stringify(spec.sorts)}`;
    const version = this.version(name);
    const cached = this.views.get(key);
    if (cached && cached.version === version) {
      this.views.delete(key);
      this.views.set(key, cached);
      return cached.indices;
    }
    if (cached) {
      this.views.delete(key);
      this.viewEntries -= cached.indices.length;
    }
    const indices = this.buildView(name, spec);
    this.views.set(key, { version, indices });
    this.viewEntries += indices.length;
    while (this.viewEntries > VIEW_BUDGET && this.views.size > 1) {
      const oldest = this.views.keys().next().value as string;
      this.viewEntries -= this.views.get(oldest)?.indices.length ?? 0;
      this.views.delete(oldest);
    }
    return indices;
  }

  private buildView(name: CollectionName, spec: ViewSpec): Int32Array {
    const want: ItemState = spec.trash ? 'deleted' : 'live';
    const { filters } = spec;
    let candidates: Iterable<number> | undefined;
    let remaining = filters;
    if (!spec.filterOr) {
      const eq = filters.find((f) => f.matcher.kind === 'eq' && !f.array);
      if (eq && eq.matcher.kind === 'eq') {
        candidates = this.eqIndex(name, eq.field).get(eq.matcher.value) ?? [];
        remaining = filters.filter((f) => f !== eq);
      }
    }
    const total = this.total(name);
    candidates ??= range(total);
    const selected: number[] = [];
    for (const index of candidates) {
      if (this.state(name, index) !== want) continue;
      if (remaining.length > 0) {
        let summary: Item | undefined;
        const lazy = () => (summary ??= this.item(name, index, 'summary'));
        const test = (f: ViewFilter) => {
          const value = this.fieldValue(name, index, f.field, lazy);
          if (f.array) return Array.isArray(value) && value.some((v) => matches(f.matcher, v));
          return matches(f.matcher, value);
        };
        const pass = spec.filterOr ? remaining.some(test) : remaining.every(test);
        if (!pass) continue;
      }
      selected.push(index);
    }
    const sorts = spec.sorts;
    const keyField = this.collections[name].keyField;
    const byIndexOnly =
      sorts.length === 0 ||
      (sorts.length === 1 &&
        sorts[0]?.field === keyField &&
        !sorts[0].desc &&
        keyField === 'id' &&
        isNumericKeyed(name));
    if (!byIndexOnly) {
      const columns = sorts.map((s) =>
        selected.map((index) =>
          s.field === keyField ? this.key(name, index) : this.fieldValue(name, index, s.field),
        ),
      );
      const order = selected.map((_, i) => i);
      order.sort((a, b) => {
        for (let s = 0; s < sorts.length; s++) {
          const column = columns[s] as unknown[];
          const c = compareValues(column[a], column[b]);
          if (c !== 0) return (sorts[s] as Sort).desc ? -c : c;
        }
        return (selected[a] as number) - (selected[b] as number);
      });
      return Int32Array.from(order, (i) => selected[i] as number);
    }
    return Int32Array.from(selected);
  }

  /** value → indices (every state, index order) for equality filters on one field. */
  private eqIndex(name: CollectionName, field: string): Map<string, number[]> {
    const key = `${name}|${field}`;
    const version = this.version(name);
    const cached = this.eqIndexes.get(key);
    if (cached && cached.version === version) return cached.map;
    const map = new Map<string, number[]>();
    const total = this.total(name);
    const keyField = this.collections[name].keyField;
    for (let index = 0; index < total; index++) {
      const value =
        field === keyField ? this.key(name, index) : this.fieldValue(name, index, field);
      const k = normalize(value);
      let bucket = map.get(k);
      if (!bucket) map.set(k, (bucket = []));
      bucket.push(index);
    }
    this.eqIndexes.set(key, { version, map });
    return map;
  }

  // ── mutation ─────────────────────────────────────────────────────────────────────────────

  /** Adds a new item (generated like the others, timestamped now); returns its index. */
  create(name: CollectionName, now: number): number {
    const overlay = this.overlay(name);
    const index = this.total(name);
    overlay.created++;
    const fields: Item = {};
    const summary = this.collections[name].summary(index);
    for (const key of ['created_at', 'updated_at', 'last_accessed_at', 'last_viewed_at']) {
      if (Object.hasOwn(summary, key)) fields[key] = isoTime(now);
    }
    overlay.patches.set(index, { rev: 1, fields, state: 'live' });
    overlay.version++;
    return index;
  }

  /** Edits an item's title (or name) and its updated_at. */
  update(name: CollectionName, index: number, now: number): void {
    const overlay = this.overlay(name);
    const collection = this.collections[name];
    const previous = overlay.patches.get(index);
    const rev = (previous?.rev ?? 0) + 1;
    const current = this.item(name, index, 'summary');
    const currentTitle = current[collection.titleField];
    const title = (typeof currentTitle === 'string' ? currentTitle : '').replace(
      / \(edited \d+\)$/,
      '',
    );
    const fields: Item = {
      ...previous?.fields,
      [collection.titleField]: `${title} (edited ${String(rev)})`,
    };
    if (collection.hasUpdatedAt) fields.updated_at = isoTime(now);
    if (Object.hasOwn(current, 'last_updater_id')) fields.last_updater_id = API_USER_ID;
    overlay.patches.set(index, {
      rev,
      fields,
      state: previous?.state,
      whole: previous?.whole === true,
    });
    overlay.version++;
  }

  /** Soft-deletes (dashboards, looks: into the trash) or removes an item. */
  remove(name: CollectionName, index: number, now: number): void {
    const overlay = this.overlay(name);
    const collection = this.collections[name];
    const previous = overlay.patches.get(index);
    const rev = (previous?.rev ?? 0) + 1;
    const fields: Item = { ...previous?.fields };
    if (collection.softDelete) {
      fields.deleted = true;
      fields.deleted_at = isoTime(now);
      fields.deleter_id = API_USER_ID;
    }
    overlay.patches.set(index, {
      rev,
      fields,
      state: collection.softDelete ? 'deleted' : 'gone',
      whole: previous?.whole === true,
    });
    overlay.version++;
  }

  /**
   * Edits a dashboard's first tile (its title), as saving a dashboard in Looker does: the
   * dashboard's `updated_at` moves with it.
   */
  editTiles(index: number, now: number): void {
    const overlay = this.overlay('dashboard');
    const previous = overlay.patches.get(index);
    const rev = (previous?.rev ?? 0) + 1;
    const current = this.item('dashboard', index, 'detail');
    const elements = Array.isArray(current.dashboard_elements)
      ? (current.dashboard_elements as Item[]).map((element) => ({ ...element }))
      : [];
    const first = elements[0];
    if (first) {
      const title = typeof first.title === 'string' ? first.title : 'Tile';
      first.title = `${title.replace(/ \(edited \d+\)$/, '')} (edited ${String(rev)})`;
    }
    const fields: Item = {
      ...previous?.fields,
      dashboard_elements: elements,
      updated_at: isoTime(now),
    };
    overlay.patches.set(index, {
      rev,
      fields,
      state: previous?.state,
      whole: previous?.whole === true,
    });
    overlay.version++;
  }

  /**
   * Takes an item out of the trash (dashboards, looks: back into listings; boards: `deleted_at`
   * cleared), as `update_*` with `{deleted: false}` does.
   */
  untrash(name: CollectionName, index: number): void {
    this.patch(name, index, { deleted: false, deleted_at: null, deleter_id: null }, 'live');
  }

  /**
   * Moves a board to the trash: boards have no trash listing in API 4.0, so it stays listed
   * with `deleted_at` set.
   */
  trashBoard(index: number, now: number): void {
    this.patch('board', index, { deleted_at: isoTime(now) }, 'live');
  }

  /** Whether `folderId` names a live folder. */
  hasFolder(folderId: string): boolean {
    const index = this.find('folder', folderId);
    return index !== undefined && this.state('folder', index) === 'live';
  }

  /** Moves a dashboard or look to another folder (as `update_*` with `folder_id` does). */
  move(name: 'dashboard' | 'look', index: number, folderId: string, now: number): void {
    const folderIndex = this.find('folder', folderId);
    if (folderIndex === undefined) throw new Error(`no folder ${folderId}`);
    const overlay = this.overlay(name);
    const previous = overlay.patches.get(index);
    const folder = this.item('folder', folderIndex, 'base');
    overlay.patches.set(index, {
      rev: (previous?.rev ?? 0) + 1,
      fields: { ...previous?.fields, folder_id: folderId, folder, updated_at: isoTime(now) },
      state: previous?.state,
      whole: previous?.whole === true,
    });
    overlay.version++;
  }

  /** Deletes an item for good (out of the trash too). */
  purge(name: CollectionName, index: number): void {
    this.patch(name, index, {}, 'gone');
  }

  private patch(name: CollectionName, index: number, fields: Item, state: ItemState): void {
    const overlay = this.overlay(name);
    const previous = overlay.patches.get(index);
    const rev = (previous?.rev ?? 0) + 1;
    const kept = { ...previous?.fields };
    const keys = previous?.whole
      ? Object.keys(fields)
      : Object.keys(this.collections[name].summary(index));
    for (const key of keys) {
      if (Object.hasOwn(fields, key)) kept[key] = fields[key];
    }
    overlay.patches.set(index, { rev, fields: kept, state, whole: previous?.whole === true });
    overlay.version++;
  }

  // ── SimDataset (read-only view for tests) ──────────────────────────────────────────────

  private namesOf(type: SimContentType): CollectionName[] {
    return type === 'dashboard' ? ['dashboard', 'lookml_dashboard'] : [type];
  }

  private keysOf(type: SimContentType, trash: boolean): string[] {
    const keys: string[] = [];
    for (const name of this.namesOf(type)) {
      const view = this.view(name, { trash, filters: [], filterOr: false, sorts: [] });
      for (const index of view) keys.push(this.key(name, index));
    }
    return keys;
  }

  ids(type: SimContentType): string[] {
    return this.keysOf(type, false);
  }

  deletedIds(type: SimContentType): string[] {
    return this.keysOf(type, true);
  }

  /** Finds an item of a content type by id: the collection it lives in and its index. */
  locate(type: SimContentType, id: string): { name: CollectionName; index: number } | undefined {
    for (const name of this.namesOf(type)) {
      const index = this.find(name, id);
      if (index !== undefined) return { name, index };
    }
    return undefined;
  }

  get(type: SimContentType, id: string): unknown {
    const found = this.locate(type, id);
    if (!found) return undefined;
    return JSON.parse(this.json(found.name, found.index, 'detail').toString('utf8')) as unknown;
  }

  *items(type: SimContentType): IterableIterator<unknown> {
    for (const id of this.ids(type)) yield this.get(type, id);
  }

  userAttributeGroupValues(id: string): Item[] | undefined {
    const index = this.find('user_attribute', id);
    return index === undefined ? undefined : this.groupValues(index);
  }

  folderAccessOf(folderId: string): { content_metadata: Item; access: Item[] } | undefined {
    const index = this.find('folder', folderId);
    if (index === undefined) return undefined;
    const rows = this.folderAccess(index).rows;
    const byId = (row: Item): number => Number(row.id);
    return {
      content_metadata: this.folderContentMetadata(index),
      access: rows.sort((a, b) => byId(a) - byId(b)),
    };
  }

  accessFolderIds(): string[] {
    return this.ids('folder').filter(
      (id) => !this.accessIsFixed(this.find('folder', id) as number),
    );
  }

  /** Looker fixes who sees the Users root and personal folders (and what is inside them). */
  accessIsFixed(folder: number): boolean {
    const item = this.item('folder', folder, 'summary');
    return (
      item.is_personal === true ||
      item.is_personal_descendant === true ||
      item.is_users_root === true
    );
  }

  count(type: SimContentType): number {
    let n = 0;
    for (const name of this.namesOf(type)) {
      n += this.view(name, { trash: false, filters: [], filterOr: false, sorts: [] }).length;
    }
    return n;
  }
}

function isNumericKeyed(name: CollectionName): boolean {
  return name !== 'lookml_dashboard' && name !== 'explore' && name !== 'lookml_model';
}

function* range(n: number): IterableIterator<number> {
  for (let i = 0; i < n; i++) yield i;
}

function matcherReplacer(_key: string, value: unknown): unknown {
  if (value instanceof RegExp) return value.source;
  if (value instanceof Set) return [...(value as Set<unknown>)];
  return value;
}
