import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/tmp.js';
import { makeItemWrite, openVault, RunStore, VaultWriter } from '../../../src/store/index.js';
import type { ItemWrite } from '../../../src/store/index.js';
import { statusDetailSchema, statusListSchema } from '../../../src/cli/status-output.js';
import { runSummarySchema, SUMMARY_SCHEMA_VERSION } from '../../../src/engine/run-summary.js';

/**
 * Runs the CLI with a fixed time zone (timestamps print the same everywhere) and as installed:
 * with NODE_ENV=test (set by jest) oclif looks for TypeScript sources and warns on stderr.
 */
const cli = (args: string[]) => runCli(args, { env: { TZ: 'UTC', NODE_ENV: 'production' } });

function item(id: string, name: string): ItemWrite {
  return makeItemWrite(
    { id, name },
    {
      id,
      name,
      folderId: null,
      ownerId: null,
      createdAt: null,
      updatedAt: null,
      deleted: false,
    },
  );
}

const storedSummary = {
  schemaVersion: SUMMARY_SCHEMA_VERSION,
  runId: 1,
  status: 'partial',
  resumed: false,
  resumable: false,
  startedAt: '2025-05-01T10:00:00.000Z',
  endedAt: '2025-05-01T10:04:12.000Z',
  durationMs: 252_000,
  baseUrl: 'https://looker.example.com',
  dbPath: 'looker.db',
  dbSizeBytes: 4096,
  workers: 4,
  items: { dashboard: 2 },
  types: {
    dashboard: {
      state: 'done',
      stored: 2,
      new: 2,
      changed: 0,
      unchanged: 0,
      failed: 1,
      pagesFailed: 0,
    },
    look: { state: 'done', stored: 0, new: 0, changed: 0, unchanged: 0, failed: 0, pagesFailed: 1 },
  },
  totals: { stored: 2, new: 2, changed: 0, unchanged: 0, failed: 1 },
  itemsPerSecond: 0.01,
  requests: 9,
  requestsPerItem: 4.5,
  utilization: 0.5,
  latencyMs: { p50: 10, p95: 20, p99: 30 },
  rateLimited: 1,
  rateLimitPausedMs: 1000,
  finalRatePerSecond: null,
  retries: 4,
  failedPages: 1,
  failedItems: 1,
  failures: [],
  peakRssBytes: 1_000_000,
};

/**
 * A backup with two runs: run 1 finished partial (a failed page of looks, an invalid dashboard),
 * run 2 started by a process that is gone (so it reads as interrupted and is resumable).
 */
async function buildBackup(dbPath: string): Promise<void> {
  const vault = openVault(dbPath, { create: true, toolVersion: '0.1.0' });
  try {
    const runs = new RunStore(vault);
    const first = runs.start({
      types: ['dashboard', 'look'],
      config: { workers: 4 },
      baseUrl: 'https://looker.example.com',
      toolVersion: '0.1.0',
    });
    const writer = new VaultWriter(vault, first.id, { mode: 'inline' });
    writer.setTypeState('dashboard', 'listing');
    writer.setTypeState('look', 'listing');
    await writer.enqueue({
      type: 'dashboard',
      unitKey: 'offset:0',
      offset: 0,
      limit: 100,
      rawCount: 3,
      items: [item('1', 'Sales'), item('2', 'Ops')],
      invalid: [{ id: '3', error: 'missing required field "title"' }],
    });
    await writer.enqueue({
      type: 'look',
      unitKey: 'offset:100',
      offset: 100,
      limit: 100,
      rawCount: 0,
      items: [],
      invalid: [],
      failure: { error: '500 Internal Server Error', attempts: 5 },
    });
    writer.setTypeState('dashboard', 'done');
    writer.setTypeState('look', 'done');
    await writer.close();
    runs.finish(first.id, 'partial', storedSummary);

    // A second run whose process is gone: it reads as interrupted, and the next extract resumes it.
    const gone = new RunStore(vault, { pid: 999_999_999, isProcessAlive: () => false });
    const second = gone.start({
      types: ['dashboard'],
      config: {},
      baseUrl: 'https://looker.example.com',
      toolVersion: '0.1.0',
    });
    const secondWriter = new VaultWriter(vault, second.id, { mode: 'inline' });
    secondWriter.setTypeState('dashboard', 'listing');
    await secondWriter.enqueue({
      type: 'dashboard',
      unitKey: 'offset:0',
      offset: 0,
      limit: 100,
      rawCount: 1,
      items: [item('1', 'Sales')],
      invalid: [],
    });
    await secondWriter.close();
  } finally {
    vault.close();
  }
}

describe('lookervault status', () => {
  const tmp = makeTempDir();
  const dbPath = path.join(tmp.dir, 'looker.db');

  beforeAll(async () => {
    await buildBackup(dbPath);
  });
  afterAll(() => {
    tmp.cleanup();
  });

  it('lists recent runs newest first, with status, counts and whether each is resumable', async () => {
    const result = await cli(['status', '--db', dbPath]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`Runs in ${dbPath}, newest first:`);
    expect(lines[2]).toMatch(
      /^id +started +duration +status +kind +items +failed pages +failed items +resumable$/,
    );
    expect(lines[3]).toMatch(
      /^ 2 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\d+ ?\S+ +interrupted +extract +1 +0 +0 +yes$/,
    );
    expect(lines[4]).toMatch(
      /^ 1 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\d+ ?\S+ +partial +extract +2 +1 +1 +no$/,
    );
    expect(result.stdout).toContain('One run in detail: lookervault status --run 2');
  });

  it('lists only the most recent runs with --limit', async () => {
    const result = await cli(['status', '--db', dbPath, '--limit', '1', '--json']);
    expect(result.code).toBe(0);
    const json = statusListSchema.parse(JSON.parse(result.stdout));
    expect(json.runs.map((run) => run.id)).toEqual([2]);
  });

  it('shows one run in detail: per-type state and counts, failed pages and item failures', async () => {
    const result = await cli(['status', '--db', dbPath, '--run', '1']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const out = result.stdout;
    expect(out).toMatch(/^Run 1: partial$/m);
    expect(out).toMatch(/^ {2}Looker +https:\/\/looker\.example\.com$/m);
    expect(out).toMatch(/^ {2}Types +dashboards, looks$/m);
    expect(out).toMatch(/^ {2}Requests +9 \(4\.50 per item\), p95 20 ms, 1 × 429, 4 retries$/m);
    expect(out).toMatch(
      /^type +state +stored +new +changed +unchanged +invalid +pages +failed pages$/m,
    );
    expect(out).toMatch(/^dashboards +done +2 +2 +0 +0 +1 +1 +0$/m);
    expect(out).toMatch(/^looks +done +0 +0 +0 +0 +0 +0 +1$/m);
    expect(out).toMatch(/^Failed pages \(1\):$/m);
    expect(out).toMatch(
      /^ {2}looks page offset:100: 500 Internal Server Error \(5 attempts, .+\)$/m,
    );
    expect(out).toMatch(/^Item failures \(1\):$/m);
    expect(out).toMatch(
      /^ {2}dashboards item 3 \(page offset:0\): missing required field "title"$/m,
    );
  });

  it('shows an interrupted run as resumable and says how to continue it', async () => {
    const result = await cli(['status', '--db', dbPath, '--run', '2']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Run 2: interrupted, resumable$/m);
    expect(result.stdout).toMatch(
      /^ {2}Resume +run `lookervault extract` again to continue this run$/m,
    );
    expect(result.stdout).toMatch(/^dashboards +listing +1 /m);
    expect(result.stdout).toContain('No failed pages or items.');
  });

  it('prints the runs as JSON in the documented schema, and nothing else on stdout', async () => {
    const result = await cli(['status', '--db', dbPath, '--json']);
    expect(result.code).toBe(0);
    const json = statusListSchema.parse(JSON.parse(result.stdout));
    expect(json.database).toBe(dbPath);
    expect(json.runs.map((run) => [run.id, run.status, run.resumable])).toEqual([
      [2, 'interrupted', true],
      [1, 'partial', false],
    ]);
    expect(json.runs[1]?.counts).toEqual({
      stored: 2,
      new: 2,
      changed: 0,
      unchanged: 0,
      invalid: 1,
      pagesDone: 1,
      pagesFailed: 1,
      itemFailures: 1,
    });
  });

  it('prints one run as JSON with its types, failures and the summary extract stored', async () => {
    const result = await cli(['status', '--db', dbPath, '--run', '1', '--json']);
    expect(result.code).toBe(0);
    const json = statusDetailSchema.parse(JSON.parse(result.stdout));
    expect(json.run.typeStates.map((state) => [state.type, state.state, state.stored])).toEqual([
      ['dashboard', 'done', 2],
      ['look', 'done', 0],
    ]);
    expect(json.run.failedPages).toEqual([
      expect.objectContaining({
        type: 'look',
        unitKey: 'offset:100',
        attempts: 5,
        error: '500 Internal Server Error',
      }),
    ]);
    expect(json.run.itemFailures).toEqual([
      expect.objectContaining({
        type: 'dashboard',
        itemId: '3',
        error: 'missing required field "title"',
      }),
    ]);
    expect(runSummarySchema.parse(json.run.summary).requests).toBe(9);
  });

  it('refuses a missing database with exit 2 and does not create it', async () => {
    const missing = path.join(tmp.dir, 'nope.db');
    const result = await cli(['status', '--db', missing]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Error: .*nope\.db.* does not exist$/m);
    expect(result.stderr).toMatch(/^Hint: /m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses a file that is not SQLite with exit 2 and leaves it unchanged', async () => {
    const notSqlite = path.join(tmp.dir, 'notes.txt');
    writeFileSync(notSqlite, 'just some notes, not a database\n'.repeat(10));
    const result = await cli(['status', '--db', notSqlite]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Error: .*notes\.txt/m);
    expect(readFileSync(notSqlite, 'utf8')).toBe('just some notes, not a database\n'.repeat(10));
  });

  it('refuses an unknown run id with exit 2 and says how to list the runs', async () => {
    const result = await cli(['status', '--db', dbPath, '--run', '42']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`Error: There is no run 42 in \`${dbPath}\``);
    expect(result.stderr).toContain('Hint: Run `lookervault status` to list the runs.');
  });

  it('reports an error as JSON on stdout with --json, the message still on stderr', async () => {
    const result = await cli(['status', '--db', dbPath, '--run', '42', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      status: 'error',
      exitCode: 2,
      error: expect.objectContaining({ code: 'usage' }),
    });
    expect(result.stderr).toContain('There is no run 42');
  });

  it('says there are no runs yet in a backup without runs', async () => {
    const empty = path.join(tmp.dir, 'empty.db');
    openVault(empty, { create: true, toolVersion: '0.1.0' }).close();
    const result = await cli(['status', '--db', empty]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `No runs in ${empty} yet. Run \`lookervault extract\` to make a backup.\n`,
    );
  });

  it('rejects a run id that is not a positive number with exit 2', async () => {
    const result = await cli(['status', '--db', dbPath, '--run', '0']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });
});
