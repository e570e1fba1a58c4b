import { describe, expect, it } from '@jest/globals';
import { ExitCode } from '../../../src/errors.js';
import {
  exitCodeForSummary,
  formatSummary,
  summaryToJson,
} from '../../../src/progress/summary-format.js';
import { runSummarySchema } from '../../../src/engine/run-summary.js';
import { summary } from './fixtures.js';

describe('formatSummary', () => {
  it('states every fact of the run the issue lists', () => {
    const text = formatSummary(summary(), { color: false });
    const facts: [string, RegExp][] = [
      ['outcome and duration', /^Backup partial: run 12 in 4m 12s/],
      [
        'table header',
        /^type +stored +new +changed +unchanged +deleted +failed +failed pages +state$/m,
      ],
      ['per-type counts', /^dashboards +10,000 +9,800 +150 +50 +0 +0 +0 +done$/m],
      ['a type with failures', /^looks +9,500 +9,400 +60 +40 +0 +3 +1 +done$/m],
      ['totals', /^total +19,500 +19,200 +210 +90 +0 +3 +1$/m],
      ['items and items/s', /^Items +19,500 stored, 3 failed, 77\.4 per second$/m],
      ['requests and requests per item', /^Requests +24,100 \(1\.24 per item\)$/m],
      ['worker utilization', /^Workers +8, 86% of worker time spent on requests$/m],
      ['latency percentiles', /^Latency +p50 120 ms · p95 480 ms · p99 1\.23 s$/m],
      [
        '429s, pause and final rate',
        /^Rate limits +37 × 429, paused 1m 02s for Retry-After, final allowed rate 40\/s$/m,
      ],
      ['retries', /^Retries +52$/m],
      ['failure counts', /^Failures +1 page, 3 items$/m],
      ['first failure with its error', /^ +looks offset=4200: 500 Internal Server Error$/m],
      ['an item failure', /^ +looks offset=5000 item 77: missing required field "id"$/m],
      ['where to find all failures', /`lookervault status --run 12 --db \/backups\/looker\.db`/],
      ['database path and size', /^Database +\/backups\/looker\.db \(312 MiB\)$/m],
      ['peak memory', /^Peak memory +182 MiB$/m],
      ['resumable', /^Resumable +no$/m],
    ];
    for (const [fact, pattern] of facts) {
      expect({ fact, text }).toEqual({ fact, text: expect.stringMatching(pattern) });
    }
  });

  it('tells how to resume an interrupted run', () => {
    const text = formatSummary(summary({ status: 'interrupted', resumable: true }), {
      color: false,
    });
    expect(text).toMatch(
      /^Backup interrupted: run 12 after 4m 12s; everything fetched so far is stored/,
    );
    expect(text).toMatch(
      /^Resumable +yes: run the same `lookervault extract` command again to resume$/m,
    );
  });

  it('lists the first five failures and says how many more there are', () => {
    const failures = Array.from({ length: 5 }, (_, i) => ({
      type: 'dashboard' as const,
      unitKey: `offset=${i * 100}`,
      itemId: null,
      error: `boom ${i}`,
    }));
    const text = formatSummary(summary({ failures, failedPages: 40, failedItems: 2 }), {
      color: false,
    });
    expect(text.match(/^ +dashboards offset=\d+: boom \d$/gm)).toHaveLength(5);
    expect(text).toContain(
      '… 37 more: `lookervault status --run 12 --db /backups/looker.db` lists them all',
    );
  });

  it('leaves out --db for the default database and says "none" without failures', () => {
    const text = formatSummary(
      summary({
        status: 'success',
        dbPath: 'looker.db',
        failures: [],
        failedPages: 0,
        failedItems: 0,
      }),
      { color: false },
    );
    expect(text).toMatch(/^Backup complete: run 12 in 4m 12s$/m);
    expect(text).toMatch(/^Failures +none$/m);
    expect(text).toMatch(/^Resumable +no \(the run is complete\)$/m);
    expect(text).not.toContain('--db');
  });

  it('shows the error of a failed run, without control characters', () => {
    const text = formatSummary(
      summary({
        status: 'failed',
        error: { code: 'auth', message: 'Login failed\r\n\u001b[2J(401)' },
      }),
      { color: false },
    );
    expect(text).toMatch(/^Backup failed: run 12 after 4m 12s$/m);
    expect(text).toMatch(/^Error: Login failed \(401\)$/m);
  });

  it('uses colour codes only when asked', () => {
    expect(formatSummary(summary(), { color: false })).not.toContain('\u001b');
    const coloured = formatSummary(summary(), { color: true });
    expect(coloured).toContain('\u001b[33mBackup partial\u001b[39m');
  });
});

describe('formatSummary: listings', () => {
  it('says where dashboards came from, and why not from their listing when fetched one by one', () => {
    expect(formatSummary(summary(), { color: false })).toMatch(
      /^Listings +dashboards from listing pages \(102 probes, all equal\)$/m,
    );
    const byId = summary({
      listings: {
        dashboard: {
          source: 'by-id',
          reason: 'listing pages lack or differ in dashboard_elements',
          fields: 'id,title,dashboard_elements',
          probes: 6,
          mismatches: 2,
        },
      },
    });
    expect(formatSummary(byId, { color: false })).toMatch(
      /^Listings +dashboards fetched one by one: listing pages lack or differ in dashboard_elements$/m,
    );
  });
});

describe('summaryToJson', () => {
  it('is valid against the versioned zod schema after a JSON round trip', () => {
    const json = JSON.parse(JSON.stringify(summaryToJson(summary()))) as unknown;
    const parsed = runSummarySchema.parse(json);
    expect(parsed.schemaVersion).toBe(1);
    expect(parsed.types.look?.pagesFailed).toBe(1);
  });

  it('keeps the documented key order and lists types in registry order', () => {
    const json = summaryToJson({ ...summary(), extra: 'dropped' } as ReturnType<typeof summary>);
    // `error` (failed runs) and `scope` (folder-scoped runs) appear only when they apply.
    const documented = Object.keys(runSummarySchema.shape).filter(
      (key) => key !== 'error' && key !== 'scope',
    );
    expect(Object.keys(json)).toEqual(documented);
    expect(Object.keys(json.types)).toEqual(['dashboard', 'look']);
    expect(Object.keys(json.items)).toEqual(['dashboard', 'look']);
  });
});

describe('exitCodeForSummary', () => {
  it.each([
    ['success', undefined, ExitCode.Success],
    ['partial', undefined, ExitCode.Partial],
    ['interrupted', undefined, ExitCode.Interrupted],
    ['failed', 'auth', ExitCode.Auth],
    ['failed', 'config', ExitCode.Usage],
    ['failed', 'database', ExitCode.Usage],
    ['failed', 'error', ExitCode.Error],
  ] as const)('a %s run (%s) exits with %i', (status, code, exitCode) => {
    const error = code === undefined ? {} : { error: { code, message: 'x' } };
    expect(exitCodeForSummary(summary({ status, ...error }))).toBe(exitCode);
  });
});

describe('formatSummary without rate limiting', () => {
  it('says "none" instead of zeros', () => {
    const quiet = { rateLimited: 0, rateLimitPausedMs: 0 };
    expect(
      formatSummary(summary({ ...quiet, finalRatePerSecond: null }), { color: false }),
    ).toMatch(/^Rate limits +none$/m);
    expect(formatSummary(summary({ ...quiet, finalRatePerSecond: 25 }), { color: false })).toMatch(
      /^Rate limits +none, final allowed rate 25\/s$/m,
    );
  });
});

describe('formatSummary with a concurrency cap learned from 429s', () => {
  it('says how many requests at once the server allowed', () => {
    const text = formatSummary(
      summary({
        rateLimited: 6,
        rateLimitPausedMs: 5000,
        finalRatePerSecond: null,
        finalConcurrencyCap: 4,
      }),
      { color: false },
    );
    expect(text).toMatch(
      /^Rate limits +6 × 429, paused 5 s for Retry-After, no rate limit in force at the end, at most 4 requests at once \(the server limits concurrency\)$/m,
    );
  });
});
