import { describe, expect, it } from '@jest/globals';
import { simulatorsPerTest } from './http.js';

const start = simulatorsPerTest({ counts: { dashboard: 60, look: 40, user: 10, board: 40 } });

const idsOf = (items: { id: string }[]): string[] => items.map((item) => item.id);

describe('scripted mutations', () => {
  it('update and edit-tiles move updated_at; trash and restore move an item out of and back into the listing', async () => {
    const { s, c } = await start();
    const before = s.dataset.get('dashboard', '3') as { updated_at: string; title: string };
    s.applyMutations([{ action: 'update', type: 'dashboard', id: '3' }]);
    const edited = s.dataset.get('dashboard', '3') as { updated_at: string; title: string };
    expect(edited.updated_at > before.updated_at).toBe(true);
    expect(edited.title).toMatch(/\(edited 1\)$/);

    const tiled = s.dataset.get('dashboard', '4') as {
      updated_at: string;
      dashboard_elements: { title: string }[];
    };
    s.applyMutations([{ action: 'edit-tiles', type: 'dashboard', id: '4' }]);
    const retiled = s.dataset.get('dashboard', '4') as typeof tiled;
    expect(retiled.updated_at > tiled.updated_at).toBe(true);
    expect(retiled.dashboard_elements[0]?.title).toMatch(/\(edited 1\)$/);
    expect(retiled.dashboard_elements.slice(1)).toEqual(tiled.dashboard_elements.slice(1));

    s.applyMutations([{ action: 'trash', type: 'look', id: '7' }]);
    const live = await c.json<{ id: string }[]>('/looks/search?fields=id&limit=1000');
    const trash = await c.json<{ id: string }[]>('/looks/search?fields=id&deleted=true&limit=1000');
    expect(idsOf(live)).not.toContain('7');
    expect(idsOf(trash)).toContain('7');
    expect(await c.json('/looks/7')).toMatchObject({ id: '7', deleted: true });

    s.applyMutations([{ action: 'restore', type: 'look', id: '7' }]);
    expect(idsOf(await c.json<{ id: string }[]>('/looks/search?fields=id&limit=1000'))).toContain(
      '7',
    );
    expect(await c.json('/looks/7')).toMatchObject({ deleted: false, deleted_at: null });
  });

  it('delete removes an item everywhere; boards keep being listed when trashed, dated', async () => {
    const { s, c } = await start();
    s.applyMutations([
      { action: 'delete', type: 'dashboard', id: '4' },
      { action: 'trash', type: 'board', id: '2' },
    ]);
    expect((await c.get('/dashboards/4')).status).toBe(404);
    expect(
      idsOf(await c.json<{ id: string }[]>('/dashboards/search?fields=id&deleted=true')),
    ).not.toContain('4');
    const board = (
      await c.json<{ id: string; deleted_at: string | null }[]>(
        '/boards/search?fields=id,deleted_at',
      )
    ).find((b) => b.id === '2');
    expect(board?.deleted_at).toEqual(expect.any(String));
    // The default dataset has trashed boards from the start: one in 20.
    const boards = await c.json<{ deleted_at: string | null }[]>(
      '/boards/search?fields=deleted_at',
    );
    expect(boards.filter((b) => b.deleted_at !== null).length).toBeGreaterThanOrEqual(2);
  });

  it('a script with one invalid step changes nothing, over HTTP too', async () => {
    const { s } = await start();
    expect(() =>
      s.applyMutations([
        { action: 'update', type: 'dashboard', id: '3' },
        { action: 'trash', type: 'group', id: '1' },
      ]),
    ).toThrow(/groups have no trash/);
    expect((s.dataset.get('dashboard', '3') as { title: string }).title).not.toMatch(/edited/);
    const answer = await fetch(`${s.url}/__sim/mutations`, {
      method: 'POST',
      body: JSON.stringify([{ action: 'update', type: 'dashboard', id: '999999' }]),
    });
    expect(answer.status).toBe(400);
    expect(s.mutationLog()).toEqual([]);
  });
});
