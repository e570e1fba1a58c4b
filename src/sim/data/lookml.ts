/**
 * LookML models (keyed by name) and their explores (ids "model::explore"). An explore's detail
 * is large: every dimension and measure with its metadata, tens to a couple of hundred KB.
 */
import type { Rng } from '../prng.js';
import type { Collection } from './collection.js';
import { Stream, type Item, type World } from './world.js';
import { FIELD_NAMES, LOREM, VIEW_NAMES } from './words.js';

const MODEL_CAN = Object.freeze({
  index: true,
  show: true,
  create: true,
  update: true,
  destroy: true,
});

const DIMENSION_TYPES = [
  'string',
  'number',
  'yesno',
  'date_date',
  'date_month',
  'tier',
  'zipcode',
  'location',
];
const MEASURE_TYPES = [
  'count',
  'count_distinct',
  'sum',
  'average',
  'max',
  'min',
  'median',
  'number',
];

function fieldObject(
  rng: Rng,
  model: string,
  explore: string,
  view: string,
  fieldName: string,
  measure: boolean,
): Item {
  const name = `${view}.${fieldName}`;
  const type = measure ? rng.pick(MEASURE_TYPES) : rng.pick(DIMENSION_TYPES);
  const timeframe = type.startsWith('date_');
  const numeric = measure || type === 'number' || type === 'tier';
  const label = fieldName
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
  const viewLabel = view
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
  const sourceFile = `views/${view}.view.lkml`;
  const field: Item = {
    align: numeric ? 'right' : 'left',
    available_custom_timeframes: [],
    timeframe_labels: null,
    can_filter: true,
    category: measure ? 'measure' : 'dimension',
    default_filter_value: null,
    description: rng.chance(0.4) ? LOREM.slice(0, rng.range(4, 16)).join(' ') : null,
    dimension_group: timeframe ? `${view}.created` : null,
    drill_fields: measure ? [`${view}.id`, `${view}.created_date`] : [],
    enumerations: null,
    error: null,
    field_group_label: null,
    field_group_variant: label,
    fill_style: null,
    fiscal_month_offset: 0,
    has_allowed_values: false,
    has_drills_metadata: false,
    hidden: rng.chance(0.05),
    is_filter: false,
    is_fiscal: false,
    is_numeric: numeric,
    is_timeframe: timeframe,
    can_time_filter: timeframe,
    label: `${viewLabel} ${label}`,
    label_from_parameter: null,
    label_short: label,
    lookml_link: `/projects/${model}/files/${sourceFile}?line=${String(rng.range(1, 400))}`,
    links: [],
    measure,
    name,
    strict_value_format: false,
    parameter: false,
    permanent: null,
    primary_key: fieldName === 'id',
    project_name: model,
    requires_refresh_on_sort: false,
    scope: view,
    sortable: true,
    source_file: sourceFile,
    source_file_path: `${model}/${sourceFile}`,
    sql: measure ? `SUM(\${TABLE}.${fieldName})` : `\${TABLE}.${fieldName}`,
    sql_case: null,
    filters: null,
    suggest_dimension: name,
    suggest_explore: explore,
    suggestable: !numeric,
    suggestions: null,
    synonyms: [],
    tags: [],
    type,
    user_attribute_filter_types: ['advanced_filter_string', 'string'],
    value_format: null,
    value_format_name: numeric && rng.chance(0.3) ? 'usd' : null,
    view,
    view_label: viewLabel,
    dynamic: false,
    week_start_day: 'monday',
    times_used: rng.int(10_000),
    original_view: view,
    datatype: timeframe ? 'timestamp' : null,
    convert_tz: timeframe ? true : null,
  };
  if (timeframe) field.time_interval = { name: 'day', count: 1 };
  return field;
}

export interface LookmlCollections {
  models: Collection;
  explores: Collection;
}

export function createLookmlCollections(world: World): LookmlCollections {
  const modelIndex = new Map<string, number>(world.modelNames.map((name, i) => [name, i]));
  const perModel = world.counts.exploresPerModel;

  function exploreNav(model: number, explore: number): Item {
    const name = world.exploreNames[model]?.[explore] as string;
    const label = world.modelLabel(name);
    return {
      name,
      description: explore % 3 === 0 ? `Everything about ${label.toLowerCase()}.` : null,
      label,
      hidden: explore % 11 === 10,
      group_label: world.modelLabel(world.modelNames[model] as string),
    };
  }

  function model(index: number): Item {
    const rng = world.rng(Stream.model, index);
    const name = world.modelNames[index] as string;
    const explores: Item[] = [];
    for (let e = 0; e < perModel; e++) explores.push(exploreNav(index, e));
    return {
      can: MODEL_CAN,
      allowed_db_connection_names: [
        rng.pick(['warehouse', 'bigquery_prod', 'snowflake', 'postgres_replica']),
      ],
      explores,
      has_content: true,
      label: world.modelLabel(name),
      name,
      project_name: name,
      unlimited_db_connections: false,
    };
  }

  function explore(index: number): Item {
    const m = Math.floor(index / perModel);
    const e = index % perModel;
    const rng = world.rng(Stream.explore, index);
    const modelName = world.modelNames[m] as string;
    const nav = exploreNav(m, e);
    const name = nav.name as string;
    const outlier = world.unit(Stream.explore + 50, index) < 0.03;
    const dimensionCount = outlier ? rng.range(150, 220) : rng.range(12, 90);
    const measureCount = outlier ? rng.range(40, 70) : rng.range(4, 30);
    const joinCount = rng.range(0, 6);
    const views = [name];
    for (let j = 0; j < joinCount; j++)
      views.push(VIEW_NAMES[rng.int(VIEW_NAMES.length)] as string);
    const pickView = () => views[rng.int(views.length)] as string;
    const fieldName = (k: number) =>
      k < FIELD_NAMES.length
        ? (FIELD_NAMES[k] as string)
        : `${FIELD_NAMES[k % FIELD_NAMES.length] as string}_${String(k)}`;
    const dimensions: Item[] = [];
    for (let d = 0; d < dimensionCount; d++) {
      dimensions.push(fieldObject(rng, modelName, name, pickView(), fieldName(d), false));
    }
    const measures: Item[] = [];
    for (let d = 0; d < measureCount; d++) {
      measures.push(fieldObject(rng, modelName, name, pickView(), `total_${fieldName(d)}`, true));
    }
    const joins: Item[] = views.slice(1).map((view) => ({
      name: view,
      dependent_fields: [],
      fields: [],
      foreign_key: null,
      from: null,
      outer_only: false,
      relationship: rng.pick(['many_to_one', 'one_to_many', 'one_to_one']),
      required_joins: [],
      sql_foreign_key: null,
      sql_on: `\${${name}.${view}_id} = \${${view}.id}`,
      sql_table_name: null,
      type: 'left_outer',
      view_label: null,
    }));
    return {
      id: `${modelName}::${name}`,
      name,
      description: nav.description,
      label: nav.label,
      title: nav.label,
      scopes: views,
      can_total: true,
      can_develop: true,
      can_see_lookml: true,
      lookml_link: `/projects/${modelName}/files/${modelName}.model.lkml?line=${String(10 + e * 12)}`,
      can_save: true,
      can_explain: false,
      can_pivot_in_db: true,
      can_subtotal: true,
      has_timezone_support: true,
      supports_cost_estimate: true,
      connection_name: 'warehouse',
      null_sort_treatment: 'low',
      files: [`${modelName}.model.lkml`, ...views.map((v) => `views/${v}.view.lkml`)],
      source_file: `${modelName}.model.lkml`,
      project_name: modelName,
      model_name: modelName,
      view_name: name,
      hidden: nav.hidden,
      sql_table_name: `analytics.${name}`,
      access_filter_fields: [],
      access_filters: [],
      aliases: [],
      always_filter: [],
      conditionally_filter: [],
      index_fields: [],
      sets: [],
      tags: [],
      errors: [],
      fields: { dimensions, measures, filters: [], parameters: [] },
      joins,
      group_label: nav.group_label,
      supported_measure_types: [
        { dimension_type: 'string', measure_types: ['count_distinct', 'list', 'max', 'min'] },
        {
          dimension_type: 'number',
          measure_types: ['average', 'count_distinct', 'max', 'median', 'min', 'sum'],
        },
      ],
      always_join: [],
      dialect_name: 'bigquery_standard_sql',
    };
  }

  const models: Collection = {
    name: 'lookml_model',
    listSchema: 'LookmlModel',
    count: world.modelNames.length,
    keyField: 'name',
    key: (index) => world.modelNames[index] as string,
    index: (key) => modelIndex.get(key),
    summary: model,
    detail: model,
    initiallyDeleted: () => false,
    softDelete: false,
    titleField: 'name',
    hasUpdatedAt: false,
  };

  const explores: Collection = {
    name: 'explore',
    listSchema: 'LookmlModelExplore',
    count: world.modelNames.length * perModel,
    keyField: 'id',
    key: (index) => {
      const m = Math.floor(index / perModel);
      return `${world.modelNames[m] as string}::${world.exploreNames[m]?.[index % perModel] as string}`;
    },
    index: (key) => {
      const sep = key.indexOf('::');
      if (sep < 0) return undefined;
      const m = modelIndex.get(key.slice(0, sep));
      if (m === undefined) return undefined;
      const e = world.exploreNames[m]?.indexOf(key.slice(sep + 2)) ?? -1;
      return e < 0 ? undefined : m * perModel + e;
    },
    summary: explore,
    detail: explore,
    initiallyDeleted: () => false,
    softDelete: false,
    titleField: 'name',
    hasUpdatedAt: false,
  };

  return { models, explores };
}
