import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  contentSummary,
  getRunDetail,
  isRunResumable,
  listRuns,
} from '../../../src/store/readers.js';
import { RunStore } from '../../../src/store/runs.js';
import { openVault } from '../../../src/store/vault.js';
import { VaultWriter } from '../../../src/store/writer.js';
import { item, page, tempVault } from './fixtures.js';
import type { TempVault } from './fixtures.js';

let temp: TempVault;
beforeEach(() => {
  temp = tempVault();
});
afterEach(() => {
  temp.cleanup();
});

const T0 = Date.parse('2026-03-01T08:00:00.000Z');
const input = {
  types: ['dashboard', 'look'],
  config: { workers: 2 },
  baseUrl: 'https://l.example',
  toolVersion: '0.1.0',
};

/** Two runs: #1 finished partial after 90 s, #2 still running (pid 100, alive or not). */
async function twoRuns(): Promise<void> {
  let now = T0;
  const runs = new RunStore(temp.vault, {
    pid: 100,
    hostname: 'h',
    now: () => now,
    isProcessAlive: () => true,
  });
  const first = runs.start(input);
  const writer = new VaultWriter(temp.vault, first.id, { mode: 'inline', now: () => now });
  writer.setTypeState('dashboard', 'listing');
  await writer.enqueue(
    page('offset:0', [item('1'), item('2')], {
      offset: 0,
      limit: 2,
      invalid: [{ id: '9', error: 'HTTP 500' }],
    }),
  );
  await writer.enqueue(
    page('offset:2', [], {
      offset: 2,
      limit: 2,
      failure: { error: 'timeout after 30 s', attempts: 4 },
    }),
  );
  writer.setTypeState('dashboard', 'failed');
  await writer.close();
  now = T0 + 90_000;
  runs.finish(first.id, 'partial', { note: 'done' });
  now = T0 + 100_000;
  const second = runs.start(input);
  const w2 = new VaultWriter(temp.vault, second.id, { mode: 'inline', now: () => now });
  await w2.enqueue({
    ...page('offset:0', [item('1'), item('3', { deleted: true })]),
    type: 'look',
  });
  await w2.close();
}

const readAt = (now: number, alive: boolean) => ({
  env: { hostname: 'h', now: () => now, isProcessAlive: () => alive },
});

describe('status readers', () => {
  it('lists runs, most recent first, with durations, counts and resumability', async () => {
    await twoRuns();
    const [running, partial] = listRuns(temp.vault, readAt(T0 + 160_000, true));
    expect(running).toMatchObject({
      id: 2,
      status: 'running',
      storedStatus: 'running',
      durationMs: 60_000,
      resumable: false,
      owner: { pid: 100, hostname: 'h', alive: true },
      counts: { stored: 2, new: 2, pagesDone: 1, pagesFailed: 0, itemFailures: 0 },
    });
    expect(partial).toMatchObject({
      id: 1,
      status: 'partial',
      durationMs: 90_000,
      resumable: false,
      owner: null,
      counts: {
        stored: 2,
        new: 2,
        changed: 0,
        unchanged: 0,
        invalid: 1,
        pagesDone: 1,
        pagesFailed: 1,
        itemFailures: 1,
      },
    });
    expect(listRuns(temp.vault, { limit: 1 })).toHaveLength(1);
  });

  it('shows a running run whose owner died as interrupted and resumable, without changing the file', async () => {
    await twoRuns();
    const [latest] = listRuns(temp.vault, readAt(T0 + 500_000, false));
    expect(latest).toMatchObject({
      id: 2,
      status: 'interrupted',
      storedStatus: 'running',
      resumable: true,
      durationMs: 0,
    });
    expect(isRunResumable(temp.vault, 2, readAt(T0 + 500_000, false))).toBe(true);
    expect(isRunResumable(temp.vault, 1, readAt(T0 + 500_000, false))).toBe(false);
    expect(isRunResumable(temp.vault, 7)).toBe(false);
    expect(new RunStore(temp.vault).get(2)?.status).toBe('running');
  });

  it('shows one run in detail: per-type progress, failed pages, item failures', async () => {
    await twoRuns();
    const detail = getRunDetail(temp.vault, 1, readAt(T0 + 200_000, true));
    expect(detail).toMatchObject({
      id: 1,
      status: 'partial',
      config: { workers: 2 },
      summary: { note: 'done' },
      typeStates: [
        { type: 'dashboard', state: 'failed', stored: 2, pagesDone: 1, pagesFailed: 1, invalid: 1 },
        { type: 'look', state: 'pending', stored: 0, pagesDone: 0 },
      ],
      failedPages: [
        {
          type: 'dashboard',
          unitKey: 'offset:2',
          offset: 2,
          limit: 2,
          error: 'timeout after 30 s',
          attempts: 4,
        },
      ],
      itemFailures: [{ type: 'dashboard', itemId: '9', unitKey: 'offset:0', error: 'HTTP 500' }],
    });
    expect(getRunDetail(temp.vault, 3)).toBeUndefined();
  });

  it('summarises what the backup holds per type', async () => {
    await twoRuns();
    expect(contentSummary(temp.vault)).toEqual([
      {
        type: 'dashboard',
        items: 2,
        deleted: 0,
        bytes: expect.any(Number),
        lastSeenAt: '2026-03-01T08:00:00.000Z',
      },
      {
        type: 'look',
        items: 2,
        deleted: 1,
        bytes: expect.any(Number),
        lastSeenAt: '2026-03-01T08:01:40.000Z',
      },
    ]);
  });

  it('reads through a read-only vault while the writer holds the file', async () => {
    await twoRuns();
    const reader = openVault(temp.file, { readonly: true });
    try {
      expect(listRuns(reader).map((run) => run.id)).toEqual([2, 1]);
    } finally {
      reader.close();
    }
  });
});
