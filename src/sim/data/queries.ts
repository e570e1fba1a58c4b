/**
 * Looker queries and visualisation configs, shared by looks and dashboard tiles. Vis configs
 * come from a small pool of frozen templates built once per seed: tiles reuse them by
 * reference, which keeps generation fast while the serialized sizes stay realistic.
 */
import { Rng } from '../prng.js';
import { INSTANCE_HOST, Stream, deepFreeze, type Item, type World } from './world.js';
import { COLORS, FIELD_NAMES, FILTER_VALUES, VIEW_NAMES, VIS_TYPES } from './words.js';

const TEMPLATE_COUNT = 48;

export const QUERY_CAN = Object.freeze({
  run: true,
  see_results: true,
  explore: true,
  create: true,
  show: true,
  see_sql: true,
  save: true,
  download: true,
});

function buildVisConfig(rng: Rng): Item {
  const type = rng.pick(VIS_TYPES);
  const seriesColors: Record<string, string> = {};
  const seriesCount = rng.range(0, 3);
  for (let s = 0; s < seriesCount; s++) {
    seriesColors[`${rng.pick(VIEW_NAMES)}.${rng.pick(FIELD_NAMES)}`] = rng.pick(COLORS);
  }
  const config: Item = {
    type,
    show_view_names: rng.chance(0.3),
    show_row_numbers: rng.chance(0.5),
    truncate_column_names: false,
    table_theme: rng.pick(['white', 'gray', 'editable', 'transparent']),
    limit_displayed_rows: false,
    x_axis_gridlines: rng.chance(0.4),
    y_axis_gridlines: true,
    show_y_axis_labels: true,
    show_x_axis_label: true,
    y_axis_scale_mode: rng.pick(['linear', 'log']),
    stacking: rng.pick(['', 'normal', 'percent']),
    legend_position: rng.pick(['center', 'left', 'right']),
    point_style: rng.pick(['none', 'circle', 'circle_outline']),
    show_value_labels: rng.chance(0.5),
    label_density: 25,
    ordering: 'none',
    show_null_labels: false,
    color_application: {
      collection_id: `${rng.slug(8)}-${rng.slug(4)}-${rng.slug(4)}-${rng.slug(12)}`,
      palette_id: `${rng.slug(8)}-${rng.slug(4)}-${rng.slug(4)}-${rng.slug(12)}`,
    },
    series_colors: seriesColors,
    defaults_version: 1,
  };
  if (rng.chance(0.3)) config.hidden_fields = [`${rng.pick(VIEW_NAMES)}.${rng.pick(FIELD_NAMES)}`];
  return config;
}

/** Per-seed pools the generators draw from: vis configs as frozen objects and as JSON. */
export class Templates {
  readonly visConfigs: Item[];
  readonly visConfigJson: string[];

  constructor(world: World) {
    this.visConfigs = [];
    for (let t = 0; t < TEMPLATE_COUNT; t++) {
      this.visConfigs.push(deepFreeze(buildVisConfig(world.rng(Stream.templates, t))));
    }
    this.visConfigJson = this.visConfigs.map((v) => JSON.stringify(v));
  }
}

export interface QueryTarget {
  model: string;
  view: string;
}

/** The (model, explore) a query runs against; a fallback when the instance has no models. */
export function queryTarget(world: World, rng: Rng): QueryTarget {
  if (world.modelNames.length === 0) return { model: 'thelook', view: rng.pick(VIEW_NAMES) };
  const m = rng.int(world.modelNames.length);
  const explores = world.exploreNames[m] ?? [];
  return {
    model: world.modelNames[m] as string,
    view: explores.length > 0 ? rng.pick(explores) : rng.pick(VIEW_NAMES),
  };
}

export interface WrittenQuery {
  json: string;
  id: string;
  model: string;
  view: string;
  /** JSON of the sorts array. */
  sortsJson: string;
  visJson: string;
}

const QUERY_CAN_JSON = JSON.stringify(QUERY_CAN);

/**
 * A Query as Looker nests it in looks and dashboard tiles, written as JSON. `queryId` may be a
 * placeholder string that tile templates fill in per dashboard.
 */
export function writeQuery(
  world: World,
  templates: Templates,
  rng: Rng,
  queryId: number | string,
): WrittenQuery {
  const { model, view } = queryTarget(world, rng);
  const fieldCount = rng.range(2, 6);
  const fields: string[] = [];
  for (let f = 0; f < fieldCount; f++) fields.push(`${view}.${rng.pick(FIELD_NAMES)}`);
  const first = fields[0] as string;
  let filters = '';
  const filterCount = rng.int(4);
  const filtered: string[] = [];
  for (let f = 0; f < filterCount; f++) {
    const field = `${view}.${rng.pick(FIELD_NAMES)}`;
    const value = rng.pick(FILTER_VALUES);
    if (filtered.includes(field)) continue; // JSON object keys must be unique
    filters += `${filtered.length === 0 ? '' : ','}"${field}":"${value}"`;
    filtered.push(field);
  }
  const clientId = rng.slug(22);
  const slug = rng.slug(7);
  const id = String(queryId);
  const fieldsJson = `"${fields.join('","')}"`;
  const sortsJson = `["${fields[fields.length - 1] as string} desc"]`;
  const visIndex = rng.int(templates.visConfigJson.length);
  const visJson = templates.visConfigJson[visIndex] as string;
  const dynamic = rng.chance(0.1)
    ? JSON.stringify(
        `[{"category":"table_calculation","expression":"\${${first}} / sum(\${${first}})","label":"Percent of total","value_format":null,"value_format_name":"percent_1","_kind_hint":"measure","table_calculation":"percent_of_total","_type_hint":"number"}]`,
      )
    : 'null';
  const explore = `/explore/${model}/${view}?fields=${fields.join(',')}&limit=500&qid=${clientId}`;
  const json =
    `{"can":${QUERY_CAN_JSON},"id":"${id}","model":"${model}","view":"${view}","fields":[${fieldsJson}],` +
    `"pivots":${rng.chance(0.15) ? `["${first}"]` : 'null'},"fill_fields":${rng.chance(0.2) ? `["${first}"]` : 'null'},` +
    `"filters":{${filters}},"filter_expression":null,"sorts":${sortsJson},"limit":"${rng.pick(LIMITS)}",` +
    `"column_limit":"50","total":${String(rng.chance(0.2))},"row_total":null,"subtotals":null,"vis_config":${visJson},` +
    `"filter_config":null,"visible_ui_sections":null,"slug":"${slug}","dynamic_fields":${dynamic},"client_id":"${clientId}",` +
    `"share_url":"https://${INSTANCE_HOST}/x/${clientId}","expanded_share_url":"https://${INSTANCE_HOST}${explore}",` +
    `"url":"${explore}","query_timezone":null,"has_table_calculations":false}`;
  return { json, id, model, view, sortsJson, visJson };
}

const LIMITS = ['500', '1000', '5000', '50'];
