import type { ContentType } from '../content-types.js';
import type { ProgressSnapshot, TypeCost, TypeProgress } from '../engine/events.js';
import { formatProgressPercent, formatTimeLeft } from './format.js';

/**
 * How far the run is and how long it has left, from the snapshot every renderer polls.
 *
 * The share is items processed over the totals the listings announced. The time left is
 * request-slot time: each running type's remaining items times what an item of it costs in
 * slot time (a request in flight; queueing in the gate excluded), all divided by the slots the
 * run keeps busy, each measured over the last 10 s so the estimate does not jump with each
 * page. Items per second cannot do it: while the types share the workers, a type listed in
 * pages of whole objects goes at a fraction of its speed behind one fetched item by item, and
 * speeds up twenty-fold when that one finishes (measured: bench/results/progress-eta-auto.md).
 * Slot time follows the work to whichever type is left. When the gate holds a rate, the
 * requests left at that rate bound it from below. Each type's own time left is where it ends
 * as the slots drain: the types keep their current shares, and a finished type's share goes to
 * the others.
 *
 * Snapshots without costs (a restore) use the rate of the types still running. Unknown (`…`)
 * until every type still to run has a total and a cost (or a rate): never a guess.
 */
export interface Completion {
  /** 0–1, or null while some type's total is unknown. */
  share: number | null;
  /** Milliseconds left, or null when it cannot be estimated yet. */
  leftMs: number | null;
  /** Each running type's time left, ms, when the run's is estimated from slot costs. */
  typeLeftMs: Partial<Record<ContentType, number>>;
}

export function typeShare(type: TypeProgress): number | null {
  if (type.state === 'done') return 1;
  if (type.expected === null || type.expected <= 0) return null;
  return Math.min(1, type.stored / type.expected);
}

/** A frame asks twice (the header and the type rows): the same snapshot gives the same answer. */
const computed = new WeakMap<ProgressSnapshot, Completion>();

export function completion(snapshot: ProgressSnapshot): Completion {
  let result = computed.get(snapshot);
  if (result === undefined) {
    result = compute(snapshot);
    computed.set(snapshot, result);
  }
  return result;
}

function compute(snapshot: ProgressSnapshot): Completion {
  let done = 0;
  let total = 0;
  let rate = 0;
  const running: TypeProgress[] = [];
  for (const type of snapshot.types) {
    if (type.state === 'failed') continue;
    if (type.state === 'done') {
      done += type.stored;
      total += type.stored;
      continue;
    }
    if (type.expected === null) return { share: null, leftMs: null, typeLeftMs: {} };
    done += Math.min(type.stored, type.expected);
    total += Math.max(type.expected, type.stored);
    rate += type.itemsPerSecond;
    running.push(type);
  }
  if (total === 0) return { share: null, leftMs: null, typeLeftMs: {} };
  const share = done / total;
  if (done === total) return { share, leftMs: 0, typeLeftMs: {} };
  const drained = drain(running, snapshot);
  if (drained === 'unknown') return { share, leftMs: null, typeLeftMs: {} };
  if (drained !== undefined) return { share, ...drained };
  const leftMs = rate > 0 ? ((total - done) / rate) * 1000 : null;
  return { share, leftMs, typeLeftMs: {} };
}

/**
 * The estimate from costs; `unknown` while some running type has items left and no cost yet, or
 * no request has finished; undefined for a snapshot without costs (then the rates are used).
 */
function drain(
  running: readonly TypeProgress[],
  snapshot: ProgressSnapshot,
): Pick<Completion, 'leftMs' | 'typeLeftMs'> | 'unknown' | undefined {
  const slots = snapshot.requests.slotsInUse;
  if (slots === undefined) return undefined;
  if (slots <= 0) return 'unknown';
  const left: Draining[] = [];
  const typeLeftMs: Partial<Record<ContentType, number>> = {};
  for (const type of running) {
    const cost: TypeCost | undefined = type.cost;
    if (type.expected !== null && type.stored >= type.expected) {
      typeLeftMs[type.type] = 0;
      continue;
    }
    if (cost === undefined) return 'unknown';
    if (cost.itemsToStore <= 0) {
      typeLeftMs[type.type] = 0;
      continue;
    }
    // Per item still to store; those fetched and waiting for the writer cost no request.
    const fetchShare = cost.itemsLeft / cost.itemsToStore;
    left.push({
      type: type.type,
      items: cost.itemsToStore,
      slotMs: Math.max(cost.slotMsPerItem * fetchShare, MIN_COST_MS),
      requests: cost.requestsPerItem * fetchShare,
      writeMs: cost.writeMsPerItem,
      // A type with no recent requests (waiting on the writer, say) still gets some share.
      weight: Math.max(cost.recentSlotMs, 1),
    });
  }
  const rate = snapshot.rateLimit.allowedRatePerSecond;
  const requestsPerMs = rate !== null && rate > 0 ? rate / 1000 : Infinity;
  let elapsed = 0;
  while (left.length > 0) {
    const speeds = speedsOf(left, slots, requestsPerMs);
    let step = Infinity;
    left.forEach((entry, i) => (step = Math.min(step, entry.items / (speeds[i] ?? 0))));
    if (!Number.isFinite(step)) return 'unknown';
    elapsed += step;
    for (let i = left.length - 1; i >= 0; i--) {
      const entry = left[i] as Draining;
      entry.items -= step * (speeds[i] ?? 0);
      if (entry.items <= 1e-6) {
        typeLeftMs[entry.type] = elapsed;
        left.splice(i, 1);
      }
    }
  }
  return { leftMs: elapsed, typeLeftMs };
}

/** Below this a cost is taken as this, so that a speed stays finite. */
const MIN_COST_MS = 1e-6;

/** A running type as the estimate drains it: per item still to store. */
interface Draining {
  type: ContentType;
  items: number;
  slotMs: number;
  requests: number;
  writeMs: number;
  weight: number;
}

/**
 * Items per ms each type goes at: its share of the slots (as now) over its slot cost, all
 * slowed alike when that would ask more of the one writer than it has, or more requests than
 * the gate's rate allows.
 */
function speedsOf(left: readonly Draining[], slots: number, requestsPerMs: number): number[] {
  const weights = left.reduce((sum, entry) => sum + entry.weight, 0);
  const bySlots = left.map((entry) => (slots * (entry.weight / weights)) / entry.slotMs);
  let writerLoad = 0;
  let requestLoad = 0;
  left.forEach((entry, i) => {
    writerLoad += (bySlots[i] ?? 0) * entry.writeMs;
    requestLoad += (bySlots[i] ?? 0) * entry.requests;
  });
  const factor = Math.min(
    1,
    writerLoad > 0 ? 1 / writerLoad : 1,
    requestLoad > 0 ? requestsPerMs / requestLoad : 1,
  );
  return bySlots.map((speed) => speed * factor);
}

/** "42% · ETA ~14 min", with `…` for what is not known yet ("…% · ETA …"). */
export function completionText(value: Completion): string {
  const percent = value.share === null ? '…%' : formatProgressPercent(value.share);
  const left = value.leftMs === null ? '…' : formatTimeLeft(value.leftMs);
  return `${percent} · ETA ${left}`;
}
