import { describe, expect, it } from '@jest/globals';
import { estimateRequests } from '../../../src/restore/planner.js';
import { comparable, identity, mergeBody, mergeForm } from '../../../src/restore/normalize.js';
import type { Json, PlannedItem } from '../../../src/restore/types.js';

function query(id: string, model: string): Json {
  return { id, model, view: 'orders', fields: ['orders.count'], slug: `s${id}`, can: {} };
}

/** A merge as the backup keeps it: settings, and each source with its query. */
function merge(id: string, queryIds: [string, string]): Json {
  return {
    id,
    result_maker_id: id,
    can: { show: true },
    column_limit: '50',
    sorts: ['orders.count desc'],
    vis_config: { type: 'table' },
    source_queries: [
      { name: 'A', merge_fields: null, query_id: queryIds[0], query: query(queryIds[0], 'm1') },
      {
        name: 'B',
        merge_fields: [{ field_name: 'orders.id', source_field_name: 'orders.id' }],
        query_id: queryIds[1],
        query: query(queryIds[1], 'm2'),
      },
    ],
  };
}

function dashboard(mergeResult: Json | null): Json {
  return {
    id: '7',
    title: 'Sales',
    dashboard_filters: [],
    dashboard_elements: [
      { id: '1', type: 'vis', title: 'Merged', merge_result_id: '90', merge_result: mergeResult },
    ],
    dashboard_layouts: [],
  };
}

describe('merged-results tiles in restore', () => {
  it('compares merges by content: other ids are equal, another source query is not', () => {
    const backup = comparable('dashboard', dashboard(merge('90', ['1', '2'])), identity);
    const sameElsewhere = comparable('dashboard', dashboard(merge('555', ['8', '9'])), identity);
    expect(sameElsewhere).toEqual(backup);
    const changed = merge('90', ['1', '2']);
    ((changed.source_queries as Json[])[1] as Json).query = query('2', 'other_model');
    expect(comparable('dashboard', dashboard(changed), identity)).not.toEqual(backup);
    expect(mergeForm(merge('90', ['1', '2']))).toMatchObject({
      column_limit: '50',
      sources: [{ name: 'A' }, { name: 'B', query: { model: 'm2' } }],
    });
  });

  it("create_merge_query's body names the new source queries, and nothing read-only", () => {
    expect(mergeBody(merge('90', ['1', '2']), ['301', '302'])).toEqual({
      column_limit: '50',
      sorts: ['orders.count desc'],
      vis_config: { type: 'table' },
      source_queries: [
        { name: 'A', merge_fields: null, query_id: '301' },
        {
          name: 'B',
          merge_fields: [{ field_name: 'orders.id', source_field_name: 'orders.id' }],
          query_id: '302',
        },
      ],
    });
  });

  it('counts the source queries and the merge of a merged tile in the plan', () => {
    const item = (content: Json): PlannedItem => ({
      type: 'dashboard',
      sourceId: '7',
      title: 'Sales',
      action: 'create',
      reason: 'absent',
      targetId: null,
      content,
      targetContent: null,
      dependsOn: [],
      depth: 0,
      selected: true,
      stableKey: null,
    });
    // create, the tile, the layout read, its position: 4; the merge adds 2 queries and itself.
    expect(estimateRequests(item(dashboard(null)))).toBe(4);
    expect(estimateRequests(item(dashboard(merge('90', ['1', '2']))))).toBe(7);
  });
});
