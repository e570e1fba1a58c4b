import { describe, expect, it } from '@jest/globals';
import {
  formatRunDetail,
  formatRunList,
  runDetailToJson,
  statusDetailSchema,
} from '../../../src/cli/status-output.js';
import type { RunDetail } from '../../../src/store/index.js';
import { summary as summaryFixture } from '../progress/fixtures.js';

const time = (iso: string): string => iso.slice(0, 19).replace('T', ' ');

function detail(overrides: Partial<RunDetail> = {}): RunDetail {
  return {
    id: 5,
    kind: 'extract',
    restoreFailures: [],
    status: 'running',
    storedStatus: 'running',
    startedAt: '2025-05-01T10:00:00.000Z',
    endedAt: null,
    durationMs: 65_000,
    types: ['look'],
    baseUrl: 'https://looker.example.com',
    toolVersion: '0.1.0',
    resumeCount: 2,
    counts: {
      stored: 10,
      new: 10,
      changed: 0,
      unchanged: 0,
      invalid: 0,
      pagesDone: 1,
      pagesFailed: 3,
      itemFailures: 0,
    },
    resumable: false,
    owner: { pid: 4242, hostname: 'build-7', heartbeatAt: '2025-05-01T10:01:00.000Z', alive: true },
    config: { workers: 8 },
    summary: null,
    typeStates: [
      {
        type: 'look',
        state: 'listing',
        stored: 10,
        new: 10,
        changed: 0,
        unchanged: 0,
        invalid: 0,
        endOffset: null,
        pagesDone: 1,
        pagesFailed: 3,
        startedAt: '2025-05-01T10:00:00.000Z',
        updatedAt: '2025-05-01T10:01:00.000Z',
        finishedAt: null,
      },
    ],
    failedPages: [
      {
        type: 'look',
        unitKey: 'offset:0',
        offset: 0,
        limit: 100,
        error: 'bad\u001b[2J gateway\r\nsecond line',
        attempts: 5,
        updatedAt: '2025-05-01T10:00:30.000Z',
      },
    ],
    itemFailures: [],
    ...overrides,
  };
}

describe('formatRunDetail', () => {
  it('shows the process still working on a running run, and how often it was resumed', () => {
    const text = formatRunDetail(detail(), { color: false, formatTime: time });
    expect(text).toMatch(/^Run 5: running$/m);
    expect(text).toMatch(/^ {2}Duration +1m 05s\+$/m);
    expect(text).toMatch(/^ {2}Resumed +2 times$/m);
    expect(text).toMatch(/^ {2}Process +pid 4242 on build-7 \(working\)$/m);
  });

  it('keeps server error text from moving the cursor or breaking lines', () => {
    const text = formatRunDetail(detail(), { color: false, formatTime: time });
    expect(text).toMatch(
      /^ {2}looks page offset:0: bad gateway second line \(5 attempts, 2025-05-01 10:00:30\)$/m,
    );
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\r');
  });

  it('says how to see failures beyond the limit', () => {
    const text = formatRunDetail(detail(), { color: false, formatTime: time });
    expect(text).toMatch(/^Failed pages \(3\):$/m);
    expect(text).toMatch(/^ {2}… 2 more \(raise --limit, or use --json\)$/m);
  });
});

describe('formatRunDetail: where items came from', () => {
  it('says for each type with a whole listing whether items came from it, and why not', () => {
    const stored = {
      ...summaryFixture(),
      listings: {
        dashboard: {
          source: 'by-id',
          reason: 'listing pages lack or differ in dashboard_elements',
          fields: null,
          probes: 3,
          mismatches: 1,
        },
      },
    };
    const text = formatRunDetail(detail({ summary: stored }), { color: false, formatTime: time });
    expect(text).toMatch(
      /^ {2}Listings +dashboards fetched one by one: listing pages lack or differ in dashboard_elements$/m,
    );
  });
});

describe('formatRunList', () => {
  it('colours only when asked', () => {
    expect(
      formatRunList('/x/looker.db', [detail()], { color: false, formatTime: time }),
    ).not.toContain('\u001b');
    expect(formatRunList('/x/looker.db', [detail()], { color: true, formatTime: time })).toContain(
      '\u001b[36mrunning\u001b[39m',
    );
  });
});

describe('runDetailToJson', () => {
  it('matches the documented schema', () => {
    const json = runDetailToJson('/x/looker.db', detail());
    expect(statusDetailSchema.parse(JSON.parse(JSON.stringify(json)))).toEqual(json);
    expect(json.run.owner?.alive).toBe(true);
  });
});
