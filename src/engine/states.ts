/**
 * The engine's states, declared once: the store records them, the engine moves through them,
 * renderers and the summary schema name them. Types and zod enums derive from these tuples.
 */

/**
 * Where one content type is within one run: not started, waiting for another type (explores
 * wait for their models), listing pages, reconciling ids, finished, or given up.
 */
export const TYPE_STATES = [
  'pending',
  'waiting',
  'listing',
  'reconciling',
  'done',
  'failed',
] as const;
export type TypeState = (typeof TYPE_STATES)[number];

/** How a run ended (`status` of the summary). */
export const FINAL_RUN_STATUSES = ['success', 'partial', 'interrupted', 'failed'] as const;
export type FinalRunStatus = (typeof FINAL_RUN_STATUSES)[number];

/** A run's lifecycle. `running` is the only state with a live owner process. */
export const RUN_STATUSES = ['running', ...FINAL_RUN_STATUSES] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * Statuses a later `extract` picks up where it stopped: runs that did not get to the end.
 * `failed` is included: a run that died on a full disk or a lost network keeps every committed
 * page, and resuming it loses nothing. `partial` is not: that run went to the end and retried
 * its failed pages already; the next extract starts a fresh run (which fetches them again), so
 * one page that keeps failing can never freeze a scheduled backup on an old run.
 */
export const RESUMABLE_STATUSES: readonly RunStatus[] = ['interrupted', 'failed'];

/** Why a run stops before its work is done. */
export type StopReason = 'interrupt' | 'fatal';
