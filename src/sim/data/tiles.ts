/**
 * Dashboard tiles from a per-seed pool of templates. Writing every tile of every dashboard from
 * scratch made dashboard(id) the simulator's bottleneck: most of the cost was V8 building and
 * flattening strings of thousands of small pieces. A template is a tile (element + layout
 * component) written once, split at the few places that differ per dashboard (ids, layout
 * position, filter wiring); filling one in joins a dozen pieces. Dashboards still differ in tile
 * count, order, ids, filters and layout, and each tile's text is canonical JSON.
 */
import type { Rng } from '../prng.js';
import { q, qn } from './json.js';
import { writeQuery, type Templates } from './queries.js';
import { Stream, type World } from './world.js';
import { LOREM, TITLE_SUBJECTS, VIS_TYPES } from './words.js';

const TEMPLATE_COUNT = 512;
const ELEMENT_CAN = JSON.stringify({
  show: true,
  update: true,
  destroy: true,
  index: true,
  create: true,
});
export const LAYOUT_CAN = JSON.stringify({ show: true, update: true, destroy: true, index: true });
const TILE_BY = ['Month', 'Week', 'Region', 'Channel', 'Category', 'Status'];

/** Per-dashboard values a template is filled with. */
export interface TileValues {
  /** dashboard id */ D: string;
  /** layout id */ L: string;
  /** element id */ E: string;
  /** lookml_link_id as JSON (null or a quoted id) */ K: string;
  /** query id */ Q: string;
  /** result_maker filterables (inner JSON of the array) */ F: string;
  /** layout component id */ C: string;
  /** row, column, granular row, granular column */ R: string;
  O: string;
  r: string;
  o: string;
}

const hole = (name: keyof TileValues): string => `\u0000${name}\u0000`;

export interface TileTemplate {
  text: boolean;
  /** Element JSON split at holes: even indices are text, odd indices hole names. */
  element: string[];
  component: string[];
  width: number;
  height: number;
  /** Start of a filterable entry for this tile's query (vis tiles). */
  filterablePrefix: string | undefined;
}

/** "a\0D\0b" → ['a', 'D', 'b']: text and hole names alternate. */
function split(json: string): string[] {
  return json.split('\u0000');
}

/** Joins a split template with its values. */
export function fill(parts: string[], values: TileValues): string {
  let out = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) {
    out += values[parts[i] as keyof TileValues] + (parts[i + 1] as string);
  }
  return out;
}

function sentence(rng: Rng, words: number): string {
  const start = rng.int(LOREM.length);
  let out = LOREM[start % LOREM.length] as string;
  for (let w = 1; w < words; w++) out += ` ${LOREM[(start + w) % LOREM.length] as string}`;
  return out;
}

function buildTemplate(world: World, templates: Templates, rng: Rng): TileTemplate {
  const text = rng.chance(0.12);
  const title = text ? null : `${rng.pick(TITLE_SUBJECTS)} by ${rng.pick(TILE_BY)}`;
  let bodyText = 'null';
  let bodyHtml = 'null';
  let query = '';
  let queryId = 'null';
  let resultMaker = '';
  let note = '"note_display":null,"note_state":null,"note_text":null,"note_text_as_html":null';
  let filterablePrefix: string | undefined;
  if (text) {
    const body = sentence(rng, rng.range(10, 40));
    bodyText = q(body);
    bodyHtml = q(`<p>${body}</p>`);
  } else {
    const written = writeQuery(world, templates, rng, hole('Q'));
    query = `"query":${written.json},`;
    queryId = `"${hole('Q')}"`;
    filterablePrefix = `{"model":"${written.model}","view":"${written.view}","name":"${written.view}","listen":[{"dashboard_filter_name":"`;
    resultMaker =
      `"result_maker":{"id":${queryId},"dynamic_fields":null,"filterables":[${hole('F')}],"sorts":${written.sortsJson},` +
      `"merge_result_id":null,"total":false,"query_id":${queryId},"sql_query_id":null,"vis_config":null},`;
    if (rng.chance(0.1)) {
      const body = sentence(rng, rng.range(5, 15));
      note = `"note_display":"above","note_state":"collapsed","note_text":"${body}","note_text_as_html":"<p>${body}</p>"`;
    }
  }
  const element =
    `{"can":${ELEMENT_CAN},"body_text":${bodyText},"body_text_as_html":${bodyHtml},` +
    `"dashboard_id":"${hole('D')}","dashboard_layout_id":"${hole('L')}","edit_uri":null,"id":"${hole('E')}",` +
    `"look_id":null,"lookml_link_id":${hole('K')},"merge_result_id":null,${note},` +
    `${query}"query_id":${queryId},"filter_id":null,"refresh_interval":null,"refresh_interval_to_i":null,` +
    `${resultMaker}"result_maker_id":${queryId},"subtitle_text":null,"title":${qn(title)},"title_hidden":false,` +
    `"title_text":null,"type":"${text ? 'text' : 'vis'}","alert_count":0,"rich_content_json":null,` +
    `"title_text_as_html":null,"subtitle_text_as_html":null,"extension_id":null,"aria_description":null}`;
  const width = text ? 24 : rng.pick([6, 8, 12, 24]);
  const height = text ? 2 : rng.pick([4, 6, 8]);
  const component =
    `{"can":${LAYOUT_CAN},"id":"${hole('C')}","dashboard_layout_id":"${hole('L')}",` +
    `"dashboard_element_id":"${hole('E')}","row":${hole('R')},"column":${hole('O')},"width":${String(width)},` +
    `"height":${String(height)},"deleted":false,"element_title":${qn(title)},"element_title_hidden":false,` +
    `"vis_type":"${text ? 'text' : rng.pick(VIS_TYPES)}","granular_row":${hole('r')},` +
    `"granular_column":${hole('o')},"granular_width":${String(width * 2)},"granular_height":${String(height * 2)}}`;
  return {
    text,
    element: split(element),
    component: split(component),
    width,
    height,
    filterablePrefix,
  };
}

/** The pool of tile templates of a seed, built on first use. */
export class TilePool {
  private pool: TileTemplate[] | undefined;

  constructor(
    private readonly world: World,
    private readonly templates: Templates,
  ) {}

  pick(rng: Rng): TileTemplate {
    this.pool ??= Array.from({ length: TEMPLATE_COUNT }, (_, t) =>
      buildTemplate(this.world, this.templates, this.world.rng(Stream.templates + 1000, t)),
    );
    return this.pool[rng.int(TEMPLATE_COUNT)] as TileTemplate;
  }
}
