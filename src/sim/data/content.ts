/**
 * Dashboards (user-defined and LookML), looks and boards. Dashboards are the heavy items:
 * typically 8–40 KB (about 15 KB on average) of tiles, filters and layout, and about 0.5% are
 * outliers of 150–400 KB. Lists return them abbreviated (no tiles, filters, layouts).
 *
 * Dashboards and looks are written as JSON text directly (see json.ts): they are the hot path
 * of every benchmark. Their object forms are parsed from that text.
 */
import type { Rng } from '../prng.js';
import { NO_SHORTCUT, numericIndex, numericKey, type Collection } from './collection.js';
import { esc, q } from './json.js';
import { queryTarget, writeQuery, type Templates } from './queries.js';
import { fill, LAYOUT_CAN, TilePool, type TileValues } from './tiles.js';
import {
  DAY_MS,
  EPOCH_MS,
  HISTORY_MS,
  INSTANCE_HOST,
  Stream,
  isoTime,
  type Item,
  type World,
} from './world.js';
import {
  FILTER_VALUES,
  LOREM,
  REGIONS,
  TITLE_ADJECTIVES,
  TITLE_NOUNS,
  TITLE_SUBJECTS,
} from './words.js';

/** What the API user may do with a dashboard or look (also what written items carry). */
export const CONTENT_CAN = Object.freeze({
  download: true,
  see_lookml: true,
  index: true,
  show: true,
  copy: true,
  run: true,
  create: true,
  move: true,
  update: true,
  destroy: true,
  recover: true,
  see_aggregate_table_lookml: true,
  schedule: true,
});
const DASHBOARD_CAN = JSON.stringify(CONTENT_CAN);
const ELEMENT_CAN = JSON.stringify({
  show: true,
  update: true,
  destroy: true,
  index: true,
  create: true,
});
const LOOK_CAN = JSON.stringify({
  download: true,
  download_unlimited: true,
  index: true,
  show: true,
  copy: true,
  run: true,
  create: true,
  move: true,
  update: true,
  destroy: true,
  recover: true,
  render: true,
  schedule: true,
  find_and_replace: true,
});
const BOARD_CAN = Object.freeze({
  create: true,
  show: true,
  index: true,
  update: true,
  destroy: true,
});
const APPEARANCE = JSON.stringify({
  page_side_margins: null,
  page_background_color: null,
  tile_title_alignment: 'left',
  tile_space_between: null,
  tile_background_color: null,
  tile_shadow: true,
  key_color: null,
  modern_vis2026: null,
});
const DOWNLOAD_SETTINGS = JSON.stringify({
  format_option: null,
  value_options: null,
  result_options: null,
  limit_options: null,
  rows_limit: null,
  columns_limit: null,
});
const LOOKML_FOLDER = JSON.stringify({
  name: 'LookML Dashboards',
  parent_id: null,
  id: 'lookml',
  content_metadata_id: null,
  created_at: null,
  creator_id: null,
  child_count: 0,
  external_id: null,
  is_embed: false,
  is_embed_shared_root: false,
  is_embed_users_root: false,
  is_personal: false,
  is_personal_descendant: false,
  is_shared_root: false,
  is_users_root: false,
  can: { index: true, show: true },
});
const UNICODE_NOTES = [
  'Zahlen für das Café in Zürich — wöchentlich geprüft.',
  'Données consolidées: Île-de-France, Provence-Alpes-Côte d’Azur.',
  '売上ダッシュボード（週次）— 東京・大阪の店舗。',
  'Métricas de São Paulo e Brasília; última revisão às 9h.',
];
const FILTER_DIMENSIONS = ['created_date', 'status', 'country', 'category', 'brand'];

function title(rng: Rng): string {
  let text = `${rng.pick(TITLE_ADJECTIVES)} ${rng.pick(TITLE_SUBJECTS)} ${rng.pick(TITLE_NOUNS)}`;
  if (rng.chance(0.3)) text += ` - ${rng.pick(REGIONS)}`;
  return text;
}

function sentence(rng: Rng, words: number): string {
  const start = rng.int(LOREM.length);
  let out = LOREM[start % LOREM.length] as string;
  for (let w = 1; w < words; w++) out += ` ${LOREM[(start + w) % LOREM.length] as string}`;
  return out;
}

/** A description: often none, sometimes with non-ASCII text (clients must handle UTF-8). */
function description(rng: Rng, probability: number, min: number, max: number): string {
  if (!rng.chance(probability)) return 'null';
  if (rng.chance(0.05)) return esc(rng.pick(UNICODE_NOTES));
  return q(sentence(rng, rng.range(min, max)));
}

function certification(rng: Rng, world: World, at: number): string {
  if (!rng.chance(0.06)) return '';
  const who = world.userNames(rng.int(world.counts.user)).display;
  return `,"certification_metadata":{"certification_status":"certified","ui_status":"Certified","user_name":"${who}","notes":"Reviewed by the data team.","updated_at":"${isoTime(at)}"}`;
}

/** Timestamps of a generated content item (before any mutation). */
function history(rng: Rng): { created: number; updated: number; viewed: number } {
  const created = EPOCH_MS - HISTORY_MS + Math.floor(rng.float() * HISTORY_MS * 0.95);
  const updated = created + Math.floor(rng.float() * (EPOCH_MS - created - DAY_MS));
  const viewed = updated + Math.floor(rng.float() * (EPOCH_MS - updated));
  return { created, updated, viewed };
}

const PARTS_CACHE_SIZE = 4096;

/** A small map that forgets its oldest entries beyond `limit`. */
class RecentCache<T> {
  private readonly map = new Map<number, T>();
  constructor(private readonly limit: number) {}
  get(key: number): T | undefined {
    return this.map.get(key);
  }
  set(key: number, value: T): void {
    this.map.set(key, value);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as number);
  }
}

/**
 * Flattens a rope string in place (V8 flattens a cons string when a character is read), so
 * later concatenations that include it copy one piece instead of walking its nodes again.
 */
function flatten(text: string): string {
  text.charCodeAt(0);
  return text;
}

export interface ContentCollections {
  dashboards: Collection;
  lookmlDashboards: Collection;
  looks: Collection;
  boards: Collection;
  /** The merge query a merged-results tile of the dataset points at, as JSON; undefined if none. */
  mergeQueryJson(id: string): string | undefined;
  /** A source query of such a merge, as JSON; undefined if none. */
  sourceQueryJson(id: string): string | undefined;
}

/** Ids of the dataset's merge queries (one per merged tile) and of their two source queries. */
const MERGE_ID_BASE = 5_000_000_000;
const SOURCE_QUERY_ID_BASE = 6_000_000_000;
const SOURCES_PER_MERGE = 2;

interface DashboardParts {
  /** DashboardBase properties (inner JSON, no braces). */
  base: string;
  /** The other abbreviated Dashboard properties. */
  rest: string;
  id: string;
  title: string;
}

interface LookmlIdentity {
  key: string;
  model: string;
  title: string;
}

export function createContentCollections(world: World, templates: Templates): ContentCollections {
  const tilePool = new TilePool(world, templates);
  const trashed = (stream: number, count: number) => (index: number) =>
    index < count && world.unit(Stream.trash + stream * 3, index) < 0.02;

  // ── looks ────────────────────────────────────────────────────────────────────────────────
  const lookCount = world.counts.look;
  const lookTrashed = trashed(Stream.look, lookCount);
  const lookQueryId = (index: number) => 10_000_000 + index * 3 + 1;

  /** The Look properties, inner JSON. */
  function writeLookInner(index: number): string {
    const rng = world.rng(Stream.look, index);
    const id = numericKey(index);
    const folder = world.contentFolder(Stream.look, index);
    const owner = world.contentOwner(Stream.look, index, folder);
    const { model } = queryTarget(world, world.rng(Stream.look + 1000, index));
    const times = history(rng);
    const deleted = lookTrashed(index);
    const updater = rng.chance(0.7) ? owner : rng.int(world.counts.user);
    const lookTitle = title(rng);
    const views = rng.int(5000);
    const cert = certification(rng, world, times.updated);
    const desc = description(rng, 0.5, 6, 30);
    const viewed = isoTime(times.viewed);
    const updaterId = world.userId(updater);
    return (
      `"can":${LOOK_CAN},"content_metadata_id":"${String(2_000_000 + index)}","id":"${id}","title":"${lookTitle}",` +
      `"user_id":"${world.userId(owner)}"${cert},"content_favorite_id":null,"created_at":"${isoTime(times.created)}",` +
      `"deleted":${String(deleted)},"deleted_at":${deleted ? q(viewed) : 'null'},"deleter_id":${deleted ? q(updaterId) : 'null'},` +
      `"description":${desc},"embed_url":"https://${INSTANCE_HOST}/embed/looks/${id}",` +
      `"excel_file_url":"https://${INSTANCE_HOST}/looks/${id}.xlsx","favorite_count":${String(rng.int(40))},` +
      `"google_spreadsheet_formula":null,"image_embed_url":"https://${INSTANCE_HOST}/looks/${id}.png",` +
      `"is_run_on_load":${String(rng.chance(0.8))},"last_accessed_at":"${viewed}","last_updater_id":"${updaterId}",` +
      `"last_viewed_at":"${viewed}","model":{"id":"${model}","label":"${world.modelLabel(model)}"},"public":false,` +
      `"public_slug":null,"public_url":null,"query_id":"${String(lookQueryId(index))}","short_url":"/x/${rng.slug(22)}",` +
      `"folder":${world.folderBaseJson(folder)},"folder_id":"${world.folderId(folder)}","updated_at":"${isoTime(times.updated)}",` +
      `"user_name":"${world.userNames(owner).display}","view_count":${String(views)},"usage_count":${String(Math.floor(views / 3))},` +
      `"is_owner_disabled":false`
    );
  }

  const lookCache = new RecentCache<string>(PARTS_CACHE_SIZE);
  function lookInner(index: number): string {
    let inner = lookCache.get(index);
    if (inner === undefined) {
      inner = flatten(writeLookInner(index));
      lookCache.set(index, inner);
    }
    return inner;
  }

  function lookDetailJson(index: number): string {
    const query = writeQuery(
      world,
      templates,
      world.rng(Stream.look + 1000, index),
      lookQueryId(index),
    );
    return `{${lookInner(index)},"query":${query.json},"url":"/looks/${numericKey(index)}"}`;
  }

  const looks: Collection = {
    name: 'look',
    listSchema: 'Look',
    count: lookCount,
    keyField: 'id',
    key: numericKey,
    index: numericIndex,
    summaryJson: (index) => `{${lookInner(index)}}`,
    detailJson: lookDetailJson,
    summary: (index) => JSON.parse(`{${lookInner(index)}}`) as Item,
    detail: (index) => JSON.parse(lookDetailJson(index)) as Item,
    initiallyDeleted: lookTrashed,
    fast(index, field) {
      if (field === 'folder_id') return world.folderId(world.contentFolder(Stream.look, index));
      if (field === 'deleted') return lookTrashed(index);
      return NO_SHORTCUT;
    },
    softDelete: true,
    titleField: 'title',
    hasUpdatedAt: true,
  };

  // ── dashboards ──────────────────────────────────────────────────────────────────────────────
  const dashboardCount = world.counts.dashboard;
  const dashboardTrashed = trashed(Stream.dashboard, dashboardCount);

  function writeDashboardParts(index: number, lookml?: LookmlIdentity): DashboardParts {
    const rng = world.rng(lookml ? Stream.lookmlDashboard : Stream.dashboard, index);
    const id = lookml ? lookml.key : numericKey(index);
    const folder = world.contentFolder(Stream.dashboard, index);
    const owner = world.contentOwner(Stream.dashboard, index, folder);
    const times = history(rng);
    const deleted = !lookml && dashboardTrashed(index);
    const updater = rng.chance(0.7) ? owner : rng.int(world.counts.user);
    const views = rng.int(20_000);
    const refresh = rng.chance(0.15);
    const generatedTitle = title(rng);
    const dashTitle = lookml ? lookml.title : generatedTitle;
    const desc = description(rng, 0.6, 8, 40);
    const cert = certification(rng, world, times.updated);
    const viewed = isoTime(times.viewed);
    const updaterId = world.userId(updater);
    const model = lookml
      ? `"model":{"id":"${lookml.model}","label":"${world.modelLabel(lookml.model)}"},`
      : '';
    const userId = lookml ? 'null' : q(world.userId(owner));
    const base =
      `"can":${DASHBOARD_CAN},"content_favorite_id":null,"content_metadata_id":${lookml ? 'null' : q(String(1_000_000 + index))},` +
      `"description":${desc},"hidden":false,"id":"${id}",${model}"query_timezone":${rng.chance(0.2) ? '"America/Los_Angeles"' : 'null'},` +
      `"readonly":${String(Boolean(lookml))},"refresh_interval":${refresh ? '"1 hour"' : 'null'},` +
      `"refresh_interval_to_i":${refresh ? '3600000' : 'null'},"folder":${lookml ? LOOKML_FOLDER : world.folderBaseJson(folder)},` +
      `"title":"${dashTitle}","user_id":${userId},"slug":"${rng.slug(22)}","preferred_viewer":"dashboards-next"${cert}`;
    const rest =
      `"alert_sync_with_dashboard_filter_enabled":false,"chat_enabled":false,"background_color":null,` +
      `"created_at":"${isoTime(times.created)}","crossfilter_enabled":${String(rng.chance(0.3))},"deleted":${String(deleted)},` +
      `"deleted_at":${deleted ? q(viewed) : 'null'},"deleter_id":${deleted ? q(updaterId) : 'null'},"edit_uri":null,` +
      `"enable_viz_full_screen":true,"favorite_count":${String(rng.int(80))},"filters_bar_collapsed":false,` +
      `"filters_location_top":true,"last_accessed_at":"${viewed}","last_viewed_at":"${viewed}",` +
      `"updated_at":"${isoTime(times.updated)}","last_updater_id":"${updaterId}",` +
      `"last_updater_name":"${world.userNames(updater).display}","user_name":${lookml ? 'null' : q(world.userNames(owner).display)},` +
      `"load_configuration":"wait","lookml_link_id":${lookml ? q(id) : 'null'},"show_filters_bar":true,"show_title":true,` +
      `"folder_id":"${lookml ? 'lookml' : world.folderId(folder)}","text_tile_text_color":null,"tile_background_color":null,` +
      `"tile_text_color":null,"title_color":null,"view_count":${String(views)},"appearance":${APPEARANCE},` +
      `"usage_count":${String(Math.floor(views / 4))},"is_owner_disabled":false,"url":"/dashboards/${id}",` +
      `"preserve_desktop_layout":false,"download_settings":${DOWNLOAD_SETTINGS}`;
    return { base, rest, id, title: dashTitle };
  }

  /**
   * Recently written top-level parts, flattened, so that a detail request after a list page
   * (what an extraction does) reuses them instead of writing and flattening them twice.
   */
  const partsCache = new RecentCache<DashboardParts>(PARTS_CACHE_SIZE);
  function dashboardParts(index: number, lookml?: LookmlIdentity): DashboardParts {
    if (lookml) return writeDashboardParts(index, lookml);
    let parts = partsCache.get(index);
    if (!parts) {
      parts = writeDashboardParts(index);
      flatten(parts.base);
      flatten(parts.rest);
      partsCache.set(index, parts);
    }
    return parts;
  }

  /** Whether tile k of user-defined dashboard `index` shows merged results. */
  function isMergedTile(index: number, k: number): boolean {
    const perThousand = world.counts.mergedTilesPerThousand;
    return perThousand > 0 && world.unit(Stream.mergedTiles, index * 1000 + k) * 1000 < perThousand;
  }

  /** The tile's key: `(index + 1) × 1000 + k`, as its other ids. */
  function tileKey(index: number, k: number): number {
    return (index + 1) * 1000 + k;
  }

  /** (dashboard index, tile) of a merged tile's key, if the dataset has that merged tile. */
  function mergedTileOf(key: number): { index: number; k: number } | undefined {
    const index = Math.floor(key / 1000) - 1;
    const k = key % 1000;
    if (!Number.isInteger(key) || index < 0 || index >= world.counts.dashboard) return undefined;
    const stream = Stream.dashboardElements;
    if (k >= tileCount(world.rng(stream, index), index, stream)) return undefined;
    return isMergedTile(index, k) ? { index, k } : undefined;
  }

  function mergeQueryJson(id: string): string | undefined {
    const tile = mergedTileOf(Number(id) - MERGE_ID_BASE);
    if (!tile) return undefined;
    const key = tileKey(tile.index, tile.k);
    const rng = world.rng(Stream.mergedTiles + 1, key);
    const sources: string[] = [];
    let firstField = '';
    for (let s = 0; s < SOURCES_PER_MERGE; s++) {
      const queryId = String(SOURCE_QUERY_ID_BASE + key * SOURCES_PER_MERGE + s);
      const query = JSON.parse(sourceQueryJson(queryId) ?? '{}') as { fields?: string[] };
      const field = query.fields?.[0] ?? 'id';
      if (s === 0) firstField = field;
      const mergeFields =
        s === 0 ? 'null' : `[{"field_name":"${field}","source_field_name":"${firstField}"}]`;
      sources.push(
        `{"merge_fields":${mergeFields},"name":"Source ${String(s + 1)}","query_id":"${queryId}"}`,
      );
    }
    return (
      `{"can":{"show":true,"create":true},"column_limit":"${rng.pick(['50', '100', '500'])}",` +
      `"dynamic_fields":null,"id":"${id}","pivots":null,"result_maker_id":"${id}",` +
      `"sorts":["${firstField} desc"],"source_queries":[${sources.join(',')}],"total":${String(rng.chance(0.3))},` +
      `"vis_config":{"type":"${rng.pick(['looker_column', 'looker_line', 'table'])}","stacking":"normal"}}`
    );
  }

  function sourceQueryJson(id: string): string | undefined {
    const n = Number(id) - SOURCE_QUERY_ID_BASE;
    if (!Number.isInteger(n) || n < 0) return undefined;
    const key = Math.floor(n / SOURCES_PER_MERGE);
    if (!mergedTileOf(key)) return undefined;
    return writeQuery(world, templates, world.rng(Stream.mergedTiles + 2, n), id).json;
  }

  /** Tile count: long-tailed 2–13 (3.5 on average), ~0.5% huge outliers of 47–125 tiles. */
  function tileCount(rng: Rng, index: number, stream: number): number {
    const fixed = world.counts.tilesPerDashboard;
    if (fixed > 0 && stream === Stream.dashboardElements) return fixed;
    if (world.unit(stream + 50, index) < 0.005) return rng.range(47, 125);
    return 2 + Math.floor(Math.pow(rng.float(), 5) * 12);
  }

  /** Tiles, filters and layout of a dashboard, as the JSON that follows its other properties. */
  function dashboardHeavy(parts: DashboardParts, index: number, lookml: boolean): string {
    const stream = lookml ? Stream.lookmlDashboard + 500 : Stream.dashboardElements;
    const rng = world.rng(stream, index);
    const tiles = tileCount(rng, index, stream);
    const { id } = parts;
    const numericBase = (index + 1) * 1000 + (lookml ? 9_000_000_000 : 0);
    const layoutId = String(lookml ? 9_000_000 + index : index + 1);
    const target = queryTarget(world, rng);
    const filterCount = rng.int(5);
    const values: TileValues = {
      D: id,
      L: layoutId,
      E: '',
      K: 'null',
      Q: '',
      F: '',
      C: '',
      R: '',
      O: '',
      r: '',
      o: '',
    };
    let filters = '';
    const filterNames: string[] = [];
    const filterDimensions: string[] = [];
    for (let f = 0; f < filterCount; f++) {
      const dimension = `${target.view}.${rng.pick(FILTER_DIMENSIONS)}`;
      const name = `Filter ${String(f + 1)}`;
      filterNames.push(name);
      filterDimensions.push(dimension);
      filters +=
        `${f === 0 ? '' : ','}{"can":${LAYOUT_CAN},"id":"${String(numericBase + 900 + f)}","dashboard_id":"${id}",` +
        `"name":"${name}","title":"${name}","type":"${f === 0 ? 'date_filter' : 'field_filter'}",` +
        `"default_value":"${rng.pick(FILTER_VALUES)}","model":"${target.model}","explore":"${target.view}",` +
        `"dimension":"${dimension}","field":null,"row":${String(f)},"listens_to_filters":[],"allow_multiple_values":true,` +
        `"required":false,"ui_config":{"type":"${f === 0 ? 'relative_timeframes' : 'tag_list'}","display":"popover","options":[]}}`;
    }
    let elements = '';
    let components = '';
    let row = 0;
    let column = 0;
    for (let k = 0; k < tiles; k++) {
      const elementId = lookml ? `${id}::${String(k + 1)}` : String(numericBase + k);
      const template = tilePool.pick(rng);
      let element: string;
      if (!lookml && !template.text && isMergedTile(index, k)) {
        // a merged-results tile: no query of its own, a merge of two (merge_query(id))
        const mergeId = String(MERGE_ID_BASE + tileKey(index, k));
        element =
          `{"can":${ELEMENT_CAN},"body_text":null,"body_text_as_html":null,"dashboard_id":"${id}",` +
          `"dashboard_layout_id":"${layoutId}","edit_uri":null,"id":"${elementId}","look_id":null,` +
          `"lookml_link_id":null,"merge_result_id":"${mergeId}","note_display":null,"note_state":null,` +
          `"note_text":null,"note_text_as_html":null,"query_id":null,"filter_id":null,"refresh_interval":null,` +
          `"refresh_interval_to_i":null,"result_maker":{"id":"${mergeId}","dynamic_fields":null,"filterables":[],` +
          `"sorts":[],"merge_result_id":"${mergeId}","total":false,"query_id":null,"sql_query_id":null,` +
          `"vis_config":null},"result_maker_id":"${mergeId}","subtitle_text":null,` +
          `"title":"Merged: ${TITLE_SUBJECTS[k % TITLE_SUBJECTS.length] as string}","title_hidden":false,"title_text":null,` +
          `"type":"vis","alert_count":0,"rich_content_json":null,"title_text_as_html":null,` +
          `"subtitle_text_as_html":null,"extension_id":null,"aria_description":null}`;
      } else if (!template.text && looks.count > 0 && rng.chance(0.05)) {
        // a look tile: the look, with its query, nested in the element
        const lookIndex = rng.int(looks.count);
        element =
          `{"can":${ELEMENT_CAN},"body_text":null,"body_text_as_html":null,"dashboard_id":"${id}",` +
          `"dashboard_layout_id":"${layoutId}","edit_uri":null,"id":"${elementId}","look":${lookDetailJson(lookIndex)},` +
          `"look_id":"${numericKey(lookIndex)}","lookml_link_id":${lookml ? q(elementId) : 'null'},"merge_result_id":null,` +
          `"note_display":null,"note_state":null,"note_text":null,"note_text_as_html":null,"query_id":null,` +
          `"filter_id":null,"refresh_interval":null,"refresh_interval_to_i":null,"result_maker_id":null,` +
          `"subtitle_text":null,"title":"${rng.pick(TITLE_SUBJECTS)} (look)","title_hidden":false,"title_text":null,` +
          `"type":"vis","alert_count":0,"rich_content_json":null,"title_text_as_html":null,` +
          `"subtitle_text_as_html":null,"extension_id":null,"aria_description":null}`;
      } else {
        let filterables = '';
        if (template.filterablePrefix !== undefined) {
          for (let f = 0; f < Math.min(2, filterNames.length); f++) {
            filterables += `${f === 0 ? '' : ','}${template.filterablePrefix}${filterNames[f] as string}","field":"${filterDimensions[f] as string}"}]}`;
          }
        }
        values.E = elementId;
        values.K = lookml ? q(elementId) : 'null';
        values.Q = String(1_000_000_000 + numericBase + k);
        values.F = filterables;
        element = fill(template.element, values);
      }
      if (column + template.width > 24) {
        column = 0;
        row += 6;
      }
      values.E = elementId;
      values.C = String(numericBase + 500 + k);
      values.R = String(row);
      values.O = String(column);
      values.r = String(row * 2);
      values.o = String(column * 2);
      elements += k === 0 ? element : `,${element}`;
      components +=
        k === 0 ? fill(template.component, values) : `,${fill(template.component, values)}`;
      column += template.width;
    }
    const layout =
      `{"can":${LAYOUT_CAN},"id":"${layoutId}","dashboard_id":"${id}","type":"newspaper","active":true,"column_width":null,` +
      `"width":null,"deleted":false,"dashboard_title":"${parts.title}","dashboard_layout_components":[${components}],` +
      `"label":null,"description":null,"order":null,"lookml_link_id":null}`;
    return `"dashboard_elements":[${elements}],"dashboard_filters":[${filters}],"dashboard_layouts":[${layout}]`;
  }

  const dashboardSummaryJson = (index: number) => {
    const parts = dashboardParts(index);
    return `{${parts.base},${parts.rest}}`;
  };
  const dashboardDetailJson = (index: number) => {
    const parts = dashboardParts(index);
    return `{${parts.base},${parts.rest},${dashboardHeavy(parts, index, false)}}`;
  };

  const dashboards: Collection = {
    name: 'dashboard',
    listSchema: 'Dashboard',
    count: dashboardCount,
    keyField: 'id',
    key: numericKey,
    index: numericIndex,
    summaryJson: dashboardSummaryJson,
    detailJson: dashboardDetailJson,
    baseJson: (index) => `{${dashboardParts(index).base}}`,
    summary: (index) => JSON.parse(dashboardSummaryJson(index)) as Item,
    detail: (index) => JSON.parse(dashboardDetailJson(index)) as Item,
    initiallyDeleted: dashboardTrashed,
    fast(index, field) {
      if (field === 'folder_id')
        return world.folderId(world.contentFolder(Stream.dashboard, index));
      if (field === 'deleted') return dashboardTrashed(index);
      return NO_SHORTCUT;
    },
    softDelete: true,
    titleField: 'title',
    hasUpdatedAt: true,
  };

  // ── LookML dashboards: ids "model::name", in the LookML dashboards folder ──────────────────
  const lookmlCount = world.counts.lookmlDashboards;
  const identity = (index: number): LookmlIdentity => {
    const model = world.modelNames[index % world.modelNames.length] as string;
    const subject = TITLE_SUBJECTS[index % TITLE_SUBJECTS.length] as string;
    const round = Math.floor(index / TITLE_SUBJECTS.length);
    const name = `${subject.toLowerCase().replace(/ /g, '_')}_overview${round > 0 ? `_${String(round + 1)}` : ''}`;
    return {
      key: `${model}::${name}`,
      model,
      title: `${subject} Overview${round > 0 ? ` ${String(round + 1)}` : ''}`,
    };
  };
  const lookmlKeys = new Map<string, number>();
  for (let i = 0; i < lookmlCount; i++) lookmlKeys.set(identity(i).key, i);
  const lookmlSummaryJson = (index: number) => {
    const parts = dashboardParts(index, identity(index));
    return `{${parts.base},${parts.rest}}`;
  };
  const lookmlDetailJson = (index: number) => {
    const parts = dashboardParts(index, identity(index));
    return `{${parts.base},${parts.rest},${dashboardHeavy(parts, index, true)}}`;
  };

  const lookmlDashboards: Collection = {
    name: 'lookml_dashboard',
    listSchema: 'Dashboard',
    count: lookmlCount,
    keyField: 'id',
    key: (index) => identity(index).key,
    index: (key) => lookmlKeys.get(key),
    summaryJson: lookmlSummaryJson,
    detailJson: lookmlDetailJson,
    baseJson: (index) => `{${dashboardParts(index, identity(index)).base}}`,
    summary: (index) => JSON.parse(lookmlSummaryJson(index)) as Item,
    detail: (index) => JSON.parse(lookmlDetailJson(index)) as Item,
    initiallyDeleted: () => false,
    softDelete: false,
    titleField: 'title',
    hasUpdatedAt: true,
  };

  const boardTrashed = (index: number): boolean => index % 20 === 7;

  // ── boards ──────────────────────────────────────────────────────────────────────────────
  function board(index: number): Item {
    const rng = world.rng(Stream.board, index);
    const id = numericKey(index);
    const times = history(rng);
    const owner = world.ownerOf(Stream.board, index);
    const sections: Item[] = [];
    const sectionCount = rng.range(1, 3);
    for (let s = 0; s < sectionCount; s++) {
      const sectionId = String((index + 1) * 10 + s);
      const items: Item[] = [];
      const itemCount = rng.range(1, 6);
      for (let b = 0; b < itemCount; b++) {
        const useLook = looks.count > 0 && (dashboards.count === 0 || rng.chance(0.3));
        if (!useLook && dashboards.count === 0) break;
        const targetIndex = rng.int(useLook ? looks.count : dashboards.count);
        const target = useLook ? looks.summary(targetIndex) : dashboards.summary(targetIndex);
        const targetId = target.id as string;
        items.push({
          can: BOARD_CAN,
          content_created_by: target.user_name,
          content_favorite_id: null,
          content_metadata_id: target.content_metadata_id,
          content_updated_at: target.updated_at,
          custom_description: null,
          custom_title: null,
          custom_url: null,
          dashboard_id: useLook ? null : targetId,
          description: target.description,
          favorite_count: target.favorite_count,
          board_section_id: sectionId,
          id: String((index + 1) * 1000 + s * 100 + b),
          image_url: `/api/internal/content_thumbnail/${useLook ? 'look' : 'dashboard'}/${targetId}`,
          location: (target.folder as Item).name,
          look_id: useLook ? targetId : null,
          lookml_dashboard_id: null,
          order: b,
          title: target.title,
          url: useLook ? `/looks/${targetId}` : `/dashboards/${targetId}`,
          use_custom_description: false,
          use_custom_title: false,
          use_custom_url: false,
          view_count: target.view_count,
          custom_image_data_base64: null,
          custom_image_url: null,
          use_custom_image: false,
        });
      }
      const order = items.map((i) => i.id as string);
      sections.push({
        can: BOARD_CAN,
        created_at: isoTime(times.created),
        deleted_at: null,
        description: rng.chance(0.3) ? sentence(rng, 8) : null,
        board_id: id,
        board_items: items,
        id: sectionId,
        item_order: order,
        visible_item_order: order,
        title: s === 0 ? null : `${rng.pick(TITLE_SUBJECTS)} section`,
        updated_at: isoTime(times.updated),
      });
    }
    return {
      can: BOARD_CAN,
      content_metadata_id: String(3_000_000 + index),
      created_at: isoTime(times.created),
      // One board in 20 is in the trash: still listed (boards have no trash listing), dated.
      deleted_at: boardTrashed(index) ? isoTime(times.updated) : null,
      description: rng.chance(0.5) ? sentence(rng, rng.range(5, 20)) : null,
      board_sections: sections,
      id,
      section_order: sections.map((s) => s.id as string),
      title: `${rng.pick(TITLE_SUBJECTS)} Board`,
      updated_at: isoTime(times.updated),
      user_id: world.userId(owner),
      primary_homepage: false,
    };
  }

  const boards: Collection = {
    name: 'board',
    listSchema: 'Board',
    count: world.counts.board,
    keyField: 'id',
    key: numericKey,
    index: numericIndex,
    summary: board,
    detail: board,
    initiallyDeleted: () => false,
    softDelete: false,
    titleField: 'title',
    hasUpdatedAt: true,
  };

  return { dashboards, lookmlDashboards, looks, boards, mergeQueryJson, sourceQueryJson };
}
