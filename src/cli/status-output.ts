import { parseStoredScope } from '../extract/run-ledger.js';
import { z } from 'zod';
import { CONTENT_TYPES, CONTENT_TYPE_PLURALS, isContentType } from '../content-types.js';
import { redact } from '../redact.js';
import type {
  FailedUnitRecord,
  ItemFailureRecord,
  RunDetail,
  RunListRow,
  TypeStateRecord,
} from '../store/index.js';
import {
  formatCount,
  formatDuration,
  formatLatency,
  plural,
  sanitizeLine,
  truncate,
} from '../progress/format.js';
import { createStyle, type Style } from '../progress/style.js';
import { renderTable, type Align } from '../progress/table.js';
import { runSummarySchema } from '../engine/run-summary.js';
import { listingFacts } from '../progress/summary-format.js';
import { RUN_STATUSES, TYPE_STATES } from '../engine/states.js';

/**
 * What `lookervault status` prints: the recent runs as a table, one run in detail, and the same
 * as JSON with a versioned schema (fields are only added within a schemaVersion; a rename or
 * removal bumps it). Documented in docs/progress.md.
 */
export const STATUS_SCHEMA_VERSION = 1;

const count = z.number().int().nonnegative();
const runStatus = z.enum(RUN_STATUSES);

export const statusRunSchema = z.object({
  id: z.number().int().positive(),
  /** `extract`, or `restore` (counts: `stored` items written, `itemFailures` failed or skipped). */
  kind: z.enum(['extract', 'restore']),
  /** As the user should read it: a `running` run whose process died shows as `interrupted`. */
  status: runStatus,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** Start to end (to now while running); null when unknown. */
  durationMs: count.nullable(),
  /** The next `lookervault extract` continues this run. */
  resumable: z.boolean(),
  resumeCount: count,
  baseUrl: z.string(),
  toolVersion: z.string(),
  types: z.array(z.string()),
  counts: z.object({
    stored: count,
    new: count,
    changed: count,
    unchanged: count,
    invalid: count,
    pagesDone: count,
    pagesFailed: count,
    itemFailures: count,
  }),
  /** The process working on the run, while it is `running`. */
  owner: z
    .object({
      pid: z.number().int().nullable(),
      hostname: z.string().nullable(),
      heartbeatAt: z.string().nullable(),
      alive: z.boolean(),
    })
    .nullable(),
});

export const statusListSchema = z.object({
  schemaVersion: z.literal(STATUS_SCHEMA_VERSION),
  database: z.string(),
  runs: z.array(statusRunSchema),
});

export const statusTypeSchema = z.object({
  type: z.string(),
  state: z.enum(TYPE_STATES),
  stored: count,
  new: count,
  changed: count,
  unchanged: count,
  invalid: count,
  pagesDone: count,
  pagesFailed: count,
  /** Where the listing ends, once known. */
  endOffset: count.nullable(),
  startedAt: z.string().nullable(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});

export const statusFailedPageSchema = z.object({
  type: z.string(),
  unitKey: z.string(),
  offset: z.number().int().nullable(),
  limit: z.number().int().nullable(),
  error: z.string(),
  attempts: count,
  updatedAt: z.string(),
});

export const statusItemFailureSchema = z.object({
  type: z.string(),
  itemId: z.string().nullable(),
  unitKey: z.string(),
  error: z.string(),
  recordedAt: z.string(),
});

export const statusDetailSchema = z.object({
  schemaVersion: z.literal(STATUS_SCHEMA_VERSION),
  database: z.string(),
  run: statusRunSchema.extend({
    /** The run's configuration as stored (secrets are never stored). */
    config: z.record(z.string(), z.unknown()),
    typeStates: z.array(statusTypeSchema),
    /** The first `--limit` failed pages; `counts.pagesFailed` has the total. */
    failedPages: z.array(statusFailedPageSchema),
    /** The first `--limit` item failures; `counts.itemFailures` has the total. */
    itemFailures: z.array(statusItemFailureSchema),
    /** A restore's items that failed or were skipped (the first `--limit`). */
    restoreFailures: z.array(
      z.object({
        type: z.string(),
        id: z.string(),
        title: z.string().nullable(),
        action: z.string(),
        status: z.string(),
        error: z.string().nullable(),
      }),
    ),
    /** The summary the run stored when it ended (its `--json` schema), or null. */
    summary: z.unknown(),
  }),
});

export type StatusListJson = z.infer<typeof statusListSchema>;
export type StatusDetailJson = z.infer<typeof statusDetailSchema>;
type StatusRunJson = z.infer<typeof statusRunSchema>;

function runToJson(run: RunListRow): StatusRunJson {
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    durationMs: run.durationMs === null ? null : Math.round(run.durationMs),
    resumable: run.resumable,
    resumeCount: run.resumeCount,
    baseUrl: run.baseUrl,
    toolVersion: run.toolVersion,
    types: [...run.types],
    counts: {
      stored: run.counts.stored,
      new: run.counts.new,
      changed: run.counts.changed,
      unchanged: run.counts.unchanged,
      invalid: run.counts.invalid,
      pagesDone: run.counts.pagesDone,
      pagesFailed: run.counts.pagesFailed,
      itemFailures: run.counts.itemFailures,
    },
    owner:
      run.owner === null
        ? null
        : {
            pid: run.owner.pid,
            hostname: run.owner.hostname,
            heartbeatAt: run.owner.heartbeatAt,
            alive: run.owner.alive,
          },
  };
}

export function runListToJson(database: string, runs: readonly RunListRow[]): StatusListJson {
  return { schemaVersion: STATUS_SCHEMA_VERSION, database, runs: runs.map(runToJson) };
}

export function runDetailToJson(database: string, detail: RunDetail): StatusDetailJson {
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    database,
    run: {
      ...runToJson(detail),
      config: detail.config,
      typeStates: sortTypes(detail.typeStates).map((state) => ({
        type: state.type,
        state: state.state,
        stored: state.stored,
        new: state.new,
        changed: state.changed,
        unchanged: state.unchanged,
        invalid: state.invalid,
        pagesDone: state.pagesDone,
        pagesFailed: state.pagesFailed,
        endOffset: state.endOffset,
        startedAt: state.startedAt,
        updatedAt: state.updatedAt,
        finishedAt: state.finishedAt,
      })),
      failedPages: detail.failedPages.map((page) => ({
        type: page.type,
        unitKey: page.unitKey,
        offset: page.offset,
        limit: page.limit,
        error: page.error,
        attempts: page.attempts,
        updatedAt: page.updatedAt,
      })),
      itemFailures: detail.itemFailures.map((failure) => ({
        type: failure.type,
        itemId: failure.itemId,
        unitKey: failure.unitKey,
        error: failure.error,
        recordedAt: failure.recordedAt,
      })),
      restoreFailures: detail.restoreFailures.map((row) => ({
        type: row.type,
        id: row.sourceId,
        title: row.title,
        action: row.action,
        status: row.status,
        error: row.error,
      })),
      summary: detail.summary ?? null,
    },
  };
}

export interface StatusFormatOptions {
  color: boolean;
  /** Renders timestamps; injectable for tests. @default local time, YYYY-MM-DD HH:MM:SS */
  formatTime?: (iso: string) => string;
}

/** The recent runs as a table (newest first), for stdout. Ends with a newline. */
export function formatRunList(
  database: string,
  runs: readonly RunListRow[],
  options: StatusFormatOptions,
): string {
  const style = createStyle(options.color);
  const time = options.formatTime ?? formatLocalTime;
  if (runs.length === 0) {
    return `No runs in ${database} yet. Run \`lookervault extract\` to make a backup.\n`;
  }
  const header = [
    'id',
    'started',
    'duration',
    'status',
    'kind',
    'items',
    'failed pages',
    'failed items',
    'resumable',
  ];
  const rows = runs.map((run) => [
    String(run.id),
    time(run.startedAt),
    durationText(run),
    run.status,
    run.kind,
    formatCount(run.counts.stored),
    formatCount(run.counts.pagesFailed),
    formatCount(run.counts.itemFailures),
    run.resumable ? 'yes' : 'no',
  ]);
  const rightAligned = new Set([0, 5, 6, 7]);
  const table = statusTable(header, rows, rightAligned, style, (cell, column, row) => {
    if (column === 3) return paintStatus(cell, style);
    if ((column === 6 || column === 7) && row[column] !== '0') return style.red(cell);
    if (column === 8 && row[8] === 'yes') return style.yellow(cell);
    return cell;
  });
  const newest = runs[0]?.id ?? 1;
  const lines = [
    `Runs in ${database}, newest first:`,
    '',
    ...table,
    '',
    style.dim(`One run in detail: lookervault status --run ${newest}`),
  ];
  return `${redact(lines.join('\n'))}\n`;
}

/** One run: its facts, per-type progress, failed pages and item failures. Ends with a newline. */
export function formatRunDetail(detail: RunDetail, options: StatusFormatOptions): string {
  const style = createStyle(options.color);
  const time = options.formatTime ?? formatLocalTime;
  const lines: string[] = [];
  const resumable = detail.resumable ? `, ${style.yellow('resumable')}` : '';
  lines.push(`${style.bold(`Run ${detail.id}`)}: ${paintStatus(detail.status, style)}${resumable}`);
  const facts: [string, string][] = [
    ['Started', time(detail.startedAt)],
    ['Ended', detail.endedAt === null ? '-' : time(detail.endedAt)],
    ['Duration', durationText(detail)],
    ['Looker', detail.baseUrl],
    ['Types', detail.types.map(typeName).join(', ')],
    ['Version', `lookervault ${detail.toolVersion}`],
  ];
  const scope = parseStoredScope(detail.config.scope);
  if (scope) {
    const named = `${scope.named.join(', ')}${scope.recursive ? ' and subfolders' : ''}`;
    facts.splice(5, 0, ['Scope', `${named} (${plural(scope.folders.length, 'folder')})`]);
  }
  if (detail.resumeCount > 0) facts.push(['Resumed', plural(detail.resumeCount, 'time')]);
  if (detail.owner) {
    const where = [
      detail.owner.pid === null ? null : `pid ${detail.owner.pid}`,
      detail.owner.hostname === null ? null : `on ${detail.owner.hostname}`,
    ]
      .filter((part) => part !== null)
      .join(' ');
    facts.push([
      'Process',
      `${where || 'unknown'}${detail.owner.alive ? ' (working)' : ' (gone)'}`,
    ]);
  }
  const stored = runSummarySchema.safeParse(detail.summary);
  if (stored.success) {
    const summary = stored.data;
    facts.push([
      'Requests',
      `${formatCount(summary.requests)} (${summary.requestsPerItem.toFixed(2)} per item), ` +
        `p95 ${formatLatency(summary.latencyMs.p95)}, ${formatCount(summary.rateLimited)} × 429, ` +
        plural(summary.retries, 'retry', 'retries'),
    ]);
    facts.push(...listingFacts(summary, style));
  }
  if (detail.resumable) {
    facts.push(['Resume', 'run `lookervault extract` again to continue this run']);
  }
  if (detail.kind === 'restore') return restoreDetail(detail, facts, lines, style);
  const labelWidth = Math.max(...facts.map(([label]) => label.length)) + 2;
  for (const [label, value] of facts)
    lines.push(`  ${style.dim(label.padEnd(labelWidth))}${value}`);

  lines.push('', ...typeTable(detail.typeStates, style));

  const { pagesFailed, itemFailures } = detail.counts;
  lines.push('');
  if (pagesFailed === 0 && itemFailures === 0) {
    lines.push('No failed pages or items.');
  } else {
    lines.push(...failedPagesSection(detail.failedPages, pagesFailed, style, time));
    lines.push(...itemFailuresSection(detail.itemFailures, itemFailures, style));
  }
  return `${redact(lines.join('\n'))}\n`;
}

/** A restore: where from and to, what it did per type, and what it could not do. */
function restoreDetail(
  detail: RunDetail,
  facts: [string, string][],
  lines: string[],
  style: Style,
): string {
  const config = detail.config;
  const restoreFacts: [string, string][] = [
    ['Kind', `restore of snapshot ${JSON.stringify(config.snapshot ?? '?')}`],
    ['From', typeof config.source === 'string' ? config.source : '?'],
    ...facts.filter(([label]) => label !== 'Looker' && label !== 'Types'),
    ['Into', detail.baseUrl],
  ];
  const labelWidth = Math.max(...restoreFacts.map(([label]) => label.length)) + 2;
  for (const [label, value] of restoreFacts)
    lines.push(`  ${style.dim(label.padEnd(labelWidth))}${value}`);
  const { stored, new: created, changed, unchanged, itemFailures } = detail.counts;
  lines.push(
    '',
    `Items: ${formatCount(stored)} written (${formatCount(created)} created, ${formatCount(changed)} updated or undeleted), ${formatCount(unchanged)} identical, ${formatCount(itemFailures)} failed or skipped.`,
  );
  if (detail.restoreFailures.length > 0) {
    lines.push('', style.bold('Not restored:'));
    for (const row of detail.restoreFailures) {
      lines.push(
        `  ${row.type} ${row.sourceId}${row.title ? ` (${row.title})` : ''}: ${style.red(row.status)} — ${row.error ?? ''}`,
      );
    }
    lines.push(style.dim('Retry them with `lookervault restore --retry-failed`.'));
  }
  return `${redact(lines.join('\n'))}\n`;
}

function typeTable(states: readonly TypeStateRecord[], style: Style): string[] {
  if (states.length === 0) return ['No content types recorded for this run.'];
  const header = [
    'type',
    'state',
    'stored',
    'new',
    'changed',
    'unchanged',
    'invalid',
    'pages',
    'failed pages',
  ];
  const rows = sortTypes(states).map((state) => [
    typeName(state.type),
    state.state,
    formatCount(state.stored),
    formatCount(state.new),
    formatCount(state.changed),
    formatCount(state.unchanged),
    formatCount(state.invalid),
    formatCount(state.pagesDone),
    formatCount(state.pagesFailed),
  ]);
  return statusTable(header, rows, new Set([2, 3, 4, 5, 6, 7, 8]), style, (cell, column, row) => {
    if (column === 1) return paintState(cell, style);
    if ((column === 6 || column === 8) && row[column] !== '0') return style.red(cell);
    return cell;
  });
}

function failedPagesSection(
  pages: readonly FailedUnitRecord[],
  total: number,
  style: Style,
  time: (iso: string) => string,
): string[] {
  if (total === 0) return [];
  const lines = [style.bold(`Failed pages (${formatCount(total)}):`)];
  for (const page of pages) {
    lines.push(
      `  ${typeName(page.type)} page ${sanitizeLine(page.unitKey)}: ${errorText(page.error)} ` +
        style.dim(`(${plural(page.attempts, 'attempt')}, ${time(page.updatedAt)})`),
    );
  }
  if (total > pages.length) lines.push(moreLine(total - pages.length, style));
  return lines;
}

function itemFailuresSection(
  failures: readonly ItemFailureRecord[],
  total: number,
  style: Style,
): string[] {
  if (total === 0) return [];
  const lines = [style.bold(`Item failures (${formatCount(total)}):`)];
  for (const failure of failures) {
    const id = failure.itemId === null ? '(no id)' : sanitizeLine(failure.itemId);
    lines.push(
      `  ${typeName(failure.type)} item ${id} (page ${sanitizeLine(failure.unitKey)}): ` +
        errorText(failure.error),
    );
  }
  if (total > failures.length) lines.push(moreLine(total - failures.length, style));
  return lines;
}

function moreLine(more: number, style: Style): string {
  return style.dim(`  … ${formatCount(more)} more (raise --limit, or use --json)`);
}

function errorText(error: string): string {
  return truncate(sanitizeLine(error), 200);
}

function durationText(run: RunListRow): string {
  if (run.durationMs === null) return '-';
  const text = formatDuration(run.durationMs);
  return run.status === 'running' ? `${text}+` : text;
}

function paintStatus(status: string, style: Style): string {
  switch (status) {
    case 'success':
      return style.green(status);
    case 'failed':
      return style.red(status);
    case 'running':
      return style.cyan(status);
    default:
      return style.yellow(status);
  }
}

function paintState(state: string, style: Style): string {
  if (state === 'done') return style.green(state);
  if (state === 'failed') return style.red(state);
  return state;
}

function typeName(type: string): string {
  return isContentType(type) ? CONTENT_TYPE_PLURALS[type] : sanitizeLine(type);
}

/** Registry order first, then anything unknown in name order. */
function sortTypes<T extends { type: string }>(records: readonly T[]): T[] {
  const rank = (type: string): number => {
    const index = (CONTENT_TYPES as readonly string[]).indexOf(type);
    return index === -1 ? CONTENT_TYPES.length : index;
  };
  return [...records].sort((a, b) => rank(a.type) - rank(b.type) || a.type.localeCompare(b.type));
}

/** A status table: the shared renderer, with right alignment given by column index. */
function statusTable(
  header: string[],
  rows: string[][],
  rightAligned: ReadonlySet<number>,
  style: Style,
  paint: (cell: string, column: number, row: readonly string[]) => string,
): string[] {
  const align = header.map((_, column): Align => (rightAligned.has(column) ? 'right' : 'left'));
  return renderTable({ header, rows, align, style, paint });
}

/** Local time as `YYYY-MM-DD HH:MM:SS`; the input as it is when it is not a timestamp. */
export function formatLocalTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return sanitizeLine(iso);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}
