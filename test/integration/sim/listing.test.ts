import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { SimClient } from './http.js';

interface Row {
  id: string;
  [key: string]: unknown;
}

let sim: RunningSimulator;
let client: SimClient;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 11,
    counts: { dashboard: 1234, look: 321, user: 25, folder: 40, scheduled_plan: 200, group: 12 },
  });
  client = new SimClient(sim);
});

afterAll(async () => {
  await client.close();
  await sim.close();
});

async function pages(path: string, limit: number): Promise<Row[][]> {
  const out: Row[][] = [];
  for (let offset = 0; ; offset += limit) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await client.json<Row[]>(
      `${path}${sep}limit=${String(limit)}&offset=${String(offset)}`,
    );
    out.push(page);
    if (page.length < limit) return out;
  }
}

describe('paging', () => {
  it('limit/offset pages cover every live dashboard exactly once, in id order', async () => {
    const all = (await pages('/dashboards/search?fields=id', 100)).flat().map((r) => r.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(sim.dataset.ids('dashboard').filter((id) => !id.includes('::')));
    expect(all.map(Number)).toEqual([...all.map(Number)].sort((a, b) => a - b));
  });

  it('page/per_page give the same pages as limit/offset', async () => {
    const byOffset = await client.json<Row[]>('/users/search?fields=id&limit=7&offset=14');
    const byPage = await client.json<Row[]>('/users/search?fields=id&per_page=7&page=3');
    expect(byPage).toEqual(byOffset);
    expect(byPage).toHaveLength(7);
  });

  it('limit/offset take priority over page/per_page', async () => {
    const both = await client.json<Row[]>(
      '/users/search?fields=id&limit=3&offset=0&per_page=10&page=2',
    );
    expect(both.map((r) => r.id)).toEqual(['1', '2', '3']);
  });

  it('a page past the end is empty, and a short page marks the end', async () => {
    const total = sim.dataset.count('look');
    const last = await client.json<Row[]>(
      `/looks/search?fields=id&limit=100&offset=${String(total - 21)}`,
    );
    expect(last).toHaveLength(21);
    expect(
      await client.json<Row[]>(`/looks/search?fields=id&limit=100&offset=${String(total)}`),
    ).toEqual([]);
  });

  it('unpaged all_* operations return everything at once', async () => {
    const looks = await client.json<Row[]>('/looks?fields=id');
    expect(looks.map((r) => r.id)).toEqual(sim.dataset.ids('look'));
    const dashboards = await client.json<Row[]>('/dashboards?fields=id');
    expect(dashboards.map((r) => r.id)).toEqual(sim.dataset.ids('dashboard'));
  });

  it('large unpaged answers are streamed and still parse', async () => {
    const answer = await client.get('/dashboards');
    expect(answer.headers['content-length']).toBeUndefined();
    expect((JSON.parse(answer.text) as Row[]).length).toBe(sim.dataset.count('dashboard'));
  });

  it('rejects a negative or non-numeric limit with 400', async () => {
    expect((await client.get('/dashboards/search?limit=-1')).status).toBe(400);
    expect((await client.get('/dashboards/search?offset=x')).status).toBe(400);
  });

  it('counts successful list pages by operation, filter, offset and limit', async () => {
    sim.resetStats();
    await client.get('/dashboards/search?limit=50&offset=100&fields=id');
    await client.get('/dashboards/search?limit=50&offset=100&fields=id');
    await client.get('/dashboards/search?folder_id=1&limit=10&offset=0');
    expect(sim.stats().pageRequests).toEqual({
      'search_dashboards offset=100 limit=50': 2,
      'search_dashboards folder_id=1 offset=0 limit=10': 1,
    });
  });
});

describe('fields', () => {
  it('returns only the requested top-level fields', async () => {
    const rows = await client.json<Row[]>('/dashboards/search?fields=id,title&limit=5');
    for (const row of rows) expect(Object.keys(row)).toEqual(['id', 'title']);
  });

  it('selects nested fields inside arrays and objects', async () => {
    const id = sim.dataset.ids('dashboard')[0] ?? '1';
    const dashboard = await client.json<Record<string, unknown>>(
      `/dashboards/${id}?fields=id,folder(id,name),dashboard_elements(id,query(id,model))`,
    );
    expect(Object.keys(dashboard).sort()).toEqual(['dashboard_elements', 'folder', 'id']);
    expect(Object.keys(dashboard.folder as object)).toEqual(['id', 'name']);
    for (const element of dashboard.dashboard_elements as Record<string, unknown>[]) {
      expect(Object.keys(element).every((k) => k === 'id' || k === 'query')).toBe(true);
      if (element.query) expect(Object.keys(element.query)).toEqual(['id', 'model']);
    }
  });

  it('answers 400 for unbalanced parentheses', async () => {
    expect((await client.get('/dashboards/1?fields=id,folder(id')).status).toBe(400);
  });
});

describe('shapes Looker uses', () => {
  it('search_dashboards returns whole dashboards, as dashboard(id) does (the spec: Dashboard[])', async () => {
    const [row] = await client.json<Row[]>('/dashboards/search?limit=1');
    expect(row).toBeDefined();
    expect(Array.isArray(row?.dashboard_elements)).toBe(true);
    expect(Array.isArray(row?.dashboard_layouts)).toBe(true);
    const detail = await client.json<Row>(`/dashboards/${row?.id ?? ''}`);
    expect(row).toEqual(detail);
    expect(detail).toEqual(sim.dataset.get('dashboard', row?.id ?? ''));
  });

  it('dashboardListing leaves parts out: abbreviated, named keys, from a page on, some ids, unless asked', async () => {
    const shapes = [
      { omit: 'abbreviated' as const },
      { omit: ['dashboard_filters'], fromPage: 1 },
      { omit: ['dashboard_elements'], onlyIds: ['2'] },
      { omit: 'abbreviated' as const, unlessAsked: true },
    ];
    const seen: Row[][][] = [];
    for (const dashboardListing of shapes) {
      const shaped = await startSimulator({ counts: { dashboard: 10 }, dashboardListing });
      const shapedClient = new SimClient(shaped);
      try {
        seen.push([
          await shapedClient.json<Row[]>('/dashboards/search?limit=5&offset=0&sorts=id'),
          await shapedClient.json<Row[]>('/dashboards/search?limit=5&offset=5&sorts=id'),
          await shapedClient.json<Row[]>(
            '/dashboards/search?limit=5&sorts=id&fields=id,dashboard_elements,dashboard_filters,dashboard_layouts',
          ),
        ]);
      } finally {
        await shapedClient.close();
        await shaped.close();
      }
    }
    const has = (rows: Row[] | undefined, key: string) => (rows ?? []).map((r) => key in r);
    const [abbreviated, fromPage, onlySome, unlessAsked] = seen;
    expect(has(abbreviated?.[0], 'dashboard_elements')).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(has(abbreviated?.[2], 'dashboard_elements')).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(has(fromPage?.[0], 'dashboard_filters')).toEqual([true, true, true, true, true]);
    expect(has(fromPage?.[1], 'dashboard_filters')).toEqual([false, false, false, false, false]);
    expect(has(onlySome?.[0], 'dashboard_elements')).toEqual([true, false, true, true, true]);
    expect(has(unlessAsked?.[0], 'dashboard_elements')).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(has(unlessAsked?.[2], 'dashboard_elements')).toEqual([true, true, true, true, true]);
  });

  it('search_looks omits the query that look(id) includes', async () => {
    const [row] = await client.json<Row[]>('/looks/search?limit=1');
    expect(row).not.toHaveProperty('query');
    const detail = await client.json<Row>(`/looks/${row?.id ?? ''}`);
    expect(detail.query).toMatchObject({ model: expect.any(String), view: expect.any(String) });
  });

  it('search_dashboards excludes LookML dashboards, which all_dashboards and dashboard(id) serve', async () => {
    const lookml = sim.dataset.ids('dashboard').filter((id) => id.includes('::'));
    expect(lookml.length).toBeGreaterThan(0);
    const searched = (await pages('/dashboards/search?fields=id', 500)).flat().map((r) => r.id);
    expect(searched.some((id) => id.includes('::'))).toBe(false);
    const detail = await client.json<Row>(`/dashboards/${encodeURIComponent(lookml[0] ?? '')}`);
    expect(detail.id).toBe(lookml[0]);
  });

  it('ids are strings everywhere', async () => {
    const rows = await client.json<Row[]>(
      '/scheduled_plans?all_users=true&fields=id,user_id,dashboard_id,look_id',
    );
    for (const row of rows) {
      for (const value of Object.values(row))
        expect(value === null || typeof value === 'string').toBe(true);
    }
  });

  it('unknown ids are 404 with Looker’s error body', async () => {
    const answer = await client.get('/looks/424242');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.text)).toEqual({
      message: 'Not found',
      documentation_url: expect.any(String),
    });
  });
});

describe('filters and sorts', () => {
  it('folder_id filters dashboards and looks to that folder, matching folder_dashboards', async () => {
    const folderId = (await client.json<Row[]>('/dashboards/search?fields=folder_id&limit=1'))[0]
      ?.folder_id as string;
    const inFolder = await client.json<Row[]>(
      `/dashboards/search?folder_id=${folderId}&fields=id,folder_id`,
    );
    expect(inFolder.length).toBeGreaterThan(0);
    expect(inFolder.every((r) => r.folder_id === folderId)).toBe(true);
    const viaFolder = await client.json<Row[]>(`/folders/${folderId}/dashboards?fields=id`);
    expect(viaFolder.map((r) => r.id)).toEqual(inFolder.map((r) => r.id));
    const looks = await client.json<Row[]>(`/looks/search?folder_id=${folderId}&fields=folder_id`);
    expect(looks.every((r) => r.folder_id === folderId)).toBe(true);
  });

  it('the folder tree: roots, personal folders, nested shared folders; parent_id and children agree', async () => {
    const folders = await client.json<Row[]>(
      '/folders?fields=id,parent_id,is_shared_root,is_users_root,is_personal',
    );
    expect(folders.filter((f) => f.is_shared_root)).toHaveLength(1);
    expect(folders.filter((f) => f.is_users_root)).toHaveLength(1);
    expect(folders.filter((f) => f.is_personal)).toHaveLength(25);
    const nested = folders.find(
      (f) => f.parent_id !== null && f.parent_id !== '1' && f.parent_id !== '2',
    );
    expect(nested).toBeDefined();
    const parent = nested?.parent_id as string;
    const children = await client.json<Row[]>(`/folders/${parent}/children?fields=id`);
    const searched = await client.json<Row[]>(`/folders/search?parent_id=${parent}&fields=id`);
    expect(children.map((r) => r.id)).toContain(nested?.id);
    expect(searched).toEqual(children);
    const ancestors = await client.json<Row[]>(`/folders/${nested?.id ?? ''}/ancestors?fields=id`);
    expect(ancestors.at(-1)?.id).toBe(parent);
  });

  it('deleted=true lists only the trash; default search excludes it; detail serves trashed items', async () => {
    const trash = await client.json<Row[]>('/looks/search?deleted=true&fields=id,deleted');
    expect(trash.length).toBeGreaterThan(0);
    expect(trash.every((r) => r.deleted === true)).toBe(true);
    const live = new Set((await client.json<Row[]>('/looks/search?fields=id')).map((r) => r.id));
    expect(trash.some((r) => live.has(r.id))).toBe(false);
    const detail = await client.json<Row>(`/looks/${trash[0]?.id ?? ''}`);
    expect(detail.deleted).toBe(true);
  });

  it('scheduled plans: the caller’s own by default, everyone’s with all_users=true', async () => {
    const own = await client.json<Row[]>('/scheduled_plans/search?fields=id,user_id');
    const all = await client.json<Row[]>(
      '/scheduled_plans/search?all_users=true&fields=id,user_id',
    );
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((r) => r.user_id === '1')).toBe(true);
    expect(all.length).toBe(sim.dataset.count('scheduled_plan'));
    expect(all.length).toBeGreaterThan(own.length);
  });

  it('string filters are case-insensitive and take % wildcards; filter_or combines', async () => {
    const rows = await client.json<Row[]>('/groups/search?fields=id,name');
    const sample = rows[3]?.name as string;
    const exact = await client.json<Row[]>(
      `/groups/search?name=${encodeURIComponent(sample.toUpperCase())}&fields=name`,
    );
    expect(exact.map((r) => r.name)).toContain(sample);
    const prefix = sample.slice(0, 3);
    const like = await client.json<Row[]>(
      `/groups/search?name=${encodeURIComponent(`${prefix}%`)}&fields=name`,
    );
    expect(like.every((r) => (r.name as string).startsWith(prefix))).toBe(true);
    const either = await client.json<Row[]>(
      '/groups/search?id=1&name=nothing-like-this&filter_or=true&fields=id',
    );
    expect(either.map((r) => r.id)).toEqual(['1']);
  });

  it('sorts=id sorts numerically; other top-level fields sort too, desc reverses', async () => {
    const byId = await client.json<Row[]>('/dashboards/search?sorts=id desc&fields=id&limit=20');
    expect(byId[0]?.id).toBe(
      String(
        Math.max(
          ...sim.dataset
            .ids('dashboard')
            .filter((i) => !i.includes('::'))
            .map(Number),
        ),
      ),
    );
    const byTitle = await client.json<Row[]>('/looks/search?sorts=title,id&fields=id,title');
    const titles = byTitle.map((r) => (r.title as string).toLowerCase());
    expect(titles).toEqual([...titles].sort());
    const byCreated = await client.json<Row[]>(
      '/looks/search?sorts=created_at desc&fields=created_at&limit=50',
    );
    const created = byCreated.map((r) => r.created_at as string);
    expect(created).toEqual([...created].sort().reverse());
  });

  it('an unknown sort field is a 400', async () => {
    expect((await client.get('/dashboards/search?sorts=no_such_field')).status).toBe(400);
  });
});
