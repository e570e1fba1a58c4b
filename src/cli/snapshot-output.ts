import {
  CONTENT_TYPES,
  CONTENT_TYPE_PLURALS,
  parseContentType,
  type ContentType,
} from '../content-types.js';
import { UsageError } from '../errors.js';
import { formatBytes, formatCount, formatDuration, plural } from '../progress/format.js';
import { createStyle } from '../progress/style.js';
import { renderTable } from '../progress/table.js';
import type {
  PruneResult,
  RetentionDecision,
  SnapshotRecord,
  VersionRecord,
} from '../store/index.js';

/**
 * What `snapshots`, `history`, `forget` and `prune` print: tables for people and, with
 * `--json`, one object with a `schemaVersion` (fields are only added within a version).
 * Documented in the README.
 */
export const SNAPSHOT_SCHEMA_VERSION = 1;

/** A content type argument (singular or plural), or a one-line error naming the choices. */
export function contentTypeArgument(value: string): ContentType {
  const type = parseContentType(value);
  if (type === undefined) {
    throw new UsageError(`Unknown content type "${value}"`, {
      hint: `Choose from: ${CONTENT_TYPES.join(', ')}.`,
    });
  }
  return type;
}

/** "2026-12-07 10:00:00" (UTC, as stored). */
function shortTime(iso: string | null): string {
  if (iso === null) return '-';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function typesLabel(types: readonly string[]): string {
  if (types.length === CONTENT_TYPES.length) return 'all';
  return types
    .map((type) =>
      type in CONTENT_TYPE_PLURALS ? CONTENT_TYPE_PLURALS[type as ContentType] : type,
    )
    .join(',');
}

/** "all", or the folders a scoped snapshot covers ("Shared/Marketing +subfolders"). */
function scopeLabel(scope: SnapshotRecord['scope']): string {
  if (scope === null) return 'all';
  const folders = scope.folders.join(', ');
  const label = `${folders}${scope.recursive ? ' +subfolders' : ''}`;
  return label.length > 40 ? `${label.slice(0, 39)}…` : label;
}

export function formatSnapshots(
  path: string,
  snapshots: readonly SnapshotRecord[],
  color: boolean,
): string {
  if (snapshots.length === 0) {
    return `No snapshots in ${path} yet: every \`lookervault extract\` that finishes makes one.`;
  }
  const style = createStyle(color);
  const rows = snapshots.map((s) => [
    String(s.id),
    shortTime(s.startedAt),
    s.status,
    s.incremental ? 'incremental' : 'full',
    typesLabel(s.types),
    scopeLabel(s.scope),
    formatCount(s.items),
    formatCount(s.new),
    formatCount(s.changed),
    formatCount(s.deleted),
    formatCount(s.trashed),
    s.durationMs === null ? '-' : formatDuration(s.durationMs),
    s.requests === null ? '-' : formatCount(s.requests),
  ]);
  const lines = renderTable({
    header: [
      'ID',
      'Time (UTC)',
      'Status',
      'Kind',
      'Types',
      'Scope',
      'Items',
      'New',
      'Changed',
      'Deleted',
      'Trashed',
      'Duration',
      'Requests',
    ],
    rows,
    align: [
      'right',
      'left',
      'left',
      'left',
      'left',
      'left',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
    ],
    style,
  });
  lines.push('', `${plural(snapshots.length, 'snapshot')} in ${path}`);
  return lines.join('\n');
}

export function snapshotsToJson(path: string, snapshots: readonly SnapshotRecord[]): unknown {
  return { schemaVersion: SNAPSHOT_SCHEMA_VERSION, database: path, snapshots };
}

/** What a version was, as a word: new, changed, trashed, restored (from the trash). */
function versionChange(version: VersionRecord, previous: VersionRecord | undefined): string {
  if (previous === undefined) return version.trashed ? 'new (in trash)' : 'new';
  if (previous.ended === 'deleted') return 'back';
  if (version.trashed && !previous.trashed) return 'trashed';
  if (!version.trashed && previous.trashed) return 'restored';
  return 'changed';
}

export function formatHistory(
  type: ContentType,
  id: string,
  versions: readonly VersionRecord[],
  color: boolean,
): string {
  const style = createStyle(color);
  const rows = versions.map((version, index) => [
    String(version.fromRun),
    shortTime(version.fromAt),
    version.toRun === null ? 'current' : `${version.ended ?? 'changed'} in ${version.toRun}`,
    versionChange(version, versions[index - 1]),
    version.hash.slice(0, 12),
    formatBytes(version.size),
    version.updatedAt === null ? '-' : shortTime(version.updatedAt),
    version.name ?? '',
  ]);
  const lines = renderTable({
    header: ['From', 'Time (UTC)', 'Until', 'Change', 'Hash', 'Size', 'Updated in Looker', 'Name'],
    rows,
    align: ['right', 'left', 'left', 'left', 'left', 'right', 'left', 'left'],
    style,
  });
  lines.push('', `${plural(versions.length, 'version')} of ${type} ${id}`);
  return lines.join('\n');
}

export function historyToJson(
  type: ContentType,
  id: string,
  versions: readonly VersionRecord[],
): unknown {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    type,
    id,
    versions: versions.map((version, index) => ({
      ...version,
      change: versionChange(version, versions[index - 1]),
    })),
  };
}

export function formatForget(
  decisions: readonly RetentionDecision[],
  dryRun: boolean,
  color: boolean,
): string {
  const style = createStyle(color);
  const kept = decisions.filter((d) => d.keep);
  const removed = decisions.filter((d) => !d.keep);
  const lines: string[] = [];
  const table = (list: readonly RetentionDecision[], withReasons: boolean) =>
    renderTable({
      header: withReasons
        ? ['ID', 'Time (UTC)', 'Items', 'Reasons']
        : ['ID', 'Time (UTC)', 'Items'],
      rows: list.map((d) => [
        String(d.snapshot.id),
        shortTime(d.snapshot.startedAt),
        formatCount(d.snapshot.items),
        ...(withReasons ? [d.reasons.join(', ')] : []),
      ]),
      align: ['right', 'left', 'right', 'left'],
      style,
    });
  lines.push(`Keep ${plural(kept.length, 'snapshot')}:`, ...table(kept, true));
  if (removed.length > 0) {
    lines.push(
      '',
      `${dryRun ? 'Would remove' : 'Remove'} ${plural(removed.length, 'snapshot')}:`,
      ...table(removed, false),
    );
  } else {
    lines.push('', 'No snapshot to remove.');
  }
  return lines.join('\n');
}

export function forgetToJson(
  decisions: readonly RetentionDecision[],
  dryRun: boolean,
  pruned: PruneResult | undefined,
): unknown {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    dryRun,
    keep: decisions
      .filter((d) => d.keep)
      .map((d) => ({ id: d.snapshot.id, startedAt: d.snapshot.startedAt, reasons: d.reasons })),
    remove: decisions
      .filter((d) => !d.keep)
      .map((d) => ({ id: d.snapshot.id, startedAt: d.snapshot.startedAt })),
    ...(pruned === undefined ? {} : { prune: pruned }),
  };
}

export function formatPrune(result: PruneResult, dryRun: boolean): string {
  const verb = dryRun ? 'Would remove' : 'Removed';
  const lines = [
    `${verb} ${plural(result.versionsRemoved, 'version')} no kept snapshot holds and ${plural(result.contentsRemoved, 'distinct content')} (${formatBytes(result.contentBytesRemoved)} of JSON).`,
  ];
  if (!dryRun) {
    lines.push(
      result.vacuumed
        ? `File: ${formatBytes(result.fileBytesBefore)} → ${formatBytes(result.fileBytesAfter)}.`
        : `File: ${formatBytes(result.fileBytesAfter)} (not compacted: --no-vacuum; freed pages are reused by later runs).`,
    );
  }
  return lines.join('\n');
}

export function pruneToJson(result: PruneResult, dryRun: boolean): unknown {
  return { schemaVersion: SNAPSHOT_SCHEMA_VERSION, dryRun, ...result };
}
