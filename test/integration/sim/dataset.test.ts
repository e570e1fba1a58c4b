import { describe, expect, it } from '@jest/globals';
import { SIM_CONTENT_TYPES, type RunningSimulator } from '../../../src/sim/index.js';
import { simulatorsPerTest } from './http.js';

const start = simulatorsPerTest({ counts: { dashboard: 300, look: 100, user: 10, board: 10 } });

interface Row {
  id: string | number | undefined;
  [key: string]: unknown;
}

const SAMPLE_PATHS = [
  '/dashboards/search?limit=100&offset=100',
  '/dashboards/7',
  '/dashboards/1?fields=id,dashboard_elements(id,title)',
  '/looks/search?limit=50',
  '/looks/3',
  '/folders',
  '/folders/1',
  '/users/search?limit=10',
  '/groups/2',
  '/roles',
  '/boards/1',
  '/scheduled_plans?all_users=true',
  '/lookml_models',
  '/lookml_models/thelook/explores/order_items',
  '/dashboards',
];

describe('determinism', () => {
  it('two simulators with the same seed serve byte-identical bodies', async () => {
    const a = await start({ seed: 42 });
    const b = await start({ seed: 42 });
    for (const path of SAMPLE_PATHS) {
      const [x, y] = await Promise.all([a.c.get(path), b.c.get(path)]);
      expect(x.status).toBe(200);
      expect({ path, same: x.bytes.equals(y.bytes) }).toEqual({ path, same: true });
    }
  });

  it('different seeds give different content', async () => {
    const a = await start({ seed: 1 });
    const b = await start({ seed: 2 });
    for (const path of ['/dashboards/7', '/looks/search?limit=50', '/users/search?limit=10']) {
      const [x, y] = await Promise.all([a.c.get(path), b.c.get(path)]);
      expect({ path, same: x.bytes.equals(y.bytes) }).toEqual({ path, same: false });
    }
  });

  it('dataset.get returns exactly what the detail endpoint serves', async () => {
    const { s, c } = await start();
    for (const [type, path] of [
      ['dashboard', '/dashboards/9'],
      ['look', '/looks/9'],
      ['folder', '/folders/5'],
      ['explore', '/lookml_models/thelook/explores/users'],
      ['lookml_model', '/lookml_models/thelook'],
      ['scheduled_plan', '/scheduled_plans/4'],
    ] as const) {
      const id =
        type === 'explore'
          ? 'thelook::users'
          : type === 'lookml_model'
            ? 'thelook'
            : (path.split('/').at(-1) ?? '');
      expect(await c.json(path)).toEqual(s.dataset.get(type, id));
    }
    expect(s.dataset.get('dashboard', '999999')).toBeUndefined();
    expect([...s.dataset.items('group')]).toEqual(
      s.dataset.ids('group').map((id) => s.dataset.get('group', id)),
    );
  });

  it('the dataset counts every type as configured', async () => {
    const { s } = await start({
      counts: {
        dashboard: 30,
        look: 20,
        folder: 7,
        board: 3,
        user: 4,
        group: 5,
        role: 6,
        permission_set: 2,
        model_set: 3,
        lookml_model: 2,
        exploresPerModel: 3,
        scheduled_plan: 9,
        lookmlDashboards: 2,
      },
    });
    const counts = Object.fromEntries(
      SIM_CONTENT_TYPES.map((t) => [t, s.dataset.count(t) + s.dataset.deletedIds(t).length]),
    );
    expect(counts).toEqual({
      dashboard: 32,
      look: 20,
      folder: 7 + 2 + 4,
      board: 3,
      user: 4,
      group: 5,
      role: 6,
      permission_set: 2,
      model_set: 3,
      lookml_model: 2,
      explore: 6,
      scheduled_plan: 9,
      user_attribute: 20,
    });
    expect(s.dataset.ids('explore')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^[a-z_0-9]+::[a-z_0-9]+$/)]),
    );
  });
});

describe('invalid items', () => {
  it('serves the listed ids with an item-level defect in list and detail responses, the rest intact', async () => {
    const { c } = await start({ invalidItems: { dashboard: ['3'], look: { '5': 'missing-id' } } });
    const page = await c.json<Row[]>('/dashboards/search?limit=5&fields=id,title');
    expect(page.map((r) => r.id)).toEqual(
      ['1', '2', 3, '4', '5'].filter((id) => page.some((r) => r.id === id)),
    );
    expect(page.filter((r) => typeof r.id !== 'string')).toEqual([
      { id: 3, title: expect.any(String) },
    ]);
    expect((await c.json<Row>('/dashboards/3')).id).toBe(3);
    const looks = await c.json<Row[]>('/looks/search?limit=6');
    expect(looks.filter((r) => !('id' in r))).toHaveLength(1);
    expect(await c.json<Row>('/looks/5')).not.toHaveProperty('id');
    expect((await c.json<Row>('/looks/4')).id).toBe('4');
  });
});

describe('live mutation', () => {
  it('request-driven mutation applies one change every N content requests, visible in lists and details', async () => {
    let now = Date.UTC(2026, 5, 1);
    const { s, c } = await start({
      clock: () => now,
      mutation: { everyRequests: 2, types: ['dashboard'] },
    });
    await c.authorize(); // login is not a content request
    for (let i = 0; i < 40; i++) {
      now += 1000;
      await c.get('/user');
    }
    const log = s.mutationLog();
    expect(log).toHaveLength(20);
    expect(s.stats().mutations).toBe(20);
    const live = new Set(s.dataset.ids('dashboard'));
    const trash = new Set(s.dataset.deletedIds('dashboard'));
    for (const entry of log) {
      const current = s.dataset.get('dashboard', entry.id) as { title: string; deleted: boolean };
      if (entry.action === 'create') expect(Number(entry.id)).toBeGreaterThan(300);
      if (entry.action === 'update' && !trash.has(entry.id))
        expect(current.title).toMatch(/\(edited \d+\)$/);
      if (entry.action === 'delete') {
        expect(current.deleted).toBe(true);
        expect(trash.has(entry.id)).toBe(true);
        expect(live.has(entry.id)).toBe(false);
      }
    }
    // a request sees the mutations applied up to and including its own arrival
    const newest = await c.json<Row[]>('/dashboards/search?sorts=id desc&fields=id&limit=5');
    const expected = s.dataset
      .ids('dashboard')
      .filter((id) => !id.includes('::'))
      .map(Number)
      .sort((x, y) => y - x)
      .slice(0, 5)
      .map(String);
    expect(newest.map((r) => r.id)).toEqual(expected);
  });

  it('mutate(n) applies changes now, timestamped by the clock, the same way for the same seed', async () => {
    const now = Date.UTC(2026, 2, 3, 4, 5, 6);
    const a = await start({
      seed: 9,
      clock: () => now,
      mutation: { types: ['dashboard', 'look', 'board', 'group', 'scheduled_plan'] },
    });
    const b = await start({
      seed: 9,
      clock: () => now,
      mutation: { types: ['dashboard', 'look', 'board', 'group', 'scheduled_plan'] },
    });
    const done = a.s.mutate(60);
    expect(b.s.mutate(60)).toEqual(done);
    expect(new Set(done.map((e) => e.action))).toEqual(new Set(['create', 'update', 'delete']));
    expect(new Set(done.map((e) => e.type)).size).toBe(5);
    const updated = done.find((e) => e.type === 'look' && e.action === 'update');
    if (updated && a.s.dataset.ids('look').includes(updated.id)) {
      expect(await a.c.json<Row>(`/looks/${updated.id}`)).toMatchObject({
        updated_at: '2026-03-03T04:05:06.000+00:00',
      });
    }
    const gone = done.find((e) => e.type === 'group' && e.action === 'delete');
    if (gone) expect((await a.c.get(`/groups/${gone.id}`)).status).toBe(404);
  });

  it('timer-driven mutation runs at the configured pace until close', async () => {
    const { s } = await start({ mutation: { perSecond: 500 } });
    await new Promise<void>((resolve) => {
      const check = () => {
        if (s.stats().mutations >= 5) resolve();
        else setTimeout(check, 5);
      };
      check();
    });
    expect(s.mutationLog().length).toBeGreaterThanOrEqual(5);
  });
});

describe('observability', () => {
  it('GET /__sim/stats returns the same counters as stats()', async () => {
    const { s, c } = await start();
    await c.get('/dashboards/1');
    await c.get('/dashboards/search?limit=10');
    const answer = await fetch(`${s.url}/__sim/stats`);
    const body = (await answer.json()) as ReturnType<RunningSimulator['stats']>;
    expect(body).toEqual(s.stats());
    expect(body.requests).toMatchObject({
      total: 3,
      byOperation: { login: 1, dashboard: 1, search_dashboards: 1 },
      byStatus: { '200': 3 },
    });
    expect(body.bytesSent).toBeGreaterThan(1000);
    expect(body.serviceTimeMs.count).toBe(3);
  });

  it('the request log records operation, path, query, status and arrival time', async () => {
    const { s, c } = await start({ requestLog: true, clock: () => 1234 });
    await c.get('/dashboards/search?limit=2&offset=4');
    await c.get('/dashboards/0');
    expect(s.requestLog().slice(1)).toEqual([
      {
        seq: 2,
        operationId: 'search_dashboards',
        method: 'GET',
        path: '/api/4.0/dashboards/search',
        query: { limit: '2', offset: '4' },
        status: 200,
        arrivedAt: 1234,
      },
      {
        seq: 3,
        operationId: 'dashboard',
        method: 'GET',
        path: '/api/4.0/dashboards/0',
        query: {},
        status: 404,
        arrivedAt: 1234,
      },
    ]);
  });

  it('control endpoints inject faults, mutate and list ids across processes', async () => {
    const { s, c } = await start();
    const inject = await fetch(`${s.url}/__sim/faults`, {
      method: 'POST',
      body: JSON.stringify([{ fault: { kind: 'status', status: 502 } }]),
    });
    expect(inject.status).toBe(204);
    expect((await c.get('/dashboards/1')).status).toBe(502);
    const mutated = await fetch(`${s.url}/__sim/mutate?n=3`, { method: 'POST' });
    expect(((await mutated.json()) as unknown[]).length).toBe(3);
    const ids = (await (await fetch(`${s.url}/__sim/ids/dashboard`)).json()) as string[];
    expect(ids).toEqual(s.dataset.ids('dashboard'));
    const reset = await fetch(`${s.url}/__sim/stats/reset`, { method: 'POST' });
    expect(reset.status).toBe(204);
    expect(s.stats().requests.total).toBe(0);
  });
});
