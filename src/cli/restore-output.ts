import { truncate } from '../progress/format.js';
import { renderTable } from '../progress/table.js';
import type { Style } from '../progress/style.js';
import type { RestoreSummary } from '../restore/restore.js';
import {
  RESTORE_ACTIONS,
  RESTORE_TYPES,
  type RestoreAction,
  type RestorePlan,
} from '../restore/types.js';

export const RESTORE_SCHEMA_VERSION = 1;

/** Counts per action of a plan, in the order actions are shown. */
export function actionCounts(plan: RestorePlan): Record<RestoreAction, number> {
  const counts = Object.fromEntries(RESTORE_ACTIONS.map((a) => [a, 0])) as Record<
    RestoreAction,
    number
  >;
  for (const item of plan.items) counts[item.action] += 1;
  return counts;
}

/**
 * The plan: one row per item (skips only with `all`; no rows with `rows: false`, as before a
 * real run, where the counts are what is confirmed), then the counts and requests.
 */
export function formatPlan(
  plan: RestorePlan,
  options: { style: Style; all: boolean; rows?: boolean },
): string {
  const lines: string[] = [];
  lines.push(
    `Restore plan: ${plan.origin} of ${plan.sourceInstance} → ${plan.targetInstance}${plan.sameInstance ? ' (same instance)' : ''}`,
  );
  const shown =
    options.rows === false
      ? []
      : plan.items.filter((item) => options.all || item.action !== 'skip');
  if (shown.length > 0) {
    lines.push('');
    lines.push(
      ...renderTable({
        header: ['TYPE', 'ID', 'TITLE', 'ACTION', 'TARGET', 'WHY'],
        rows: shown.map((item) => [
          item.type,
          item.sourceId,
          truncate(item.title, 40),
          item.action,
          item.targetId ?? '-',
          truncate(item.reason, 70),
        ]),
        align: ['left', 'right', 'left', 'left', 'right', 'left'],
        style: options.style,
      }),
    );
  }
  const hidden = plan.items.length - shown.length;
  lines.push('');
  const counts = actionCounts(plan);
  lines.push(
    `${String(plan.items.length)} items: ${RESTORE_ACTIONS.map((a) => `${a} ${String(counts[a])}`).join(', ')}${
      options.rows === false
        ? ' (--dry-run lists them)'
        : hidden > 0
          ? ' (skips not listed: --verbose lists them)'
          : ''
    }`,
  );
  lines.push(
    `Requests: about ${String(plan.estimatedRequests)} to write (${String(plan.planningRequests)} spent reading the target).`,
  );
  for (const unrestorable of plan.unrestorable) {
    lines.push(
      `Not restorable: ${unrestorable.type}${unrestorable.id === null ? '' : ` ${unrestorable.id}`}: ${unrestorable.reason}`,
    );
  }
  for (const warning of plan.warnings.slice(0, 20)) lines.push(`Warning: ${warning}`);
  if (plan.warnings.length > 20) {
    lines.push(`Warning: … and ${String(plan.warnings.length - 20)} more (see --json).`);
  }
  return lines.join('\n');
}

export function planToJson(plan: RestorePlan, summary: RestoreSummary): unknown {
  return {
    schemaVersion: RESTORE_SCHEMA_VERSION,
    ...summaryFields(summary),
    plan: {
      sameInstance: plan.sameInstance,
      counts: actionCounts(plan),
      estimatedRequests: plan.estimatedRequests,
      planningRequests: plan.planningRequests,
      items: plan.items.map((item) => ({
        type: item.type,
        id: item.sourceId,
        title: item.title,
        action: item.action,
        reason: item.reason,
        targetId: item.targetId,
        selected: item.selected,
      })),
      unrestorable: plan.unrestorable,
    },
  };
}

function summaryFields(summary: RestoreSummary): Record<string, unknown> {
  return {
    runId: summary.runId,
    status: summary.status,
    dryRun: summary.dryRun,
    snapshot: summary.snapshotId,
    fromDir: summary.fromDir,
    source: summary.source,
    target: summary.target,
    types: summary.types,
    failures: summary.failures,
    warnings: summary.warnings,
    requests: summary.requests,
    durationMs: summary.durationMs,
    itemsPerSecond: Math.round(summary.itemsPerSecond * 10) / 10,
  };
}

export function restoreSummaryToJson(summary: RestoreSummary): unknown {
  return { schemaVersion: RESTORE_SCHEMA_VERSION, ...summaryFields(summary) };
}

/** The end-of-run table: per type, what was planned and how it went. */
export function formatRestoreSummary(summary: RestoreSummary, style: Style): string {
  const lines: string[] = [];
  const seconds = (summary.durationMs / 1000).toFixed(1);
  lines.push(
    `Restore ${summary.runId === null ? '' : `run ${String(summary.runId)} `}${summary.status}: ${summary.fromDir === null ? `snapshot ${String(summary.snapshotId)}` : summary.fromDir} → ${summary.target} in ${seconds} s, ${String(summary.requests)} requests`,
  );
  const rows = RESTORE_TYPES.flatMap((type) => {
    const t = summary.types.find((entry) => entry.type === type);
    if (!t) return [];
    return [
      [
        type,
        ...RESTORE_ACTIONS.map((a) => String(t.planned[a])),
        String(t.done),
        String(t.failed),
        String(t.skipped),
      ],
    ];
  });
  lines.push('');
  lines.push(
    ...renderTable({
      header: ['TYPE', ...RESTORE_ACTIONS.map((a) => a.toUpperCase()), 'DONE', 'FAILED', 'SKIPPED'],
      rows,
      align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      style,
    }),
  );
  if (summary.failures.length > 0) {
    lines.push('');
    lines.push('Not restored:');
    for (const failure of summary.failures.slice(0, 50)) {
      lines.push(
        `  ${failure.type} ${failure.id} (${truncate(failure.title, 40)}): ${failure.error}`,
      );
    }
    if (summary.failures.length > 50) {
      lines.push(
        `  … and ${String(summary.failures.length - 50)} more (see \`lookervault status ${String(summary.runId)}\`).`,
      );
    }
    lines.push('Run `lookervault restore --retry-failed` to try those again.');
  }
  return lines.join('\n');
}
