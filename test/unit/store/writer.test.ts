import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DatabaseBusyError, DatabaseError, LookervaultError } from '../../../src/errors.js';
import { clearSecrets, registerSecret } from '../../../src/redact.js';
import { RunStore } from '../../../src/store/runs.js';
import { VaultWriter } from '../../../src/store/writer.js';
import type { VaultWriterOptions } from '../../../src/store/writer.js';
import type { ItemValidator, PageCommitResult } from '../../../src/store/types.js';
import { makeItemWrite } from '../../../src/store/canonical.js';
import { count, item, page, startRun, tempVault } from './fixtures.js';
import type { TempVault } from './fixtures.js';

let temp: TempVault;
beforeEach(() => {
  temp = tempVault();
});
afterEach(() => {
  temp.cleanup();
  clearSecrets();
});

/** Lets every queued microtask and immediate run: the writer drains on setImmediate. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function writerFor(runId: number, options: VaultWriterOptions = {}) {
  const commits: PageCommitResult[][] = [];
  const writer = new VaultWriter(temp.vault, runId, {
    mode: 'inline',
    onCommit: (results) => commits.push(results),
    ...options,
  });
  return { writer, commits };
}

interface ItemRow {
  content_type: string;
  id: string;
  name: string;
  content_json: string;
  content_hash: string;
  content_size: number;
  first_seen_run: number;
  last_seen_run: number;
  changed_run: number;
  deleted: number;
}

function rows(): ItemRow[] {
  return temp.vault.db
    .prepare<[], ItemRow>('SELECT * FROM content_items ORDER BY content_type, id')
    .all();
}

describe('VaultWriter', () => {
  it('stores a page: items with their metadata, and its checkpoint', async () => {
    const { run } = startRun(temp.vault);
    const { writer, commits } = writerFor(run.id);
    const one = item('1', { title: 'Sales' });
    await writer.enqueue(page('offset:0', [one, item('2')], { offset: 0, limit: 100 }));
    await writer.flush();
    expect(commits).toEqual([
      [
        {
          type: 'dashboard',
          unitKey: 'offset:0',
          stored: 2,
          new: 2,
          changed: 0,
          unchanged: 0,
          invalid: 0,
          failed: false,
          problems: [],
          // The writer's time on the page, for the progress estimate.
          writeMs: expect.any(Number),
        },
      ],
    ]);
    const [stored] = rows();
    expect(stored).toMatchObject({
      content_type: 'dashboard',
      id: '1',
      content_json: one.json,
      content_hash: one.hash,
      content_size: one.size,
      folder_id: '7',
      owner_id: '3',
      deleted: 0,
      first_seen_run: run.id,
      last_seen_run: run.id,
    });
    expect(
      count(
        temp.vault,
        "SELECT count(*) FROM checkpoints WHERE status = 'done' AND page_offset = 0 AND page_limit = 100 AND item_count = 2",
      ),
    ).toBe(1);
    await writer.close();
  });

  it('stores the same item twice as one row, counted unchanged the second time', async () => {
    const { run } = startRun(temp.vault);
    const { writer, commits } = writerFor(run.id);
    await writer.enqueue(page('offset:0', [item('1')]));
    await writer.enqueue(page('offset:1', [item('1')]));
    await writer.close();
    expect(rows()).toHaveLength(1);
    expect(commits.flat().map((r) => [r.new, r.changed, r.unchanged])).toEqual([
      [1, 0, 0],
      [0, 0, 1],
    ]);
  });

  it('across runs: unchanged content keeps its row and records it was seen; changed content is replaced, first sighting kept', async () => {
    const first = startRun(temp.vault);
    const w1 = writerFor(first.run.id).writer;
    await w1.enqueue(page('offset:0', [item('1'), item('2')]));
    await w1.close();
    first.runs.finish(first.run.id, 'success', null);

    const second = startRun(temp.vault);
    const { writer: w2, commits } = writerFor(second.run.id);
    const changed = item('2', { title: 'Renamed' });
    await w2.enqueue(page('offset:0', [item('1'), changed]));
    await w2.close();

    expect(commits.flat()[0]).toMatchObject({ stored: 2, new: 0, changed: 1, unchanged: 1 });
    const [one, two] = rows();
    expect(one).toMatchObject({ first_seen_run: 1, last_seen_run: 2, changed_run: 1 });
    expect(two).toMatchObject({
      first_seen_run: 1,
      last_seen_run: 2,
      changed_run: 2,
      name: 'Renamed',
      content_hash: changed.hash,
      content_json: changed.json,
    });
    expect(second.runs.typeStates(second.run.id)[0]).toMatchObject({
      stored: 2,
      new: 0,
      changed: 1,
      unchanged: 1,
    });
  });

  it('commits what is queued in one transaction, up to maxPagesPerTransaction', async () => {
    const { run } = startRun(temp.vault);
    const { writer, commits } = writerFor(run.id, { maxPagesPerTransaction: 2 });
    const accepted = [1, 2, 3, 4, 5].map((n) =>
      writer.enqueue(page(`offset:${n}`, [item(String(n))])),
    );
    await Promise.all(accepted);
    await writer.flush();
    expect(commits.map((batch) => batch.map((r) => r.unitKey))).toEqual([
      ['offset:1', 'offset:2'],
      ['offset:3', 'offset:4'],
      ['offset:5'],
    ]);
    await writer.close();
  });

  it("a transaction that fails mid-page leaves neither the page's items nor its checkpoint", async () => {
    const { run } = startRun(temp.vault);
    const { writer, commits } = writerFor(run.id);
    await writer.enqueue(page('offset:0', [item('1')]));
    await writer.flush();
    // Fail on the third item of the next page, after two items of it were written.
    temp.vault.db.exec(`CREATE TEMP TRIGGER boom BEFORE INSERT ON item_versions
      WHEN NEW.item_id = 'b3' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    const bad = writer.enqueue(page('offset:1', [item('b1'), item('b2'), item('b3'), item('b4')]));
    await bad;
    await expect(writer.flush()).rejects.toThrow(DatabaseError);

    expect(rows().map((r) => r.id)).toEqual(['1']);
    expect(count(temp.vault, "SELECT count(*) FROM checkpoints WHERE unit_key = 'offset:1'")).toBe(
      0,
    );
    expect(commits).toHaveLength(1);
    expect(writer.failure?.message).toContain('injected failure');
  });

  it('after a failure, every pending and later call rejects with the same clear error', async () => {
    const { run } = startRun(temp.vault);
    const { writer } = writerFor(run.id, { maxQueuedPages: 1 });
    const pageCount = count(temp.vault, 'PRAGMA page_count');
    temp.vault.db.pragma(`max_page_count = ${pageCount + 1}`);
    const big = Array.from({ length: 20 }, (_, n) => item(`x${n}`, { blob: 'x'.repeat(20_000) }));
    const first = writer.enqueue(page('offset:0', big));
    const waiting = writer.enqueue(page('offset:20', [item('y')]));
    await first;
    await expect(waiting).rejects.toThrow(DatabaseError);
    const error = writer.failure;
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error?.message).toBe(
      `Could not write to \`${temp.file}\`: the disk is full (SQLITE_FULL)`,
    );
    expect(error?.hint).toContain('Free some disk space');
    await expect(writer.enqueue(page('offset:40', [item('z')]))).rejects.toBe(error);
    await expect(writer.flush()).rejects.toBe(error);
    await expect(writer.close()).rejects.toBe(error);
    expect(count(temp.vault, 'SELECT count(*) FROM content_items')).toBe(0);
    expect(count(temp.vault, 'SELECT count(*) FROM checkpoints')).toBe(0);
  });

  it('backpressure: enqueue waits while the queue is full and resolves once a commit makes room', async () => {
    const { run } = startRun(temp.vault);
    const { writer } = writerFor(run.id, { maxQueuedPages: 2, maxPagesPerTransaction: 1 });
    const accepted: string[] = [];
    const track = (key: string) =>
      writer.enqueue(page(key, [item(key)])).then(() => accepted.push(key));
    const all = [track('a'), track('b'), track('c')];
    await Promise.resolve();
    await Promise.resolve();
    expect(accepted).toEqual(['a', 'b']);
    expect(writer.queueDepth).toBe(2);
    expect(writer.capacity).toBe(2);
    await settle();
    expect(accepted).toEqual(['a', 'b', 'c']);
    await Promise.all(all);
    await writer.close();
    expect(writer.queueDepth).toBe(0);
  });

  it('backpressure also bounds the bytes held, but always accepts a page into an empty queue', async () => {
    const { run } = startRun(temp.vault);
    const { writer } = writerFor(run.id, { maxQueuedBytes: 1000, maxPagesPerTransaction: 1 });
    const large = item('l', { text: 'x'.repeat(5000) });
    let secondAccepted = false;
    await writer.enqueue(page('one', [large]));
    const second = writer.enqueue(page('two', [item('s')])).then(() => {
      secondAccepted = true;
    });
    await Promise.resolve();
    expect(secondAccepted).toBe(false);
    await second;
    await writer.close();
    expect(rows()).toHaveLength(2);
  });

  it('a failed page keeps the items it did fetch, and a later success of the same unit replaces its checkpoint', async () => {
    const { run, runs } = startRun(temp.vault);
    const { writer, commits } = writerFor(run.id);
    await writer.enqueue(
      page('offset:0', [item('fetched')], {
        failure: { error: 'HTTP 503 after 3 attempts', attempts: 3 },
      }),
    );
    await writer.flush();
    expect(rows().map((row) => row.id)).toEqual(['fetched']);
    expect(runs.failedUnits(run.id)).toEqual([
      expect.objectContaining({
        unitKey: 'offset:0',
        error: 'HTTP 503 after 3 attempts',
        attempts: 3,
      }),
    ]);
    await writer.enqueue(page('offset:0', [item('fetched')]));
    await writer.close();
    expect(commits.flat().map((r) => [r.failed, r.new, r.unchanged])).toEqual([
      [true, 1, 0],
      [false, 0, 1],
    ]);
    expect(runs.failedUnits(run.id)).toEqual([]);
    expect(runs.completedUnits(run.id)).toEqual([
      expect.objectContaining({ unitKey: 'offset:0', itemCount: 1 }),
    ]);
    expect(count(temp.vault, "SELECT attempts FROM checkpoints WHERE unit_key = 'offset:0'")).toBe(
      4,
    );
    expect(count(temp.vault, 'SELECT count(*) FROM checkpoints WHERE error IS NOT NULL')).toBe(0);
  });

  it('a failed write never replaces a page already done', async () => {
    const { run, runs } = startRun(temp.vault);
    const { writer } = writerFor(run.id);
    await writer.enqueue(page('offset:0', [item('1')]));
    await writer.enqueue(page('offset:0', [], { failure: { error: 'late failure', attempts: 1 } }));
    await writer.close();
    expect(runs.completedUnits(run.id)).toHaveLength(1);
    expect(runs.failedUnits(run.id)).toHaveLength(0);
  });

  it("records a page's invalid items, and replaces them when the page is written again", async () => {
    const { run, runs } = startRun(temp.vault);
    const { writer, commits } = writerFor(run.id);
    await writer.enqueue(
      page('offset:0', [item('1')], {
        invalid: [{ id: '2', error: 'missing id' }, { error: 'not an object' }],
      }),
    );
    await writer.flush();
    expect(runs.itemFailures(run.id).map((f) => [f.itemId, f.error])).toEqual([
      ['2', 'missing id'],
      [null, 'not an object'],
    ]);
    await writer.enqueue(page('offset:0', [item('1'), item('2')]));
    await writer.close();
    expect(runs.itemFailures(run.id)).toEqual([]);
    expect(commits.flat().map((r) => r.invalid)).toEqual([2, 0]);
    expect(runs.typeStates(run.id)[0]).toMatchObject({
      stored: 3,
      new: 2,
      unchanged: 1,
      invalid: 2,
    });
  });

  it('parses, checks and canonicalizes unchecked items itself; one that fails its check is recorded, not stored', async () => {
    const { run, runs } = startRun(temp.vault);
    const checkedTypes: string[] = [];
    const validate: ItemValidator = (type, value) => {
      checkedTypes.push(type);
      const record = value as { id?: unknown; title?: unknown; user_id?: unknown };
      if (typeof record.id !== 'string') return { ok: false, error: `${type}: id: required` };
      return {
        ok: true,
        id: record.id,
        name: typeof record.title === 'string' ? record.title : null,
        folderId: null,
        ownerId: typeof record.user_id === 'string' ? record.user_id : null,
        createdAt: null,
        updatedAt: null,
        deleted: false,
      };
    };
    const { writer, commits } = writerFor(run.id, {
      validator: { validate, moduleUrl: 'unused:inline', exportName: 'validate' },
    });
    const sent = '{ "title": "Sales", "user_id": "3", "id": "1", "tiles": [ {"b": 2, "a": 1} ] }';
    const bytes = new TextEncoder().encode('{"id": 2}');
    await writer.enqueue(
      page('offset:0', [
        { id: '1', rawJson: sent, unchecked: true },
        { id: '2', rawJson: bytes, unchecked: true },
        { id: '3', rawJson: '{"title": "no id"}', unchecked: true },
        { id: '4', rawJson: '{"id": "4", "title": ', unchecked: true },
      ]),
    );
    await writer.close();

    const expected = makeItemWrite(JSON.parse(sent), {
      id: '1',
      name: 'Sales',
      folderId: null,
      ownerId: '3',
      createdAt: null,
      updatedAt: null,
      deleted: false,
    });
    expect(rows().map((row) => [row.id, row.name, row.content_json, row.content_hash])).toEqual([
      ['1', 'Sales', expected.json, expected.hash],
    ]);
    expect(checkedTypes).toEqual(['dashboard', 'dashboard', 'dashboard']);
    const problems = [
      { id: '2', error: 'dashboard: id: required' },
      { id: '3', error: 'dashboard: id: required' },
      { id: '4', error: 'dashboard: the server sent JSON that does not parse' },
    ];
    expect(commits.flat()).toEqual([
      expect.objectContaining({ stored: 1, new: 1, invalid: 3, failed: false, problems }),
    ]);
    expect(runs.itemFailures(run.id).map((f) => ({ id: f.itemId, error: f.error }))).toEqual(
      problems,
    );
    expect(
      count(
        temp.vault,
        "SELECT count(*) FROM checkpoints WHERE status = 'done' AND item_count = 1 AND invalid_count = 3",
      ),
    ).toBe(1);
  });

  it('fails the commit, writing nothing, when an unchecked item reaches a writer without a validator', async () => {
    const { run } = startRun(temp.vault);
    const { writer } = writerFor(run.id);
    const accepted = writer.enqueue(
      page('offset:0', [item('1'), { id: '2', rawJson: '{"id":"2"}', unchecked: true }]),
    );
    await accepted;
    await expect(writer.flush()).rejects.toThrow(/no item validator/);
    expect(rows()).toEqual([]);
  });

  it('records type states in order with the pages around them', async () => {
    const { run, runs } = startRun(temp.vault, {}, ['dashboard', 'look']);
    const { writer } = writerFor(run.id, { now: () => Date.parse('2026-02-03T04:05:06.000Z') });
    writer.setTypeState('dashboard', 'listing');
    await writer.enqueue(page('offset:0', [item('1')]));
    writer.setTypeState('dashboard', 'done', { endOffset: 1 });
    writer.setTypeState('look', 'waiting');
    await writer.close();
    const [dashboard, look] = runs.typeStates(run.id);
    expect(dashboard).toMatchObject({
      type: 'dashboard',
      state: 'done',
      endOffset: 1,
      stored: 1,
      pagesDone: 1,
      startedAt: '2026-02-03T04:05:06.000Z',
      finishedAt: '2026-02-03T04:05:06.000Z',
    });
    expect(look).toMatchObject({
      type: 'look',
      state: 'waiting',
      startedAt: null,
      finishedAt: null,
    });
  });

  it('never stores a registered secret that appears in an error message', async () => {
    registerSecret('tok-123456');
    const { run } = startRun(temp.vault);
    const { writer } = writerFor(run.id);
    await writer.enqueue(
      page('offset:0', [item('1')], {
        invalid: [{ id: '2', error: 'GET /x?access_token=tok-123456 failed' }],
      }),
    );
    await writer.enqueue(
      page('offset:1', [], { failure: { error: 'Bearer tok-123456 rejected', attempts: 1 } }),
    );
    await writer.close();
    const text = temp.vault.db
      .prepare(
        "SELECT group_concat(error, ' ') FROM (SELECT error FROM item_failures UNION ALL SELECT error FROM checkpoints)",
      )
      .pluck()
      .get() as string;
    expect(text).toContain('***');
    expect(text).not.toContain('tok-123456');
  });

  it('stops writing, with nothing half-written, once another process took the run over', async () => {
    const { run } = startRun(temp.vault);
    const { writer } = writerFor(run.id);
    await writer.enqueue(page('offset:0', [item('1')]));
    await writer.flush();
    const other = new RunStore(temp.vault, { pid: 4242, isProcessAlive: () => false });
    other.resume(run.id);
    await writer.enqueue(page('offset:1', [item('2')]));
    await expect(writer.flush()).rejects.toThrow(DatabaseBusyError);
    expect(writer.failure?.message).toContain('was taken over by lookervault pid 4242');
    expect(rows().map((r) => r.id)).toEqual(['1']);
  });

  it('runs inline from TypeScript sources, where no compiled thread script exists', () => {
    const { run } = startRun(temp.vault);
    expect(new VaultWriter(temp.vault, run.id).mode).toBe('inline');
  });

  it('refuses to write a run this process does not hold', () => {
    expect(() => new VaultWriter(temp.vault, 99, { mode: 'inline' })).toThrow(
      /not held by this process/,
    );
  });

  it('refuses pages after close', async () => {
    const { run } = startRun(temp.vault);
    const { writer } = writerFor(run.id);
    await writer.close();
    await expect(writer.enqueue(page('offset:0', [item('1')]))).rejects.toThrow(/is closed/);
  });

  it('an onCommit handler that throws stops the writer with that error', async () => {
    const { run } = startRun(temp.vault);
    const { writer } = writerFor(run.id, {
      onCommit: () => {
        throw new Error('renderer bug');
      },
    });
    await writer.enqueue(page('offset:0', [item('1')]));
    await expect(writer.flush()).rejects.toThrow(LookervaultError);
    expect(writer.failure?.message).toContain('renderer bug');
    expect(rows()).toHaveLength(1);
  });

  it('keeps the run heartbeat fresh while idle', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      let now = Date.parse('2026-01-01T00:00:00.000Z');
      const { run, runs } = startRun(temp.vault, { now: () => now });
      const { writer } = writerFor(run.id, { now: () => now, heartbeatIntervalMs: 30_000 });
      now += 31_000;
      jest.advanceTimersByTime(30_000);
      await writer.flush();
      expect(runs.get(run.id)?.heartbeatAt).toBe('2026-01-01T00:00:31.000Z');
      await writer.close();
    } finally {
      jest.useRealTimers();
    }
  });
});
