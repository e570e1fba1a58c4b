import type { ProgressSnapshot, TypeProgress } from '../engine/events.js';
import { formatProgressPercent, formatTimeLeft } from './format.js';

/**
 * How far the run is and how long it has left, from the snapshot every renderer polls: the
 * share of items processed over the totals the listings announced, and the time left at the
 * rate of the types still running, each over its last 10 s (a sliding window, so the estimate
 * does not jump with each page). Finished types are left out of the rate: small types listed
 * whole store hundreds of items per request in the first seconds, and counting them would
 * promise the slow types a speed they never have (measured: bench/results/progress-eta.md).
 * Unknown (`…`) until every type still to run has a total and items are flowing: never a guess.
 */
export interface Completion {
  /** 0–1, or null while some type's total is unknown. */
  share: number | null;
  /** Milliseconds left, or null when it cannot be estimated yet. */
  leftMs: number | null;
}

export function typeShare(type: TypeProgress): number | null {
  if (type.state === 'done') return 1;
  if (type.expected === null || type.expected <= 0) return null;
  return Math.min(1, type.stored / type.expected);
}

export function completion(snapshot: ProgressSnapshot): Completion {
  let done = 0;
  let total = 0;
  let rate = 0;
  for (const type of snapshot.types) {
    if (type.state === 'failed') continue;
    if (type.state === 'done') {
      done += type.stored;
      total += type.stored;
      continue;
    }
    if (type.expected === null) return { share: null, leftMs: null };
    done += Math.min(type.stored, type.expected);
    total += Math.max(type.expected, type.stored);
    rate += type.itemsPerSecond;
  }
  if (total === 0) return { share: null, leftMs: null };
  const share = done / total;
  const leftMs = rate > 0 ? ((total - done) / rate) * 1000 : done === total ? 0 : null;
  return { share, leftMs };
}

/** "42% · ETA ~14 min", with `…` for what is not known yet ("…% · ETA …"). */
export function completionText(value: Completion): string {
  const percent = value.share === null ? '…%' : formatProgressPercent(value.share);
  const left = value.leftMs === null ? '…' : formatTimeLeft(value.leftMs);
  return `${percent} · ETA ${left}`;
}
