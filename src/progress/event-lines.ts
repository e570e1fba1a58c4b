import { CONTENT_TYPE_PLURALS, type ContentType } from '../content-types.js';
import type { ExtractEvent, RunScope } from '../engine/events.js';
import { formatCount, formatDuration, formatRate, plural, sanitizeLine } from './format.js';

/**
 * Turns the engine's discrete events into log lines, and keeps bursts from flooding the log:
 * within one window (between two progress lines), each noisy kind of event prints its first few
 * lines and counts the rest; `flush()` then prints one line per kind that had more.
 *
 * Policy (lines printed per window before the rest are counted):
 *   page failed   5   (every failure is also in the run summary and `lookervault status`)
 *   invalid item  3
 *   rate limited  1   (the 429 count and the allowed rate are on every progress line)
 *   retry         verbose ? 3 : 0 (the retry count is on every progress line)
 * Notices, run start, stopping and a type finishing are always printed.
 */

type NoisyKind = 'page-failed' | 'item-invalid' | 'rate-limited' | 'retry';

interface Window {
  printed: number;
  suppressed: number;
  /** The last suppressed event, for the summary line. */
  last: ExtractEvent | undefined;
}

export interface EventLogOptions {
  verbose: boolean;
}

export class EventLog {
  private readonly limits: Record<NoisyKind, number>;
  private readonly windows = new Map<NoisyKind, Window>();

  constructor(options: EventLogOptions) {
    this.limits = {
      'page-failed': 5,
      'item-invalid': 3,
      'rate-limited': 1,
      retry: options.verbose ? 3 : 0,
    };
  }

  /** The lines to print now for this event (zero or one). */
  add(event: ExtractEvent): string[] {
    const text = describeEvent(event);
    if (text === null) return [];
    if (!isNoisy(event.kind)) return [text];
    const kind = event.kind;
    const window = this.windows.get(kind) ?? { printed: 0, suppressed: 0, last: undefined };
    this.windows.set(kind, window);
    if (window.printed < this.limits[kind]) {
      window.printed += 1;
      return [text];
    }
    window.suppressed += 1;
    window.last = event;
    return [];
  }

  /** Ends the window: one line per kind of event that had more than it printed. */
  flush(): string[] {
    const lines: string[] = [];
    for (const [kind, window] of this.windows) {
      if (window.suppressed > 0 && this.limits[kind] > 0 && window.last !== undefined) {
        lines.push(describeSuppressed(kind, window.suppressed, window.last));
      }
    }
    this.windows.clear();
    return lines;
  }
}

function isNoisy(kind: ExtractEvent['kind']): kind is NoisyKind {
  return (
    kind === 'page-failed' || kind === 'item-invalid' || kind === 'rate-limited' || kind === 'retry'
  );
}

function typeName(type: ContentType): string {
  return CONTENT_TYPE_PLURALS[type];
}

/** "folders Shared/Marketing and subfolders (12 folders); users backed up whole (not in folders)" */
export function describeRunScope(scope: RunScope): string {
  const named = scope.folders.join(', ');
  const folders = `folders ${named}${scope.recursive ? ' and subfolders' : ''} (${plural(scope.folderCount, 'folder')})`;
  if (scope.wholeTypes.length === 0) return folders;
  const whole = scope.wholeTypes.map((type) => CONTENT_TYPE_PLURALS[type]).join(', ');
  return `${folders}; ${whole} backed up whole (not in folders)`;
}

/** One event as one line of text (no timestamp), or null when the event is not worth a line. */
export function describeEvent(event: ExtractEvent): string | null {
  switch (event.kind) {
    case 'run-started': {
      const verb = event.resumed ? 'Resuming' : 'Started';
      return sanitizeLine(
        `${verb} run ${event.runId}: ${plural(event.types.length, 'content type')}, ` +
          `${plural(event.workers, 'worker')}, ${event.baseUrl} -> ${event.dbPath}` +
          (event.scope ? `; ${describeRunScope(event.scope)}` : ''),
      );
    }
    case 'type-state':
      if (event.state === 'done') {
        const count = event.expected === null ? '' : ` (${plural(event.expected, 'item')})`;
        return `${typeName(event.type)} done${count}`;
      }
      if (event.state === 'failed') return `${typeName(event.type)} failed`;
      return null;
    case 'page-failed':
      return sanitizeLine(
        `Page failed: ${typeName(event.type)} ${event.unitKey} after ` +
          `${plural(event.attempts, 'attempt')}: ${event.error}`,
      );
    case 'item-invalid':
      return sanitizeLine(
        `Invalid item: ${typeName(event.type)} ${event.id ?? '(no id)'} in ${event.unitKey}: ` +
          event.error,
      );
    case 'rate-limited': {
      const pause =
        event.retryAfterMs === null
          ? 'backing off'
          : `all requests pause ${formatDuration(event.retryAfterMs)}`;
      const rate =
        event.allowedRatePerSecond === null
          ? ''
          : `; allowed rate now ${formatRate(event.allowedRatePerSecond)}`;
      return `Rate limited (429): ${pause}${rate}`;
    }
    case 'retry':
      return sanitizeLine(
        `Retry ${event.attempt} of ${event.operation} in ${formatDuration(event.delayMs)}: ` +
          event.error,
      );
    case 'notice':
      return sanitizeLine(event.message);
    case 'stopping':
      return event.reason === 'interrupt'
        ? 'Interrupted: storing the pages in flight, then stopping (the run can be resumed)'
        : 'Stopping after a fatal error: storing the pages in flight';
    case 'run-finished':
      return null;
  }
}

function describeSuppressed(kind: NoisyKind, count: number, last: ExtractEvent): string {
  switch (kind) {
    case 'page-failed':
      return `... and ${plural(count, 'more page')} failed (all are listed by \`lookervault status\`)`;
    case 'item-invalid':
      return `... and ${plural(count, 'more invalid item')}`;
    case 'rate-limited': {
      const rate =
        last.kind === 'rate-limited' && last.allowedRatePerSecond !== null
          ? `; allowed rate now ${formatRate(last.allowedRatePerSecond)}`
          : '';
      return `Rate limited (429) ${formatCount(count)} more ${count === 1 ? 'time' : 'times'}${rate}`;
    }
    case 'retry': {
      const error = last.kind === 'retry' ? ` (last: ${sanitizeLine(last.error)})` : '';
      return `... and ${plural(count, 'more retry', 'more retries')}${error}`;
    }
  }
}
