import { stripVTControlCharacters } from 'node:util';
import { CONTENT_TYPE_PLURALS } from '../content-types.js';
import { completion, completionText, typeShare } from './completion.js';
import type { ProgressSnapshot, TypeProgress, WorkerProgress } from '../engine/events.js';
import {
  formatClock,
  formatCount,
  formatDuration,
  formatEta,
  formatProgressPercent,
  formatLatency,
  formatRate,
  formatRateNumber,
  plural,
  sanitizeLine,
} from './format.js';
import { visibleLength, type Style } from './style.js';
import { columnWidths, tableRow, type Align } from './table.js';
import type { RunSummary } from '../engine/run-summary.js';

/**
 * The text of the live display, one function per kind of row. Pure: snapshot in, strings out,
 * sized to the terminal width. The renderer (tty-renderer.ts) only places these rows.
 */

export interface FrameContext {
  style: Style;
  /** Columns available for the row's text (icon and indentation already subtracted). */
  width: number;
  /** Epoch ms, for Retry-After pauses. */
  now: number;
}

/** How a row's icon looks. */
export type RowMark = 'pending' | 'active' | 'done' | 'partial' | 'failed' | 'stopped';

/** The final outcome shown in the last frame; `stopped` when the run ended without a summary. */
export type FrameOutcome = RunSummary['status'] | 'stopped';

interface Segment {
  text: string;
  /** Lower goes first when the row is too wide. */
  priority: number;
}

/** Joins segments with " · ", dropping the least important ones until the row fits. */
function fitSegments(segments: Segment[], width: number, style: Style): string {
  const kept = [...segments];
  const separator = style.dim(' · ');
  const render = (): string => kept.map((segment) => segment.text).join(separator);
  while (kept.length > 1 && visibleLength(render()) > width) {
    let lowest = 0;
    kept.forEach((segment, index) => {
      if (segment.priority < (kept[lowest]?.priority ?? Infinity)) lowest = index;
    });
    kept.splice(lowest, 1);
  }
  return render();
}

/** The header while the run goes on: who is working, how fast, what slows it down. */
export function headerText(snapshot: ProgressSnapshot, ctx: FrameContext): string {
  const { style } = ctx;
  const { rateLimit } = snapshot;
  const segments: Segment[] = [
    { text: style.bold(`run ${snapshot.runId}`), priority: 100 },
    { text: formatClock(snapshot.elapsedMs), priority: 90 },
    { text: `${snapshot.workers.active}/${snapshot.workers.total} workers`, priority: 80 },
    {
      text: `${formatCount(snapshot.items.stored)} items ${style.cyan(`(${formatRate(snapshot.items.perSecond)})`)}`,
      priority: 95,
    },
    { text: `${formatRateNumber(snapshot.requests.perSecond)} req/s`, priority: 60 },
    { text: completionText(completion(snapshot)), priority: 92 },
  ];
  if (snapshot.requests.total > 0) {
    segments.push({ text: `p95 ${formatLatency(snapshot.requests.latencyMs.p95)}`, priority: 20 });
  }
  const hits = `429s ${formatCount(rateLimit.hits)}`;
  segments.push({ text: rateLimit.hits > 0 ? style.yellow(hits) : hits, priority: 70 });
  if (rateLimit.allowedRatePerSecond !== null) {
    segments.push({ text: `rate ${formatRate(rateLimit.allowedRatePerSecond)}`, priority: 50 });
  }
  if (rateLimit.pausedUntil !== null && rateLimit.pausedUntil > ctx.now) {
    segments.push({
      text: style.yellow(`paused ${formatDuration(rateLimit.pausedUntil - ctx.now)}`),
      priority: 75,
    });
  }
  segments.push({ text: `retries ${formatCount(snapshot.retries)}`, priority: 40 });
  segments.push({ text: failuresText(snapshot.failures, style), priority: 65 });
  return fitSegments(segments, ctx.width, style);
}

/** The header of the last frame: the outcome and the totals. */
export function finalHeaderText(
  snapshot: ProgressSnapshot,
  outcome: FrameOutcome,
  summary: RunSummary | undefined,
  ctx: FrameContext,
): string {
  const { style } = ctx;
  const word = outcomeWord(outcome, style);
  const stored = summary?.totals.stored ?? snapshot.items.stored;
  const failures = summary
    ? { pages: summary.failedPages, items: summary.failedItems }
    : snapshot.failures;
  const segments: Segment[] = [
    { text: `${style.bold(`run ${snapshot.runId}`)} ${word}`, priority: 100 },
    { text: formatClock(summary?.durationMs ?? snapshot.elapsedMs), priority: 90 },
    { text: `${formatCount(stored)} items`, priority: 95 },
    { text: `${formatCount(summary?.requests ?? snapshot.requests.total)} requests`, priority: 60 },
    { text: `429s ${formatCount(summary?.rateLimited ?? snapshot.rateLimit.hits)}`, priority: 50 },
    { text: `retries ${formatCount(summary?.retries ?? snapshot.retries)}`, priority: 40 },
    { text: failuresText(failures, style), priority: 80 },
  ];
  return fitSegments(segments, ctx.width, style);
}

function outcomeWord(outcome: FrameOutcome, style: Style): string {
  switch (outcome) {
    case 'success':
      return style.green('complete');
    case 'partial':
      return style.yellow('partial');
    case 'interrupted':
      return style.yellow('interrupted');
    case 'failed':
      return style.red('failed');
    case 'stopped':
      return style.yellow('stopped');
  }
}

export function outcomeMark(outcome: FrameOutcome): RowMark {
  switch (outcome) {
    case 'success':
      return 'done';
    case 'partial':
      return 'partial';
    case 'failed':
      return 'failed';
    default:
      return 'stopped';
  }
}

function failuresText(failures: { pages: number; items: number }, style: Style): string {
  if (failures.pages === 0 && failures.items === 0) return 'failed 0';
  const parts: string[] = [];
  if (failures.pages > 0) parts.push(plural(failures.pages, 'page'));
  if (failures.items > 0) parts.push(plural(failures.items, 'item'));
  return style.red(`failed ${parts.join(', ')}`);
}

/** Column widths shared by every type row, so the bars and numbers line up. */
export interface TypeColumns {
  name: number;
  bar: number;
  count: number;
  rate: number;
}

const RATE_WIDTH = 9;
const MIN_TAIL_WIDTH = 12;
const MAX_BAR_WIDTH = 30;
const MIN_BAR_WIDTH = 6;

export function typeColumns(types: readonly TypeProgress[], width: number): TypeColumns {
  const [name = 0, count = 0] = columnWidths(
    types.map((type) => [CONTENT_TYPE_PLURALS[type.type], countText(type)]),
  );
  const fixed = name + 1 + count + 2 + RATE_WIDTH + 2 + MIN_TAIL_WIDTH;
  const room = width - fixed - 1;
  const bar = room < MIN_BAR_WIDTH ? 0 : Math.min(MAX_BAR_WIDTH, room);
  return { name, bar, count, rate: RATE_WIDTH };
}

/** `1,234/50,000 · 2.5%` (`?` and no percentage while the total is unknown). */
function countText(type: TypeProgress): string {
  const expected =
    type.expected === null
      ? type.state === 'done'
        ? formatCount(type.stored)
        : '?'
      : formatCount(Math.max(type.expected, type.stored));
  // A finished row says `done`; a percentage there would only repeat it.
  const share = type.state === 'done' ? null : typeShare(type);
  const percent = share === null ? '' : ` · ${formatProgressPercent(share)}`;
  return `${formatCount(type.stored)}/${expected}${percent}`;
}

/** Whether the type has finished for good (its row stops changing). */
export function isTypeFinished(type: TypeProgress): boolean {
  return type.state === 'done' || type.state === 'failed';
}

export function typeMark(type: TypeProgress, stopped: boolean): RowMark {
  switch (type.state) {
    case 'done':
      return type.pagesFailed > 0 || type.invalid > 0 ? 'partial' : 'done';
    case 'failed':
      return 'failed';
    case 'pending':
    case 'waiting':
      return stopped ? 'stopped' : 'pending';
    default:
      return stopped ? 'stopped' : 'active';
  }
}

/**
 * One content type: name, bar, stored/expected, items/s, then ETA or state and failures.
 * `leftMs`: the type's time left as the run's estimate has it (completion.ts); without it, the
 * type's items left at its own rate.
 */
export function typeRowText(
  type: TypeProgress,
  columns: TypeColumns,
  ctx: FrameContext,
  stopped: boolean,
  leftMs?: number,
): string {
  const { style } = ctx;
  const active = type.state === 'listing' || type.state === 'reconciling';
  const rate = active && !stopped ? formatRate(type.itemsPerSecond) : '';
  const withBar = columns.bar > 0;
  // The rate and the tail stand two spaces from what precedes them.
  const cells = [
    CONTENT_TYPE_PLURALS[type.type],
    ...(withBar ? [bar(type, columns.bar, style)] : []),
    countText(type),
    rate,
    ` ${tailText(type, style, stopped, leftMs)}`,
  ];
  const widths = [columns.name, ...(withBar ? [columns.bar] : []), columns.count, columns.rate + 1];
  const align: Align[] = ['left', ...(withBar ? ['left' as const] : []), 'right', 'right'];
  return tableRow(cells, widths, align, ' ');
}

function bar(type: TypeProgress, width: number, style: Style): string {
  if (type.state === 'done') return style.green('█'.repeat(width));
  if (type.expected === null || type.expected === 0) return style.dim('░'.repeat(width));
  const share = Math.min(1, type.stored / type.expected);
  const filled = Math.floor(share * width);
  const paint = type.state === 'failed' ? style.red : style.cyan;
  return paint('█'.repeat(filled)) + style.dim('░'.repeat(width - filled));
}

function tailText(
  type: TypeProgress,
  style: Style,
  stopped: boolean,
  leftMs: number | undefined,
): string {
  const notes: string[] = [];
  if (type.pagesFailed > 0) notes.push(style.red(`${plural(type.pagesFailed, 'page')} failed`));
  if (type.invalid > 0) notes.push(style.red(`${formatCount(type.invalid)} invalid`));
  let state: string;
  switch (type.state) {
    case 'done': {
      const changes: string[] = [];
      if (type.new > 0) changes.push(`${formatCount(type.new)} new`);
      if (type.changed > 0) changes.push(`${formatCount(type.changed)} changed`);
      state =
        style.green('done') + (changes.length > 0 ? style.dim(` (${changes.join(', ')})`) : '');
      break;
    }
    case 'failed':
      state = style.red('failed');
      break;
    case 'pending':
    case 'waiting':
      state = stopped ? style.yellow('not started') : style.dim(type.state);
      break;
    default:
      if (stopped) state = style.yellow('stopped');
      else if (type.state === 'reconciling') state = 'reconciling';
      else state = eta(type, leftMs) ?? 'listing';
  }
  return [state, ...notes].join(style.dim(' · '));
}

function eta(type: TypeProgress, leftMs: number | undefined): string | null {
  if (type.expected === null) return null;
  if (leftMs !== undefined) return `ETA ${formatEta(leftMs)}`;
  if (type.itemsPerSecond <= 0) return 'ETA …';
  const left = Math.max(0, type.expected - type.stored);
  return `ETA ${formatEta((left / type.itemsPerSecond) * 1000)}`;
}

const ACTIVITY_WIDTH = 11;

/** `--verbose`: a line about the workers, then one row per worker. */
export function workerLines(snapshot: ProgressSnapshot, ctx: FrameContext): string[] {
  const { style, width } = ctx;
  const { depth, capacity } = snapshot.writerQueue;
  const summary = [
    `workers ${snapshot.workers.active}/${snapshot.workers.total} busy`,
    `${formatCount(snapshot.requests.inFlight)} requests in flight`,
    `writer queue ${formatCount(depth)}/${formatCount(capacity)}`,
  ].join(' · ');
  return [
    fit(style.bold(summary), width),
    ...snapshot.workers.detail.map((worker) => fit(`  ${workerRow(worker, style)}`, width)),
  ];
}

function workerRow(worker: WorkerProgress, style: Style): string {
  const id = `#${worker.id}`.padEnd(4);
  const activity =
    worker.activity === 'idle' || worker.activity === 'done'
      ? style.dim(worker.activity.padEnd(ACTIVITY_WIDTH))
      : worker.activity.padEnd(ACTIVITY_WIDTH);
  const failures = worker.failures > 0 ? style.red(` · ${plural(worker.failures, 'failure')}`) : '';
  return `${id} ${activity} ${sanitizeLine(worker.detail)}${failures}`;
}

/** Cuts a row to the width; a row that has to be cut loses its colours. */
export function fit(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  const plain = stripVTControlCharacters(text);
  return plain.length <= width ? plain : `${plain.slice(0, Math.max(0, width - 1))}…`;
}
