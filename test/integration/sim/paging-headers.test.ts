import { describe, expect, it } from '@jest/globals';
import { simulatorsPerTest } from './http.js';

const start = simulatorsPerTest({ counts: { dashboard: 60, look: 45, user: 10 } });

describe('paging headers', () => {
  it('a list request with limit gets X-Total-Count and Link (next, prev), as Looker sends them', async () => {
    const { s, c } = await start();
    await c.authorize();
    const total = s.dataset.count('look');
    const first = await c.get('/looks/search?fields=id&limit=20&offset=0&sorts=id');
    expect(first.headers['x-total-count']).toBe(String(total));
    expect(first.headers.link).toBe(
      '</api/4.0/looks/search?fields=id&limit=20&offset=20&sorts=id>; rel="next"',
    );
    const last = await c.get(`/looks/search?fields=id&limit=20&offset=40&sorts=id`);
    expect(last.headers['x-total-count']).toBe(String(total));
    expect(last.headers.link).toBe(
      '</api/4.0/looks/search?fields=id&limit=20&offset=20&sorts=id>; rel="prev"',
    );
    // Filters count: the trash has its own total.
    const trash = await c.get('/looks/search?fields=id&deleted=true&limit=5');
    expect(trash.headers['x-total-count']).toBe(String(s.dataset.deletedIds('look').length));
    // Without limit there is no paging, so no header.
    expect((await c.get('/looks/search?fields=id')).headers['x-total-count']).toBeUndefined();
  });

  it('--no-total-count (totalCount: false) leaves both out', async () => {
    const { c } = await start({ totalCount: false });
    await c.authorize();
    const page = await c.get('/looks/search?fields=id&limit=20');
    expect(page.status).toBe(200);
    expect(page.headers['x-total-count']).toBeUndefined();
    expect(page.headers.link).toBeUndefined();
  });
});
