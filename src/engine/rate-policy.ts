import { RateMeter } from './metrics.js';

/**
 * The adaptive rate: how fast the gate may start requests, and how long a 429 pauses them. No
 * timers, no queue: the gate reports what happened (a 429, a success, a request held back by
 * the rate) with the instant it happened, and applies the answer.
 *
 * Policy (docs/limiter.md has the whole of it, and the measurements):
 * - The user's caps (`--rate-limit-per-second`, `--rate-limit-per-minute` ÷ 60, the smaller
 *   wins) are the ceiling; with no cap the rate is unlimited until the server says otherwise.
 * - Pause: a 429 pauses new starts for its `Retry-After` (at most `maxPauseMs`), or for an
 *   exponential backoff when it is absent (doubled per episode without a success between).
 * - Decrease, once per pause episode (a 429 for a request started before the episode began is
 *   a straggler: it only extends the pause). Servers limit in different ways — a token bucket
 *   drains a burst, a window lets exactly R through per second, a concurrency cap refuses one
 *   request too many — so the cut uses what the client saw: the recent success rate, the last
 *   second's successes while it was pushing, what got through since the previous episode, or,
 *   with nothing to go on, slow start (1/s doubled every quarter interval until a 429).
 * - Increase while clean and actually holding requests back: toward the rate the last 429
 *   came at (half the gap per interval when that rate is known closely, additively otherwise),
 *   holding just under it and probing past it only when a probe is due (30 s, doubled each
 *   time a trip confirms the same ceiling). With no cap, once the rate has held nothing back
 *   for `unlimitedAfterMs`, it is lifted altogether.
 */

export interface RatePolicyOptions {
  /** User cap in requests per second (`--rate-limit-per-second`). @default unlimited */
  ratePerSecond?: number;
  /** User cap in requests per minute (`--rate-limit-per-minute`), enforced as even spacing. @default unlimited */
  ratePerMinute?: number;
  /** Floor of the allowed rate after decreases, req/s (clamped to the cap). @default 0.5 */
  minRatePerSecond?: number;
  /** Cut of a repeated episode soon after a pause when nothing closer is known (rate × factor). 0 < f < 1. @default 0.9 */
  decreaseFactor?: number;
  /** Clean time between two additive increases, in ms. @default 1000 */
  increaseIntervalMs?: number;
  /** Step of one increase, as a fraction of the rate the last decrease set. @default 0.02 */
  increaseFraction?: number;
  /** With no cap: lift the rate limit after it has held nothing back this long (ms). @default 30000 */
  unlimitedAfterMs?: number;
  /** Window (ms) of the success rate used to estimate the sustainable rate. @default 10000 */
  estimateWindowMs?: number;
  /** Pause after a 429 without Retry-After, doubled per episode without a success between. @default 1000 */
  backoffBaseMs?: number;
  /** Longest pause after a 429 without Retry-After, in ms. @default 60000 */
  backoffMaxMs?: number;
  /** Longest Retry-After honoured, in ms (a later 429 pauses again). @default 600000 */
  maxPauseMs?: number;
}

export interface RateChange {
  from: number | null;
  to: number | null;
  reason: 'decrease' | 'increase' | 'unlimited';
}

export interface RefusalHints {
  /** @default true */
  lowerRate?: boolean;
  /** @default 1 (request per second) */
  slowStartFrom?: number;
}

export interface RateLimitedDecision {
  /** No request may start for this long from now. */
  pauseMs: number;
  /** Whether this 429 began a new episode (and may have lowered the rate). */
  newEpisode: boolean;
  change?: RateChange;
}

/** Successes the recent window must hold before a first decrease trusts its estimate. */
const MIN_ESTIMATE_SUCCESSES = 5;
/** The increase step doubles after this many increases in a row (a low estimate recovers fast). */
const ACCELERATE_EVERY = 5;
/** Just below the rate the last 429 came at (the probable ceiling), steps shrink to a tenth. */
const PLATEAU_FROM = 0.9;
const PLATEAU_STEP = 0.1;
/** Where slow start begins when a first episode has too few successes to estimate from. */
const SLOW_START_RATE = 1;
/** Slow start doubles this many times per increase interval. */
const SLOW_START_INTERVALS = 4;
/** A 429 this long after the previous episode is an isolated trip just above the server's limit. */
const ISOLATED_AFTER_MS = 10_000;
/** Rates are set this far under what the server let through in the last second. */
const LAST_SECOND_MARGIN = 0.99;
/** A repeated trip soon after a pause cuts the rate to no less than this share of it. */
const DEEPEST_PAUSED_CUT = 0.75;
/** A trip after a clean second cuts the rate to no less than this share of it. */
const DEEPEST_MEASURED_CUT = 0.5;
/** An isolated trip sets the rate this far below where it came. */
const ISOLATED_CUT = 0.98;
/** Trips within this fraction of the previous one confirm the ceiling. */
const SAME_CEILING = 0.03;
/** How long the rate holds below a confirmed ceiling before probing past it; doubled per confirmation. */
const PROBE_HOLD_MS = 30_000;
const PROBE_HOLD_MAX_MS = 300_000;
/** Below a known ceiling the rate holds at this fraction of it until a probe is due. */
const HOLD_BELOW = 0.99;

/** A decrease: the new rate, the rate the server is believed to trip at, and how sure that is. */
interface Cut {
  rate: number;
  ceiling: number | null;
  close: boolean;
}

export class AdaptiveRatePolicy {
  /** The user's cap in requests per second; null = none. */
  readonly cap: number | null;
  private readonly floor: number;
  private readonly decreaseFactor: number;
  private readonly increaseIntervalMs: number;
  private readonly increaseFraction: number;
  private readonly unlimitedAfterMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly maxPauseMs: number;
  private readonly successMeter: RateMeter;
  /** Successes of the last second: a window server's exact limit while it is being exceeded. */
  private readonly lastSecond: RateMeter;

  private current: number | null;
  private episodeStartedAt: number | null = null;
  private successes = 0;
  private successesAtEpisode = 0;
  private episodesWithoutSuccess = 0;
  private increaseStep = 0;
  private increaseStreak = 0;
  private lastEpisodeRate: number | null = null;
  /** Doubling the rate per clean interval: the first episode gave nothing to estimate from. */
  private slowStart = false;
  private probeHoldMs = 0;
  private probeAt = -Infinity;
  /** The last cut knows the limit closely (an isolated trip, or slow start's overshoot). */
  private ceilingIsClose = false;
  /** The last second's successes when the previous episode began. */
  private lastSecondAtEpisode: number | null = null;
  /** The successes counted when the rate last changed. */
  private successesAtAdjust = 0;
  /** When the latest pause ends (or ended). */
  private pauseEndsAt = -Infinity;
  private lastAdjustAt = -Infinity;
  private lastHeldAt = -Infinity;
  private counts = { rateLimited: 0, decreases: 0, increases: 0 };

  constructor(options: RatePolicyOptions, clock: () => number) {
    const caps: number[] = [];
    if (options.ratePerSecond !== undefined)
      caps.push(positive('ratePerSecond', options.ratePerSecond));
    if (options.ratePerMinute !== undefined) {
      caps.push(positive('ratePerMinute', options.ratePerMinute) / 60);
    }
    this.cap = caps.length === 0 ? null : Math.min(...caps);
    this.floor = Math.min(
      positive('minRatePerSecond', options.minRatePerSecond ?? 0.5),
      this.cap ?? Infinity,
    );
    this.decreaseFactor = options.decreaseFactor ?? 0.9;
    if (!(this.decreaseFactor > 0 && this.decreaseFactor < 1)) {
      throw new RangeError(`decreaseFactor must be in (0, 1), got ${this.decreaseFactor}`);
    }
    this.increaseIntervalMs = positive('increaseIntervalMs', options.increaseIntervalMs ?? 1000);
    this.increaseFraction = positive('increaseFraction', options.increaseFraction ?? 0.02);
    this.unlimitedAfterMs = positive('unlimitedAfterMs', options.unlimitedAfterMs ?? 30_000);
    this.backoffBaseMs = positive('backoffBaseMs', options.backoffBaseMs ?? 1000);
    this.backoffMaxMs = positive('backoffMaxMs', options.backoffMaxMs ?? 60_000);
    this.maxPauseMs = positive('maxPauseMs', options.maxPauseMs ?? 600_000);
    this.successMeter = new RateMeter({
      windowMs: positive('estimateWindowMs', options.estimateWindowMs ?? 10_000),
      slots: 50,
      now: clock,
    });
    this.lastSecond = new RateMeter({ windowMs: 1000, slots: 100, now: clock });
    this.current = this.cap;
  }

  /** Requests per second allowed now; null = unlimited. */
  get rate(): number | null {
    return this.current;
  }

  get rateLimitedCount(): number {
    return this.counts.rateLimited;
  }

  get decreases(): number {
    return this.counts.decreases;
  }

  get increases(): number {
    return this.counts.increases;
  }

  /**
   * The 429s were a concurrency limit's, not a rate's (the gate's cap explains them): the rate
   * goes back to the user's cap, or to none.
   */
  release(now: number): RateChange | undefined {
    if (this.current === this.cap) return undefined;
    return this.setRate(this.cap, this.cap === null ? 'unlimited' : 'increase', now);
  }

  /** The rate held a request back at `now` (the increase only climbs while it matters). */
  held(now: number): void {
    this.lastHeldAt = now;
  }

  /**
   * Whether a 429 for a request started at `startedAt` begins a new episode. Strictly after: a
   * request started in the very millisecond the episode began was sent before its 429 was
   * processed (no start can follow an announced pause in the same instant).
   */
  isNewEpisode(startedAt: number): boolean {
    return this.episodeStartedAt === null || startedAt > this.episodeStartedAt;
  }

  /**
   * A 429 came back at `now` for a request started at `startedAt`. `lowerRate: false` when
   * something else explains it (the concurrency cap's probe): it pauses, but keeps the rate.
   * `slowStartFrom`: where slow start may begin, when it must (the rate the requests in flight
   * at the refusal were getting through, halved); at least 1/s.
   */
  rateLimited(
    now: number,
    retryAfterMs: number | undefined,
    startedAt: number,
    { lowerRate = true, slowStartFrom = SLOW_START_RATE }: RefusalHints = {},
  ): RateLimitedDecision {
    this.counts.rateLimited += 1;
    const newEpisode = this.isNewEpisode(startedAt);
    if (newEpisode) this.episodesWithoutSuccess += 1;
    const pauseMs =
      retryAfterMs === undefined
        ? Math.min(
            this.backoffMaxMs,
            this.backoffBaseMs * 2 ** Math.max(0, this.episodesWithoutSuccess - 1),
          )
        : Math.min(this.maxPauseMs, Math.max(0, retryAfterMs));
    let change: RateChange | undefined;
    if (newEpisode && lowerRate) change = this.decrease(now, pauseMs, slowStartFrom);
    else if (newEpisode) this.episodeStartedAt = now;
    this.pauseEndsAt = Math.max(this.pauseEndsAt, now + pauseMs);
    return { pauseMs, newEpisode, ...(change ? { change } : {}) };
  }

  /** A request came back at `now` without a 429; the gate is paused until `pausedUntil`. */
  succeeded(now: number, pausedUntil: number): RateChange | undefined {
    this.successes += 1;
    this.successMeter.add(1, now);
    this.lastSecond.add(1, now);
    this.episodesWithoutSuccess = 0;
    if (this.current === null || now < pausedUntil) return undefined;
    const cleanSince = Math.max(this.lastAdjustAt, pausedUntil);
    if (this.cap === null && now - Math.max(this.lastHeldAt, cleanSince) >= this.unlimitedAfterMs) {
      return this.setRate(null, 'unlimited', now);
    }
    const interval = this.slowStart
      ? this.increaseIntervalMs / SLOW_START_INTERVALS
      : this.increaseIntervalMs;
    if (now - cleanSince < interval || this.lastHeldAt < cleanSince) return undefined;
    if (this.cap !== null && this.current >= this.cap) return undefined;
    const base = Math.max(this.increaseStep, this.increaseFraction * this.floor);
    const ceiling = this.lastEpisodeRate;
    let raised: number;
    if (this.slowStart) {
      raised = this.current * 2;
    } else if (ceiling !== null) {
      // Below the rate the last 429 came at: close half the gap to just under it per interval
      // when that rate is known closely, else climb (creeping in its last 10 %); hold just
      // under it, and probe past it in small steps only once a probe is due.
      const hold = ceiling * HOLD_BELOW;
      if (this.current < hold && this.ceilingIsClose) {
        this.increaseStreak = 0;
        raised = Math.min(
          hold,
          this.current + Math.max(base * PLATEAU_STEP, (hold - this.current) / 2),
        );
      } else if (this.current < ceiling * PLATEAU_FROM) {
        raised = Math.min(hold, this.current + this.acceleratedStep(base));
      } else if (this.current < hold || now >= this.probeAt) {
        this.increaseStreak = 0;
        raised = this.current + base * PLATEAU_STEP;
      } else {
        return undefined;
      }
    } else {
      raised = this.current + this.acceleratedStep(base);
    }
    this.counts.increases += 1;
    return this.setRate(this.cap === null ? raised : Math.min(this.cap, raised), 'increase', now);
  }

  /** The additive step, doubled after every few increases in a row. */
  private acceleratedStep(base: number): number {
    const step = base * 2 ** Math.floor(this.increaseStreak / ACCELERATE_EVERY);
    this.increaseStreak += 1;
    return step;
  }

  private decrease(now: number, pauseMs: number, slowStartFrom: number): RateChange | undefined {
    const before = this.current;
    const previousEpisodeAt = this.episodeStartedAt;
    this.episodeStartedAt = now;
    const successesSincePrevious = this.successes - this.successesAtEpisode;
    this.successesAtEpisode = this.successes;
    const wasSlowStart = this.slowStart;
    this.slowStart = false;
    // What the server let through in the last second: a window server's limit exactly while it
    // is being exceeded; a token bucket lets more through while its burst drains.
    // Only while the client pushed (no rate, or the rate holding requests back): an idle
    // client's successes say nothing about the server.
    const lastSecond =
      before === null || now - this.lastHeldAt <= 1000
        ? this.lastSecond.sample(now).count * LAST_SECOND_MARGIN
        : Infinity;
    let cut: Cut;
    if (before === null || previousEpisodeAt === null) {
      const first = this.firstCut(now, pauseMs, before, lastSecond);
      if (first === undefined) {
        if (before !== null) return undefined;
        // Too few successes to say anything (a burst of one, a concurrency limit): pace from a
        // low rate and double it while responses are clean, so the limit is found in seconds.
        this.slowStart = true;
        cut = {
          rate: Math.max(SLOW_START_RATE, Math.min(this.cap ?? Infinity, slowStartFrom)),
          ceiling: null,
          close: false,
        };
      } else {
        cut = first;
      }
    } else if (wasSlowStart && this.successes === this.successesAtAdjust) {
      // Nothing got through at this rate yet (a storm of 429s): the pause alone acts, and slow
      // start goes on from the same rate afterwards.
      this.slowStart = true;
      return undefined;
    } else if (wasSlowStart) {
      // Doubling overshot: the limit is between half this rate and this rate, near what the
      // server accepted since the last doubling.
      const sinceMs = Math.max(1, now - this.lastAdjustAt);
      const accepted = ((this.successes - this.successesAtAdjust) * 1000) / sinceMs;
      const rate = Math.max(before / 2, Math.min(before, accepted * LAST_SECOND_MARGIN));
      cut = { rate, ceiling: before, close: true };
    } else if (now - previousEpisodeAt >= ISOLATED_AFTER_MS) {
      // Clean for a while, then one trip: the limit is just under this rate.
      const rate = Math.min(before * ISOLATED_CUT, lastSecond);
      cut = { rate, ceiling: Math.min(before, lastSecond / LAST_SECOND_MARGIN), close: true };
    } else if (now - Math.max(this.pauseEndsAt, this.lastAdjustAt) >= 1000 && lastSecond < before) {
      // A trip after a whole second at this rate without a pause: the server let through what
      // it allows per second (exactly, for a window server; a little more for a bucket).
      const rate = Math.max(before * DEEPEST_MEASURED_CUT, lastSecond);
      cut = { rate, ceiling: lastSecond / LAST_SECOND_MARGIN, close: true };
    } else if (
      this.lastSecondAtEpisode !== null &&
      Math.abs(lastSecond - this.lastSecondAtEpisode) <= lastSecond * SAME_CEILING &&
      lastSecond < before
    ) {
      // The same count in the last second of two trips in a row: a server counting per second.
      cut = { rate: lastSecond, ceiling: lastSecond / LAST_SECOND_MARGIN, close: true };
    } else {
      // Repeated trips soon after a pause. The successes per second since the previous episode
      // (pause included) are a floor for any server; the last second's successes are a window
      // server's limit but undercount a small-burst bucket refilling after the pause, so a cut
      // goes no deeper than a quarter.
      const elapsed = now - previousEpisodeAt;
      const sustained = elapsed > 0 ? (successesSincePrevious * 1000) / elapsed : 0;
      const rate = Math.min(
        before,
        Math.max(
          before * DEEPEST_PAUSED_CUT,
          sustained,
          Math.min(lastSecond, before * this.decreaseFactor),
        ),
      );
      cut = { rate, ceiling: before, close: false };
    }
    this.lastSecondAtEpisode = lastSecond;
    const previousCeiling = this.lastEpisodeRate;
    const confirmed =
      before !== null &&
      previousCeiling !== null &&
      Math.abs(before - previousCeiling) <= previousCeiling * SAME_CEILING;
    this.probeHoldMs = confirmed
      ? Math.min(PROBE_HOLD_MAX_MS, Math.max(PROBE_HOLD_MS, this.probeHoldMs * 2))
      : PROBE_HOLD_MS;
    this.probeAt = now + pauseMs + this.probeHoldMs;
    const next = Math.min(this.cap ?? Infinity, Math.max(this.floor, cut.rate));
    this.increaseStep = this.increaseFraction * next;
    this.lastEpisodeRate = cut.ceiling;
    this.ceilingIsClose = cut.close;
    this.increaseStreak = 0;
    this.counts.decreases += 1;
    return this.setRate(next, 'decrease', now);
  }

  /**
   * The first episode's cut: the successes of the recent window over that window plus the pause
   * owed, not under half the rate that was succeeding, nor over the last second's successes
   * once the run is a second old. Undefined with too few successes to go on.
   */
  private firstCut(
    now: number,
    pauseMs: number,
    before: number | null,
    lastSecond: number,
  ): Cut | undefined {
    const { count, coveredMs } = this.successMeter.sample(now);
    if (count < MIN_ESTIMATE_SUCCESSES) return undefined;
    const corrected = (count * 1000) / (coveredMs + pauseMs);
    const half = coveredMs > 0 ? (count * 500) / coveredMs : 0;
    const byWindow = Math.min(before ?? Infinity, Math.max(corrected, half));
    // A run younger than a second has seen the server's free burst, not its rate.
    if (coveredMs >= 1000 && lastSecond < byWindow) {
      return { rate: lastSecond, ceiling: lastSecond / LAST_SECOND_MARGIN, close: true };
    }
    return { rate: byWindow, ceiling: before, close: false };
  }

  private setRate(to: number | null, reason: RateChange['reason'], now: number): RateChange {
    const from = this.current;
    this.current = to;
    this.lastAdjustAt = now;
    this.successesAtAdjust = this.successes;
    return { from, to, reason };
  }
}

export function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}
