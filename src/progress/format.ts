/**
 * Number, rate, duration and size formatting shared by every renderer (TTY rows, plain lines,
 * the run summary, `status`). Locale-independent on purpose: output must read the same on a
 * laptop and in a CI log, and tests must not depend on the machine's locale.
 */

/** 12345 → "12,345". Rounds to an integer. */
export function formatCount(value: number): string {
  const rounded = Math.round(value);
  const sign = rounded < 0 ? '-' : '';
  return sign + String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A per-second rate: 1234.5 → "1,235/s", 12.34 → "12.3/s", 0.25 → "0.25/s". */
export function formatRate(perSecond: number): string {
  return `${formatRateNumber(perSecond)}/s`;
}

/** A rate without the unit; fewer decimals as the number grows, so columns stay narrow. */
export function formatRateNumber(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0';
  if (perSecond >= 100) return formatCount(perSecond);
  if (perSecond >= 10) return trimZeros(perSecond.toFixed(1));
  return trimZeros(perSecond.toFixed(2));
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** Elapsed time as a clock: 42_000 → "00:42", 3_723_000 → "1:02:03". */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const mm = String(minutes).padStart(2, '0');
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * A duration for people: 850 → "850 ms", 4_200 → "4.2 s", 252_000 → "4m 12s", 3_723_000 → "1h 02m".
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${trimZeros((ms / 1000).toFixed(1))} s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/** A latency: 8.4 → "8 ms", 1234 → "1.23 s". */
export function formatLatency(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${trimZeros((ms / 1000).toFixed(2))} s`;
}

/** Bytes in binary units: 1536 → "1.5 KiB", 327_155_712 → "312 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${trimZeros(value.toFixed(digits))} ${units[unit] ?? 'B'}`;
}

/** A share as a percentage: 0.864 → "86%". */
export function formatPercent(share: number): string {
  if (!Number.isFinite(share) || share < 0) return '0%';
  return `${Math.round(share * 100)}%`;
}

/**
 * Progress as a percentage, never above 100%, with a decimal while small so the first minutes
 * of a long run move: 0.025 → "2.5%", 0.4 → "40%", 1.2 → "100%".
 */
export function formatProgressPercent(share: number): string {
  if (!Number.isFinite(share) || share <= 0) return '0%';
  const clamped = Math.min(1, share);
  if (clamped < 0.1) return `${trimZeros((clamped * 100).toFixed(1))}%`;
  return `${Math.floor(clamped * 100)}%`;
}

/**
 * Time left for people, rounded to what can be promised: 40_000 → "~40 s", 135_000 → "~2m15s"
 * (to 5 s), 840_000 → "~14 min", 7_500_000 → "~2h05m".
 */
export function formatTimeLeft(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '…';
  if (ms < 60_000) return `~${Math.max(1, Math.round(ms / 1000))} s`;
  if (ms < 600_000) {
    const seconds = Math.round(ms / 5000) * 5;
    return `~${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  }
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `~${minutes} min`;
  return `~${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** An estimate of time left, short: 95_000 → "1m35s", 4_000 → "4s", 7_500_000 → "2h05m". */
export function formatEta(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m${String(seconds).padStart(2, '0')}s`;
  return `${seconds}s`;
}

/** Pluralises an English noun for a count: (1, 'page') → "1 page", (3, 'page') → "3 pages". */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${formatCount(count)} ${count === 1 ? noun : pluralNoun}`;
}

/**
 * Removes every control character (C0, DEL, C1; ANSI escape sequences included) so that text
 * from the outside world (server error messages, item names) cannot move the cursor, clear the
 * screen or break a line in a log. Tabs and newlines become spaces.
 */
export function sanitizeLine(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
      .trim()
  );
}

/** Shortens text to at most `max` characters, ending with "…" when cut. */
export function truncate(text: string, max: number): string {
  if (max <= 0) return '';
  if (text.length <= max) return text;
  if (max === 1) return '…';
  return `${text.slice(0, max - 1)}…`;
}
