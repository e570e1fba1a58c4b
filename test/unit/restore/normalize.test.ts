import { describe, expect, it } from '@jest/globals';
import {
  canonical,
  comparable,
  differingFields,
  identity,
  isSystemFolder,
  queryBody,
  unmappedUsers,
} from '../../../src/restore/normalize.js';
import type { Json } from '../../../src/restore/types.js';

/** The i-th object of a JSON array (the test data has it). */
function at(list: unknown, index: number): Json {
  const value = (list as Json[])[index];
  if (value === undefined) throw new Error(`no element ${String(index)}`);
  return value;
}

function dashboard(overrides: Json = {}): Json {
  return {
    id: '7',
    title: 'Sales',
    folder_id: '3',
    slug: 'abc',
    user_id: '5',
    view_count: 10,
    updated_at: '2025-01-01T00:00:00Z',
    can: { show: true },
    dashboard_filters: [{ id: '100', name: 'Date', title: 'Date', type: 'date_filter', row: 0 }],
    dashboard_elements: [
      {
        id: '1',
        title: 'B',
        type: 'vis',
        query: { id: '900', model: 'm', view: 'v', fields: ['v.a'], client_id: 'x', url: '/x' },
        result_maker: {
          filterables: [
            {
              model: 'm',
              view: 'v',
              name: 'v',
              listen: [{ dashboard_filter_name: 'Date', field: 'v.d' }],
            },
          ],
        },
      },
      { id: '2', title: 'A', type: 'text', body_text: 'hello' },
    ],
    dashboard_layouts: [
      {
        id: '50',
        active: true,
        dashboard_layout_components: [
          { id: '60', dashboard_element_id: '1', row: 6, column: 0, width: 8, height: 6 },
          { id: '61', dashboard_element_id: '2', row: 0, column: 0, width: 24, height: 2 },
        ],
      },
    ],
    ...overrides,
  };
}

describe('comparison forms', () => {
  it('leave out ids, timestamps, counters, can, urls, owner and slug', () => {
    const a = dashboard();
    const b = dashboard({
      id: '99',
      slug: 'other',
      user_id: '1',
      view_count: 0,
      updated_at: '2026-01-01T00:00:00Z',
      can: {},
      dashboard_filters: [{ id: '555', name: 'Date', title: 'Date', type: 'date_filter', row: 0 }],
    });
    expect(canonical(comparable('dashboard', a, identity))).toBe(
      canonical(comparable('dashboard', b, identity)),
    );
  });

  it('see a tile moved, retitled, re-queried or listening to another filter', () => {
    const base = canonical(comparable('dashboard', dashboard(), identity));
    const moved = dashboard();
    at(at(moved.dashboard_layouts, 0).dashboard_layout_components, 0).column = 8;
    expect(canonical(comparable('dashboard', moved, identity))).not.toBe(base);
    const requeried = dashboard();
    (at(requeried.dashboard_elements, 0).query as Json).fields = ['v.b'];
    expect(canonical(comparable('dashboard', requeried, identity))).not.toBe(base);
    const relistened = dashboard();
    const maker = at(relistened.dashboard_elements, 0).result_maker as Json;
    at(at(maker.filterables, 0).listen, 0).dashboard_filter_name = 'Other';
    expect(canonical(comparable('dashboard', relistened, identity))).not.toBe(base);
  });

  it('order tiles by position, not by id or list order', () => {
    const form = comparable('dashboard', dashboard(), identity);
    expect((form.tiles as Json[]).map((t) => t.title ?? t.body_text)).toEqual(['A', 'B']);
    const reversed = dashboard();
    reversed.dashboard_elements = [...(reversed.dashboard_elements as Json[])].reverse();
    expect(canonical(comparable('dashboard', reversed, identity))).toBe(canonical(form));
  });

  it('map references through the mapper; an unmapped one stays different', () => {
    const look = { title: 'L', folder_id: '3', query: { model: 'm', view: 'v' } };
    expect(comparable('look', look, (_t, id) => (id === '3' ? '30' : undefined)).folder_id).toBe(
      '30',
    );
    expect(comparable('look', look, () => undefined).folder_id).toBe('unmapped:3');
  });

  it('treat null and absent alike, and name the fields that differ', () => {
    expect(canonical(comparable('folder', { name: 'A', parent_id: null }, identity))).toBe(
      canonical(comparable('folder', { name: 'A' }, identity)),
    );
    expect(
      differingFields(
        comparable('look', { title: 'A', description: 'x' }, identity),
        comparable('look', { title: 'B', description: 'x' }, identity),
      ),
    ).toEqual(['title']);
  });

  it('a query body keeps the definition and drops the identity', () => {
    expect(
      queryBody({
        id: '1',
        slug: 's',
        client_id: 'c',
        model: 'm',
        view: 'v',
        limit: '10',
        can: {},
      }),
    ).toEqual({
      model: 'm',
      view: 'v',
      limit: '10',
    });
  });

  it('system folders: roots and personal folders', () => {
    expect(isSystemFolder({ name: 'Shared', parent_id: null, is_shared_root: true })).toBe(true);
    expect(isSystemFolder({ name: 'Ada', parent_id: '2', is_personal: true })).toBe(true);
    expect(isSystemFolder({ name: 'Sales', parent_id: '1' })).toBe(false);
  });
});

describe('user attributes and folder access', () => {
  const groups: Record<string, string> = { '3': '30', '4': '40' };
  const users: Record<string, string> = { '7': '70' };
  const map = (type: string, id: string): string | undefined =>
    type === 'group' ? groups[id] : type === 'user' ? users[id] : undefined;

  it('compares an attribute by its settings and its group values in precedence order, groups mapped', () => {
    const attribute = {
      id: '9',
      name: 'region',
      label: 'Region',
      type: 'string',
      default_value: null,
      is_system: false,
      can: { show: true },
      group_values: [
        { id: 'a', group_id: '4', value: 'west', rank: 2 },
        { id: 'b', group_id: '3', value: 'east', rank: 1 },
        { id: 'c', group_id: '5', value: 'north', rank: 3 },
      ],
    };
    expect(comparable('user_attribute', attribute, map)).toEqual({
      name: 'region',
      label: 'Region',
      type: 'string',
      group_values: [
        { group_id: '30', value: 'east' },
        { group_id: '40', value: 'west' },
        // A group the target lacks stays recognisably unmapped (the item then fails, named).
        { group_id: 'unmapped:5', value: 'north' },
      ],
    });
  });

  it('compares a folder access by inherits and its rows; a user the target lacks has no row', () => {
    const own = {
      id: '12',
      content_metadata: { id: '100', inherits: false, name: 'Sales' },
      access: [
        { id: '2', group_id: '4', user_id: null, permission_type: 'view' },
        { id: '1', group_id: null, user_id: '7', permission_type: 'edit' },
        { id: '3', group_id: null, user_id: '8', permission_type: 'view' },
      ],
    };
    expect(comparable('folder_access', own, map)).toEqual({
      inherits: false,
      access: [
        { group_id: '40', permission_type: 'view' },
        { user_id: '70', permission_type: 'edit' },
      ],
    });
    // The plan warns about that user.
    expect(unmappedUsers(own, map)).toEqual(['8']);
    // Inherited access has no rows of its own, whatever the server lists.
    expect(
      comparable('folder_access', { ...own, content_metadata: { inherits: true } }, map),
    ).toEqual({ inherits: true, access: [] });
  });
});
