import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { PlainRenderer, formatProgressLine } from '../../../src/progress/plain-renderer.js';
import { clearSecrets, registerSecret } from '../../../src/redact.js';
import { FakeSource, FakeStream, snapshot, typeProgress } from './fixtures.js';

const START = 1_700_000_000_000;

describe('PlainRenderer', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: START });
  });
  afterEach(() => {
    jest.useRealTimers();
    clearSecrets();
  });

  function start(options: { intervalMs?: number; verbose?: boolean } = {}) {
    const source = new FakeSource();
    const stream = new FakeStream();
    const renderer = new PlainRenderer({ source, stream, ...options });
    renderer.start();
    return { source, stream, renderer };
  }

  it('prints one line of counters every five seconds by default', () => {
    const { stream } = start();
    jest.advanceTimersByTime(4_999);
    expect(stream.lines).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(stream.lines).toEqual([
      '[00:42] 12,345 items (1,234/s) · …% · ETA … · 8/8 workers · 1,310 req/s · p95 480 ms · 429s 3 (rate 40/s) · retries 2 · failed 0 · dashboards 4,200/10,000 42% · looks 900/? · explores waiting · 1 type done',
    ]);
    jest.advanceTimersByTime(10_000);
    expect(stream.lines).toHaveLength(3);
  });

  it('prints no progress line until the run has started', () => {
    const source = new FakeSource(snapshot({ runId: 0, types: [] }));
    const stream = new FakeStream();
    new PlainRenderer({ source, stream }).start();
    jest.advanceTimersByTime(10_000);
    expect(stream.lines).toEqual([]);
    source.current = snapshot();
    jest.advanceTimersByTime(5_000);
    expect(stream.lines).toHaveLength(1);
  });

  it('prints at the configured interval', () => {
    const { stream } = start({ intervalMs: 2_000 });
    jest.advanceTimersByTime(10_000);
    expect(stream.lines).toHaveLength(5);
  });

  it('follows the snapshot: new counts, failures and a Retry-After pause', () => {
    const { source, stream } = start();
    source.current = snapshot({
      elapsedMs: 61_000,
      failures: { pages: 2, items: 5 },
      rateLimit: {
        hits: 9,
        pausedMs: 0,
        pausedUntil: START + 5_000 + 3_000,
        allowedRatePerSecond: 12.5,
      },
      types: [
        typeProgress('dashboard', { state: 'reconciling', stored: 10_000, expected: 10_000 }),
      ],
    });
    jest.advanceTimersByTime(5_000);
    expect(stream.lines[0]).toContain('[01:01] ');
    expect(stream.lines[0]).toContain('429s 9 (rate 12.5/s, paused 3 s)');
    expect(stream.lines[0]).toContain('failed 2 pages, 5 items');
    expect(stream.lines[0]).toMatch(/dashboards 10,000 reconciling$/);
  });

  it('prints notable events as their own lines, stamped with the elapsed time', () => {
    const { source, stream } = start();
    jest.advanceTimersByTime(5_000);
    jest.advanceTimersByTime(1_500);
    source.emit({ kind: 'notice', message: 'explores wait for lookml_models' });
    expect(stream.lines.at(-1)).toBe('[00:43] explores wait for lookml_models');
  });

  it('coalesces a 429 storm into two lines per interval', () => {
    const { source, stream } = start();
    for (let i = 0; i < 50; i += 1) {
      source.emit({ kind: 'rate-limited', retryAfterMs: 1_000, allowedRatePerSecond: 40 - i / 2 });
    }
    jest.advanceTimersByTime(5_000);
    const rateLines = stream.lines.filter((line) => line.includes('Rate limited'));
    expect(rateLines).toEqual([
      '[00:42] Rate limited (429): all requests pause 1 s; allowed rate now 40/s',
      '[00:42] Rate limited (429) 49 more times; allowed rate now 15.5/s',
    ]);
  });

  it('never writes a control character, whatever the events carry', () => {
    const { source, stream } = start({ verbose: true });
    source.emit({
      kind: 'page-failed',
      type: 'look',
      unitKey: 'offset=0',
      error: '\u001b[31mred\u001b[0m\r\nsecond line\tand a tab\u0007',
      attempts: 3,
    });
    source.emit({ kind: 'retry', operation: 'GET /looks', attempt: 1, delayMs: 10, error: 'x\ry' });
    source.emit({ kind: 'notice', message: '\u009b2Jclear' });
    jest.advanceTimersByTime(5_000);
    expect(stream.lines.length).toBeGreaterThan(3);
    // eslint-disable-next-line no-control-regex -- the assertion is about control characters
    expect(stream.text.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(stream.text).toContain('red second line and a tab');
  });

  it('stop flushes what was coalesced, unsubscribes and stops printing', async () => {
    const { source, stream, renderer } = start();
    source.emit({ kind: 'rate-limited', retryAfterMs: null, allowedRatePerSecond: null });
    source.emit({ kind: 'rate-limited', retryAfterMs: null, allowedRatePerSecond: null });
    await renderer.stop();
    expect(stream.lines).toEqual([
      '[00:42] Rate limited (429): backing off',
      '[00:42] Rate limited (429) 1 more time',
    ]);
    expect(source.listenerCount).toBe(0);
    jest.advanceTimersByTime(60_000);
    expect(stream.lines).toHaveLength(2);
  });

  it('masks registered secrets', () => {
    registerSecret('s3cr3t-token');
    const { source, stream } = start();
    source.emit({ kind: 'notice', message: 'token s3cr3t-token rejected' });
    expect(stream.text).toContain('token *** rejected');
    expect(stream.text).not.toContain('s3cr3t-token');
  });
});

describe('formatProgressLine', () => {
  it('leaves out types that have not started and latency before the first request', () => {
    const line = formatProgressLine(
      snapshot({
        requests: { total: 0, perSecond: 0, inFlight: 0, latencyMs: { p50: 0, p95: 0, p99: 0 } },
        rateLimit: { hits: 0, pausedMs: 0, pausedUntil: null, allowedRatePerSecond: null },
        types: [typeProgress('user'), typeProgress('role', { state: 'failed', stored: 3 })],
      }),
      START,
    );
    expect(line).toBe(
      '[00:42] 12,345 items (1,234/s) · …% · ETA … · 8/8 workers · 0 req/s · 429s 0 · retries 2 · failed 0 · roles 3 failed',
    );
  });
});
