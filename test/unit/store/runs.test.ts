import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DatabaseBusyError, DatabaseError, UsageError } from '../../../src/errors.js';
import { clearSecrets, registerSecret } from '../../../src/redact.js';
import { RunStore } from '../../../src/store/runs.js';
import { VaultWriter } from '../../../src/store/writer.js';
import { count, item, page, tempVault } from './fixtures.js';
import type { TempVault } from './fixtures.js';

let temp: TempVault;
beforeEach(() => {
  temp = tempVault();
});
afterEach(() => {
  temp.cleanup();
  clearSecrets();
});

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const input = {
  types: ['dashboard', 'look'],
  config: { workers: 8, types: ['dashboard', 'look'] },
  baseUrl: 'https://looker.example.com:19999',
  toolVersion: '0.1.0',
};

/** A RunStore acting as another process: its own pid, a clock, and a verdict on liveness. */
function processStore(pid: number, alive: boolean, now = T0, hostname = 'host-a'): RunStore {
  return new RunStore(temp.vault, {
    pid,
    hostname,
    now: () => now,
    isProcessAlive: () => alive,
  });
}

describe('RunStore.start', () => {
  it('records a running run owned by this process, each type pending', () => {
    const runs = processStore(100, true);
    const run = runs.start(input);
    expect(run).toMatchObject({
      id: 1,
      status: 'running',
      startedAt: '2026-01-01T10:00:00.000Z',
      endedAt: null,
      types: ['dashboard', 'look'],
      config: { workers: 8, types: ['dashboard', 'look'] },
      baseUrl: 'https://looker.example.com:19999',
      toolVersion: '0.1.0',
      ownerPid: 100,
      ownerHost: 'host-a',
      heartbeatAt: '2026-01-01T10:00:00.000Z',
      resumeCount: 0,
    });
    expect(runs.owns(run.id)).toBe(true);
    expect(runs.typeStates(run.id).map((t) => [t.type, t.state])).toEqual([
      ['dashboard', 'pending'],
      ['look', 'pending'],
    ]);
  });

  it('never stores a secret: secret-like keys dropped, registered secrets and URL credentials masked', () => {
    registerSecret('s3cr3t-value');
    const run = processStore(100, true).start({
      ...input,
      baseUrl: 'https://admin:hunter22@looker.example.com/?token=abc',
      config: {
        clientId: 'abc',
        clientSecret: 's3cr3t-value',
        nested: { password: 'p', apiKey: 'k', note: 'uses s3cr3t-value', accessToken: 't' },
        proxy: 'http://user:pw@proxy:8080',
      },
    });
    expect(run.config).toEqual({
      clientId: 'abc',
      nested: { note: 'uses ***' },
      proxy: 'http://proxy:8080',
    });
    expect(run.baseUrl).toBe('https://looker.example.com');
    const everything = temp.vault.db
      .prepare('SELECT config_json || base_url FROM runs')
      .pluck()
      .get() as string;
    for (const secret of ['s3cr3t-value', 'hunter22', 'pw@', 'token=abc']) {
      expect(everything).not.toContain(secret);
    }
  });

  it('refuses while a live owner holds a running run, naming its pid and host', () => {
    const first = processStore(100, true).start(input);
    let caught: unknown;
    try {
      processStore(200, true, T0 + 1000).start(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DatabaseBusyError);
    const error = caught as DatabaseBusyError;
    expect(error.message).toContain('run 1 is running in lookervault pid 100 on host host-a');
    expect(error.message).toContain(temp.file);
    expect(error.hint).toContain('kill 100');
    expect(processStore(200, true).get(first.id)?.status).toBe('running');
    expect(count(temp.vault, 'SELECT count(*) FROM runs')).toBe(1);
  });

  it('takes over when the owner pid is dead, marking its run interrupted', () => {
    processStore(100, true).start(input);
    const second = processStore(200, false, T0 + 60_000).start(input);
    expect(second.id).toBe(2);
    const first = processStore(200, false).get(1);
    expect(first?.status).toBe('interrupted');
    expect(first?.endedAt).toBe('2026-01-01T10:00:00.000Z');
  });

  it('takes over a live pid whose heartbeat went stale (pid reuse, stopped process)', () => {
    processStore(100, true).start(input);
    expect(() => processStore(200, true, T0 + 4 * 60_000).start(input)).toThrow(DatabaseBusyError);
    expect(processStore(200, true, T0 + 6 * 60_000).start(input).id).toBe(2);
  });

  it('judges an owner on another host by its heartbeat alone', () => {
    processStore(100, true, T0, 'host-b').start(input);
    const elsewhere = (now: number) => processStore(100, false, now, 'host-a');
    expect(() => elsewhere(T0 + 60_000).start(input)).toThrow(/pid 100 on host host-b/);
    expect(elsewhere(T0 + 10 * 60_000).start(input).id).toBe(2);
  });
});

describe('RunStore.findResumable and resume', () => {
  it('finds nothing in a new backup or after a successful run', () => {
    const runs = processStore(100, true);
    expect(runs.findResumable()).toBeUndefined();
    const run = runs.start(input);
    runs.finish(run.id, 'success', { stored: 0 });
    expect(runs.findResumable()).toBeUndefined();
  });

  it('finds the latest run when it was interrupted or failed', () => {
    const runs = processStore(100, true);
    for (const status of ['interrupted', 'failed'] as const) {
      const run = runs.start(input);
      runs.finish(run.id, status, null);
      expect(runs.findResumable()?.id).toBe(run.id);
    }
  });

  it('does not resume a partial run: it went to the end, the next extract starts afresh', () => {
    const runs = processStore(100, true);
    runs.finish(runs.start(input).id, 'partial', null);
    expect(runs.findResumable()).toBeUndefined();
  });

  it('never resumes a run older than the latest one', () => {
    const runs = processStore(100, true);
    runs.finish(runs.start(input).id, 'interrupted', null);
    runs.finish(runs.start(input).id, 'success', null);
    expect(runs.findResumable()).toBeUndefined();
  });

  it('marks a running run with a dead owner interrupted and offers it', () => {
    processStore(100, true).start(input);
    const found = processStore(200, false, T0 + 1000).findResumable();
    expect(found).toMatchObject({ id: 1, status: 'interrupted' });
  });

  it('offers nothing while the latest run is alive in another process', () => {
    processStore(100, true).start(input);
    expect(processStore(200, true, T0 + 1000).findResumable()).toBeUndefined();
  });

  it('resume takes the run over for this process and counts the resume', () => {
    processStore(100, true).start(input);
    const runs = processStore(200, false, T0 + 5000);
    const resumed = runs.resume(runs.findResumable()?.id ?? -1);
    expect(resumed).toMatchObject({
      id: 1,
      status: 'running',
      endedAt: null,
      ownerPid: 200,
      resumeCount: 1,
      heartbeatAt: '2026-01-01T10:00:05.000Z',
    });
    expect(runs.owns(1)).toBe(true);
    expect(() => new VaultWriter(temp.vault, 1, { mode: 'inline' })).not.toThrow();
  });

  it('refuses to resume a successful or unknown run', () => {
    const runs = processStore(100, true);
    const run = runs.start(input);
    runs.finish(run.id, 'success', null);
    expect(() => runs.resume(run.id)).toThrow(UsageError);
    expect(() => runs.resume(42)).toThrow(/no run 42/);
  });

  it('refuses to resume a run a live process is working on', () => {
    processStore(100, true).start(input);
    expect(() => processStore(200, true, T0 + 1000).resume(1)).toThrow(DatabaseBusyError);
  });
});

describe('RunStore.finish', () => {
  it('records the outcome and releases the lock', () => {
    const runs = processStore(100, true);
    const run = runs.start(input);
    const done = runs.finish(run.id, 'partial', { failedPages: 2 });
    expect(done).toMatchObject({
      status: 'partial',
      endedAt: '2026-01-01T10:00:00.000Z',
      summary: { failedPages: 2 },
    });
    expect(runs.owns(run.id)).toBe(false);
    expect(() => new VaultWriter(temp.vault, run.id, { mode: 'inline' })).toThrow(DatabaseError);
    expect(processStore(200, true).start(input).id).toBe(2);
  });

  it('refuses to finish a run another process took over', () => {
    const mine = processStore(100, true);
    const run = mine.start(input);
    processStore(200, false, T0 + 1000).resume(run.id);
    expect(() => mine.finish(run.id, 'success', null)).toThrow(/taken over by lookervault pid 200/);
    expect(mine.get(run.id)?.status).toBe('running');
  });
});

describe('RunStore resume bookkeeping', () => {
  it('lists completed and failed units, item failures, stored and missing ids', async () => {
    const runs = processStore(100, true);
    const run = runs.start(input);
    const writer = new VaultWriter(temp.vault, run.id, { mode: 'inline' });
    await writer.enqueue(
      page('offset:0', [item('1'), item('2')], {
        offset: 0,
        limit: 2,
        invalid: [{ id: '3', error: 'detail call failed: 500' }],
        rawCount: 3,
      }),
    );
    await writer.enqueue(
      page('offset:2', [], {
        offset: 2,
        limit: 2,
        rawCount: 0,
        failure: { error: 'timeout', attempts: 3 },
      }),
    );
    await writer.close();

    expect(runs.completedUnits(run.id)).toEqual([
      { type: 'dashboard', unitKey: 'offset:0', offset: 0, limit: 2, itemCount: 2, rawCount: 3 },
    ]);
    expect(runs.failedUnits(run.id)).toEqual([
      expect.objectContaining({
        type: 'dashboard',
        unitKey: 'offset:2',
        error: 'timeout',
        attempts: 3,
      }),
    ]);
    expect(runs.itemFailures(run.id)).toEqual([
      expect.objectContaining({
        type: 'dashboard',
        itemId: '3',
        unitKey: 'offset:0',
        error: 'detail call failed: 500',
      }),
    ]);
    expect(runs.storedIds('dashboard')).toEqual(new Set(['1', '2']));
    expect(runs.storedIds('look')).toEqual(new Set());
    expect(runs.missingIds('dashboard', ['1', '3', '2', '4'])).toEqual(['3', '4']);
    expect(runs.missingIds('dashboard', ['1'], { seenInRun: run.id + 1 })).toEqual(['1']);
    expect(runs.storedIds('dashboard', { seenInRun: run.id + 1 })).toEqual(new Set());
  });

  it('lists runs most recent first', () => {
    const runs = processStore(100, true);
    runs.finish(runs.start(input).id, 'success', null);
    runs.start(input);
    expect(runs.list(10).map((run) => [run.id, run.status])).toEqual([
      [2, 'running'],
      [1, 'success'],
    ]);
    expect(runs.list(1)).toHaveLength(1);
  });
});
