import { UsageError } from '../errors.js';
import type { SnapshotRecord } from './snapshots.js';

/**
 * Which snapshots a retention policy keeps, with restic's `forget` semantics: `last` keeps the
 * newest n; `hourly`…`yearly` keep the newest snapshot of each of the n most recent hours
 * (days, ISO weeks, months, years) that have one. A snapshot any rule keeps is kept. Buckets
 * are in UTC. Pure.
 */
export interface RetentionPolicy {
  last?: number;
  hourly?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
}

export const POLICY_RULES = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
export type PolicyRule = (typeof POLICY_RULES)[number];

/** What a policy needs of a snapshot (or of a remote copy): an order and a time. */
export interface Dated {
  /** Larger is newer. */
  id: number;
  startedAt: string;
}

export interface RetentionDecision<T extends Dated = SnapshotRecord> {
  snapshot: T;
  keep: boolean;
  /** Why it is kept ("last snapshot", "daily snapshot", "newest snapshot"), empty when removed. */
  reasons: string[];
}

const BUCKETS: Record<Exclude<PolicyRule, 'last'>, (at: Date) => string> = {
  hourly: (at) => at.toISOString().slice(0, 13),
  daily: (at) => at.toISOString().slice(0, 10),
  weekly: isoWeek,
  monthly: (at) => at.toISOString().slice(0, 7),
  yearly: (at) => at.toISOString().slice(0, 4),
};

export function hasRules(policy: RetentionPolicy): boolean {
  return POLICY_RULES.some((rule) => policy[rule] !== undefined);
}

/** Decisions for `snapshots` (any order), newest first. The newest snapshot is always kept. */
export function applyPolicy<T extends Dated>(
  snapshots: readonly T[],
  policy: RetentionPolicy,
): RetentionDecision<T>[] {
  const newestFirst = [...snapshots].sort((a, b) => b.id - a.id);
  const decisions = newestFirst.map((snapshot): RetentionDecision<T> => ({
    snapshot,
    keep: false,
    reasons: [],
  }));
  const keep = (decision: RetentionDecision<T>, reason: string): void => {
    decision.keep = true;
    decision.reasons.push(reason);
  };
  if (policy.last !== undefined) {
    for (const decision of decisions.slice(0, policy.last)) keep(decision, 'last snapshot');
  }
  for (const rule of POLICY_RULES) {
    if (rule === 'last') continue;
    const n = policy[rule];
    if (n === undefined) continue;
    const seen = new Set<string>();
    for (const decision of decisions) {
      if (seen.size >= n) break;
      const bucket = BUCKETS[rule](new Date(decision.snapshot.startedAt));
      if (seen.has(bucket)) continue;
      seen.add(bucket);
      keep(decision, `${rule} snapshot`);
    }
  }
  const newest = decisions[0];
  if (newest && !newest.keep) keep(newest, 'newest snapshot');
  return decisions;
}

/**
 * Checks a forget request before anything is removed: a policy or explicit ids (not both, not
 * neither), ids that exist, and never the newest snapshot.
 */
export function planForget(
  snapshots: readonly SnapshotRecord[],
  request: { policy: RetentionPolicy; ids: readonly number[] },
): RetentionDecision[] {
  const withPolicy = hasRules(request.policy);
  if (withPolicy && request.ids.length > 0) {
    throw new UsageError('Give snapshot ids or a --keep-* policy, not both', {
      hint: 'Run forget once with the ids, then once with the policy.',
    });
  }
  if (!withPolicy && request.ids.length === 0) {
    throw new UsageError('No snapshot to forget: give snapshot ids or a --keep-* policy', {
      hint: 'For example `lookervault forget --keep-daily 7 --keep-weekly 4`, or `lookervault forget 3 4`.',
    });
  }
  if (withPolicy) return applyPolicy(snapshots, request.policy);
  const known = new Set(snapshots.map((snapshot) => snapshot.id));
  const unknown = request.ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new UsageError(`There is no snapshot ${unknown.join(', ')}`, {
      hint: 'Run `lookervault snapshots` to list them. Nothing was removed.',
    });
  }
  const newestId = Math.max(...known);
  if (request.ids.includes(newestId)) {
    throw new UsageError(`Snapshot ${newestId} is the newest; it is never forgotten`, {
      hint: 'The newest snapshot is the current state of the backup. Nothing was removed.',
    });
  }
  const forget = new Set(request.ids);
  return [...snapshots]
    .sort((a, b) => b.id - a.id)
    .map((snapshot) => ({
      snapshot,
      keep: !forget.has(snapshot.id),
      reasons: forget.has(snapshot.id) ? [] : ['not named'],
    }));
}

/** ISO 8601 week ("2026-W49"), in UTC. */
function isoWeek(at: Date): string {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const weekday = day.getUTCDay() === 0 ? 7 : day.getUTCDay();
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
