import { CONTENT_TYPE_PLURALS } from '../content-types.js';
import { redact } from '../redact.js';
import { completion, completionText, typeShare } from './completion.js';
import { EventLog } from './event-lines.js';
import type { ProgressSnapshot, ProgressSource, TypeProgress } from '../engine/events.js';
import { DEFAULT_PROGRESS_INTERVAL_MS } from './flags.js';
import {
  formatClock,
  formatCount,
  formatProgressPercent,
  formatDuration,
  formatLatency,
  formatRate,
  formatRateNumber,
  plural,
  sanitizeLine,
} from './format.js';
import type { ProgressRenderer, ProgressStream } from './stream.js';

/**
 * Progress for logs, pipes and CI: one line of counters every `intervalMs`, one line per notable
 * event (bursts coalesced, see EventLog), and not a single control character. Example:
 *
 *   [00:42] 12,345 items (1,234/s) · 8/8 workers · 1,310 req/s · p95 480 ms · 429s 3 (rate 40/s)
 *   · retries 2 · failed 0 · dashboards 4,200/10,000 · looks 900/? · explores waiting · 1 type done
 */
export interface PlainRendererOptions {
  source: ProgressSource;
  stream: ProgressStream;
  /** How often a progress line is printed. Minimum 1000. @default 5000 */
  intervalMs?: number;
  /** Print retries as lines too (otherwise only counted). @default false */
  verbose?: boolean;
  /** The clock; injectable for tests. @default Date.now */
  now?: () => number;
}

export class PlainRenderer implements ProgressRenderer {
  private readonly source: ProgressSource;
  private readonly stream: ProgressStream;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly events: EventLog;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** The engine's elapsed time at the last snapshot and our clock then: stamps event lines. */
  private lastElapsedMs = 0;
  private lastSnapshotAt: number;
  private stopped = false;

  constructor(options: PlainRendererOptions) {
    this.source = options.source;
    this.stream = options.stream;
    this.intervalMs = Math.max(100, options.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
    this.now = options.now ?? Date.now;
    this.events = new EventLog({ verbose: options.verbose ?? false });
    this.lastSnapshotAt = this.now();
  }

  start(): void {
    this.lastElapsedMs = this.source.snapshot().elapsedMs;
    this.lastSnapshotAt = this.now();
    this.unsubscribe = this.source.onEvent((event) => {
      for (const line of this.events.add(event)) this.writeLine(line);
    });
    this.timer = setInterval(() => {
      this.tick();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Prints what was coalesced since the last line, then a progress line. */
  tick(): void {
    const snapshot = this.source.snapshot();
    this.lastElapsedMs = snapshot.elapsedMs;
    this.lastSnapshotAt = this.now();
    for (const line of this.events.flush()) this.writeLine(line);
    // Nothing to count while the engine logs in and opens the run.
    if (snapshot.types.length > 0) this.write(formatProgressLine(snapshot, this.now()));
  }

  stop(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    for (const line of this.events.flush()) this.writeLine(line);
    return Promise.resolve();
  }

  private writeLine(text: string): void {
    const elapsed = this.lastElapsedMs + (this.now() - this.lastSnapshotAt);
    this.write(`[${formatClock(elapsed)}] ${text}`);
  }

  private write(line: string): void {
    this.stream.write(`${sanitizeLine(redact(line))}\n`);
  }
}

/** The plain progress line for one snapshot (no trailing newline, no control characters). */
export function formatProgressLine(snapshot: ProgressSnapshot, now: number): string {
  const parts = [
    `${formatCount(snapshot.items.stored)} items (${formatRate(snapshot.items.perSecond)})`,
    completionText(completion(snapshot)),
    `${snapshot.workers.active}/${snapshot.workers.total} workers`,
    `${formatRateNumber(snapshot.requests.perSecond)} req/s`,
  ];
  if (snapshot.requests.total > 0)
    parts.push(`p95 ${formatLatency(snapshot.requests.latencyMs.p95)}`);
  parts.push(rateLimitPart(snapshot, now));
  parts.push(`retries ${formatCount(snapshot.retries)}`);
  parts.push(failuresPart(snapshot));
  // Types still at work one by one; finished ones as a count (each got its own line when done).
  const types = snapshot.types
    .filter((type) => type.state !== 'pending' && type.state !== 'done')
    .map(typePart);
  const done = snapshot.types.filter((type) => type.state === 'done').length;
  if (done > 0) types.push(`${plural(done, 'type')} done`);
  return `[${formatClock(snapshot.elapsedMs)}] ${[...parts, ...types].join(' · ')}`;
}

function rateLimitPart(snapshot: ProgressSnapshot, now: number): string {
  const { hits, allowedRatePerSecond, pausedUntil } = snapshot.rateLimit;
  const details: string[] = [];
  if (allowedRatePerSecond !== null) details.push(`rate ${formatRate(allowedRatePerSecond)}`);
  if (pausedUntil !== null && pausedUntil > now) {
    details.push(`paused ${formatDuration(pausedUntil - now)}`);
  }
  const suffix = details.length > 0 ? ` (${details.join(', ')})` : '';
  return `429s ${formatCount(hits)}${suffix}`;
}

function failuresPart(snapshot: ProgressSnapshot): string {
  const { pages, items } = snapshot.failures;
  if (pages === 0 && items === 0) return 'failed 0';
  const parts: string[] = [];
  if (pages > 0) parts.push(plural(pages, 'page'));
  if (items > 0) parts.push(plural(items, 'item'));
  return `failed ${parts.join(', ')}`;
}

function typePart(type: TypeProgress): string {
  const name = CONTENT_TYPE_PLURALS[type.type];
  const count = formatCount(type.stored);
  switch (type.state) {
    case 'failed':
      return `${name} ${count} failed`;
    case 'waiting':
      return `${name} waiting`;
    case 'reconciling':
      return `${name} ${count} reconciling`;
    default: {
      if (type.expected === null) return `${name} ${count}/?`;
      const share = typeShare(type) ?? 0;
      return `${name} ${count}/${formatCount(Math.max(type.expected, type.stored))} ${formatProgressPercent(share)}`;
    }
  }
}
