import { describe, expect, it } from '@jest/globals';
import {
  formatBytes,
  formatClock,
  formatCount,
  formatDuration,
  formatEta,
  formatLatency,
  formatRate,
  sanitizeLine,
  truncate,
} from '../../../src/progress/format.js';

describe('formatting', () => {
  it('groups thousands without depending on the locale', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(12_345.6)).toBe('12,346');
    expect(formatCount(1_234_567)).toBe('1,234,567');
  });

  it('shows rates with fewer decimals as they grow', () => {
    expect(formatRate(1234.4)).toBe('1,234/s');
    expect(formatRate(12.34)).toBe('12.3/s');
    expect(formatRate(0.25)).toBe('0.25/s');
    expect(formatRate(0)).toBe('0/s');
  });

  it('shows elapsed time as a clock and durations in words', () => {
    expect(formatClock(42_000)).toBe('00:42');
    expect(formatClock(3_723_000)).toBe('1:02:03');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4_200)).toBe('4.2 s');
    expect(formatDuration(252_000)).toBe('4m 12s');
    expect(formatDuration(3_723_000)).toBe('1h 02m');
    expect(formatEta(95_000)).toBe('1m35s');
    expect(formatLatency(1_234)).toBe('1.23 s');
  });

  it('shows sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1_536)).toBe('1.5 KiB');
    expect(formatBytes(327_155_712)).toBe('312 MiB');
  });

  it('strips escape sequences and control characters from outside text', () => {
    expect(sanitizeLine('\u001b[2Jboom\r\n\tnext\u0007\u009b')).toBe('boom next');
  });

  it('cuts long text with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});
