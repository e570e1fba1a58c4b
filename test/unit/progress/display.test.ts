import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ProgressDisplay } from '../../../src/progress/display.js';
import { FakeSource, FakeStream, summary } from './fixtures.js';

describe('ProgressDisplay', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('on a pipe prints plain lines, then the summary without colour', async () => {
    const stream = new FakeStream({ isTTY: false });
    const display = new ProgressDisplay({
      source: new FakeSource(),
      progress: true,
      stream,
      env: {},
    });
    expect(display.mode).toBe('plain');
    display.start();
    jest.advanceTimersByTime(5_000);
    await display.finish(summary());
    expect(stream.lines[0]).toMatch(/^\[00:42\] 12,345 items/);
    expect(stream.text).toContain('\nBackup partial: run 12 in 4m 12s');
    expect(stream.text).not.toContain('\u001b');
  });

  it('with --no-progress prints only the summary', async () => {
    const stream = new FakeStream({ isTTY: true, columns: 100 });
    const source = new FakeSource();
    const display = new ProgressDisplay({ source, progress: false, stream, env: {} });
    expect(display.mode).toBe('none');
    display.start();
    source.emit({ kind: 'notice', message: 'not shown' });
    jest.advanceTimersByTime(60_000);
    await display.finish(summary());
    expect(stream.text).not.toContain('not shown');
    expect(stream.text.trimStart().startsWith('\u001b[1m\u001b[33mBackup partial')).toBe(true);
  });

  it('prints the summary once, and nothing after abort', async () => {
    const stream = new FakeStream({ isTTY: false });
    const display = new ProgressDisplay({
      source: new FakeSource(),
      progress: true,
      stream,
      env: {},
    });
    display.start();
    await display.abort();
    await display.finish(summary());
    expect(stream.text).toBe('');
  });
});
