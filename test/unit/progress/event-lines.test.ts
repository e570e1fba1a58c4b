import { describe, expect, it } from '@jest/globals';
import { EventLog, describeEvent } from '../../../src/progress/event-lines.js';
import type { ExtractEvent } from '../../../src/engine/events.js';

const rateLimited = (rate: number): ExtractEvent => ({
  kind: 'rate-limited',
  retryAfterMs: 2_000,
  allowedRatePerSecond: rate,
});

const pageFailed = (offset: number): ExtractEvent => ({
  kind: 'page-failed',
  type: 'dashboard',
  unitKey: `offset=${offset}`,
  error: '500 Internal Server Error',
  attempts: 5,
});

describe('EventLog', () => {
  it('prints the first 429 of a storm and one line counting the rest at the next flush', () => {
    const log = new EventLog({ verbose: false });
    const printed = [40, 30, 20, 15].flatMap((rate) => log.add(rateLimited(rate)));
    expect(printed).toEqual(['Rate limited (429): all requests pause 2 s; allowed rate now 40/s']);
    expect(log.flush()).toEqual(['Rate limited (429) 3 more times; allowed rate now 15/s']);
    expect(log.flush()).toEqual([]);
    expect(log.add(rateLimited(15))).toHaveLength(1);
  });

  it('prints the first five page failures of a window and counts the rest', () => {
    const log = new EventLog({ verbose: false });
    const printed = Array.from({ length: 8 }, (_, i) => log.add(pageFailed(i * 100))).flat();
    expect(printed).toHaveLength(5);
    expect(printed[0]).toBe(
      'Page failed: dashboards offset=0 after 5 attempts: 500 Internal Server Error',
    );
    expect(log.flush()).toEqual([
      '... and 3 more pages failed (all are listed by `lookervault status`)',
    ]);
  });

  it('keeps retries to the counter unless verbose', () => {
    const retry: ExtractEvent = {
      kind: 'retry',
      operation: 'GET /dashboards',
      attempt: 2,
      delayMs: 400,
      error: '502 Bad Gateway',
    };
    const quiet = new EventLog({ verbose: false });
    expect(quiet.add(retry)).toEqual([]);
    expect(quiet.flush()).toEqual([]);
    const verbose = new EventLog({ verbose: true });
    expect(verbose.add(retry)).toEqual(['Retry 2 of GET /dashboards in 400 ms: 502 Bad Gateway']);
  });

  it('always prints notices, with control characters removed', () => {
    const log = new EventLog({ verbose: false });
    const notice: ExtractEvent = { kind: 'notice', message: 'line one\r\n\u001b[31mline two' };
    expect([...log.add(notice), ...log.add(notice)]).toEqual([
      'line one line two',
      'line one line two',
    ]);
  });
});

describe('describeEvent', () => {
  it('announces a resumed run with its workers, source and database', () => {
    expect(
      describeEvent({
        kind: 'run-started',
        runId: 7,
        resumed: true,
        types: ['dashboard', 'look'],
        workers: 8,
        dbPath: './looker.db',
        baseUrl: 'https://looker.example.com',
      }),
    ).toBe('Resuming run 7: 2 content types, 8 workers, https://looker.example.com -> ./looker.db');
  });

  it('reports a type finishing or failing, and nothing for other state changes', () => {
    expect(
      describeEvent({ kind: 'type-state', type: 'look', state: 'done', expected: 1_200 }),
    ).toBe('looks done (1,200 items)');
    expect(
      describeEvent({ kind: 'type-state', type: 'user', state: 'failed', expected: null }),
    ).toBe('users failed');
    expect(
      describeEvent({ kind: 'type-state', type: 'user', state: 'listing', expected: null }),
    ).toBeNull();
  });

  it('says what Ctrl-C does', () => {
    expect(describeEvent({ kind: 'stopping', reason: 'interrupt' })).toMatch(/can be resumed/);
  });
});
