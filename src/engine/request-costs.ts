import { monotonicNow } from './backoff.js';
import { RateMeter } from './metrics.js';

/**
 * How much of the request slots each kind of work takes: for every tag (a content type), the
 * time its requests spent in flight — from the gate letting them start to their answer, so
 * queueing in the gate is not counted — and how many were sent, in total and over a sliding
 * window. The time left of a run is the slot time its remaining items will take (see
 * progress/completion.ts): a listing page of whole objects and a detail call cost very
 * different amounts per item, and items per second cannot tell them apart while both share
 * the workers.
 */
export interface TagCost {
  /** Σ time in flight of the tag's finished requests, ms, over the run. */
  slotMs: number;
  requests: number;
  /** The same over the last `windowMs` (less while the run is younger). */
  recent: { slotMs: number; requests: number };
}

export interface RequestCostsOptions {
  /** @default 10_000, the window of the items/s meters it is compared with */
  windowMs?: number;
  now?: () => number;
}

interface TagCounters {
  slotMs: number;
  requests: number;
  slotMeter: RateMeter;
  requestMeter: RateMeter;
}

export class RequestCosts {
  private readonly tags = new Map<string, TagCounters>();
  private readonly windowMs: number;
  private readonly createdAt: number;
  readonly now: () => number;

  constructor(options: RequestCostsOptions = {}) {
    this.windowMs = options.windowMs ?? 10_000;
    this.now = options.now ?? monotonicNow;
    this.createdAt = this.now();
  }

  /** One request of `tag` held a slot for `ms`. */
  record(tag: string, ms: number): void {
    const counters = this.counters(tag);
    const at = this.now();
    counters.slotMs += ms;
    counters.requests += 1;
    counters.slotMeter.add(ms, at);
    counters.requestMeter.add(1, at);
  }

  cost(tag: string): TagCost {
    const counters = this.tags.get(tag);
    if (counters === undefined) {
      return { slotMs: 0, requests: 0, recent: { slotMs: 0, requests: 0 } };
    }
    const at = this.now();
    return {
      slotMs: counters.slotMs,
      requests: counters.requests,
      recent: {
        slotMs: counters.slotMeter.sample(at).count,
        requests: counters.requestMeter.sample(at).count,
      },
    };
  }

  /** Slots in use on average over the window, all tags together (0 before any request). */
  slotsInUse(): number {
    const at = this.now();
    let slotMs = 0;
    for (const counters of this.tags.values()) slotMs += counters.slotMeter.sample(at).count;
    const coveredMs = this.coveredMs(at);
    return coveredMs > 0 ? slotMs / coveredMs : 0;
  }

  /** The time the window covers: all of it, or the whole run while the run is younger. */
  private coveredMs(at: number): number {
    return Math.max(0, Math.min(this.windowMs, at - this.createdAt));
  }

  private counters(tag: string): TagCounters {
    let counters = this.tags.get(tag);
    if (counters === undefined) {
      counters = {
        slotMs: 0,
        requests: 0,
        slotMeter: new RateMeter({ windowMs: this.windowMs, now: this.now }),
        requestMeter: new RateMeter({ windowMs: this.windowMs, now: this.now }),
      };
      this.tags.set(tag, counters);
    }
    return counters;
  }
}
