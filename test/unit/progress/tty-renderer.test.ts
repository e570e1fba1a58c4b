import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { stripVTControlCharacters } from 'node:util';
import { TtyRenderer } from '../../../src/progress/tty-renderer.js';
import { FakeSource, FakeStream, snapshot, summary, typeProgress } from './fixtures.js';

/** The last frame listr leaves: the write right after it erases the live frame for good. */
function finalFrameText(stream: FakeStream): string {
  // eslint-disable-next-line no-control-regex -- log-update's erase sequence
  const erase = /^(?:\u001b\[(?:2K|1A|G))+$/;
  const lastErase = stream.chunks.findLastIndex((chunk) => erase.test(chunk));
  return stream.chunks[lastErase + 1] ?? '';
}

function finalFrame(stream: FakeStream): string[] {
  return stripVTControlCharacters(finalFrameText(stream)).split('\n').filter(Boolean);
}

const finishedSnapshot = snapshot({
  elapsedMs: 252_000,
  workers: { active: 0, total: 8, detail: [] },
  types: [
    typeProgress('dashboard', {
      state: 'done',
      stored: 10_000,
      expected: 10_000,
      new: 9_800,
      changed: 150,
    }),
    typeProgress('look', { state: 'done', stored: 9_500, expected: 9_500, pagesFailed: 1 }),
    typeProgress('folder', { state: 'done', stored: 3_000, expected: 3_000 }),
    typeProgress('explore', { state: 'done', stored: 0, expected: 0 }),
    typeProgress('user', { state: 'failed', stored: 0, pagesFailed: 1 }),
  ],
});

describe('TtyRenderer', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('leaves a final frame with the outcome and every type with its final counts', async () => {
    const source = new FakeSource();
    const stream = new FakeStream({ isTTY: true, columns: 120, rows: 40 });
    const renderer = new TtyRenderer({ source, stream, color: false });
    renderer.start();
    source.current = finishedSnapshot;
    await renderer.stop(summary({ status: 'partial', durationMs: 252_000 }));

    const frame = finalFrame(stream);
    expect(frame).toHaveLength(6);
    expect(frame[0]).toMatch(/^⚠ run 12 partial · 04:12 · 19,500 items · 24,100 requests/);
    expect(frame[0]).toContain('failed 1 page, 3 items');
    expect(frame[1]).toMatch(
      /^ {2}✔ dashboards +█+ +10,000\/10,000 +done \(9,800 new, 150 changed\)$/,
    );
    expect(frame[2]).toMatch(/^ {2}⚠ looks +█+ +9,500\/9,500 +done · 1 page failed$/);
    expect(frame[3]).toMatch(/^ {2}✔ folders +█+ +3,000\/3,000 +done$/);
    expect(frame[4]).toMatch(/^ {2}✔ explores +█+ +0\/0 +done$/);
    expect(frame[5]).toMatch(/^ {2}✖ users +░+ +0\/\? +failed · 1 page failed$/);
    // The cursor is shown again at the very end.
    expect(stream.chunks.at(-1)).toBe('\u001b[?25h');
  });

  it('marks types that had not finished when the run was interrupted', async () => {
    const source = new FakeSource();
    const stream = new FakeStream({ isTTY: true, columns: 120, rows: 40 });
    const renderer = new TtyRenderer({ source, stream, color: false });
    renderer.start();
    await renderer.stop(summary({ status: 'interrupted', resumable: true }));

    const frame = finalFrame(stream);
    expect(frame[0]).toMatch(/^◼ run 12 interrupted/);
    expect(frame.find((row) => row.includes('dashboards'))).toMatch(
      /4,200\/10,000 · 42% +stopped$/,
    );
    expect(frame.find((row) => row.includes('explores'))).toMatch(/not started$/);
    expect(frame.find((row) => row.includes('folders'))).toMatch(/✔ folders/);
  });

  it('keeps every row within the terminal width', async () => {
    jest.useFakeTimers();
    const source = new FakeSource(
      snapshot({
        failures: { pages: 1_234, items: 56_789 },
        retries: 123_456,
        workers: {
          active: 1,
          total: 1,
          detail: [{ id: 1, activity: 'listing', detail: `look ${'x'.repeat(80)}`, failures: 0 }],
        },
      }),
    );
    const stream = new FakeStream({ isTTY: true, columns: 60, rows: 40 });
    const renderer = new TtyRenderer({ source, stream, color: true, verbose: true });
    renderer.start();
    source.emit({
      kind: 'page-failed',
      type: 'dashboard',
      unitKey: 'offset=4200',
      error: 'an error message much longer than sixty columns, which has to be cut',
      attempts: 5,
    });
    await jest.advanceTimersByTimeAsync(1_000);
    const stopped = renderer.stop();
    await jest.runAllTimersAsync();
    await stopped;

    const text = stripVTControlCharacters(stream.text);
    expect(text).toContain('Page failed: dashboards');
    expect(text).toMatch(/#1 +listing/);
    const rows = text.split('\n');
    for (const row of rows) expect(row.length).toBeLessThan(60);
  });

  it('shows a row per worker while running with --verbose, and drops them from the final frame', async () => {
    jest.useFakeTimers();
    const source = new FakeSource(
      snapshot({
        workers: {
          active: 1,
          total: 2,
          detail: [
            { id: 1, activity: 'listing', detail: 'dashboard offset 4200', failures: 0 },
            { id: 2, activity: 'idle', detail: '', failures: 2 },
          ],
        },
      }),
    );
    const stream = new FakeStream({ isTTY: true, columns: 120, rows: 40 });
    const renderer = new TtyRenderer({ source, stream, color: false, verbose: true });
    renderer.start();
    await jest.advanceTimersByTimeAsync(1_000);
    const live = stripVTControlCharacters(stream.chunks.at(-1) ?? '');
    expect(live).toContain('workers 1/2 busy · 8 requests in flight · writer queue 3/64');
    expect(live).toMatch(/#1 +listing +dashboard offset 4200/);
    expect(live).toMatch(/#2 +idle +· 2 failures/);

    const stopped = renderer.stop(summary());
    await jest.runAllTimersAsync();
    await stopped;
    expect(finalFrame(stream).join('\n')).not.toContain('#1');
  });

  it('reads the engine snapshot at least once a second', async () => {
    jest.useFakeTimers();
    const source = new FakeSource();
    const snapshotSpy = jest.spyOn(source, 'snapshot');
    const renderer = new TtyRenderer({
      source,
      stream: new FakeStream({ isTTY: true, columns: 100 }),
      color: false,
      refreshMs: 5_000,
    });
    renderer.start();
    const before = snapshotSpy.mock.calls.length;
    await jest.advanceTimersByTimeAsync(3_000);
    expect(snapshotSpy.mock.calls.length - before).toBeGreaterThanOrEqual(3);
    const stopped = renderer.stop();
    await jest.runAllTimersAsync();
    await stopped;
  });

  it('shows the latest events under the rows', async () => {
    jest.useFakeTimers();
    const source = new FakeSource();
    const stream = new FakeStream({ isTTY: true, columns: 120 });
    const renderer = new TtyRenderer({ source, stream, color: false });
    renderer.start();
    await jest.advanceTimersByTimeAsync(600);
    source.emit({ kind: 'rate-limited', retryAfterMs: 2_000, allowedRatePerSecond: 40 });
    await jest.advanceTimersByTimeAsync(600);
    expect(stripVTControlCharacters(stream.chunks.at(-1) ?? '')).toContain(
      '› [00:42] Rate limited (429): all requests pause 2 s; allowed rate now 40/s',
    );
    const stopped = renderer.stop();
    await jest.runAllTimersAsync();
    await stopped;
  });

  it('colours only when asked to', async () => {
    for (const color of [false, true]) {
      const stream = new FakeStream({ isTTY: true, columns: 120 });
      const renderer = new TtyRenderer({ source: new FakeSource(), stream, color });
      renderer.start();
      await renderer.stop(summary());
      const frame = finalFrameText(stream);
      expect(frame).toContain('run 12');
      expect(frame.includes('\u001b[')).toBe(color);
    }
  });

  it('writes to the stream it is given and never to stdout', async () => {
    const stdoutWrite = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const stream = new FakeStream({ isTTY: true, columns: 100 });
      const renderer = new TtyRenderer({ source: new FakeSource(), stream, color: true });
      renderer.start();
      await renderer.stop(summary());
      expect(stream.chunks.length).toBeGreaterThan(1);
      expect(stdoutWrite).not.toHaveBeenCalled();
    } finally {
      stdoutWrite.mockRestore();
    }
  });

  it('draws nothing while the engine logs in, and opens the rows when the run starts', async () => {
    const source = new FakeSource(snapshot({ runId: 0, types: [] }));
    const stream = new FakeStream({ isTTY: true, columns: 120 });
    const renderer = new TtyRenderer({ source, stream, color: false });
    renderer.start();
    expect(stream.chunks).toEqual([]);
    source.current = snapshot();
    source.emit({
      kind: 'run-started',
      runId: 12,
      resumed: false,
      types: ['dashboard', 'look', 'folder', 'explore', 'user'],
      workers: 8,
      dbPath: 'looker.db',
      baseUrl: 'https://looker.example.com',
    });
    await renderer.stop(summary({ status: 'success' }));
    const frame = finalFrame(stream);
    expect(frame[0]).toMatch(/^✔ run 12 complete/);
    expect(frame).toHaveLength(6);
  });

  it('draws nothing at all for a run that never started', async () => {
    const stream = new FakeStream({ isTTY: true, columns: 120 });
    const renderer = new TtyRenderer({
      source: new FakeSource(snapshot({ types: [] })),
      stream,
      color: false,
    });
    renderer.start();
    await renderer.stop();
    expect(stream.chunks).toEqual([]);
  });

  it('keeps notices: above the frame before it starts, below the final frame after', async () => {
    const source = new FakeSource(snapshot({ types: [] }));
    const stream = new FakeStream({ isTTY: true, columns: 120 });
    const renderer = new TtyRenderer({ source, stream, color: false });
    renderer.start();
    source.emit({ kind: 'notice', message: 'Resuming run 12: 3 pages already stored' });
    source.current = snapshot();
    renderer.refresh();
    source.emit({ kind: 'notice', message: 'users: permission denied, skipped' });
    await renderer.stop(summary());
    const text = stripVTControlCharacters(stream.text);
    const first = text.indexOf('Resuming run 12');
    const frame = text.lastIndexOf('run 12 partial');
    const second = text.indexOf('users: permission denied, skipped');
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(frame);
    expect(second).toBeGreaterThan(frame);
  });
});
