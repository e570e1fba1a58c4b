import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeTempDir } from '../../helpers/tmp.js';

/**
 * The writer in its worker thread, as the built CLI runs it: the store is loaded from dist/
 * (run `npm run build` first), where the thread script exists, so `mode: 'auto'` picks it.
 */

type Store = typeof import('../../../src/store/index.js');
type Errors = typeof import('../../../src/errors.js');
type Registry = typeof import('../../../src/looker/registry.js');

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist');
let store: Store;
let errors: Errors;

beforeAll(async () => {
  store = (await import(path.join(DIST, 'store', 'index.js'))) as Store;
  errors = (await import(path.join(DIST, 'errors.js'))) as Errors;
});

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = makeTempDir('lookervault-thread-'));
});
afterEach(() => {
  cleanup();
});

function item(id: string, value: Record<string, unknown>) {
  return store.makeItemWrite(
    { id, ...value },
    {
      id,
      name: null,
      folderId: null,
      ownerId: null,
      createdAt: null,
      updatedAt: null,
      deleted: false,
    },
  );
}

function page(unitKey: string, items: ReturnType<typeof item>[]) {
  return { type: 'dashboard', unitKey, rawCount: items.length, items, invalid: [] };
}

function begin() {
  const vault = store.openVault(path.join(dir, 'looker.db'), { create: true });
  const runs = new store.RunStore(vault);
  const run = runs.start({
    types: ['dashboard'],
    config: {},
    baseUrl: 'http://t',
    toolVersion: 't',
  });
  return { vault, runs, run };
}

describe('VaultWriter in a worker thread', () => {
  it('commits through its own connection; the main connection sees every page after flush', async () => {
    const { vault, runs, run } = begin();
    const committed: number[] = [];
    const writer = new store.VaultWriter(vault, run.id, {
      maxPagesPerTransaction: 3,
      onCommit: (results) => committed.push(...results.map((r) => r.stored)),
    });
    expect(writer.mode).toBe('thread');
    const texts = ['plain', 'accents é è', 'CJK 日本語', 'emoji 😀', 'escapes "\\\n'];
    const items = texts.map((text, n) => item(String(n), { text, pad: 'x'.repeat(n * 3000) }));
    for (const [n, one] of items.entries()) await writer.enqueue(page(`p${n}`, [one]));
    await writer.flush();
    expect(committed).toEqual([1, 1, 1, 1, 1]);
    const stored = vault.db
      .prepare<[], { id: string; content_json: string; t: string; size: number; h: string }>(
        'SELECT id, content_json, typeof(content_json) AS t, content_size AS size, content_hash AS h FROM content_items ORDER BY CAST(id AS INTEGER)',
      )
      .all();
    expect(stored.map((row) => row.content_json)).toEqual(items.map((i) => i.json));
    expect(stored.every((row) => row.t === 'text')).toBe(true);
    expect(stored.map((row) => store.contentHash(row.content_json))).toEqual(
      items.map((i) => i.hash),
    );
    expect(
      vault.db
        .prepare(
          "SELECT count(*) FROM content_items WHERE json_extract(content_json, '$.text') = 'emoji 😀'",
        )
        .pluck()
        .get(),
    ).toBe(1);

    await writer.enqueue(
      page('again', [item('0', { text: 'plain', pad: '' }), item('1', { text: 'changed' })]),
    );
    await writer.close();
    expect(runs.typeStates(run.id)[0]).toMatchObject({
      stored: 7,
      new: 5,
      changed: 1,
      unchanged: 1,
    });
    runs.finish(run.id, 'success', null);
    expect(vault.integrityCheck().ok).toBe(true);
    vault.close();
  });

  it("checks unchecked items in the thread with the registry's validation, imported there", async () => {
    const registry = (await import(path.join(DIST, 'looker', 'registry.js'))) as Registry;
    const { vault, runs, run } = begin();
    const problems: unknown[] = [];
    const writer = new store.VaultWriter(vault, run.id, {
      onCommit: (results) => problems.push(...results.flatMap((result) => result.problems)),
      validator: {
        validate: registry.validateItem,
        moduleUrl: pathToFileURL(path.join(DIST, 'looker', 'registry.js')).href,
        exportName: 'validateItem',
      },
    });
    expect(writer.mode).toBe('thread');
    const dashboard = { id: '5', title: 'Ops', folder_id: '2', user_id: '9', deleted: false };
    const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    await writer.enqueue({
      type: 'dashboard',
      unitKey: 'offset:0',
      rawCount: 2,
      items: [
        { id: '5', rawJson: encode(dashboard), unchecked: true },
        { id: '6', rawJson: encode({ id: 6, title: 'numeric id' }), unchecked: true },
      ],
      invalid: [],
    });
    await writer.close();
    const stored = vault.db
      .prepare<[], { id: string; name: string; folder_id: string; owner_id: string; h: string }>(
        'SELECT id, name, folder_id, owner_id, content_hash AS h FROM content_items',
      )
      .all();
    expect(stored).toEqual([
      {
        id: '5',
        name: 'Ops',
        folder_id: '2',
        owner_id: '9',
        h: store.contentHash(store.canonicalJson(dashboard)),
      },
    ]);
    expect(problems).toEqual([{ id: '6', error: expect.stringMatching(/^dashboard: id: /) }]);
    expect(runs.itemFailures(run.id).map((failure) => failure.itemId)).toEqual(['6']);
    runs.finish(run.id, 'partial', null);
    vault.close();
  });

  it('reports a takeover as DatabaseBusyError, writes nothing more, and still closes cleanly', async () => {
    const { vault, run } = begin();
    const writer = new store.VaultWriter(vault, run.id, { mode: 'thread' });
    await writer.enqueue(page('p0', [item('a', {})]));
    await writer.flush();
    new store.RunStore(vault, { pid: 999_999, isProcessAlive: () => false }).resume(run.id);
    await writer.enqueue(page('p1', [item('b', {})]));
    await expect(writer.flush()).rejects.toBeInstanceOf(errors.DatabaseBusyError);
    await expect(writer.enqueue(page('p2', [item('c', {})]))).rejects.toThrow(
      /taken over by lookervault pid 999999/,
    );
    await expect(writer.close()).rejects.toBeInstanceOf(errors.DatabaseBusyError);
    expect(vault.db.prepare('SELECT group_concat(id) FROM content_items').pluck().get()).toBe('a');
    vault.close();
  });
});
