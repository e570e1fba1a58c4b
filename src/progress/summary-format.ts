import path from 'node:path';
import { CONTENT_TYPES, CONTENT_TYPE_PLURALS, isContentType } from '../content-types.js';
import { ExitCode } from '../errors.js';
import { redact } from '../redact.js';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatLatency,
  formatPercent,
  formatRate,
  formatRateNumber,
  plural,
  sanitizeLine,
  truncate,
} from './format.js';
import { createStyle, type Style } from './style.js';
import { renderTable } from './table.js';
import { runSummarySchema, type FailureSummary, type RunSummary } from '../engine/run-summary.js';

/** How many failures the human summary lists before pointing to `lookervault status`. */
export const SUMMARY_FAILURES_SHOWN = 5;
/** Longest error message shown per failure in the human summary. */
const MAX_ERROR_LENGTH = 160;

export interface FormatSummaryOptions {
  /** Colour the output (only for a terminal without NO_COLOR). */
  color: boolean;
}

/**
 * The run summary for people, printed on stderr at the end of `extract` (and after Ctrl-C):
 * an outcome line, a table per content type, then the facts of the run. Ends with a newline.
 */
export function formatSummary(summary: RunSummary, options: FormatSummaryOptions): string {
  const style = createStyle(options.color);
  const lines: string[] = [outcomeLine(summary, style), ''];
  lines.push(...typeTable(summary, style), '');
  const facts: [string, string][] = [
    ['Items', itemsFact(summary)],
    ['Requests', `${formatCount(summary.requests)} (${perItem(summary.requestsPerItem)} per item)`],
    ...listingFacts(summary, style),
    [
      'Workers',
      `${summary.workers}, ${formatPercent(summary.utilization)} of worker time spent on requests`,
    ],
    [
      'Latency',
      `p50 ${formatLatency(summary.latencyMs.p50)} · p95 ${formatLatency(summary.latencyMs.p95)} · p99 ${formatLatency(summary.latencyMs.p99)}`,
    ],
    ['Rate limits', rateLimitFact(summary, style)],
    ['Retries', formatCount(summary.retries)],
  ];
  const failureLines = failuresFact(summary, style);
  facts.push(['Failures', failureLines[0] ?? '']);
  const labelWidth = Math.max(...facts.map(([label]) => label.length), 'Resumable'.length) + 2;
  const fact = (label: string, value: string): string =>
    `${style.dim(label.padEnd(labelWidth))}${value}`;
  for (const [label, value] of facts) lines.push(fact(label, value));
  for (const line of failureLines.slice(1)) lines.push(' '.repeat(labelWidth) + line);
  lines.push(fact('Database', `${summary.dbPath} (${formatBytes(summary.dbSizeBytes)})`));
  lines.push(fact('Peak memory', formatBytes(summary.peakRssBytes)));
  lines.push(fact('Resumable', resumableFact(summary, style)));
  if (summary.error) {
    lines.push('', style.red(`Error: ${sanitizeLine(summary.error.message)}`));
  }
  return `${redact(lines.join('\n'))}\n`;
}

function outcomeLine(summary: RunSummary, style: Style): string {
  const run = `run ${summary.runId}${summary.resumed ? ' (resumed)' : ''}`;
  const duration = formatDuration(summary.durationMs);
  switch (summary.status) {
    case 'success':
      return `${style.bold(style.green('Backup complete'))}: ${run} in ${duration}`;
    case 'partial':
      return `${style.bold(style.yellow('Backup partial'))}: ${run} in ${duration}; some pages or items failed, everything else is stored`;
    case 'interrupted':
      return `${style.bold(style.yellow('Backup interrupted'))}: ${run} after ${duration}; everything fetched so far is stored`;
    case 'failed':
      return `${style.bold(style.red('Backup failed'))}: ${run} after ${duration}`;
  }
}

const TABLE_COLUMNS = [
  'stored',
  'new',
  'changed',
  'unchanged',
  'deleted',
  'failed',
  'failed pages',
  'state',
] as const;

function typeTable(summary: RunSummary, style: Style): string[] {
  const rows: string[][] = [];
  for (const type of CONTENT_TYPES) {
    const entry = summary.types[type];
    if (!entry) continue;
    rows.push([
      CONTENT_TYPE_PLURALS[type],
      formatCount(entry.stored),
      formatCount(entry.new),
      formatCount(entry.changed),
      formatCount(entry.unchanged),
      formatCount(entry.deleted ?? 0),
      formatCount(entry.failed),
      formatCount(entry.pagesFailed),
      entry.state,
    ]);
  }
  const { totals } = summary;
  const pagesFailed = Object.values(summary.types).reduce(
    (sum, entry) => sum + entry.pagesFailed,
    0,
  );
  const total = [
    'total',
    formatCount(totals.stored),
    formatCount(totals.new),
    formatCount(totals.changed),
    formatCount(totals.unchanged),
    formatCount(Object.values(summary.types).reduce((sum, entry) => sum + (entry.deleted ?? 0), 0)),
    formatCount(totals.failed),
    formatCount(pagesFailed),
    '',
  ];
  const failedColumns = new Set([6, 7]);
  return renderTable({
    header: ['type', ...TABLE_COLUMNS],
    rows,
    footer: total,
    // Names and states on the left, numbers on the right.
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    style,
    paint: (cell, column, row) => {
      if (failedColumns.has(column) && row[column] !== '0') return style.red(cell);
      if (column === 8 && row[8] === 'failed') return style.red(cell);
      if (column === 8 && row[8] !== 'done') return style.yellow(cell);
      return cell;
    },
  });
}

/** Where the items of types with whole listings came from, and why not from the listing. */
export function listingFacts(summary: RunSummary, style: Style): [string, string][] {
  const incremental = summary.incremental ?? [];
  const facts: [string, string][] = [];
  if (summary.scope) {
    const { folders, recursive, folderCount } = summary.scope;
    facts.push([
      'Scope',
      `${folders.join(', ')}${recursive ? ' and subfolders' : ''} (${plural(folderCount, 'folder')})`,
    ]);
  }
  if (incremental.length > 0) {
    const names = incremental.map((type) => CONTENT_TYPE_PLURALS[type]).join(', ');
    facts.push([
      'Incremental',
      `${names}: only new and changed items fetched (--full fetches every item)`,
    ]);
  }
  const entries = Object.entries(summary.listings ?? {}).filter(
    ([type]) => !(incremental as readonly string[]).includes(type),
  );
  return facts.concat(
    entries.map(([type, decision], index): [string, string] => {
      const label = index === 0 ? 'Listings' : '';
      const name = isContentType(type) ? CONTENT_TYPE_PLURALS[type] : type;
      const probes = plural(decision.probes, 'probe');
      if (decision.source === 'listing') {
        const fields = decision.fields === null ? '' : ', asked with fields';
        return [label, `${name} from listing pages (${probes}, all equal${fields})`];
      }
      return [label, style.yellow(`${name} fetched one by one: ${decision.reason ?? 'by id'}`)];
    }),
  );
}

function itemsFact(summary: RunSummary): string {
  const { totals } = summary;
  return (
    `${formatCount(totals.stored)} stored, ${formatCount(totals.failed)} failed, ` +
    `${formatRateNumber(summary.itemsPerSecond)} per second`
  );
}

function perItem(value: number): string {
  return value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function rateLimitFact(summary: RunSummary, style: Style): string {
  const finalRate =
    summary.finalRatePerSecond === null
      ? null
      : `final allowed rate ${formatRate(summary.finalRatePerSecond)}`;
  if (summary.rateLimited === 0 && summary.rateLimitPausedMs === 0) {
    return finalRate === null ? 'none' : `none, ${finalRate}`;
  }
  const hits = `${formatCount(summary.rateLimited)} × 429`;
  const cap = summary.finalConcurrencyCap ?? null;
  return [
    summary.rateLimited > 0 ? style.yellow(hits) : hits,
    `paused ${formatDuration(summary.rateLimitPausedMs)} for Retry-After`,
    finalRate ?? 'no rate limit in force at the end',
    ...(cap === null ? [] : [`at most ${cap} requests at once (the server limits concurrency)`]),
  ].join(', ');
}

/** The first line is the count; then one line per shown failure and where to find all. */
function failuresFact(summary: RunSummary, style: Style): string[] {
  const total = summary.failedPages + summary.failedItems;
  if (total === 0 && summary.failures.length === 0) return ['none'];
  const counts: string[] = [];
  if (summary.failedPages > 0) counts.push(plural(summary.failedPages, 'page'));
  if (summary.failedItems > 0) counts.push(plural(summary.failedItems, 'item'));
  const lines = [style.red(counts.join(', ') || plural(summary.failures.length, 'failure'))];
  for (const failure of summary.failures.slice(0, SUMMARY_FAILURES_SHOWN)) {
    lines.push(`  ${describeFailure(failure)}`);
  }
  const shown = Math.min(summary.failures.length, SUMMARY_FAILURES_SHOWN);
  const more = Math.max(0, total - shown);
  const where = `lookervault status --run ${summary.runId}${dbFlag(summary.dbPath)}`;
  lines.push(
    more > 0
      ? `  … ${formatCount(more)} more: \`${where}\` lists them all`
      : `  details: \`${where}\``,
  );
  return lines;
}

/** One failure as one line: type, page (and item), error. */
export function describeFailure(failure: FailureSummary): string {
  const item = failure.itemId === null ? '' : ` item ${sanitizeLine(failure.itemId)}`;
  const error = truncate(sanitizeLine(failure.error), MAX_ERROR_LENGTH);
  return `${CONTENT_TYPE_PLURALS[failure.type]} ${sanitizeLine(failure.unitKey)}${item}: ${error}`;
}

function resumableFact(summary: RunSummary, style: Style): string {
  if (summary.resumable) {
    return `${style.green('yes')}: run the same \`lookervault extract\` command again to resume`;
  }
  return summary.status === 'success' ? 'no (the run is complete)' : 'no';
}

/** ` --db <path>` unless the path is the default ./looker.db. */
export function dbFlag(dbPath: string, cwd = process.cwd()): string {
  if (path.resolve(cwd, dbPath) === path.resolve(cwd, 'looker.db')) return '';
  return ` --db ${shellQuote(dbPath)}`;
}

function shellQuote(value: string): string {
  return /^[\w./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The summary as printed by `--json`: the documented schema's key order (top-level fields as
 * declared in summary.ts, content types in registry order), unknown fields dropped. A summary
 * that does not match the schema is printed as it is rather than lost.
 */
export function summaryToJson(summary: RunSummary): RunSummary {
  const parsed = runSummarySchema.safeParse(summary);
  const value = parsed.success ? parsed.data : summary;
  const items: RunSummary['items'] = {};
  const types: RunSummary['types'] = {};
  for (const type of CONTENT_TYPES) {
    const count = value.items[type];
    if (count !== undefined) items[type] = count;
    const entry = value.types[type];
    if (entry !== undefined) types[type] = entry;
  }
  return { ...value, items, types };
}

/** The exit code a finished run ends the process with (see src/errors.ts). */
export function exitCodeForSummary(summary: RunSummary): ExitCode {
  switch (summary.status) {
    case 'success':
      return ExitCode.Success;
    case 'partial':
      return ExitCode.Partial;
    case 'interrupted':
      return ExitCode.Interrupted;
    case 'failed':
      switch (summary.error?.code) {
        case 'auth':
          return ExitCode.Auth;
        case 'usage':
        case 'config':
        case 'database':
          return ExitCode.Usage;
        default:
          return ExitCode.Error;
      }
  }
}
