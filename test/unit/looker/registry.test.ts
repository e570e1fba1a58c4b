import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../helpers/cli.js';
import type { Looker40SDK } from '@looker/sdk';
import { CONTENT_TYPES } from '../../../src/content-types.js';
import type { ApiCaller } from '../../../src/looker/client.js';
import { NotFoundError } from '../../../src/looker/errors.js';
import { REGISTRY, splitExploreId, type ParsedItem } from '../../../src/looker/registry.js';

interface Call {
  operation: string;
  method: string;
  args: unknown[];
}

/**
 * An ApiCaller over a fake SDK: every SDK method call is recorded and answered by `respond`
 * (method name and arguments without the trailing options).
 */
function fakeApi(respond: (method: string, args: unknown[]) => unknown): {
  api: ApiCaller;
  calls: Call[];
} {
  const calls: Call[] = [];
  const api: ApiCaller = {
    async call(operation, invoke) {
      const sdk = new Proxy(
        {},
        {
          get:
            (_target, method: string) =>
            (...args: unknown[]) => {
              const withoutOptions = args.slice(0, -1);
              calls.push({ operation, method, args: withoutOptions });
              return Promise.resolve({ ok: true, value: respond(method, withoutOptions) });
            },
        },
      ) as unknown as Looker40SDK;
      const response = await invoke(sdk, { operation });
      if (!response.ok) throw new Error('unexpected failure');
      return response.value;
    },
  };
  return { api, calls };
}

function parsed(item: ReturnType<(typeof REGISTRY)['dashboard']['parseItem']>): ParsedItem {
  if (!item.ok) throw new Error(item.error);
  return item;
}

describe('REGISTRY', () => {
  it("asks whole listings for every property of the spec's schema", () => {
    const spec = JSON.parse(
      readFileSync(path.join(PROJECT_ROOT, 'src/sim/spec/looker-4.0-subset.oas.json'), 'utf8'),
    ) as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    const dashboard = spec.components.schemas.Dashboard?.properties ?? {};
    expect(REGISTRY.dashboard.wholeListing?.keys).toEqual(Object.keys(dashboard));
    for (const part of REGISTRY.dashboard.wholeListing?.parts ?? []) {
      expect(Object.keys(dashboard)).toContain(part);
    }
  });

  it('has one row per content type, keyed by its type', () => {
    expect(Object.keys(REGISTRY).sort()).toEqual([...CONTENT_TYPES].sort());
    for (const type of CONTENT_TYPES) expect(REGISTRY[type].type).toBe(type);
  });

  it('needs a detail call exactly for dashboards, looks, folder access, user attributes and explores', () => {
    const withDetail = CONTENT_TYPES.filter((type) => REGISTRY[type].needsDetail);
    expect(withDetail).toEqual(['dashboard', 'look', 'folder_access', 'user_attribute', 'explore']);
  });

  it('lists dashboard ids with search_dashboards sorted by id, and fetches dashboard(id) for each', async () => {
    const { api, calls } = fakeApi(() => [{ id: '7' }]);
    const listing = REGISTRY.dashboard.listing;
    if (listing.kind !== 'paged') throw new Error('dashboards should be paged');
    await listing.fetchPage(api, { offset: 200, limit: 100 });
    expect(calls[0]).toEqual({
      operation: 'search_dashboards',
      method: 'search_dashboards',
      args: [{ fields: 'id', deleted: 'false', limit: 100, offset: 200, sorts: 'id' }],
    });
    await REGISTRY.dashboard.fetchById(api, 'model::lookml_dash');
    expect(calls[1]).toMatchObject({
      method: 'dashboard',
      args: ['model::lookml_dash', undefined],
    });
  });

  it('counts dashboards with all_dashboards?fields=id, so LookML dashboards are included', async () => {
    const { api, calls } = fakeApi(() => [{ id: '1' }, { id: 'model::overview' }]);
    expect(await REGISTRY.dashboard.listIds(api)).toEqual(['1', 'model::overview']);
    expect(calls).toEqual([
      { operation: 'all_dashboards', method: 'all_dashboards', args: ['id'] },
    ]);
  });

  it("asks for every user's scheduled plans", async () => {
    const { api, calls } = fakeApi(() => []);
    const listing = REGISTRY.scheduled_plan.listing;
    if (listing.kind !== 'paged') throw new Error('scheduled plans should be paged');
    await listing.fetchPage(api, { offset: 0, limit: 50 });
    await REGISTRY.scheduled_plan.listIds(api);
    expect(calls[0]?.args[0]).toMatchObject({ all_users: true, sorts: 'id', limit: 50 });
    expect(calls[1]).toMatchObject({
      method: 'all_scheduled_plans',
      args: [{ fields: 'id', all_users: true }],
    });
  });

  it('pages id listings of paged-only types until a short page', async () => {
    const pages = [1000, 1000, 3];
    const { api, calls } = fakeApi((_method, args) => {
      const { offset } = args[0] as { offset: number };
      const size = pages[offset / 1000] ?? 0;
      return Array.from({ length: size }, (_, i) => ({ id: String(offset + i + 1) }));
    });
    const ids = await REGISTRY.user.listIds(api);
    expect(ids).toHaveLength(2003);
    expect(calls.map((c) => c.args[0])).toEqual([
      { fields: 'id', limit: 1000, offset: 0, sorts: 'id' },
      { fields: 'id', limit: 1000, offset: 1000, sorts: 'id' },
      { fields: 'id', limit: 1000, offset: 2000, sorts: 'id' },
    ]);
  });

  it('keeps numeric ids as strings and skips entries without an id in id listings', async () => {
    const { api } = fakeApi(() => [{ id: '1' }, { id: 2 }, { title: 'no id' }]);
    expect(await REGISTRY.look.listIds(api)).toEqual(['1', '2']);
  });

  it('derives explore ids "model::explore" from a stored LookML model', () => {
    const model = parsed(
      REGISTRY.lookml_model.parseItem({
        name: 'thelook',
        label: 'The Look',
        explores: [{ name: 'orders' }, { name: 'users' }, { label: 'nameless' }],
      }),
    );
    expect(model.id).toBe('thelook');
    const listing = REGISTRY.explore.listing;
    if (listing.kind !== 'children') throw new Error('explores should be children of models');
    expect(listing.parent).toBe('lookml_model');
    expect(listing.childIds(model)).toEqual(['thelook::orders', 'thelook::users']);
  });

  it('fetches an explore with lookml_model_explore(model, explore), and 404s a malformed id', async () => {
    const { api, calls } = fakeApi(() => ({}));
    await REGISTRY.explore.fetchById(api, 'thelook::orders');
    expect(calls[0]).toMatchObject({
      method: 'lookml_model_explore',
      args: [{ lookml_model_name: 'thelook', explore_name: 'orders' }],
    });
    await expect(REGISTRY.explore.fetchById(api, 'orders')).rejects.toBeInstanceOf(NotFoundError);
    expect(splitExploreId('a::b::c')).toEqual({ model: 'a', explore: 'b::c' });
  });

  it('lists explore ids by paging models with fields name,explores(name)', async () => {
    const { api, calls } = fakeApi(() => [
      { name: 'm1', explores: [{ name: 'a' }, { name: 'b' }] },
      { name: 'm2', explores: [] },
    ]);
    expect(await REGISTRY.explore.listIds(api)).toEqual(['m1::a', 'm1::b']);
    expect(calls[0]?.args[0]).toEqual({ limit: 1000, offset: 0, fields: 'name,explores(name)' });
  });
});

describe('parseItem', () => {
  it('maps a dashboard to the stored columns and keeps the whole object as value', () => {
    const raw = {
      id: '42',
      title: 'Sales',
      folder_id: '7',
      user_id: '3',
      created_at: '2024-01-01T00:00:00Z',
      updated_at: '2024-02-01T00:00:00Z',
      deleted: false,
      dashboard_elements: [{ id: '1' }],
    };
    expect(REGISTRY.dashboard.parseItem(raw)).toEqual({
      ok: true,
      id: '42',
      name: 'Sales',
      folderId: '7',
      ownerId: '3',
      createdAt: '2024-01-01T00:00:00Z',
      updatedAt: '2024-02-01T00:00:00Z',
      deleted: false,
      value: raw,
    });
  });

  it('reports an item whose id is a number, naming the id and the problem', () => {
    const result = REGISTRY.look.parseItem({ id: 42, title: 'x' });
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ id: '42' });
    if (!result.ok) expect(result.error).toMatch(/^look: id: .*string/);
  });

  it('reports an item without an id, and anything that is not an object', () => {
    expect(REGISTRY.group.parseItem({ name: 'x' })).toMatchObject({ ok: false });
    expect(REGISTRY.group.parseItem({ name: 'x' })).not.toHaveProperty('id');
    expect(REGISTRY.group.parseItem('nope')).toEqual({
      ok: false,
      error: 'group: expected an object, got string',
    });
    expect(REGISTRY.group.parseItem(null)).toMatchObject({ ok: false });
  });

  it('reports a field of the wrong type', () => {
    const result = REGISTRY.dashboard.parseItem({ id: '1', deleted: 'yes' });
    expect(result).toMatchObject({ ok: false, id: '1' });
  });

  it('marks a board with deleted_at as deleted and a folder under its parent', () => {
    expect(parsed(REGISTRY.board.parseItem({ id: '1', deleted_at: '2024-01-01' })).deleted).toBe(
      true,
    );
    expect(parsed(REGISTRY.board.parseItem({ id: '1', deleted_at: null })).deleted).toBe(false);
    expect(
      parsed(REGISTRY.folder.parseItem({ id: '9', name: 'Shared', parent_id: '1' })),
    ).toMatchObject({ folderId: '1', name: 'Shared' });
  });

  it('identifies an explore as model::name and a user by display name or email', () => {
    expect(
      parsed(REGISTRY.explore.parseItem({ id: 'm::e', name: 'e', model_name: 'm', label: 'E' })),
    ).toMatchObject({ id: 'm::e', name: 'E' });
    expect(parsed(REGISTRY.user.parseItem({ id: '1', email: 'a@b.c' })).name).toBe('a@b.c');
    expect(
      parsed(REGISTRY.user.parseItem({ id: '1', first_name: 'Ada', last_name: 'L' })).name,
    ).toBe('Ada L');
  });
});
